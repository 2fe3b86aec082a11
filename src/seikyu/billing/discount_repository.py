"""SQL for discounts, the locks that keep coupon and promotion code limits, and the
customer history a first-time-transaction promotion code is checked against."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, update
from sqlalchemy.orm import Session, contains_eager

from seikyu.db import scoped
from seikyu.db.models.coupons import Coupon
from seikyu.db.models.discounts import Discount
from seikyu.db.models.invoice_items import InvoiceItem
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.promotion_codes import PromotionCode
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription

_OWNER_COLUMNS = ("subscription_id", "subscription_item_id", "invoice_id", "invoice_item_id")


@dataclass(frozen=True, slots=True)
class OwnerKey:
    """The columns that say whose a discount is; a customer-level discount has only
    `customer_id`."""

    customer_id: str
    subscription_id: str | None = None
    subscription_item_id: str | None = None
    invoice_id: str | None = None
    invoice_item_id: str | None = None


def add(session: Session, discount: Discount) -> None:
    session.add(discount)


def _scoped(account_id: str, livemode: bool) -> Select[Discount]:
    return select(Discount).where(Discount.account_id == account_id, Discount.livemode == livemode)


def _owned_by(owner: OwnerKey) -> ColumnElement[bool]:
    conditions = [Discount.customer_id == owner.customer_id]
    for name in _OWNER_COLUMNS:
        value = getattr(owner, name)
        column = getattr(Discount, name)
        conditions.append(column.is_(None) if value is None else column == value)
    return and_(*conditions)


def get(session: Session, account_id: str, livemode: bool, discount_id: str) -> Discount | None:
    """The discount with this id, deleted or not."""
    return scoped.by_id(session, Discount, discount_id, account_id, livemode)


def live_of_owner(
    session: Session, account_id: str, livemode: bool, owner: OwnerKey, *, for_update: bool = False
) -> list[Discount]:
    """The owner's discounts that are not deleted, in the order they apply."""
    stmt = (
        _scoped(account_id, livemode)
        .where(_owned_by(owner), Discount.deleted_at.is_(None))
        .order_by(Discount.position, Discount.id)
    )
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(stmt))


def live_of_owners(
    session: Session, account_id: str, livemode: bool, owners: Collection[OwnerKey]
) -> dict[OwnerKey, list[Discount]]:
    """`live_of_owner` for many owners in one query."""
    found: dict[OwnerKey, list[Discount]] = {owner: [] for owner in owners}
    if not owners:
        return found
    stmt = (
        _scoped(account_id, livemode)
        .where(or_(*(_owned_by(owner) for owner in owners)), Discount.deleted_at.is_(None))
        .order_by(Discount.position, Discount.id)
    )
    for discount in session.scalars(stmt):
        key = OwnerKey(
            customer_id=discount.customer_id or "",
            subscription_id=discount.subscription_id,
            subscription_item_id=discount.subscription_item_id,
            invoice_id=discount.invoice_id,
            invoice_item_id=discount.invoice_item_id,
        )
        if key in found:
            found[key].append(discount)
    return found


def mark_used(
    session: Session, account_id: str, livemode: bool, discount_ids: Collection[str], at: datetime
) -> None:
    """Set `used_at` on those of the discounts that have none; a first use stays the first."""
    if not discount_ids:
        return
    session.execute(
        update(Discount)
        .where(
            Discount.account_id == account_id,
            Discount.livemode == livemode,
            Discount.id.in_(list(discount_ids)),
            Discount.used_at.is_(None),
        )
        .values(used_at=at)
        .execution_options(synchronize_session="fetch")
    )


# --- coupons and promotion codes, as discounts need them -------------------------------


def coupons_by_internal_id(
    session: Session, account_id: str, livemode: bool, internal_ids: Iterable[str]
) -> dict[str, Coupon]:
    """The coupons discounts were made from, deleted ones included: a discount keeps the
    terms of the coupon it was redeemed from."""
    wanted = sorted(set(internal_ids))
    # Every invoice a run computes asks for its discounts' coupons again; those it has read
    # are in the session already.
    found = scoped.held(session, Coupon, wanted, account_id, livemode)
    missing = [internal_id for internal_id in wanted if internal_id not in found]
    if not missing:
        return found
    stmt = select(Coupon).where(
        Coupon.account_id == account_id,
        Coupon.livemode == livemode,
        Coupon.internal_id.in_(missing),
    )
    found.update((coupon.internal_id, coupon) for coupon in session.scalars(stmt))
    return found


