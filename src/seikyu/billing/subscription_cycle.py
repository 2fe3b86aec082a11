"""Renewals: at the end of its period a subscription moves into the next one and bills it.

The scheduler calls `renew` when `subscription.next_action_at` falls due. Under the
subscription's row lock it checks that the work is still due, then either ends the
subscription (`cancel_at_period_end`, or `cancel_at` reached) or advances it one period,
back onto its anchor day, and cuts the renewal invoice as a draft that finalizes after the
account's delay (an hour by default, as Stripe). A subscription several periods behind is
renewed one period per call, so each period gets its own invoice; the unique index on
(subscription, `subscription_cycle`, period start) makes a second invoice for the same
period impossible even if two workers race past the checks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from seikyu.accounts import settings
from seikyu.billing import (
    discounts,
    invoice_items,
    metered_lines,
    subscription_invoices,
    subscription_payments,
)
from seikyu.billing import subscription_repository as repository
from seikyu.billing.domain import subscription_timing as timing
from seikyu.billing.domain.subscription_status import (
    SubscriptionAction,
    SubscriptionStatus,
    transition,
)
from seikyu.core.periods import Period
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork

CYCLE = "subscription_cycle"
# Statuses that keep billing period after period (an unpaid subscription's invoices are
# still created, only not attempted). Trials end elsewhere; paused ones do not cycle.
RENEWING = frozenset({"active", "past_due", "unpaid"})
# Statuses a subscription can be ended from when its cancellation falls due.
ENDING = RENEWING | {"trialing", "paused"}


def next_period(subscription: Subscription) -> Period:
    """The whole cycle period that follows the current one, ending on the anchor's day."""
    return timing.next_period(
        subscription.billing_cycle_anchor,
        subscription_invoices.interval_of(subscription),
        subscription.current_period_end,
    )


def build_cycle_invoice(
    uow: UnitOfWork,
    subscription: Subscription,
    period: Period,
    *,
    pending: bool = True,
    usage_until: datetime | None = None,
    owned: discounts.Owned | None = None,
) -> Invoice:
    """The draft `subscription_cycle` invoice for `period`, the period after the current
    one: a line per licensed item for the period (prorated up to `cancel_at` when the
    subscription cancels inside it), the pending invoice items in its currency (prorations
    included, unless `pending` is false), the discounts still in effect at the period start,
    its default tax rates and payment terms, and the metered items' usage over the current
    period (up to `usage_until`, default its end: usage is billed in arrears). Dated at the
    period start; its own period looks back on the current one. Nothing is emitted and the
    subscription is unchanged, but what the usage lines bill is recorded. `owned`: the
    discounts read already, as `subscription_invoices.cut_draft` takes them."""
    billed = billed_period(subscription, period)
    waiting = (
        invoice_items.pending_for(
            uow, subscription.customer_id, subscription.currency, subscription_id=subscription.id
        )
        if pending
        else []
    )
    return subscription_invoices.cut_draft(
        uow,
        subscription,
        billing_reason=CYCLE,
        items=subscription.items,
        spans=(subscription_invoices.span_of(subscription, billed),),
        pending=waiting,
        dated=period.start,
        period=_looking_back(subscription, period.start),
        usage_until=usage_until or subscription.current_period_end,
        owned=owned,
    )


def billed_period(subscription: Subscription, period: Period) -> Period:
    """`period`, cut short at `cancel_at` when the subscription cancels inside it."""
    cancel_at = subscription.cancel_at
    if cancel_at is not None and period.start < cancel_at < period.end:
        return Period(period.start, cancel_at)
    return period


