"""webhook_attempt -> JSON: Seikyu's record of one webhook request and its answer."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.webhook_attempts import WebhookAttempt

OBJECT = "webhook_attempt"


def render_webhook_attempt(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "object": OBJECT,
        "created": ts(attempt.created),
        "duration_ms": attempt.duration_ms,
        "error": attempt.error,
        "event": attempt.event_id,
        "livemode": attempt.livemode,
        "response_body": attempt.response_excerpt,
        "status_code": attempt.status_code,
        "succeeded": attempt.succeeded,
        "webhook_endpoint": attempt.endpoint_id,
    }
