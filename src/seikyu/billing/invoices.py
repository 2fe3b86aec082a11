"""Invoice use cases that edit or read invoices: create a draft, update, delete, look up.

Moving an issued invoice (finalize, pay, void, mark uncollectible, send) is in
`invoice_finalization` and `invoice_collection`. Every change to what a draft bills goes
through `invoice_drafts.refresh`, so its amounts always match its lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypedDict

from seikyu.billing import (
    discounts,
    invoice_drafts,
    invoice_items,
    price_terms,
    subscription_repository,
)
from seikyu.billing import invoice_repository as repository
from seikyu.billing.discounts import DiscountRequest, Owner
from seikyu.billing.domain.invoice_status import InvoiceAction, InvoiceStatus, transition
from seikyu.billing.invoice_repository import InvoiceFilter
from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, invalid, no_such
from seikyu.core.money import check_currency
from seikyu.customers import service as customers
from seikyu.db.models.customers import Customer
from seikyu.db.models.invoice_lines import InvoiceLine
from seikyu.db.models.invoices import Invoice
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments import payment_methods

# Stripe's default for send_invoice when neither days_until_due nor due_date is given.
DEFAULT_DAYS_UNTIL_DUE = 30
_DAY = timedelta(days=1)


class InvoiceFields(TypedDict, total=False):
    customer: str
    subscription: str | None
    currency: str | None
    auto_advance: bool | None
    collection_method: str | None
    days_until_due: int | None
    due_date: datetime | None
    default_payment_method: str | None
    default_tax_rates: list[str] | None
    description: str | None
    discounts: list[DiscountRequest] | None
    footer: str | None
    metadata: dict[str, str] | None
    number: str | None
    pending_invoice_items_behavior: str | None
    statement_descriptor: str | None


def create(uow: UnitOfWork, fields: InvoiceFields) -> Invoice:
    """A draft invoice for a customer, with its pending items when asked to include them."""
    customer = customers.get_active(uow, fields["customer"], param="customer")
    behavior = fields.get("pending_invoice_items_behavior") or "exclude"
    pending = (
        invoice_items.pending_for(uow, customer.id, fields.get("currency") or customer.currency)
        if behavior == "include"
        else []
    )
    subscription_id = _subscription_of(uow, customer, fields.get("subscription"))
    # With a subscription named, the invoice takes only that subscription's items.
    pending = [item for item in pending if item.subscription_id == subscription_id]
    currency = _currency(fields.get("currency"), customer, pending)
    invoice = new_draft(
        uow,
        customer,
        currency=currency,
        billing_reason="manual",
        collection_method=fields.get("collection_method") or "charge_automatically",
        auto_advance=bool(fields.get("auto_advance")),
        subscription_id=subscription_id,
    )
    invoice.pending_invoice_items_behavior = behavior
    _apply(uow, invoice, customer, fields, creating=True)
    repository.add(uow.session, invoice)
    uow.session.flush()
    if fields.get("discounts") is not None:
        _set_discounts(uow, invoice, fields["discounts"] or [])
    else:
        invoice.discount_ids = [
            d.id for d in inherited_discounts(uow, customer.id, subscription_id)
        ]
    if pending:
        invoice_items.attach(uow, pending, invoice.id)
    invoice_drafts.refresh(uow, invoice)
    uow.emit("invoice.created", invoice)
    return invoice


def new_draft(
    uow: UnitOfWork,
    customer: Customer,
    *,
    currency: str,
    billing_reason: str,
    collection_method: str,
    auto_advance: bool,
    subscription_id: str | None = None,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
) -> Invoice:
    """An empty draft with the customer's details, not yet added to the session."""
    return Invoice(
        id=uow.new_id("in"),
        # Said to be empty, so adding its first lines never loads them from the database.
        lines=[],
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        customer_id=customer.id,
        subscription_id=subscription_id,
        test_clock=customer.test_clock,
        status=InvoiceStatus.DRAFT.value,
        currency=currency,
        collection_method=collection_method,
        billing_reason=billing_reason,
        auto_advance=auto_advance,
        period_start=period_start or uow.now,
        period_end=period_end or uow.now,
        default_tax_rate_ids=[],
        discount_ids=[],
        total_discount_amounts=[],
        total_taxes=[],
        customer_details=customer_details(customer),
        issuer_details={},
        metadata_={},
        subtotal=0,
        subtotal_excluding_tax=0,
        total=0,
        total_excluding_tax=0,
        amount_due=0,
        amount_paid=0,
        amount_overpaid=0,
        starting_balance=0,
        pre_payment_credit_notes_amount=0,
        post_payment_credit_notes_amount=0,
        attempt_count=0,
        attempted=False,
        paid_out_of_band=False,
        deleted=False,
        pending_invoice_items_behavior="exclude",
    )


