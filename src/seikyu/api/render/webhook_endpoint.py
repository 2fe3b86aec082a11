"""webhook_endpoint -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import deleted_stub, ts
from seikyu.db.models.webhook_endpoints import WebhookEndpoint

OBJECT = "webhook_endpoint"


def render_webhook_endpoint(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """Without the secret: Stripe shows it only when it is made (`render_with_secret`)."""
    if endpoint.deleted_at is not None:
        return deleted_stub(endpoint.id, OBJECT)
    return {
        "id": endpoint.id,
        "object": OBJECT,
        "api_version": endpoint.api_version,
        "application": None,
        "created": ts(endpoint.created),
        "description": endpoint.description,
        "enabled_events": list(endpoint.enabled_events),
        "livemode": endpoint.livemode,
        "metadata": dict(endpoint.metadata_),
        "status": endpoint.status,
        "url": endpoint.url,
    }


def render_with_secret(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {**render_webhook_endpoint(endpoint), "secret": endpoint.secret}
