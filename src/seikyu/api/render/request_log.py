"""request_log -> JSON (a Seikyu object: Stripe shows its request log only in the Dashboard)."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.api.render.event import render_event
from seikyu.db.models import Event, RequestLog

OBJECT = "request_log"


def render_request_log(log: RequestLog) -> dict[str, Any]:
    return {
        "id": log.id,
        "object": OBJECT,
        "api_key": log.api_key_id,
        "api_version": log.stripe_version,
        "created": ts(log.created),
        "duration_us": log.duration_us,
        "error": log.error,
        "idempotency_key": log.idempotency_key,
        "livemode": log.livemode,
        "method": log.method,
        "path": log.path,
        "related_object": log.object_id,
        "request_params": log.params,
        "source_ip": log.source_ip,
        "status": log.status,
        "user_agent": log.user_agent,
    }


def render_events(events: list[Event]) -> list[dict[str, Any]]:
    return [render_event(event) for event in events]
