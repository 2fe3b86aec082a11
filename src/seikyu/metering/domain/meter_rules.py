"""What makes a meter valid, and the windows an event summary list is cut into.

Pure: the API checks types and lengths first, but services are called from elsewhere
too (scripts, tests), so every rule a stored meter relies on is checked here again, with
Stripe's error naming the parameter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from seikyu.core.errors import SeikyuError, missing
from seikyu.metering.domain.aggregation import DAY, HOUR, Formula

MAX_DISPLAY_NAME = 250
MAX_EVENT_NAME = 100
MAX_PAYLOAD_KEY = 100
DEFAULT_CUSTOMER_KEY = "stripe_customer_id"
DEFAULT_VALUE_KEY = "value"
EVENT_TIME_WINDOWS = ("day", "hour")
SUMMARY_PREFIX = "mtrusg"

# Seconds per summary window; None is one summary over the whole range.
GROUPING = {"hour": HOUR, "day": DAY}
_MINUTE = 60
# Keeps the start in a summary id a fixed-width positive number even before 1970.
_START_OFFSET = 1 << 40


@dataclass(frozen=True, slots=True)
class NewMeter:
    display_name: str
    event_name: str
    formula: str
    customer_payload_key: str = DEFAULT_CUSTOMER_KEY
    value_payload_key: str = DEFAULT_VALUE_KEY
    event_time_window: str | None = None


def check_new(new: NewMeter) -> NewMeter:
    check_display_name(new.display_name)
    _check_text(new.event_name, "event_name", MAX_EVENT_NAME)
    if new.formula not in tuple(Formula):
        raise SeikyuError(
            "Invalid default_aggregation[formula]: must be one of sum, count, last, or max "
            "(max is a Seikyu extension).",
            param="default_aggregation[formula]",
            code="parameter_invalid_enum",
        )
    _check_text(new.customer_payload_key, "customer_mapping[event_payload_key]", MAX_PAYLOAD_KEY)
    _check_text(new.value_payload_key, "value_settings[event_payload_key]", MAX_PAYLOAD_KEY)
    if new.event_time_window is not None and new.event_time_window not in EVENT_TIME_WINDOWS:
        raise SeikyuError(
            "Invalid event_time_window: must be one of day or hour.",
            param="event_time_window",
            code="parameter_invalid_enum",
        )
    return new


def check_display_name(name: str) -> str:
    _check_text(name, "display_name", MAX_DISPLAY_NAME)
    return name


def _check_text(value: str, param: str, limit: int) -> None:
    if not value:
        raise missing(param)
    if len(value) > limit:
        raise SeikyuError(
            f"Invalid {param}: must be at most {limit} characters.",
            param=param,
            code="parameter_invalid_string_too_long",
        )


# --- event summaries ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryRange:
    """[start, end) in epoch seconds, cut into windows of `grouping` (None: one window)."""

    start: int
    end: int
    grouping: str | None = None


def check_range(wanted: SummaryRange) -> SummaryRange:
    """Minute-aligned bounds (Stripe's rule), start before end, and with a grouping
    window, bounds on that window's UTC boundaries."""
    for name, value in (("start_time", wanted.start), ("end_time", wanted.end)):
        if value % _MINUTE:
            raise SeikyuError(
                f"Invalid {name}: {value} must be aligned with minute boundaries.",
                param=name,
            )
    if wanted.start >= wanted.end:
        raise SeikyuError(
            f"Invalid start_time: {wanted.start} must be before end_time ({wanted.end}).",
            param="start_time",
        )
    size = window_size(wanted.grouping)
    if size is not None:
        for name, value in (("start_time", wanted.start), ("end_time", wanted.end)):
            if value % size:
                raise SeikyuError(
                    f"Invalid {name}: with value_grouping_window={wanted.grouping}, {name} "
                    f"must be aligned with {'hour' if size == HOUR else 'UTC day'} "
                    "boundaries.",
                    param=name,
                )
    return wanted


def window_size(grouping: str | None) -> int | None:
    if grouping is None:
        return None
    if grouping not in GROUPING:
        raise SeikyuError(
            "Invalid value_grouping_window: must be one of day or hour.",
            param="value_grouping_window",
            code="parameter_invalid_enum",
        )
    return GROUPING[grouping]


def window_start(moment: int, size: int) -> int:
    return moment - moment % size


def summary_id(meter_id: str, customer_id: str, grouping: str | None, start: int) -> str:
    """The same summary always gets the same id, and the id carries its start so that a
    cursor can be read back without storing anything."""
    digest = _digest(meter_id, customer_id, grouping, start)
    return f"{SUMMARY_PREFIX}_{digest}{start + _START_OFFSET:011x}"


def cursor_start(
    cursor: str, meter_id: str, customer_id: str, grouping: str | None, *, param: str
) -> int:
    """The start of the summary a cursor names, if it is one of this list's summaries."""
    head, _, body = cursor.partition("_")
    start: int | None = None
    if head == SUMMARY_PREFIX and len(body) == 27:
        try:
            start = int(body[16:], 16) - _START_OFFSET
        except ValueError:
            start = None
    if start is None or body[:16] != _digest(meter_id, customer_id, grouping, start):
        raise SeikyuError(
            f"Invalid {param}: '{cursor[:100]}' is not a summary of this meter and customer "
            "with this value_grouping_window.",
            param=param,
        )
    return start


def _digest(meter_id: str, customer_id: str, grouping: str | None, start: int) -> str:
    text = f"{meter_id}|{customer_id}|{grouping or 'none'}|{start}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]
