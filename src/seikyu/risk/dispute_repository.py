"""SQL for disputes, and the lock on the disputed charge."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.charges import Charge
from seikyu.db.models.disputes import Dispute
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, dispute: Dispute) -> None:
    session.add(dispute)


def _scoped(account_id: str, livemode: bool) -> Select[Dispute]:
    return select(Dispute).where(Dispute.account_id == account_id, Dispute.livemode == livemode)


def get(
    session: Session, account_id: str, livemode: bool, dispute_id: str, *, for_update: bool = False
) -> Dispute | None:
    stmt = _scoped(account_id, livemode).where(Dispute.id == dispute_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def of_charge(session: Session, account_id: str, livemode: bool, charge_id: str) -> list[Dispute]:
    """The charge's disputes, oldest first."""
    stmt = _scoped(account_id, livemode).where(Dispute.charge_id == charge_id).order_by(Dispute.id)
    return list(session.scalars(stmt))


def lock_charge(session: Session, account_id: str, livemode: bool, charge_id: str) -> None:
    """Lock the disputed charge, as refunding it does, so that a refund and a move of its
    dispute run one after the other (charge first, then dispute: the refunds' order)."""
    stmt = (
        select(Charge.id)
        .where(Charge.account_id == account_id, Charge.livemode == livemode, Charge.id == charge_id)
        .with_for_update()
    )
    session.execute(stmt)


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    charge_id: str | None,
    payment_intent_id: str | None,
) -> Page[Dispute]:
    stmt = _scoped(account_id, livemode)
    if charge_id is not None:
        stmt = stmt.where(Dispute.charge_id == charge_id)
    if payment_intent_id is not None:
        stmt = stmt.where(Dispute.payment_intent_id == payment_intent_id)
    return paginate(session, stmt, Dispute.id, Dispute.created, window)
