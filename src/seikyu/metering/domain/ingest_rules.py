"""What makes a reported meter event acceptable, checked without storage or a clock.

Every check names the parameter at fault the way the request spelled it: `payload[value]`
on the form-encoded v1 API, `events[3].payload.value` on the JSON v2 stream.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeGuard

from seikyu.core.errors import SeikyuError, invalid, missing

MAX_NAME = 100
MAX_IDENTIFIER = 100
MAX_PAYLOAD_KEYS = 50
MAX_PAYLOAD_TEXT = 1000
MAX_ABS_VALUE = 10**12
MAX_STREAM_EVENTS = 100
DAY = 86_400
PAST_WINDOW = 35 * DAY
FUTURE_WINDOW = 5 * 60
CANCEL_WINDOW = DAY  # by real receipt time, not the event's own timestamp

_WHOLE = re.compile(r"-?[0-9]{1,13}")
_UNIX = re.compile(r"-?[0-9]{1,12}")


@dataclass(frozen=True, slots=True)
class Naming:
    """How a request spells nested parameter names, for error messages."""

    prefix: str = ""  # "events[3]." inside a stream
    dotted: bool = False  # v2 JSON: payload.value; v1 form: payload[value]

    def __call__(self, field: str, key: str | None = None) -> str:
        if key is None:
            return self.prefix + field
        return f"{self.prefix}{field}.{key}" if self.dotted else f"{self.prefix}{field}[{key}]"


V1 = Naming()
V2 = Naming(dotted=True)


def in_stream(index: int) -> Naming:
    if index < len(_STREAM_NAMINGS):
        return _STREAM_NAMINGS[index]
    return Naming(prefix=f"events[{index}].", dotted=True)


# Made once: a stream request would otherwise build a hundred of them.
_STREAM_NAMINGS = tuple(
    Naming(prefix=f"events[{i}].", dotted=True) for i in range(MAX_STREAM_EVENTS)
)


class ReportedEvent(NamedTuple):
    """A meter event as the request gave it, well formed but not yet tied to a meter.

    A named tuple: as immutable as a frozen dataclass, and a third of its cost to build,
    which counts a hundred times a stream request."""

    event_name: str
    payload: dict[str, str]
    identifier: str | None
    timestamp: int | None  # None: at the time the event is received
    naming: Naming


# A stream request checks a hundred events: each check below accepts the usual value
# first and spells the parameter's name, for the error, only when it refuses one.


def event_name(value: Any, naming: Naming) -> str:
    if _fits(value, MAX_NAME):
        return value
    return text(value, naming("event_name"), MAX_NAME)


def identifier(value: Any, naming: Naming) -> str | None:
    if value is None or _fits(value, MAX_IDENTIFIER):
        return value
    return text(value, naming("identifier"), MAX_IDENTIFIER)


def _fits(value: Any, limit: int) -> TypeGuard[str]:
    """What `text` accepts: a string, not blank, at most `limit` characters."""
    return isinstance(value, str) and 0 < len(value) <= limit and not value.isspace()


def text(value: Any, param: str, limit: int) -> str:
    if value is None:
        raise missing(param)
    if not isinstance(value, str):
        raise invalid(f"Invalid string: {param} must be a string.", param=param)
    if not value.strip():
        raise invalid(
            f"Invalid string: {param} must not be blank.",
            param=param,
            code="parameter_invalid_string_blank",
        )
    if len(value) > limit:
        raise invalid(
            f"Invalid string: {param} must be at most {limit} characters long.", param=param
        )
    return value


def payload(value: Any, naming: Naming) -> dict[str, str]:
    if isinstance(value, dict) and 0 < len(value) <= MAX_PAYLOAD_KEYS:
        for item in value.values():
            if not isinstance(item, str) or len(item) > MAX_PAYLOAD_TEXT:
                break
        else:
            return value
    return _refuse_payload(value, naming)


def _refuse_payload(value: Any, naming: Naming) -> dict[str, str]:
    param = naming("payload")
    if value is None:
        raise missing(param)
    if not isinstance(value, dict) or not value:
        raise invalid(f"Invalid hash: {param} must be a non-empty hash of strings.", param=param)
    if len(value) > MAX_PAYLOAD_KEYS:
        raise invalid(f"{param} may have at most {MAX_PAYLOAD_KEYS} keys.", param=param)
    for key, item in value.items():
        if not isinstance(item, str):
            raise invalid(
                f"Invalid string: {naming('payload', key)} must be a string.",
                param=naming("payload", key),
            )
        if len(item) > MAX_PAYLOAD_TEXT:
            raise invalid(
                f"Invalid string: {naming('payload', key)} is too long.",
                param=naming("payload", key),
            )
    return value


def unix_timestamp(value: Any, naming: Naming) -> int | None:
    """The v1 form's timestamp: seconds since the epoch, as an integer string."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        param = naming("timestamp")
        raise invalid(f"Invalid integer: {param} must be an integer.", param=param)
    if isinstance(value, str) and not _UNIX.fullmatch(value):
        raise invalid(
            f"Invalid integer: {value}",
            param=naming("timestamp"),
            code="parameter_invalid_integer",
        )
    return int(value)


