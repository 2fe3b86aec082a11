"""SQL for refunds, and the lock on the charge a refund draws from."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from seikyu.db.models.charges import Charge
from seikyu.db.models.refunds import Refund
from seikyu.db.pagination import Page, Window, paginate


@dataclass(frozen=True, slots=True)
class Unsettled:
    """A refund whose outcome may still change, with what settlement needs to ask about it."""

    id: str
    account_id: str
    livemode: bool
    status: str
    processor_reference: str


def add(session: Session, refund: Refund) -> None:
    session.add(refund)


def _scoped(account_id: str, livemode: bool) -> Select[Refund]:
    return select(Refund).where(Refund.account_id == account_id, Refund.livemode == livemode)


def get(
    session: Session, account_id: str, livemode: bool, refund_id: str, *, for_update: bool = False
) -> Refund | None:
    stmt = _scoped(account_id, livemode).where(Refund.id == refund_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def locked_charge(
    session: Session, account_id: str, livemode: bool, charge_id: str
) -> Charge | None:
    """The charge, locked until the transaction ends: what is left to refund is read and
    changed by one transaction at a time."""
    stmt = (
        select(Charge)
        .where(Charge.account_id == account_id, Charge.livemode == livemode, Charge.id == charge_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalar(stmt)


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    charge_id: str | None,
    payment_intent_id: str | None,
) -> Page[Refund]:
    stmt = _scoped(account_id, livemode)
    if charge_id is not None:
        stmt = stmt.where(Refund.charge_id == charge_id)
    if payment_intent_id is not None:
        stmt = stmt.where(Refund.payment_intent_id == payment_intent_id)
    return paginate(session, stmt, Refund.id, Refund.created, window)


def unsettled(
    session: Session,
    *,
    waiting: Collection[str],
    succeeded_since: datetime,
    after_id: str | None,
    limit: int,
) -> list[Unsettled]:
    """Refunds of every account whose outcome may still change: those in a `waiting` status,
    and those that succeeded since `succeeded_since`, in id order after `after_id`."""
    stmt = select(
        Refund.id, Refund.account_id, Refund.livemode, Refund.status, Refund.processor_reference
    ).where(
        Refund.processor_reference.is_not(None),
        or_(
            Refund.status.in_(list(waiting)),
            and_(Refund.status == "succeeded", Refund.created >= succeeded_since),
        ),
    )
    if after_id is not None:
        stmt = stmt.where(Refund.id > after_id)
    rows = session.execute(stmt.order_by(Refund.id).limit(limit))
    return [
        Unsettled(row.id, row.account_id, row.livemode, row.status, str(row.processor_reference))
        for row in rows
    ]
