"""Resuming a paused subscription (POST /v1/subscriptions/{id}/resume).

A subscription paused at the end of its trial has paid for nothing since. Resuming with
`billing_cycle_anchor=now` (Stripe's default) starts a new period now and invoices it whole;
`unchanged` keeps the anchor and bills the rest of the period it resumes in, prorated
(nothing with `proration_behavior=none`). A charge that fails leaves it past_due.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from seikyu.billing import (
    subscription_cycle,
    subscription_item_changes,
    subscription_payments,
    subscription_update,
)
from seikyu.billing.domain.proration import remaining_fraction
from seikyu.billing.domain.subscription_status import (
    SubscriptionAction,
    SubscriptionStatus,
    transition,
)
from seikyu.billing.domain.subscription_timing import BilledSpan
from seikyu.billing.subscription_changes import SubscriptionChanges
from seikyu.billing.subscriptions import UPDATED, emit_move, get
from seikyu.core.errors import invalid
from seikyu.core.periods import Period, boundary, period_containing
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect


def resume(
    uow: UnitOfWork,
    processor: Processor,
    subscription_id: str,
    *,
    billing_cycle_anchor: str,
    proration_behavior: str,
    proration_date: datetime | None,
    redirect: Redirect,
) -> Subscription:
    subscription = get(uow, subscription_id, for_update=True)
    move = transition(SubscriptionStatus(subscription.status), SubscriptionAction.RESUME)
    uow.before_update(UPDATED, subscription)
    interval = subscription_item_changes.interval_of(subscription.items)
    if billing_cycle_anchor == "now":
        if proration_date is not None:
            raise invalid(
                "proration_date can only be used with billing_cycle_anchor=unchanged.",
                param="proration_date",
            )
        period = Period(uow.now, boundary(uow.now, interval, 1))
        subscription.billing_cycle_anchor = uow.now
        subscription.billing_cycle_anchor_config = None
        spans: tuple[BilledSpan, ...] = (BilledSpan(period, Fraction(1), period),)
    else:
        at = proration_date or uow.now
        full = period_containing(subscription.billing_cycle_anchor, interval, uow.now)
        if not full.start <= at <= full.end:
            raise invalid(
                "proration_date must be within the period the subscription resumes in.",
                param="proration_date",
            )
        period = Period(uow.now, full.end)
        spans = ()
        if proration_behavior != "none":
            rest = Period(at, full.end)
            spans = (BilledSpan(rest, remaining_fraction(full, at), full),)
    subscription_cycle.move_into(subscription, period)
    subscription.status = move.status.value
    emit_move(uow, subscription, move.events)
    if spans:
        invoice = subscription_update.cut_invoice(
            uow, processor, subscription, spans, redirect=redirect
        )
        if invoice.status == "open":
            subscription_update.collect(
                uow, processor, subscription, invoice, SubscriptionChanges(), redirect=redirect
            )
    subscription.next_action_at = subscription_payments.next_action(subscription)
    return subscription
