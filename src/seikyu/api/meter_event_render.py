"""Meter events, adjustments and sessions as Stripe shows them: v1 with Unix times, v2
with RFC 3339 strings, and any outcome turned into a reply for the ingester to store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from seikyu.api.errors import envelope, status_for
from seikyu.core.clock import from_unix
from seikyu.core.errors import SeikyuError
from seikyu.metering.ingest_jobs import AcceptedEvent, Outcome, Reply


def iso(at: datetime) -> str:
    """2025-01-31T12:00:00.000Z: what Stripe's v2 API writes."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def v1_event(event: AcceptedEvent, livemode: bool) -> dict[str, Any]:
    return {
        "object": "billing.meter_event",
        "created": event.created,
        "event_name": event.event_name,
        "identifier": event.identifier,
        "livemode": livemode,
        "payload": event.payload,
        "timestamp": event.timestamp,
    }


def v2_event(event: AcceptedEvent, livemode: bool) -> dict[str, Any]:
    return {
        "object": "v2.billing.meter_event",
        "created": iso(from_unix(event.created)),
        "event_name": event.event_name,
        "identifier": event.identifier,
        "livemode": livemode,
        "payload": event.payload,
        "timestamp": iso(from_unix(event.timestamp)),
    }


def v1_adjustment(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "billing.meter_event_adjustment",
        "cancel": {"identifier": fields["identifier"]},
        "event_name": fields["event_name"],
        "livemode": fields["livemode"],
        "status": fields["status"],
        "type": fields["type"],
    }


def v2_adjustment(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": fields["id"],
        "object": "v2.billing.meter_event_adjustment",
        "cancel": {"identifier": fields["identifier"]},
        "created": iso(fields["created"]),
        "event_name": fields["event_name"],
        "livemode": fields["livemode"],
        "status": fields["status"],
        "type": fields["type"],
    }


def v2_session(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": fields["id"],
        "object": "v2.billing.meter_event_session",
        "authentication_token": fields["authentication_token"],
        "created": iso(fields["created"]),
        "expires_at": iso(fields["expires_at"]),
        "livemode": fields["livemode"],
    }


def error_reply(error: SeikyuError, request_id: str) -> Reply:
    return Reply(status_for(error), orjson.dumps(envelope(error, request_id)), error=error.body())


def responder(
    request_id: str,
    render: Callable[[Any], dict[str, Any]],
    *,
    status: int = 200,
) -> Callable[[Outcome], Reply]:
    """The job's `respond`: `render` gets the outcome unless it is an error."""

    def respond(outcome: Outcome) -> Reply:
        if isinstance(outcome, SeikyuError):
            return error_reply(outcome, request_id)
        return Reply(status, orjson.dumps(render(outcome)))

    return respond
