"""SQL for tax rates."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db import scoped
from seikyu.db.models.tax_rates import TaxRate
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, tax_rate: TaxRate) -> None:
    session.add(tax_rate)


def _scoped(account_id: str, livemode: bool) -> Select[TaxRate]:
    return select(TaxRate).where(TaxRate.account_id == account_id, TaxRate.livemode == livemode)


def get(session: Session, account_id: str, livemode: bool, tax_rate_id: str) -> TaxRate | None:
    return scoped.by_id(session, TaxRate, tax_rate_id, account_id, livemode)


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    active: bool | None = None,
    inclusive: bool | None = None,
) -> Page[TaxRate]:
    stmt = _scoped(account_id, livemode)
    if active is not None:
        stmt = stmt.where(TaxRate.active == active)
    if inclusive is not None:
        stmt = stmt.where(TaxRate.inclusive == inclusive)
    return paginate(session, stmt, TaxRate.id, TaxRate.created, window)
