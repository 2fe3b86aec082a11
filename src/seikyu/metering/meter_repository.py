"""SQL for billing meters."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.billing_meters import BillingMeter
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, meter: BillingMeter) -> None:
    session.add(meter)


def _scoped(account_id: str, livemode: bool) -> Select[BillingMeter]:
    return select(BillingMeter).where(
        BillingMeter.account_id == account_id, BillingMeter.livemode == livemode
    )


def get(
    session: Session,
    account_id: str,
    livemode: bool,
    meter_id: str,
    *,
    for_update: bool = False,
) -> BillingMeter | None:
    stmt = _scoped(account_id, livemode).where(BillingMeter.id == meter_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def active_with_event_name(
    session: Session, account_id: str, livemode: bool, event_name: str
) -> BillingMeter | None:
    """The one active meter an event name routes to, if any (a unique index keeps it one)."""
    return session.scalar(
        _scoped(account_id, livemode).where(
            BillingMeter.event_name == event_name, BillingMeter.status == "active"
        )
    )


def page(
    session: Session, account_id: str, livemode: bool, window: Window, status: str | None
) -> Page[BillingMeter]:
    stmt = _scoped(account_id, livemode)
    if status is not None:
        stmt = stmt.where(BillingMeter.status == status)
    return paginate(session, stmt, BillingMeter.id, BillingMeter.created, window)
