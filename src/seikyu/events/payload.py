"""An event as Stripe shows it: the one rendering that `GET /v1/events/{id}` answers with
and that webhook deliveries carry, so a receiver sees byte for byte what the API shows.

It lives beside the events rather than in `api/` because the delivery worker, which may not
know HTTP's API layer, signs these bytes.
"""

from __future__ import annotations

from typing import Any

import orjson

from seikyu.core.clock import to_unix
from seikyu.db.models import Event


def render_event(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "object": "event",
        "api_version": event.api_version,
        "created": to_unix(event.created),
        "data": event.data,
        "livemode": event.livemode,
        "pending_webhooks": event.pending_webhooks,
        "request": {"id": event.request_id, "idempotency_key": event.idempotency_key},
        "type": event.type,
    }


def payload(event: Event) -> bytes:
    """The request body of a delivery, serialized once: its signature covers these bytes."""
    return orjson.dumps(render_event(event))
