"""Invoice item use cases: create, update, delete, look up; and what invoices take from them.

An item is a charge or credit for a customer. It waits, pending, until an invoice takes it
(`attach`), or is put straight on a draft (`invoice=`). While pending or on a draft it may be
changed or deleted; once its invoice is finalized it is part of an issued document and stays
as it is. A change to an item on a draft recomputes that draft, under the draft's row lock,
so the draft always reads as it would finalize.

Its amount is fixed when it is written: `amount` as given, `unit_amount_decimal × quantity`
rounded once, or a one-time price's terms in the item's currency for the quantity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy.orm import Session, object_session

from seikyu.billing import discounts, invoice_drafts, invoice_repository, price_terms
from seikyu.billing import invoice_item_amounts as amounts
from seikyu.billing import invoice_item_repository as repository
from seikyu.billing.discounts import DiscountRequest, Owner
from seikyu.billing.domain.invoice_status import InvoiceStatus
from seikyu.catalog import products
from seikyu.core import metadata, money
from seikyu.core.errors import Kind, SeikyuError, no_such
from seikyu.customers import balance_transactions
from seikyu.customers import service as customers
from seikyu.db.models.customers import Customer
from seikyu.db.models.invoice_items import InvoiceItem
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.prices import Price
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.models.tax_rates import TaxRate
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork

OBJECT_NAME = "invoiceitem"
MAX_ITEMS_PER_INVOICE = 250
CREATED_EVENT = "invoiceitem.created"
DELETED_EVENT = "invoiceitem.deleted"

# What an item's money comes from; a request names at most one of them.
_SOURCES = ("amount", "price", "price_data", "unit_amount_decimal")
_PARAMS = {"price": "pricing[price]"}
# A subscription in these statuses bills nothing more.
_ENDED = frozenset({"canceled", "incomplete_expired"})


class InvoiceItemFields(TypedDict, total=False):
    """What a request may set. `customer`, `currency`, `invoice` and `subscription` only on
    create; None clears `description`, `discounts`, `metadata` and `tax_rates`."""

    customer: str
    amount: int
    currency: str
    description: str | None
    discountable: bool
    discounts: list[DiscountRequest] | None
    invoice: str
    metadata: dict[str, str] | None
    period: tuple[datetime, datetime]
    price: str
    price_data: dict[str, Any]
    quantity: int
    quantity_decimal: Decimal
    subscription: str
    tax_rates: list[str] | None
    unit_amount_decimal: Decimal


@dataclass(frozen=True, slots=True)
class Shown:
    """What an item's rendering needs besides its own row."""

    tax_rates: list[TaxRate]
    discounts: list[str]
    product: str | None


# --- the API's use cases --------------------------------------------------------------


