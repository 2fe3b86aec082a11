"""Radar rules and risk decisions, free of storage, HTTP and the clock."""
