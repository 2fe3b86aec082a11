"""SQL for invoice items, and the rows around them an item is checked against or shown with:
its subscription, its price's product, its tax rates and its discounts."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from seikyu.db.models.discounts import Discount
from seikyu.db.models.invoice_items import InvoiceItem
from seikyu.db.models.prices import Price
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.models.tax_rates import TaxRate
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, item: InvoiceItem) -> None:
    session.add(item)


def _scoped(account_id: str, livemode: bool) -> Select[InvoiceItem]:
    return select(InvoiceItem).where(
        InvoiceItem.account_id == account_id, InvoiceItem.livemode == livemode
    )


def get(
    session: Session, account_id: str, livemode: bool, item_id: str, *, for_update: bool = False
) -> InvoiceItem | None:
    """The item, deleted or not; locked until the transaction ends with `for_update`."""
    stmt = _scoped(account_id, livemode).where(InvoiceItem.id == item_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    customer_id: str | None,
    invoice_id: str | None,
    pending: bool | None,
) -> Page[InvoiceItem]:
    """Items that are not deleted, newest first."""
    stmt = _scoped(account_id, livemode).where(InvoiceItem.deleted_at.is_(None))
    if customer_id is not None:
        stmt = stmt.where(InvoiceItem.customer_id == customer_id)
    if invoice_id is not None:
        stmt = stmt.where(InvoiceItem.invoice_id == invoice_id)
    if pending is True:
        stmt = stmt.where(InvoiceItem.invoice_id.is_(None))
    elif pending is False:
        stmt = stmt.where(InvoiceItem.invoice_id.is_not(None))
    return paginate(session, stmt, InvoiceItem.id, InvoiceItem.created, window)


def pending(
    session: Session,
    account_id: str,
    livemode: bool,
    customer_id: str,
    *,
    currency: str | None,
    subscription_id: str | None,
) -> list[InvoiceItem]:
    """The customer's items on no invoice, oldest first. With `subscription_id`, only those
    of that subscription or of none."""
    stmt = _scoped(account_id, livemode).where(
        InvoiceItem.customer_id == customer_id,
        InvoiceItem.invoice_id.is_(None),
        InvoiceItem.deleted_at.is_(None),
    )
    if currency is not None:
        stmt = stmt.where(InvoiceItem.currency == currency)
    if subscription_id is not None:
        stmt = stmt.where(
            or_(
                InvoiceItem.subscription_id.is_(None),
                InvoiceItem.subscription_id == subscription_id,
            )
        )
    return list(session.scalars(stmt.order_by(InvoiceItem.id)))


def of_invoice(
    session: Session, account_id: str, livemode: bool, invoice_id: str
) -> list[InvoiceItem]:
    """The items on an invoice, oldest first."""
    stmt = _scoped(account_id, livemode).where(
        InvoiceItem.invoice_id == invoice_id, InvoiceItem.deleted_at.is_(None)
    )
    return list(session.scalars(stmt.order_by(InvoiceItem.id)))


def count_on_invoice(session: Session, account_id: str, livemode: bool, invoice_id: str) -> int:
    stmt = select(func.count()).where(
        InvoiceItem.account_id == account_id,
        InvoiceItem.livemode == livemode,
        InvoiceItem.invoice_id == invoice_id,
        InvoiceItem.deleted_at.is_(None),
    )
    return int(session.scalar(stmt) or 0)


def subscription(
    session: Session, account_id: str, livemode: bool, subscription_id: str
) -> Subscription | None:
    stmt = select(Subscription).where(
        Subscription.account_id == account_id,
        Subscription.livemode == livemode,
        Subscription.id == subscription_id,
    )
    return session.scalar(stmt)


def tax_rates(
    session: Session, account_id: str, livemode: bool, ids: Collection[str]
) -> dict[str, TaxRate]:
    """The tax rates with these ids, by id, for showing items."""
    if not ids:
        return {}
    stmt = select(TaxRate).where(
        TaxRate.account_id == account_id, TaxRate.livemode == livemode, TaxRate.id.in_(list(ids))
    )
    return {row.id: row for row in session.scalars(stmt)}


def discount_ids(
    session: Session, account_id: str, livemode: bool, item_ids: Sequence[str]
) -> dict[str, list[str]]:
    """The live discounts of each item, in the order they apply."""
    if not item_ids:
        return {}
    stmt = (
        select(Discount.invoice_item_id, Discount.id)
        .where(
            Discount.account_id == account_id,
            Discount.livemode == livemode,
            Discount.invoice_item_id.in_(list(item_ids)),
            Discount.deleted_at.is_(None),
        )
        .order_by(Discount.position, Discount.id)
    )
    out: dict[str, list[str]] = {item_id: [] for item_id in item_ids}
    for item_id, discount_id in session.execute(stmt):
        out[str(item_id)].append(discount_id)
    return out


def products_of_prices(
    session: Session, account_id: str, livemode: bool, price_ids: Collection[str]
) -> dict[str, str]:
    """The product of each price, by price id."""
    if not price_ids:
        return {}
    stmt = select(Price.id, Price.product_id).where(
        Price.account_id == account_id, Price.livemode == livemode, Price.id.in_(list(price_ids))
    )
    return {str(price_id): str(product_id) for price_id, product_id in session.execute(stmt)}
