"""Fraud screening: risk scores, Radar rules, value lists and reviews."""
