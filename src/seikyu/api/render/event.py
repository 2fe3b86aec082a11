"""event -> Stripe JSON: the rendering webhook deliveries share (see events/payload.py)."""

from __future__ import annotations

from seikyu.events.payload import render_event

__all__ = ["render_event"]
