"""A customer's usage of a meter over a span of time: what invoices and previews bill."""

from __future__ import annotations

from datetime import datetime

from seikyu.db.uow import UnitOfWork
from seikyu.metering import usage_repository
from seikyu.metering.domain.aggregation import Formula, Usage


def period_usage(
    uow: UnitOfWork,
    meter_id: str,
    customer_id: str,
    start: datetime,
    end: datetime,
    formula: Formula | str,
) -> Usage:
    """Events with timestamps in [start, end), canceled ones left out. Call `.value(formula)`
    for the aggregate."""
    return usage_repository.period_usage(
        uow.session,
        meter_id,
        customer_id,
        int(start.timestamp()),
        int(end.timestamp()),
        Formula(formula),
    )
