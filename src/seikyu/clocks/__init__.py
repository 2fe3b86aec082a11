"""Test clocks: simulated time for a few test-mode customers and everything they own."""
