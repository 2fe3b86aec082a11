"""SQL for setup intents."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.setup_intents import SetupIntent
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, intent: SetupIntent) -> None:
    session.add(intent)


def _scoped(account_id: str, livemode: bool) -> Select[SetupIntent]:
    return select(SetupIntent).where(
        SetupIntent.account_id == account_id, SetupIntent.livemode == livemode
    )


def get(
    session: Session, account_id: str, livemode: bool, intent_id: str, *, for_update: bool = False
) -> SetupIntent | None:
    stmt = _scoped(account_id, livemode).where(SetupIntent.id == intent_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    customer_id: str | None = None,
    payment_method_id: str | None = None,
) -> Page[SetupIntent]:
    stmt = _scoped(account_id, livemode)
    if customer_id is not None:
        stmt = stmt.where(SetupIntent.customer_id == customer_id)
    if payment_method_id is not None:
        stmt = stmt.where(SetupIntent.payment_method_id == payment_method_id)
    return paginate(session, stmt, SetupIntent.id, SetupIntent.created, window)
