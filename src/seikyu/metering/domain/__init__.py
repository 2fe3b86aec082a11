"""Metering rules and aggregation, free of storage, HTTP and the clock."""