def create(uow: UnitOfWork, fields: InvoiceItemFields) -> InvoiceItem:
    """A pending item for the customer, or an item on one of its draft invoices."""
    customer = customers.get_active(uow, fields["customer"], param="customer")
    source = _source(fields, required=True)
    invoice = _target_invoice(uow, fields["invoice"], customer) if "invoice" in fields else None
    subscription = (
        _subscription(uow, fields["subscription"], customer) if "subscription" in fields else None
    )
    currency = _currency(fields, customer, invoice, subscription)
    charge = amounts.money_of(uow, fields, source, currency, amounts.quantity_of(fields))
    if customer.currency is None:
        # The first thing billed to a customer fixes its currency, as on Stripe. The
        # customer row is locked from here, so a concurrent first item in another
        # currency sees this one's and is refused.
        customer = balance_transactions.adopt_currency(uow, customer.id, charge.currency)
    _check_fits(charge.currency, customer, invoice, subscription)
    rates = fields.get("tax_rates")
    tax_rate_ids = (
        None if rates is None else price_terms.check_tax_rates(uow, rates, param="tax_rates")
    )
    start, end = _period(uow, fields.get("period"))
    description = fields.get("description")
    if description is None and charge.price is not None:
        description = _product_name(uow, charge.price)
    item = InvoiceItem(
        id=uow.new_id("ii"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        customer_id=customer.id,
        invoice_id=None if invoice is None else invoice.id,
        subscription_id=None if subscription is None else subscription.id,
        subscription_item_id=None,
        amount=charge.amount,
        currency=charge.currency,
        quantity=charge.quantity,
        unit_amount_decimal=charge.unit_amount_decimal,
        price_id=None if charge.price is None else charge.price.id,
        description=description,
        date=uow.now,
        period_start=start,
        period_end=end,
        # Stripe's default: a credit is not discounted unless asked.
        discountable=fields.get("discountable", charge.amount >= 0),
        tax_rate_ids=tax_rate_ids,
        proration=False,
        proration_details=None,
        metadata_=metadata.initial(fields.get("metadata")),
        deleted_at=None,
    )
    repository.add(uow.session, item)
    uow.emit(CREATED_EVENT, item)
    if fields.get("discounts"):
        uow.session.flush()
        _set_discounts(uow, item, fields["discounts"] or [])
    if invoice is not None:
        invoice_drafts.refresh(uow, invoice)
    return item


def update(uow: UnitOfWork, item_id: str, changes: InvoiceItemFields) -> InvoiceItem:
    """Change a pending item, or one on a draft (which is then recomputed)."""
    item, invoice = _editable(uow, item_id)
    source = _source(changes, required=False)
    quantity = amounts.quantity_of(changes)
    rates = changes.get("tax_rates")
    tax_rate_ids = (
        None if rates is None else price_terms.check_tax_rates(uow, rates, param="tax_rates")
    )
    period = _period(uow, changes["period"]) if "period" in changes else None
    if source is not None or quantity is not None:
        charge = amounts.remoney(uow, item, changes, source, quantity)
        item.amount = charge.amount
        item.quantity = charge.quantity
        item.unit_amount_decimal = charge.unit_amount_decimal
        item.price_id = None if charge.price is None else charge.price.id
    if "description" in changes:
        item.description = changes["description"]
    if "discountable" in changes:
        item.discountable = changes["discountable"]
    if period is not None:
        item.period_start, item.period_end = period
    if "tax_rates" in changes:
        item.tax_rate_ids = tax_rate_ids
    if "metadata" in changes:
        item.metadata_ = metadata.merge(item.metadata_, changes["metadata"])
    if "discounts" in changes:
        _set_discounts(uow, item, changes["discounts"] or [])
    if invoice is not None:
        invoice_drafts.refresh(uow, invoice)
    return item


def delete(uow: UnitOfWork, item_id: str) -> InvoiceItem:
    """Delete a pending item, or take one off its draft (which is then recomputed)."""
    item, invoice = _editable(uow, item_id)
    uow.emit_now(DELETED_EVENT, item)
    owner = _owner(item)
    if discounts.of_owner(uow, owner):
        discounts.replace(
            uow, owner, [], param="discounts", currency=item.currency, item_level=True
        )
    item.deleted_at = uow.now
    if invoice is not None:
        invoice_drafts.refresh(uow, invoice)
    return item


def get(uow: UnitOfWork, item_id: str, *, param: str | None = "id") -> InvoiceItem:
    """The item; a deleted one too, which reads as Stripe's deleted stub."""
    item = find(uow, item_id)
    if item is None:
        raise no_such(OBJECT_NAME, item_id, param=param)
    return item


def find(uow: UnitOfWork, item_id: str) -> InvoiceItem | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, item_id)


def page(
    uow: UnitOfWork,
    window: Window,
    *,
    customer_id: str | None,
    invoice_id: str | None,
    pending: bool | None,
) -> Page[InvoiceItem]:
    """Items that are not deleted, newest first; an unknown customer or invoice is refused."""
    if customer_id is not None and customers.find(uow, customer_id) is None:
        raise no_such("customer", customer_id, param="customer")
    if invoice_id is not None and (
        invoice_repository.get(uow.session, uow.account_id, uow.livemode, invoice_id) is None
    ):
        raise no_such("invoice", invoice_id, param="invoice")
    return repository.page(
        uow.session,
        uow.account_id,
        uow.livemode,
        window,
        customer_id=customer_id,
        invoice_id=invoice_id,
        pending=pending,
    )


def shown(uow: UnitOfWork, items: Sequence[InvoiceItem]) -> dict[str, Shown]:
    """The tax rates and discounts of several items, in two queries, keyed by item."""
    return _shown(uow.session, uow.account_id, uow.livemode, items)


def shown_alone(item: InvoiceItem) -> Shown:
    """`shown` for one item, through the session that loaded it: for rendering an item
    where no unit of work is at hand (events, expansion)."""
    session = object_session(item)
    if session is None:
        raise RuntimeError(f"invoice item {item.id} is not attached to a session")
    return _shown(session, item.account_id, item.livemode, [item])[item.id]


# --- what invoices and subscriptions call ---------------------------------------------