def rfc3339_timestamp(value: Any, naming: Naming) -> int | None:
    """The v2 timestamp: an RFC 3339 date-time with its offset, e.g. 2025-01-01T00:00:00Z."""
    if value is None:
        return None
    at = None
    if isinstance(value, str) and ("T" in value or "t" in value):
        with contextlib.suppress(ValueError):
            at = datetime.fromisoformat(value)
    if at is None:
        param = naming("timestamp")
        raise invalid(f"Invalid timestamp: {param} must be an RFC 3339 date-time.", param=param)
    if at.tzinfo is None:
        param = naming("timestamp")
        raise invalid(f"Invalid timestamp: {param} needs a UTC offset, e.g. Z.", param=param)
    return int(at.timestamp())


def within_window(timestamp: int, now: int, naming: Naming) -> int:
    """Stripe takes events from the past 35 days up to 5 minutes ahead of now."""
    if timestamp < now - PAST_WINDOW:
        param = naming("timestamp")
        raise invalid(
            f"{param} {timestamp} is too far in the past: meter events must be within the "
            "past 35 days.",
            param=param,
        )
    if timestamp > now + FUTURE_WINDOW:
        param = naming("timestamp")
        raise invalid(
            f"{param} {timestamp} is too far in the future: meter events may be at most "
            "5 minutes ahead.",
            param=param,
        )
    return timestamp


def value_of(payload: dict[str, str], key: str, naming: Naming) -> int:
    """The event's value: a whole number; Seikyu keeps usage in integers, never floats."""
    raw = payload.get(key)
    if raw is None:
        raise missing(naming("payload", key))
    if not _WHOLE.fullmatch(raw):
        param = naming("payload", key)
        raise invalid(
            f"Invalid value: {param} must be a whole number, like 25 (got {raw[:40]!r}).",
            param=param,
        )
    value = int(raw)
    if abs(value) > MAX_ABS_VALUE:
        param = naming("payload", key)
        raise invalid(f"Invalid value: {param} must be at most 10^12 in size.", param=param)
    return value


def customer_of(payload: dict[str, str], key: str, naming: Naming) -> str:
    raw = payload.get(key)
    if raw is None:
        raise missing(naming("payload", key))
    if not raw.strip():
        param = naming("payload", key)
        raise invalid(f"Invalid string: {param} must not be blank.", param=param)
    return raw


def unknown_customer(customer: str, key: str, naming: Naming) -> SeikyuError:
    return SeikyuError(
        f"No such customer: '{customer[:100]}'",
        param=naming("payload", key),
        code="resource_missing",
    )


def no_active_meter(name: str, naming: Naming, *, inactive: bool) -> SeikyuError:
    why = (
        "its meter is inactive; reactivate the meter to report usage to it"
        if inactive
        else "no active meter has this event_name"
    )
    return invalid(
        f"No active meter found for event_name '{name}': {why}.", param=naming("event_name")
    )


def duplicate(identifier: str, naming: Naming) -> SeikyuError:
    return invalid(
        f"An event already exists with identifier {identifier}.",
        param=naming("identifier"),
        code="duplicate_meter_event",
    )
