"""event -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models import Event


def render_event(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "object": "event",
        "api_version": event.api_version,
        "created": ts(event.created),
        "data": event.data,
        "livemode": event.livemode,
        "pending_webhooks": event.pending_webhooks,
        "request": {"id": event.request_id, "idempotency_key": event.idempotency_key},
        "type": event.type,
    }
