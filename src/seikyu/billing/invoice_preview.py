"""Invoice previews (`POST /v1/invoices/create_preview`): the invoice a customer or a
subscription gets next, optionally after changes to the subscription, extra invoice items
or other discounts.

A preview runs the very code that cuts real invoices (`subscription_update.stage`,
`subscription_cycle.build_cycle_invoice`, `invoice_drafts.refresh`) inside a savepoint and
rolls it back: nothing it wrote stays, no coupon counts a redemption, and the events it
emitted (with the reactions they would cause) are dropped before the request commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from seikyu.billing import (
    discounts,
    invoice_drafts,
    invoice_items,
    invoices,
    metered_lines,
    subscription_create,
    subscription_cycle,
    subscription_invoices,
    subscription_update,
    subscriptions,
)
from seikyu.billing import invoice_repository as invoice_store
from seikyu.billing.discounts import DiscountRequest, Owner
from seikyu.billing.domain.subscription_timing import BilledSpan
from seikyu.billing.invoice_items import InvoiceItemFields
from seikyu.billing.subscription_changes import KEEP, Keep, SubscriptionChanges
from seikyu.billing.subscription_create import NewSubscription
from seikyu.billing.subscription_repository import SubscriptionFilter
from seikyu.core.errors import Kind, SeikyuError, invalid, missing, no_such
from seikyu.core.money import check_currency
from seikyu.customers import service as customers
from seikyu.db import row_locks
from seikyu.db.models.customers import Customer
from seikyu.db.models.invoice_items import InvoiceItem
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.pagination import Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect

MAX_INVOICE_ITEMS = 250
UPCOMING = "upcoming"
# Subscriptions with a next invoice to preview; paused ones bill nothing until resumed.
_BILLING = ("active", "past_due", "unpaid", "trialing", "incomplete")
# A customer's subscriptions looked at when no subscription is named.
_SUBSCRIPTIONS_LOOKED_AT = 100


@dataclass(frozen=True)
class PreviewItem:
    """One entry of `invoice_items[]`: a new pending item, or changes to one (`invoiceitem`)."""

    fields: InvoiceItemFields
    invoiceitem: str | None = None


@dataclass(frozen=True)
class PreviewRequest:
    customer: str | None = None
    subscription: str | None = None
    currency: str | None = None
    # KEEP: the invoice inherits its subscription's or customer's discounts; None: none.
    discounts: list[DiscountRequest] | Keep | None = KEEP
    invoice_items: Sequence[PreviewItem] = ()
    # `subscription_details` for the subscription named: None when not given.
    changes: SubscriptionChanges | None = None
    # `subscription_details` describing a subscription to create, when none is named.
    new_subscription: NewSubscription | None = None
    cancel_now: bool = False
    proration_behavior: str = "create_prorations"
    # preview_mode=recurring: only what recurs, without pending items and prorations.
    recurring: bool = False


@dataclass(frozen=True)
class Preview:
    invoice: Invoice
    # When the previewed prorations are computed from, if it previews any.
    proration_date: datetime | None = None


@contextmanager
def previewing(
    uow: UnitOfWork, request: PreviewRequest, *, processor: Processor, redirect: Redirect
) -> Iterator[Preview]:
    """The preview, readable inside the block; everything it wrote is rolled back after."""
    savepoint = uow.session.begin_nested()
    mark = len(uow.pending_events)
    try:
        preview = _preview(uow, request, processor, redirect)
        # Every change must reach the savepoint to be rolled back with it.
        uow.session.flush()
        yield preview
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        row_locks.forget(uow.session)
        del uow.pending_events[mark:]


def _preview(
    uow: UnitOfWork, request: PreviewRequest, processor: Processor, redirect: Redirect
) -> Preview:
    if request.new_subscription is not None:
        return _new_subscription_preview(uow, request, processor, redirect)
    subscription = _named_subscription(uow, request)
    if subscription is None:
        if request.changes is not None or request.cancel_now:
            raise missing("subscription")
        if request.customer is None:
            raise missing("customer")
        customer = customers.get_active(uow, request.customer, param="customer")
        subscription = _next_subscription(uow, customer.id)
        if subscription is None:
            return Preview(_pending_invoice(uow, customer, request))
    return _subscription_preview(uow, subscription, request, processor, redirect)


def _named_subscription(uow: UnitOfWork, request: PreviewRequest) -> Subscription | None:
    if request.subscription is None:
        return None
    # A preview that stages changes holds the row as an update would.
    found = subscriptions.get(
        uow, request.subscription, param="subscription", for_update=request.changes is not None
    )
    if request.customer is not None and request.customer != found.customer_id:
        customers.get_active(uow, request.customer, param="customer")
        raise invalid(
            f"The subscription {found.id} does not belong to the customer {request.customer}.",
            param="subscription",
        )
    return found


def _next_subscription(uow: UnitOfWork, customer_id: str) -> Subscription | None:
    """The customer's subscription that invoices next, as Stripe previews when only a
    customer is named."""
    page = subscriptions.page(
        uow, Window(limit=_SUBSCRIPTIONS_LOOKED_AT), SubscriptionFilter(customer_id=customer_id)
    )
    billing = [s for s in page.items if s.status in _BILLING]
    if not billing:
        return None
    return min(billing, key=lambda s: (s.current_period_end, s.id))


# --- a new subscription's first invoice ----------------------------------------------------


def _new_subscription_preview(
    uow: UnitOfWork, request: PreviewRequest, processor: Processor, redirect: Redirect
) -> Preview:
    """The invoice creating the subscription would cut: it is created as it would be, with
    its first invoice left a draft (collected by invoice), so nothing is finalized or
    charged; the draft then shows the collection the request asked for."""
    new = request.new_subscription
    assert new is not None
    if request.currency is not None:
        new = replace(new, currency=request.currency)
    drafted = replace(new, collection_method="send_invoice", days_until_due=None)
    customers.get_active(uow, new.customer, param="customer")
    _add_items(uow, new.customer, request, new.currency)
    try:
        subscription = subscription_create.create(uow, processor, drafted, redirect=redirect)
    except SeikyuError as error:
        raise _new_subscription_error(error) from None
    invoice = (
        None
        if subscription.latest_invoice_id is None
        else invoices.find(uow, subscription.latest_invoice_id)
    )
    if invoice is None:
        # Nothing is billed at creation (a free stub before a later anchor): the first
        # invoice is the one at the anchor.
        invoice = _next_invoice(uow, subscription, request)
    invoice.collection_method = new.collection_method
    invoice.days_until_due = new.days_until_due
    invoice.due_date = None
    invoice.next_action_at = None
    return Preview(_finish(uow, invoice, request))


def _new_subscription_error(error: SeikyuError) -> SeikyuError:
    if error.param in ("customer", "currency"):
        return error
    if error.param == "backdate_start_date":
        error.param = "start_date"
    return _within("subscription_details", error)


# --- a customer's pending items ---------------------------------------------------------


def _pending_invoice(uow: UnitOfWork, customer: Customer, request: PreviewRequest) -> Invoice:
    currency = _currency(request.currency, customer.currency)
    _add_items(uow, customer.id, request, currency)
    customer = customers.get(uow, customer.id)
    currency = currency or customer.currency
    pending = invoice_items.pending_for(uow, customer.id, currency)
    if not pending or currency is None:
        raise no_upcoming(customer.id)
    invoice = invoices.new_draft(
        uow,
        customer,
        currency=currency,
        billing_reason=UPCOMING,
        collection_method="charge_automatically",
        auto_advance=False,
    )
    invoice_store.add(uow.session, invoice)
    invoice.discount_ids = subscription_invoices.applying(
        uow, invoices.inherited_discounts(uow, customer.id, None), invoice
    )
    uow.session.flush()
    invoice_items.attach(uow, pending, invoice.id)
    _set_discounts(uow, invoice, request)
    invoice_drafts.refresh(uow, invoice)
    return invoice


# --- a subscription's next invoice --------------------------------------------------------


def _subscription_preview(
    uow: UnitOfWork,
    subscription: Subscription,
    request: PreviewRequest,
    processor: Processor,
    redirect: Redirect,
) -> Preview:
    if request.currency is not None and (
        check_currency(request.currency, param="currency") != subscription.currency
    ):
        raise invalid(
            f"The currency {request.currency.lower()} does not match the subscription's "
            f"currency {subscription.currency}.",
            param="currency",
        )
    if subscription.status not in _BILLING and not request.cancel_now:
        raise no_upcoming(subscription.customer_id)
    _add_items(uow, subscription.customer_id, request, subscription.currency)
    changes = request.changes
    if request.cancel_now:
        prorate = request.proration_behavior != "none"
        subscriptions.cancel(uow, processor, subscription.id, prorate=prorate, redirect=redirect)
        invoice = _invoice_now(uow, subscription, spans=(), usage_until=uow.now)
        return Preview(_finish(uow, invoice, request), uow.now if prorate else None)
    proration_date = None
    if changes is not None:
        _check_changes(changes)
        try:
            staged = subscription_update.stage(uow, subscription, changes)
        except SeikyuError as error:
            raise _within("subscription_details", error) from None
        if changes.proration_behavior != "none":
            proration_date = changes.proration_date or uow.now
        if not request.recurring and (
            staged.invoices_now
            or (changes.proration_behavior == "always_invoice" and _own_pending(uow, subscription))
        ):
            invoice = _invoice_now(uow, subscription, spans=staged.spans)
            return Preview(_finish(uow, invoice, request), proration_date)
    invoice = _next_invoice(uow, subscription, request)
    return Preview(_finish(uow, invoice, request), proration_date)


def _next_invoice(uow: UnitOfWork, subscription: Subscription, request: PreviewRequest) -> Invoice:
    ends = subscription.cancel_at_period_end or (
        subscription.cancel_at is not None
        and subscription.cancel_at <= subscription.current_period_end
    )
    # Metered items show their usage so far: the period's rest is not reported yet.
    usage_until = min(uow.now, subscription.current_period_end)
    if not ends:
        period = subscription_cycle.next_period(subscription)
        return subscription_cycle.build_cycle_invoice(
            uow, subscription, period, pending=not request.recurring, usage_until=usage_until
        )
    # It ends with this period: what remains is a last invoice of its own pending items
    # and the usage of its last period.
    own = [] if request.recurring else _own_pending(uow, subscription)
    end = subscription.cancel_at or subscription.current_period_end
    metered = metered_lines.billing_until(subscription, subscription.items, min(usage_until, end))
    if not own and not metered:
        raise no_upcoming(subscription.customer_id)
    return subscription_invoices.cut_draft(
        uow,
        subscription,
        billing_reason=UPCOMING,
        items=metered,
        spans=(),
        pending=own,
        dated=end,
        usage_until=min(usage_until, end),
    )


def _invoice_now(
    uow: UnitOfWork,
    subscription: Subscription,
    *,
    spans: Sequence[BilledSpan],
    usage_until: datetime | None = None,
) -> Invoice:
    """The invoice a change cuts at once: the new period it starts, and what is pending
    (with `usage_until`, a cancellation's final invoice: the usage so far too)."""
    return subscription_invoices.cut_draft(
        uow,
        subscription,
        billing_reason=UPCOMING,
        items=subscription.items,
        spans=spans,
        pending=invoice_items.pending_for(
            uow, subscription.customer_id, subscription.currency, subscription_id=subscription.id
        ),
        usage_until=usage_until,
    )


def _own_pending(uow: UnitOfWork, subscription: Subscription) -> list[InvoiceItem]:
    return [
        item
        for item in invoice_items.pending_for(
            uow, subscription.customer_id, subscription.currency, subscription_id=subscription.id
        )
        if item.subscription_id == subscription.id
    ]


def _check_changes(changes: SubscriptionChanges) -> None:
    if changes.proration_date is not None and changes.proration_behavior == "none":
        raise invalid(
            "proration_date cannot be used with proration_behavior=none.",
            param="subscription_details[proration_behavior]",
        )


def _finish(uow: UnitOfWork, invoice: Invoice, request: PreviewRequest) -> Invoice:
    if not isinstance(request.discounts, Keep):
        _set_discounts(uow, invoice, request)
        invoice_drafts.refresh(uow, invoice)
    invoice.billing_reason = UPCOMING
    return invoice


# --- what every preview shares --------------------------------------------------------


def _add_items(
    uow: UnitOfWork, customer_id: str, request: PreviewRequest, currency: str | None
) -> None:
    if len(request.invoice_items) > MAX_INVOICE_ITEMS:
        raise invalid(
            f"You can preview at most {MAX_INVOICE_ITEMS} invoice items.", param="invoice_items"
        )
    for index, entry in enumerate(request.invoice_items):
        where = f"invoice_items[{index}]"
        try:
            if entry.invoiceitem is not None:
                _change_item(uow, customer_id, entry)
            else:
                fields: InvoiceItemFields = {**entry.fields, "customer": customer_id}
                if currency is not None and "currency" not in fields:
                    fields["currency"] = currency
                invoice_items.create(uow, fields)
        except SeikyuError as error:
            raise _within(where, error) from None


def _change_item(uow: UnitOfWork, customer_id: str, entry: PreviewItem) -> None:
    """Errors name the entry's own fields; the caller puts them inside `invoice_items[i]`."""
    assert entry.invoiceitem is not None
    item = invoice_items.find(uow, entry.invoiceitem)
    if item is None or item.deleted_at is not None or item.customer_id != customer_id:
        raise no_such("invoiceitem", entry.invoiceitem, param="invoiceitem")
    if item.invoice_id is not None:
        raise invalid(
            f"The invoice item {item.id} is already on an invoice; only pending items can "
            "be changed in a preview.",
            param="invoiceitem",
        )
    fields = dict(entry.fields)
    if "currency" in fields:
        raise invalid("currency can only be given for new invoice items.", param="currency")
    invoice_items.update(uow, item.id, fields)  # type: ignore[arg-type]


def _set_discounts(uow: UnitOfWork, invoice: Invoice, request: PreviewRequest) -> None:
    if isinstance(request.discounts, Keep):
        return
    kept = discounts.replace(
        uow,
        Owner(customer_id=invoice.customer_id, invoice_id=invoice.id),
        request.discounts or [],
        param="discounts",
        currency=invoice.currency,
    )
    invoice.discount_ids = [d.id for d in kept]


def _currency(given: str | None, customer_currency: str | None) -> str | None:
    if given is None:
        return customer_currency
    currency = check_currency(given, param="currency")
    if customer_currency is not None and customer_currency != currency:
        raise invalid(
            f"The currency {currency} does not match the customer's currency {customer_currency}.",
            param="currency",
        )
    return currency


def _within(prefix: str, error: SeikyuError) -> SeikyuError:
    """The error with its param named inside `prefix` (`quantity` ->
    `invoice_items[0][quantity]`), as the preview's parameters nest them."""
    param = error.param
    if param:
        if param.startswith("pricing[price]"):
            param = "price" + param.removeprefix("pricing[price]")
        head, bracket, rest = param.partition("[")
        error.param = f"{prefix}[{head}]{bracket}{rest}"
    return error


def no_upcoming(customer_id: str) -> SeikyuError:
    """Stripe's answer when there is nothing to preview."""
    return SeikyuError(
        f"No upcoming invoices for customer: {customer_id}",
        kind=Kind.NOT_FOUND,
        code="invoice_upcoming_none",
    )
