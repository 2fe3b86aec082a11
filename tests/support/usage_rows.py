"""Stored usage for tests: raw meter events and the hourly rollups that match them.

Written straight to the tables, as ingestion would leave them, so that reading usage can
be tested with exact numbers before (and apart from) the ingestion API. Each touched
hour's rollup is recomputed from its raw rows, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import count

from sqlalchemy import delete, select

from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.models.meter_rollups import MeterRollup
from seikyu.db.uow import UnitOfWork

HOUR = 3600
_identifiers = count(1)


@dataclass(frozen=True)
class Reported:
    """One event as a customer reported it; `canceled` ones count for nothing."""

    timestamp: int
    value: int
    canceled: bool = False


def record_usage(
    uow: UnitOfWork, *, meter_id: str, customer_id: str, events: Iterable[Reported]
) -> None:
    """Store `events` in the order given (later ones get higher seqs, so they win ties on
    timestamp for `last`), and bring the rollups of their hours up to date."""
    given = list(events)
    for event in given:
        uow.session.add(
            MeterEvent(
                account_id=uow.account_id,
                livemode=uow.livemode,
                meter_id=meter_id,
                customer_id=customer_id,
                identifier=f"test-usage-{next(_identifiers)}",
                timestamp=event.timestamp,
                value=event.value,
                received=int(uow.now.timestamp()),
                canceled=event.canceled,
            )
        )
    uow.session.flush()
    for bucket in sorted({e.timestamp - e.timestamp % HOUR for e in given}):
        _roll_up(uow, meter_id, customer_id, bucket)


def _roll_up(uow: UnitOfWork, meter_id: str, customer_id: str, bucket: int) -> None:
    rows = uow.session.scalars(
        select(MeterEvent)
        .where(
            MeterEvent.meter_id == meter_id,
            MeterEvent.customer_id == customer_id,
            MeterEvent.timestamp >= bucket,
            MeterEvent.timestamp < bucket + HOUR,
            MeterEvent.canceled.is_(False),
        )
        .order_by(MeterEvent.timestamp, MeterEvent.seq)
    ).all()
    uow.session.execute(
        delete(MeterRollup).where(
            MeterRollup.meter_id == meter_id,
            MeterRollup.customer_id == customer_id,
            MeterRollup.bucket == bucket,
        )
    )
    last = rows[-1] if rows else None
    uow.session.add(
        MeterRollup(
            meter_id=meter_id,
            customer_id=customer_id,
            bucket=bucket,
            sum_value=sum(row.value for row in rows),
            event_count=len(rows),
            max_value=max((row.value for row in rows), default=None),
            last_value=None if last is None else last.value,
            last_timestamp=None if last is None else last.timestamp,
            last_seq=None if last is None else last.seq,
        )
    )
    uow.session.flush()