def renew(uow: UnitOfWork, subscription_id: str) -> Invoice | None:
    """Renew or end the subscription if that is due; returns the invoice cut, if any.

    Safe to call again and at any time: a subscription that is not due (or no longer
    exists) is left alone and None is returned."""
    subscription = repository.get(
        uow.session, uow.account_id, uow.livemode, subscription_id, for_update=True
    )
    if subscription is None or not subscription.items:
        return None
    now = uow.now
    if subscription.status in ENDING:
        if subscription.cancel_at is not None and subscription.cancel_at <= now:
            return _end(uow, subscription, subscription.cancel_at)
        if subscription.cancel_at_period_end and subscription.current_period_end <= now:
            return _end(uow, subscription, subscription.current_period_end)
    if subscription.status not in RENEWING or subscription.current_period_end > now:
        return None
    period = next_period(subscription)
    # Read once: the invoice takes those in effect and the renewal then ends those run out.
    owned = discounts.of_owners(
        uow, subscription_invoices.draft_owners(subscription, subscription.items)
    )
    invoice = build_cycle_invoice(uow, subscription, period, owned=owned)
    _end_expired_discounts(uow, subscription, owned, period.start)
    _schedule_finalization(uow, subscription, invoice)
    uow.emit("invoice.created", invoice)
    uow.before_update("customer.subscription.updated", subscription)
    move_into(subscription, billed_period(subscription, period))
    subscription.latest_invoice_id = invoice.id
    subscription.next_action_at = subscription_payments.next_action(subscription)
    return invoice


def _end_expired_discounts(
    uow: UnitOfWork, subscription: Subscription, owned: discounts.Owned, at: datetime
) -> None:
    """A discount whose duration ran out by the renewal no longer applies (the invoice just
    built left it out) and is removed from the subscription, its items or the customer."""
    if discounts.end_expired(uow, owned, at):
        uow.session.expire(subscription, ["discounts"])


def _end(uow: UnitOfWork, subscription: Subscription, at: datetime) -> Invoice | None:
    """End the subscription at `at`. What it still owes (its own pending items, such as
    the credit for a `cancel_at` inside the period, and its metered usage up to `at`) goes
    on a final invoice."""
    move = transition(SubscriptionStatus(subscription.status), SubscriptionAction.CANCEL)
    own = [
        item
        for item in invoice_items.pending_for(
            uow, subscription.customer_id, subscription.currency, subscription_id=subscription.id
        )
        if item.subscription_id == subscription.id
    ]
    invoice = None
    # The last period's metered usage is billed on the closing invoice, as on Stripe.
    metered = metered_lines.billing_until(subscription, subscription.items, at)
    if own or metered:
        invoice = subscription_invoices.cut_draft(
            uow,
            subscription,
            billing_reason=CYCLE,
            items=metered,
            spans=(),
            pending=own,
            dated=at,
            period=_looking_back(subscription, at),
            usage_until=at,
        )
        _schedule_finalization(uow, subscription, invoice)
        uow.emit("invoice.created", invoice)
        subscription.latest_invoice_id = invoice.id
    subscription.status = move.status.value
    # A cancellation asked for in advance keeps the time it was asked for, as on Stripe.
    subscription.canceled_at = subscription.canceled_at or at
    subscription.ended_at = at
    subscription.next_action_at = None
    subscription.cancellation_details = {
        **subscription.cancellation_details,
        "reason": "cancellation_requested",
    }
    for event in move.events:
        uow.emit(event, subscription)
    return invoice


def _schedule_finalization(uow: UnitOfWork, subscription: Subscription, invoice: Invoice) -> None:
    pause = subscription.pause_collection or {}
    if pause.get("behavior") == "keep_as_draft":
        # Collection is paused with drafts kept: the invoice waits for the merchant.
        invoice.auto_advance = False
        return
    invoice.next_action_at = finalizes_at(uow)


def finalizes_at(uow: UnitOfWork) -> datetime:
    """When a subscription invoice cut now is finalized: after the account's delay."""
    delay = settings.billing_settings(uow, uow.account_id).finalization_delay_seconds
    return uow.now + timedelta(seconds=delay)


def move_into(subscription: Subscription, period: Period) -> None:
    """Make `period` the current period of the subscription and of every item."""
    subscription.current_period_start = period.start
    subscription.current_period_end = period.end
    for item in subscription.items:
        item.current_period_start = period.start
        item.current_period_end = period.end


def _looking_back(subscription: Subscription, until: datetime) -> Period | None:
    start = subscription.current_period_start
    return Period(start, until) if start < until else None