def update(uow: UnitOfWork, invoice_id: str, fields: InvoiceFields) -> Invoice:
    """Change a draft; once finalized only a few fields may change, as on Stripe."""
    invoice = get(uow, invoice_id, for_update=True)
    uow.before_update("invoice.updated", invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        _update_issued(invoice, fields)
        return invoice
    customer = customers.get(uow, invoice.customer_id)
    _apply(uow, invoice, customer, fields, creating=False)
    if "discounts" in fields:
        _set_discounts(uow, invoice, fields["discounts"] or [])
    invoice_drafts.refresh(uow, invoice)
    return invoice


def delete(uow: UnitOfWork, invoice_id: str) -> Invoice:
    """Delete a one-off draft; its invoice items become pending again."""
    invoice = get(uow, invoice_id, for_update=True)
    transition(
        InvoiceStatus(invoice.status),
        InvoiceAction.DELETE,
        from_subscription=invoice.subscription_id is not None
        and invoice.billing_reason != "manual",
    )
    uow.emit_now("invoice.deleted", invoice)
    for item in invoice_items.of_invoice(uow, invoice.id):
        item.invoice_id = None
    invoice.deleted = True
    return invoice


def get(
    uow: UnitOfWork, invoice_id: str, *, param: str | None = "id", for_update: bool = False
) -> Invoice:
    invoice = repository.get(
        uow.session, uow.account_id, uow.livemode, invoice_id, for_update=for_update
    )
    if invoice is None:
        raise no_such("invoice", invoice_id, param=param)
    return invoice


def find(uow: UnitOfWork, invoice_id: str) -> Invoice | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, invoice_id)


def page(uow: UnitOfWork, window: Window, where: InvoiceFilter) -> Page[Invoice]:
    """A page of invoices; a filter or cursor naming no such object is refused, naming it
    (a deleted customer's invoices can still be listed)."""
    if where.customer_id is not None and customers.find(uow, where.customer_id) is None:
        raise no_such("customer", where.customer_id, param="customer")
    subscription_id = where.subscription_id
    if subscription_id is not None and not _subscription_exists(uow, subscription_id):
        raise no_such("subscription", subscription_id, param="subscription")
    for name in ("starting_after", "ending_before"):
        cursor = getattr(window, name)
        if cursor is not None and find(uow, cursor) is None:
            raise no_such("invoice", cursor, param=name)
    return repository.page(uow.session, uow.account_id, uow.livemode, window, where)


def _subscription_exists(uow: UnitOfWork, subscription_id: str) -> bool:
    found = subscription_repository.get(uow.session, uow.account_id, uow.livemode, subscription_id)
    return found is not None


def line_page(
    uow: UnitOfWork,
    invoice_id: str,
    *,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
) -> Page[InvoiceLine]:
    invoice = get(uow, invoice_id, param="invoice")

    def cursor(line_id: str | None, param: str) -> InvoiceLine | None:
        if line_id is None:
            return None
        found = repository.line(uow.session, invoice.id, line_id)
        if found is None:
            raise no_such("line item", line_id, param=param)
        return found

    return repository.line_page(
        uow.session,
        invoice.id,
        limit=limit,
        starting_after=cursor(starting_after, "starting_after"),
        ending_before=cursor(ending_before, "ending_before"),
    )


def inherited_discounts(
    uow: UnitOfWork, customer_id: str, subscription_id: str | None
) -> list[Any]:
    """The invoice-level discounts a new invoice takes: its subscription's, or failing
    those the customer's."""
    owners = [Owner(customer_id=customer_id)]
    if subscription_id is not None:
        owners.append(Owner(customer_id=customer_id, subscription_id=subscription_id))
    return inherited_from(discounts.of_owners(uow, owners), customer_id, subscription_id)


def inherited_from(
    owned: discounts.Owned, customer_id: str, subscription_id: str | None
) -> list[Any]:
    """The rule of `inherited_discounts` over discounts read already, which must include
    the customer's and (if any) the subscription's."""
    if subscription_id is not None:
        own = owned[Owner(customer_id=customer_id, subscription_id=subscription_id)]
        if own:
            return list(own)
    return list(owned[Owner(customer_id=customer_id)])


def customer_details(customer: Customer) -> dict[str, Any]:
    """What an invoice shows of its customer; copied again when the invoice is finalized."""
    return {
        "email": customer.email,
        "name": customer.name,
        "phone": customer.phone,
        "address": customer.address,
        "shipping": customer.shipping,
        "tax_exempt": customer.tax_exempt,
    }


