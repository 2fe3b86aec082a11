"""SQL for payment methods."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db import scoped
from seikyu.db.models.payment_methods import PaymentMethod
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, payment_method: PaymentMethod) -> None:
    session.add(payment_method)
    # Written now: rows made later in the request refer to it, and without mapped
    # relationships the session cannot know to insert it first.
    session.flush()


def _scoped(account_id: str, livemode: bool) -> Select[PaymentMethod]:
    return select(PaymentMethod).where(
        PaymentMethod.account_id == account_id, PaymentMethod.livemode == livemode
    )


def get(
    session: Session, account_id: str, livemode: bool, payment_method_id: str
) -> PaymentMethod | None:
    return scoped.by_id(session, PaymentMethod, payment_method_id, account_id, livemode)


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    customer_id: str | None = None,
    type_: str | None = None,
) -> Page[PaymentMethod]:
    stmt = _scoped(account_id, livemode)
    if customer_id is not None:
        stmt = stmt.where(PaymentMethod.customer_id == customer_id)
    if type_ is not None:
        stmt = stmt.where(PaymentMethod.type == type_)
    return paginate(session, stmt, PaymentMethod.id, PaymentMethod.created, window)