def promotion_codes_by_id(
    session: Session, account_id: str, livemode: bool, promotion_code_ids: Iterable[str]
) -> dict[str, PromotionCode]:
    wanted = sorted(set(promotion_code_ids))
    if not wanted:
        return {}
    stmt = select(PromotionCode).where(
        PromotionCode.account_id == account_id,
        PromotionCode.livemode == livemode,
        PromotionCode.id.in_(wanted),
    )
    return {code.id: code for code in session.scalars(stmt)}


def lock_coupon(session: Session, coupon: Coupon) -> Coupon:
    """Lock the coupon's row until the transaction ends and reload it as committed, so the
    redemption count read next is the one every other redeemer sees.

    SQLite takes no row locks; it runs one writing transaction at a time.
    """
    stmt = (
        select(Coupon)
        .where(Coupon.internal_id == coupon.internal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    locked = session.scalar(stmt)
    assert locked is not None  # rows are never removed
    return locked


def lock_promotion_code(session: Session, promotion_code: PromotionCode) -> PromotionCode:
    """`lock_coupon` for a promotion code's row (its coupon is reloaded with it, unlocked)."""
    stmt = (
        select(PromotionCode)
        .join(PromotionCode.coupon)
        .options(contains_eager(PromotionCode.coupon))
        .where(PromotionCode.id == promotion_code.id)
        .with_for_update(of=PromotionCode)
        .execution_options(populate_existing=True)
    )
    locked = session.scalar(stmt)
    assert locked is not None
    return locked


# --- the customer's history, for first-time-transaction codes --------------------------


def parent_of_subscription_item(session: Session, subscription_item_id: str) -> str | None:
    return session.scalar(
        select(SubscriptionItem.subscription_id).where(SubscriptionItem.id == subscription_item_id)
    )


def parents_of_invoice_item(
    session: Session, invoice_item_id: str
) -> tuple[str | None, str | None]:
    """The invoice and subscription an invoice item belongs to, if any."""
    row = session.execute(
        select(InvoiceItem.invoice_id, InvoiceItem.subscription_id).where(
            InvoiceItem.id == invoice_item_id
        )
    ).first()
    return (None, None) if row is None else (row.invoice_id, row.subscription_id)


def has_prior_transactions(
    session: Session,
    account_id: str,
    livemode: bool,
    customer_id: str,
    *,
    subscription_id: str | None,
    invoice_id: str | None,
) -> bool:
    """Whether the customer has paid anything, has any PaymentIntent (whatever its status),
    or has had a trial, leaving out the subscription and invoice the discount is being
    redeemed for (their own first invoice and payment must not disqualify them)."""
    own_invoices = []
    if invoice_id is not None:
        own_invoices.append(Invoice.id == invoice_id)
    if subscription_id is not None:
        own_invoices.append(Invoice.subscription_id == subscription_id)
    own_payment_intents = select(Invoice.payment_intent_id).where(
        Invoice.account_id == account_id,
        Invoice.livemode == livemode,
        Invoice.customer_id == customer_id,
        Invoice.payment_intent_id.is_not(None),
        or_(*own_invoices) if own_invoices else Invoice.id.is_(None),
    )
    payment_intent = exists().where(
        PaymentIntent.account_id == account_id,
        PaymentIntent.livemode == livemode,
        PaymentIntent.customer_id == customer_id,
        PaymentIntent.id.not_in(own_payment_intents),
    )
    paid_invoice = exists().where(
        Invoice.account_id == account_id,
        Invoice.livemode == livemode,
        Invoice.customer_id == customer_id,
        Invoice.deleted.is_(False),
        Invoice.status != "draft",
        or_(Invoice.status == "paid", Invoice.amount_paid > 0),
        *(_not_own_invoice(invoice_id, subscription_id)),
    )
    trial = exists().where(
        Subscription.account_id == account_id,
        Subscription.livemode == livemode,
        Subscription.customer_id == customer_id,
        Subscription.trial_start.is_not(None),
        *([Subscription.id != subscription_id] if subscription_id is not None else []),
    )
    return bool(session.scalar(select(or_(payment_intent, paid_invoice, trial))))


def _not_own_invoice(
    invoice_id: str | None, subscription_id: str | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if invoice_id is not None:
        conditions.append(Invoice.id != invoice_id)
    if subscription_id is not None:
        conditions.append(
            or_(Invoice.subscription_id.is_(None), Invoice.subscription_id != subscription_id)
        )
    return conditions
