"""SQL that reads usage: whole hours from the rollups, partial hours from raw events."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.models.meter_rollups import MeterRollup
from seikyu.metering.domain.aggregation import Formula, Usage, hour_floor, merge_all, split


def period_usage(
    session: Session, meter_id: str, customer_id: str, start: int, end: int, formula: Formula
) -> Usage:
    """Everything a customer reported to a meter with timestamps in [start, end)."""
    parts = split(start, end)
    found: list[Usage] = []
    if parts.buckets is not None:
        found.append(_rollups(session, meter_id, customer_id, *parts.buckets, formula))
    found += [_raw(session, meter_id, customer_id, a, b, formula) for a, b in parts.edges]
    return merge_all(found)


def hourly_usage(
    session: Session, meter_id: str, customer_id: str, first: int, last: int
) -> dict[int, Usage]:
    """Each rollup hour in [first, last) that has events, by its start."""
    rows = session.execute(
        select(
            MeterRollup.bucket,
            MeterRollup.sum_value,
            MeterRollup.event_count,
            MeterRollup.max_value,
            MeterRollup.last_value,
            MeterRollup.last_timestamp,
            MeterRollup.last_seq,
        )
        .where(*_rollup_range(meter_id, customer_id, first, last), MeterRollup.event_count > 0)
        .order_by(MeterRollup.bucket)
    ).all()
    return {
        row.bucket: Usage(
            total=row.sum_value,
            count=row.event_count,
            peak=row.max_value,
            last=row.last_value,
            last_at=_at(row.last_timestamp, row.last_seq),
        )
        for row in rows
    }


def raw_usage(
    session: Session, meter_id: str, customer_id: str, start: int, end: int, formula: Formula
) -> Usage:
    """Raw events in [start, end): for spans shorter than an hour, at a period's edges."""
    return _raw(session, meter_id, customer_id, start, end, formula)


def _rollups(
    session: Session, meter_id: str, customer_id: str, first: int, last: int, formula: Formula
) -> Usage:
    where = (*_rollup_range(meter_id, customer_id, first, last), MeterRollup.event_count > 0)
    total, count, peak = session.execute(
        select(
            func.coalesce(func.sum(MeterRollup.sum_value), 0),
            func.coalesce(func.sum(MeterRollup.event_count), 0),
            func.max(MeterRollup.max_value),
        ).where(*where)
    ).one()
    usage = Usage(total=int(total), count=int(count), peak=peak)
    if formula is not Formula.LAST or usage.count == 0:
        return usage
    value, timestamp, seq = session.execute(
        select(MeterRollup.last_value, MeterRollup.last_timestamp, MeterRollup.last_seq)
        .where(*where)
        .order_by(MeterRollup.last_timestamp.desc(), MeterRollup.last_seq.desc())
        .limit(1)
    ).one()
    return Usage(usage.total, usage.count, usage.peak, value, _at(timestamp, seq))


def _raw(
    session: Session, meter_id: str, customer_id: str, start: int, end: int, formula: Formula
) -> Usage:
    # The hours first: the index finds a customer's events by hour.
    where = (
        MeterEvent.meter_id == meter_id,
        MeterEvent.customer_id == customer_id,
        MeterEvent.hour >= hour_floor(start),
        MeterEvent.hour < end,
        MeterEvent.timestamp >= start,
        MeterEvent.timestamp < end,
        MeterEvent.canceled.is_(False),
    )
    total, count, peak = session.execute(
        select(
            func.coalesce(func.sum(MeterEvent.value), 0),
            func.count(),
            func.max(MeterEvent.value),
        ).where(*where)
    ).one()
    usage = Usage(total=int(total), count=int(count), peak=peak)
    if formula is not Formula.LAST or usage.count == 0:
        return usage
    last_value, last_timestamp, last_seq = session.execute(
        select(MeterEvent.value, MeterEvent.timestamp, MeterEvent.seq)
        .where(*where)
        .order_by(MeterEvent.timestamp.desc(), MeterEvent.seq.desc())
        .limit(1)
    ).one()
    return Usage(usage.total, usage.count, usage.peak, last_value, (last_timestamp, last_seq))


def _rollup_range(
    meter_id: str, customer_id: str, first: int, last: int
) -> tuple[ColumnElement[bool], ...]:
    return (
        MeterRollup.meter_id == meter_id,
        MeterRollup.customer_id == customer_id,
        MeterRollup.bucket >= first,
        MeterRollup.bucket < last,
    )


def _at(timestamp: int | None, seq: int | None) -> tuple[int, int] | None:
    return None if timestamp is None or seq is None else (timestamp, seq)
