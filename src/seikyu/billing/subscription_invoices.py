"""A subscription's invoice drafts: its licensed items billed for spans of service, with its
pending invoice items, default tax rates, discounts and payment terms.

The first invoice, renewals and previews all cut their drafts here, so a preview reads
exactly as the invoice it previews will.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from fractions import Fraction

from seikyu.billing import (
    discounts,
    invoice_drafts,
    invoice_items,
    invoices,
    metered_lines,
    subscription_item_changes,
    subscription_lines,
)
from seikyu.billing import invoice_repository as invoice_store
from seikyu.billing.domain.discounts import in_effect
from seikyu.billing.domain.subscription_timing import BilledSpan
from seikyu.core.periods import Interval, Period, period_containing
from seikyu.customers import service as customers
from seikyu.db.models.discounts import Discount
from seikyu.db.models.invoice_items import InvoiceItem
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork


def cut_draft(
    uow: UnitOfWork,
    subscription: Subscription,
    *,
    billing_reason: str,
    items: Sequence[SubscriptionItem],
    spans: Sequence[BilledSpan],
    pending: Sequence[InvoiceItem],
    dated: datetime | None = None,
    period: Period | None = None,
    usage_until: datetime | None = None,
    owned: discounts.Owned | None = None,
) -> Invoice:
    """A draft billing `items` for `spans` and the `pending` items, computed and stored.

    With `usage_until`, the metered items among `items` also bill their usage up to it
    (and any usage reported late for windows already billed); see `metered_lines`.

    `dated` is the invoice's date (default now): due dates count from it and the discounts
    in effect on it apply. `period` is the invoice's own period (default the instant it is
    dated), which for a renewal looks back on the period that just ended, as on Stripe.
    Nothing is emitted: the caller announces the invoice. `owned` is the live discounts of
    the customer, the subscription and `items` if the caller has read them (see
    `draft_owners`); any it lacks are read here.
    """
    customer = customers.get(uow, subscription.customer_id)
    invoice = invoices.new_draft(
        uow,
        customer,
        currency=subscription.currency,
        billing_reason=billing_reason,
        collection_method=subscription.collection_method,
        auto_advance=True,
        subscription_id=subscription.id,
        period_start=period.start if period else dated,
        period_end=period.end if period else dated,
    )
    if dated is not None:
        invoice.created = dated
    invoice.default_tax_rate_ids = list(subscription.default_tax_rate_ids)
    invoice.days_until_due = subscription.days_until_due
    if subscription.days_until_due is not None:
        invoice.due_date = invoice.created + timedelta(days=subscription.days_until_due)
    invoice_store.add(uow.session, invoice)
    owned = discounts.completed(uow, owned or {}, draft_owners(subscription, items))
    inherited = invoices.inherited_from(owned, customer.id, subscription.id)
    invoice.discount_ids = applying(uow, inherited, invoice)
    # The lines' lookups (products, item discounts) never read the lines being written, so
    # they are written in one flush instead of one per line.
    with uow.session.no_autoflush:
        subscription_lines.add_item_lines(uow, invoice, items, spans, owned)
        if usage_until is not None:
            metered_lines.add_usage_lines(uow, invoice, subscription, items, usage_until)
    if any(line.discount_ids for line in invoice.lines):
        rows = {d.id: d for found in owned.values() for d in found}
        for line in invoice.lines:
            line.discount_ids = applying(uow, [rows[d] for d in line.discount_ids], invoice)
    invoice_items.attach(uow, pending, invoice.id)
    invoice_drafts.refresh(uow, invoice, sorted(pending, key=lambda item: item.id))
    subscription_lines.remember_discounts(invoice, items)
    return invoice


def applying(uow: UnitOfWork, rows: Sequence[Discount], invoice: Invoice) -> list[str]:
    """The ids of the discounts that still apply to an invoice dated as `invoice` is: a
    `once` discount not used yet, a `repeating` one before its end, a `forever` one."""
    if not rows:
        return []
    used = discounts.used_once(rows)
    terms = discounts.to_domain(uow, rows, invoice.currency)
    return [
        discount.id
        for discount in terms
        if in_effect(discount, invoice_at=invoice.created, already_applied=discount.id in used)
    ]


def interval_of(subscription: Subscription) -> Interval:
    """The billing interval every item of the subscription shares."""
    return subscription_item_changes.interval_of(subscription.items)


def span_of(subscription: Subscription, period: Period) -> BilledSpan:
    """`period` billed against the cycle period it lies in: whole when it is one, prorated
    when it is shorter (a stub back onto the anchor, or a period cut short by `cancel_at`)."""
    anchor = subscription.billing_cycle_anchor
    full = period_containing(anchor, interval_of(subscription), period.start)
    if full == period:
        return BilledSpan(period, Fraction(1), period)
    return BilledSpan(period, Fraction(period.seconds, full.seconds), full)


def draft_owners(
    subscription: Subscription, items: Sequence[SubscriptionItem]
) -> list[discounts.Owner]:
    """Whose discounts a subscription's draft may take, in this order: the customer's, the
    subscription's, then each item's."""
    customer_id = subscription.customer_id
    return [
        discounts.Owner(customer_id),
        discounts.Owner(customer_id, subscription_id=subscription.id),
        *(discounts.Owner(customer_id, subscription_item_id=item.id) for item in items),
    ]
