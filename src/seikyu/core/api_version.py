"""The Stripe API version whose shapes Seikyu serves: the one the pinned SDK sends."""

API_VERSION = "2026-10-28.endive"