def _apply(
    uow: UnitOfWork,
    invoice: Invoice,
    customer: Customer,
    fields: InvoiceFields,
    *,
    creating: bool,
) -> None:
    if "collection_method" in fields and fields["collection_method"] is not None:
        invoice.collection_method = fields["collection_method"]
    if "auto_advance" in fields and fields["auto_advance"] is not None:
        invoice.auto_advance = fields["auto_advance"]
    for name in ("description", "footer", "statement_descriptor"):
        if name in fields:
            setattr(invoice, name, fields[name])
    if "number" in fields:
        _set_number(uow, invoice, fields["number"])
    if "metadata" in fields:
        invoice.metadata_ = (
            metadata.initial(fields["metadata"])
            if creating
            else metadata.merge(invoice.metadata_, fields["metadata"])
        )
    if "default_tax_rates" in fields:
        rates = fields["default_tax_rates"] or []
        invoice.default_tax_rate_ids = price_terms.check_tax_rates(
            uow, rates, param="default_tax_rates"
        )
    if "default_payment_method" in fields:
        chosen = fields["default_payment_method"]
        if chosen:
            payment_method = payment_methods.require_attached(
                uow, chosen, customer.id, param="default_payment_method"
            )
            invoice.default_payment_method_id = payment_method.id
        else:
            invoice.default_payment_method_id = None
    _apply_due(uow, invoice, fields)


def _apply_due(uow: UnitOfWork, invoice: Invoice, fields: InvoiceFields) -> None:
    days = fields.get("days_until_due")
    due = fields.get("due_date")
    if invoice.collection_method == "charge_automatically":
        if days is not None:
            raise invalid(
                "Invoices with `collection_method=charge_automatically` cannot have a "
                "`days_until_due`.",
                param="days_until_due",
            )
        if due is not None:
            raise invalid(
                "Invoices with `collection_method=charge_automatically` cannot have a `due_date`.",
                param="due_date",
            )
        invoice.days_until_due = None
        invoice.due_date = None
        return
    if days is not None and due is not None:
        raise invalid(
            "You may only specify one of these parameters: days_until_due, due_date.",
            param="days_until_due",
        )
    if due is not None:
        if due <= uow.now:
            raise invalid("The `due_date` must be in the future.", param="due_date")
        invoice.due_date = due
        invoice.days_until_due = None
    elif days is not None or invoice.due_date is None:
        invoice.days_until_due = days if days is not None else DEFAULT_DAYS_UNTIL_DUE
        invoice.due_date = invoice.created + invoice.days_until_due * _DAY


def _set_number(uow: UnitOfWork, invoice: Invoice, number: str | None) -> None:
    """A number the merchant chose, used at finalization instead of the next in sequence."""
    if (
        number is not None
        and number != invoice.number
        and repository.number_taken(uow.session, uow.account_id, uow.livemode, number)
    ):
        raise invalid(f"Invoice number {number} is already in use.", param="number")
    invoice.number = number or None


def _update_issued(invoice: Invoice, fields: InvoiceFields) -> None:
    editable = {"metadata", "description", "footer", "auto_advance"}
    for name in fields:
        if name not in editable:
            raise invalid(
                f"You can only update `{name}` on a draft invoice: this invoice is "
                f"{invoice.status}.",
                param=name,
                code="invoice_not_editable",
            )
    if "metadata" in fields:
        invoice.metadata_ = metadata.merge(invoice.metadata_, fields["metadata"])
    if "description" in fields:
        invoice.description = fields["description"]
    if "footer" in fields:
        invoice.footer = fields["footer"]
    if fields.get("auto_advance") is not None:
        invoice.auto_advance = bool(fields["auto_advance"])


def _set_discounts(uow: UnitOfWork, invoice: Invoice, requests: Sequence[DiscountRequest]) -> None:
    kept = discounts.replace(
        uow,
        Owner(customer_id=invoice.customer_id, invoice_id=invoice.id),
        requests,
        param="discounts",
        currency=invoice.currency,
    )
    invoice.discount_ids = [d.id for d in kept]


def _subscription_of(uow: UnitOfWork, customer: Customer, given: str | None) -> str | None:
    if given is None:
        return None
    found = subscription_repository.get(uow.session, uow.account_id, uow.livemode, given)
    if found is None or found.customer_id != customer.id:
        raise no_such("subscription", given, param="subscription")
    return found.id


def _currency(given: str | None, customer: Customer, pending: Sequence[Any]) -> str:
    if given is not None:
        currency = check_currency(given, param="currency")
        if customer.currency is not None and customer.currency != currency:
            raise invalid(
                f"The currency {currency} does not match the customer's currency "
                f"{customer.currency}.",
                param="currency",
            )
        return currency
    if customer.currency is not None:
        return customer.currency
    if pending:
        return str(pending[0].currency)
    raise SeikyuError(
        "This customer has no currency yet: pass `currency` to create an invoice for them.",
        param="currency",
    )
