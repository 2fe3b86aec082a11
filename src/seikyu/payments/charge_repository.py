"""SQL for charges."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.charges import Charge
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, charge: Charge) -> None:
    session.add(charge)


def _scoped(account_id: str, livemode: bool) -> Select[Charge]:
    return select(Charge).where(Charge.account_id == account_id, Charge.livemode == livemode)


def get(session: Session, account_id: str, livemode: bool, charge_id: str) -> Charge | None:
    return session.scalar(_scoped(account_id, livemode).where(Charge.id == charge_id))


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    customer_id: str | None,
    payment_intent_id: str | None,
) -> Page[Charge]:
    stmt = _scoped(account_id, livemode)
    if customer_id is not None:
        stmt = stmt.where(Charge.customer_id == customer_id)
    if payment_intent_id is not None:
        stmt = stmt.where(Charge.payment_intent_id == payment_intent_id)
    return paginate(session, stmt, Charge.id, Charge.created, window)
