"""Reading meter event requests: the v1 form and the v2 JSON bodies, checked by hand
because a stream request carries a hundred events and a model per event costs more than
storing it."""

from __future__ import annotations

from typing import Any

import orjson

from seikyu.core.errors import invalid, missing, unknown
from seikyu.metering.domain import ingest_rules as rules
from seikyu.metering.domain.ingest_rules import Naming, ReportedEvent

V1_EVENT = frozenset({"event_name", "payload", "identifier", "timestamp", "expand"})
V2_EVENT = frozenset({"event_name", "payload", "identifier", "timestamp"})
V1_ADJUSTMENT = frozenset({"event_name", "type", "cancel", "expand"})
V2_ADJUSTMENT = frozenset({"event_name", "type", "cancel"})


def json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise invalid("Invalid JSON: the request body could not be parsed.") from None
    if not isinstance(parsed, dict):
        raise invalid("Invalid JSON: the request body must be a JSON object.")
    # JSON spells a NUL only as this escape; neither database stores one in text, and a
    # group commit must not fail every request in it for one request's bytes.
    if b"\\u0000" in body:
        _refuse_nul(parsed, "")
    return parsed


def _refuse_nul(value: Any, param: str) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise invalid(f"Invalid string: {param} contains a null byte.", param=param)
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{param}.{key}" if param else key
            if "\x00" in key:
                raise invalid(
                    f"Invalid parameter name: {name!r} contains a null byte.",
                    param=name.replace("\x00", ""),
                )
            _refuse_nul(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_nul(item, f"{param}[{index}]")


def only(raw: dict[str, Any], allowed: frozenset[str], naming: Naming) -> None:
    if raw.keys() <= allowed:
        return  # one set comparison in C for the usual request; the loop names the culprit
    for key in raw:
        if key not in allowed:
            raise unknown(naming(key))


def v1_event(raw: dict[str, Any]) -> ReportedEvent:
    only(raw, V1_EVENT, rules.V1)
    return _event(raw, rules.V1, rules.unix_timestamp)


def v2_event(raw: Any, naming: Naming) -> ReportedEvent:
    if not isinstance(raw, dict):
        param = naming.prefix.rstrip(".") or "body"
        raise invalid(f"Invalid object: {param} must be an object.", param=param)
    only(raw, V2_EVENT, naming)
    return _event(raw, naming, rules.rfc3339_timestamp)


def v2_stream(raw: dict[str, Any]) -> list[ReportedEvent]:
    only(raw, frozenset({"events"}), rules.V2)
    events = raw.get("events")
    if events is None:
        raise missing("events")
    if not isinstance(events, list):
        raise invalid("Invalid array: events must be an array.", param="events")
    if not events:
        raise invalid("events must contain at least one event.", param="events")
    if len(events) > rules.MAX_STREAM_EVENTS:
        raise invalid(
            f"events may contain at most {rules.MAX_STREAM_EVENTS} events a request "
            f"(got {len(events)}).",
            param="events",
        )
    return [v2_event(event, rules.in_stream(i)) for i, event in enumerate(events)]


def adjustment(raw: dict[str, Any], naming: Naming) -> tuple[str, str]:
    """The event name and the identifier of the event to cancel."""
    only(raw, V2_ADJUSTMENT if naming.dotted else V1_ADJUSTMENT, naming)
    event_name = rules.event_name(raw.get("event_name"), naming)
    kind = raw.get("type")
    if kind is None:
        raise missing(naming("type"))
    if kind != "cancel":
        raise invalid(
            f"Invalid type: must be cancel (got {str(kind)[:40]!r}).", param=naming("type")
        )
    cancel = raw.get("cancel")
    if cancel is None:
        raise missing(naming("cancel"))
    if not isinstance(cancel, dict):
        raise invalid(f"Invalid hash: {naming('cancel')} must be a hash.", param=naming("cancel"))
    for key in cancel:
        if key != "identifier":
            raise unknown(naming("cancel", key))
    identifier = rules.text(
        cancel.get("identifier"), naming("cancel", "identifier"), rules.MAX_IDENTIFIER
    )
    return event_name, identifier


def _event(raw: dict[str, Any], naming: Naming, timestamp: Any) -> ReportedEvent:
    return ReportedEvent(
        event_name=rules.event_name(raw.get("event_name"), naming),
        payload=rules.payload(raw.get("payload"), naming),
        identifier=rules.identifier(raw.get("identifier"), naming),
        timestamp=timestamp(raw.get("timestamp"), naming),
        naming=naming,
    )
