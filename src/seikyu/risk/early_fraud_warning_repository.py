"""SQL for early fraud warnings."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.early_fraud_warnings import EarlyFraudWarning
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, warning: EarlyFraudWarning) -> None:
    session.add(warning)


def _scoped(account_id: str, livemode: bool) -> Select[EarlyFraudWarning]:
    return select(EarlyFraudWarning).where(
        EarlyFraudWarning.account_id == account_id, EarlyFraudWarning.livemode == livemode
    )


def get(
    session: Session, account_id: str, livemode: bool, warning_id: str
) -> EarlyFraudWarning | None:
    return session.scalar(_scoped(account_id, livemode).where(EarlyFraudWarning.id == warning_id))


def actionable_of_charge(
    session: Session, account_id: str, livemode: bool, charge_id: str
) -> list[EarlyFraudWarning]:
    """The charge's warnings still actionable, locked, oldest first."""
    stmt = (
        _scoped(account_id, livemode)
        .where(EarlyFraudWarning.charge_id == charge_id, EarlyFraudWarning.actionable.is_(True))
        .order_by(EarlyFraudWarning.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    charge_id: str | None,
    payment_intent_id: str | None,
) -> Page[EarlyFraudWarning]:
    stmt = _scoped(account_id, livemode)
    if charge_id is not None:
        stmt = stmt.where(EarlyFraudWarning.charge_id == charge_id)
    if payment_intent_id is not None:
        stmt = stmt.where(EarlyFraudWarning.payment_intent_id == payment_intent_id)
    return paginate(session, stmt, EarlyFraudWarning.id, EarlyFraudWarning.created, window)