def pending_for(
    uow: UnitOfWork,
    customer_id: str,
    currency: str | None = None,
    *,
    subscription_id: str | None = None,
) -> list[InvoiceItem]:
    """The customer's pending items (on no invoice, not deleted), oldest first; only those in
    `currency` when given. With `subscription_id`, those of that subscription and those of
    no subscription: what that subscription's next invoice takes."""
    return repository.pending(
        uow.session,
        uow.account_id,
        uow.livemode,
        customer_id,
        currency=currency,
        subscription_id=subscription_id,
    )


def attach(uow: UnitOfWork, items: Sequence[InvoiceItem], invoice_id: str) -> None:
    """Put pending items on an invoice; the caller recomputes the invoice."""
    for item in items:
        item.invoice_id = invoice_id


def of_invoice(uow: UnitOfWork, invoice_id: str) -> list[InvoiceItem]:
    """The items on an invoice, not deleted, oldest first."""
    return repository.of_invoice(uow.session, uow.account_id, uow.livemode, invoice_id)


def create_proration(
    uow: UnitOfWork,
    *,
    customer_id: str,
    subscription_id: str,
    subscription_item_id: str | None,
    amount: int,
    currency: str,
    quantity: int,
    price_id: str | None,
    description: str | None,
    period_start: datetime,
    period_end: datetime,
    tax_rate_ids: Sequence[str] | None,
    proration_details: Mapping[str, Any] | None = None,
) -> InvoiceItem:
    """A pending proration the subscription code computed: never discounted again (its
    amount already reflects the subscription's discounts), and kept apart as `proration`."""
    item = InvoiceItem(
        id=uow.new_id("ii"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        customer_id=customer_id,
        invoice_id=None,
        subscription_id=subscription_id,
        subscription_item_id=subscription_item_id,
        amount=amount,
        currency=currency,
        quantity=quantity,
        unit_amount_decimal=None,
        price_id=price_id,
        description=description,
        date=uow.now,
        period_start=period_start,
        period_end=period_end,
        discountable=False,
        tax_rate_ids=None if tax_rate_ids is None else list(tax_rate_ids),
        proration=True,
        proration_details=None if proration_details is None else dict(proration_details),
        metadata_={},
        deleted_at=None,
    )
    repository.add(uow.session, item)
    uow.emit(CREATED_EVENT, item)
    return item


# --- checks ---------------------------------------------------------------------------


def _editable(uow: UnitOfWork, item_id: str) -> tuple[InvoiceItem, Invoice | None]:
    """The item, locked, with its draft invoice locked first; refused once the invoice is
    finalized. Locks are taken invoice first, then item, as finalization takes them."""
    for _ in range(3):
        seen = find(uow, item_id)
        if seen is None or seen.deleted_at is not None:
            raise no_such(OBJECT_NAME, item_id)
        invoice_id = seen.invoice_id
        invoice = (
            None
            if invoice_id is None
            else invoice_repository.get(
                uow.session, uow.account_id, uow.livemode, invoice_id, for_update=True
            )
        )
        item = repository.get(uow.session, uow.account_id, uow.livemode, item_id, for_update=True)
        assert item is not None  # items are never removed, only marked deleted
        if item.invoice_id == invoice_id:
            break
    else:
        raise SeikyuError(
            f"The invoice item {item_id} is being put on an invoice right now; retry the request.",
            kind=Kind.CONFLICT,
        )
    if item.deleted_at is not None:
        raise no_such(OBJECT_NAME, item_id)
    if invoice is not None and invoice.status != InvoiceStatus.DRAFT:
        raise SeikyuError(
            f"The invoice item {item.id} is on invoice {invoice.id}, which is {invoice.status}: "
            "only items that are pending or on a draft invoice can be changed or deleted.",
            code="invoice_not_editable",
        )
    return item, invoice


def _target_invoice(uow: UnitOfWork, invoice_id: str, customer: Customer) -> Invoice:
    invoice = invoice_repository.get(
        uow.session, uow.account_id, uow.livemode, invoice_id, for_update=True
    )
    if invoice is None:
        raise no_such("invoice", invoice_id, param="invoice")
    if invoice.customer_id != customer.id:
        raise SeikyuError(
            f"The invoice {invoice.id} belongs to another customer; an invoice item can only "
            "be added to an invoice of its own customer.",
            param="invoice",
        )
    if invoice.status != InvoiceStatus.DRAFT:
        raise SeikyuError(
            f"Invoice items can only be added to draft invoices; {invoice.id} is {invoice.status}.",
            param="invoice",
            code="invoice_not_editable",
        )
    count = repository.count_on_invoice(uow.session, uow.account_id, uow.livemode, invoice.id)
    if count >= MAX_ITEMS_PER_INVOICE:
        raise SeikyuError(
            f"An invoice can have at most {MAX_ITEMS_PER_INVOICE} invoice items.",
            param="invoice",
        )
    return invoice


def _subscription(uow: UnitOfWork, subscription_id: str, customer: Customer) -> Subscription:
    found = repository.subscription(uow.session, uow.account_id, uow.livemode, subscription_id)
    if found is None:
        raise no_such("subscription", subscription_id, param="subscription")
    if found.customer_id != customer.id:
        raise SeikyuError(
            f"The subscription {found.id} belongs to another customer.", param="subscription"
        )
    if found.status in _ENDED:
        raise SeikyuError(
            f"The subscription {found.id} is {found.status}; invoice items can only be added "
            "to a subscription that still bills.",
            param="subscription",
        )
    return found


def _source(fields: InvoiceItemFields, *, required: bool) -> str | None:
    named: Mapping[str, Any] = fields
    given = [name for name in _SOURCES if named.get(name) is not None]
    if len(given) > 1:
        names = ", ".join(_PARAMS.get(name, name) for name in given)
        raise SeikyuError(
            f"You may only specify one of these parameters: {names}.",
            param=_PARAMS.get(given[1], given[1]),
            code="parameters_exclusive",
        )
    if not given:
        if required:
            raise SeikyuError(
                "You must specify one of amount, pricing[price], price_data or "
                "unit_amount_decimal.",
                param="amount",
                code="parameter_missing",
            )
        return None
    return given[0]


def _currency(
    fields: InvoiceItemFields,
    customer: Customer,
    invoice: Invoice | None,
    subscription: Subscription | None,
) -> str | None:
    """The currency asked for, or else the one the item's context already has."""
    given = fields.get("currency")
    if given is not None:
        return money.check_currency(given, param="currency")
    for known in (invoice, subscription, customer):
        if known is not None and known.currency is not None:
            return known.currency
    return None


def _check_fits(
    currency: str, customer: Customer, invoice: Invoice | None, subscription: Subscription | None
) -> None:
    context: list[tuple[str, str, str | None]] = [("customer", customer.id, customer.currency)]
    if invoice is not None:
        context.append(("invoice", invoice.id, invoice.currency))
    if subscription is not None:
        context.append(("subscription", subscription.id, subscription.currency))
    for owner, name, known in context:
        if known is not None and known != currency:
            raise SeikyuError(
                f"The invoice item's currency ({currency}) must match the currency of its "
                f"{owner} {name} ({known}).",
                param="currency",
            )


def _period(uow: UnitOfWork, period: tuple[datetime, datetime] | None) -> tuple[datetime, datetime]:
    if period is None:
        return uow.now, uow.now
    start, end = period
    if end < start:
        raise SeikyuError("The period's end must be at or after its start.", param="period[end]")
    return start, end


def _product_name(uow: UnitOfWork, price: Price) -> str | None:
    product = products.find(uow, price_terms.product_of(price))
    return None if product is None else product.name


def _owner(item: InvoiceItem) -> Owner:
    return Owner(customer_id=item.customer_id, invoice_item_id=item.id)


def _set_discounts(uow: UnitOfWork, item: InvoiceItem, requests: Sequence[DiscountRequest]) -> None:
    discounts.replace(
        uow, _owner(item), requests, param="discounts", currency=item.currency, item_level=True
    )


def _shown(
    session: Session, account_id: str, livemode: bool, items: Sequence[InvoiceItem]
) -> dict[str, Shown]:
    rate_ids = {rate for item in items for rate in item.tax_rate_ids or ()}
    rates = repository.tax_rates(session, account_id, livemode, rate_ids)
    discount_ids = repository.discount_ids(session, account_id, livemode, [i.id for i in items])
    price_ids = {item.price_id for item in items if item.price_id is not None}
    product_ids = repository.products_of_prices(session, account_id, livemode, price_ids)
    return {
        item.id: Shown(
            tax_rates=[rates[rate] for rate in item.tax_rate_ids or () if rate in rates],
            discounts=discount_ids.get(item.id, []),
            product=None if item.price_id is None else product_ids.get(item.price_id),
        )
        for item in items
    }
