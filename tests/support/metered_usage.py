"""Meters and reported usage written straight to the database, as the meter event pipeline
stores them: each raw event with the hourly rollup it belongs to kept consistent, so that
`seikyu.metering.usage.period_usage` reads the same totals whichever way a span splits."""

from __future__ import annotations

import itertools
from datetime import datetime

from seikyu.db.models.billing_meters import BillingMeter
from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.models.meter_rollups import MeterRollup
from seikyu.db.uow import UnitOfWork
from seikyu.metering.domain.aggregation import hour_floor

_identifiers = itertools.count(1)


def meter(uow: UnitOfWork, *, formula: str = "sum", event_name: str | None = None) -> str:
    """An active meter of the unit's account; returns its id."""
    row = BillingMeter(
        id=uow.new_id("mtr"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        display_name="API calls",
        event_name=event_name or f"api_call_{next(_identifiers)}",
        formula=formula,
        customer_payload_key="stripe_customer_id",
        value_payload_key="value",
        event_time_window=None,
        status="active",
        updated=uow.now,
        deactivated_at=None,
    )
    uow.session.add(row)
    uow.session.flush()
    return row.id


def report(uow: UnitOfWork, meter_id: str, customer_id: str, value: int, at: datetime) -> None:
    """One accepted event of `value` timestamped `at`, received at the unit's time."""
    timestamp = int(at.timestamp())
    event = MeterEvent(
        account_id=uow.account_id,
        livemode=uow.livemode,
        meter_id=meter_id,
        customer_id=customer_id,
        identifier=f"evt_test_{next(_identifiers)}",
        timestamp=timestamp,
        value=value,
        received=int(uow.now.timestamp()),
        canceled=False,
    )
    uow.session.add(event)
    uow.session.flush()
    bucket = hour_floor(timestamp)
    rollup = uow.session.get(MeterRollup, (meter_id, customer_id, bucket))
    if rollup is None:
        uow.session.add(
            MeterRollup(
                meter_id=meter_id,
                customer_id=customer_id,
                bucket=bucket,
                sum_value=value,
                event_count=1,
                max_value=value,
                last_value=value,
                last_timestamp=timestamp,
                last_seq=event.seq,
            )
        )
    else:
        rollup.sum_value += value
        rollup.event_count += 1
        rollup.max_value = value if rollup.max_value is None else max(rollup.max_value, value)
        if (timestamp, event.seq) > (rollup.last_timestamp or 0, rollup.last_seq or 0):
            rollup.last_value = value
            rollup.last_timestamp = timestamp
            rollup.last_seq = event.seq
    uow.session.flush()


def report_all(
    uow: UnitOfWork, meter_id: str, customer_id: str, values: list[tuple[int, datetime]]
) -> None:
    for value, at in values:
        report(uow, meter_id, customer_id, value, at)
