"""Updating a subscription: items, trial, anchor, cancellation, collection and the rest.

`stage` applies a `SubscriptionChanges` to the subscription and its items and leaves the
money consequences as pending proration invoice items; it cuts no invoice and takes no
payment, so `create_preview` can run it and look. `update` stages, then cuts the invoice a
change calls for now (a new period from now, `always_invoice`) and collects it per
`payment_behavior`.

Proration (classic billing): under `create_prorations` or `always_invoice`, an item whose
price or quantity changes is credited for the unused rest of the period at the old
configuration and charged for it at the new one, from `proration_date` (default: now). A
change that starts a new period now (`billing_cycle_anchor=now`, a new interval, a trial
started or ended) instead credits the unused rest of the old period for every item and
bills the new period whole. Nothing is prorated while trialing: the trial is free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from seikyu.billing import (
    discounts,
    invoice_dunning,
    invoice_finalization,
    invoice_items,
    invoices,
    metered_changes,
    price_terms,
    subscription_create,
    subscription_cycle,
    subscription_invoices,
    subscription_item_changes,
    subscription_payments,
)
from seikyu.billing import subscription_pending_updates as pending_updates
from seikyu.billing import subscription_prorations as prorations
from seikyu.billing.discounts import Owner
from seikyu.billing.domain import subscription_timing as timing
from seikyu.billing.domain.subscription_status import (
    SubscriptionAction,
    SubscriptionStatus,
    check_update,
    transition,
)
from seikyu.billing.domain.subscription_timing import BilledSpan
from seikyu.billing.subscription_changes import Keep, SubscriptionChanges
from seikyu.billing.subscriptions import emit_move, get
from seikyu.core import metadata
from seikyu.core.errors import invalid
from seikyu.core.periods import Period, boundary
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork
from seikyu.payments import payment_methods
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect

UPDATED = "customer.subscription.updated"
_PRORATING = frozenset({"active", "past_due", "unpaid", "paused"})


@dataclass
class Staged:
    """What the staged changes call for now."""

    # Item lines the invoice cut now bills: a new whole period, or a trial of 0.
    spans: tuple[BilledSpan, ...] = ()
    # The status move the change makes (a trial started or ended), applied by `update`.
    action: SubscriptionAction | None = None

    @property
    def invoices_now(self) -> bool:
        return bool(self.spans)


def update(
    uow: UnitOfWork,
    processor: Processor,
    subscription_id: str,
    changes: SubscriptionChanges,
    *,
    fields: Sequence[str],
    redirect: Redirect,
) -> Subscription:
    """POST /v1/subscriptions/{id}. `fields` names the parameters the request gave, in
    order, so a subscription that accepts only some of them can name the first refused."""
    subscription = get(uow, subscription_id, for_update=True)
    check_update(SubscriptionStatus(subscription.status), fields)
    pending = changes.payment_behavior == "pending_if_incomplete"
    if pending:
        pending_updates.check(subscription, changes, fields)
    before = pending_updates.Snapshot.of(subscription) if pending else None
    uow.before_update(UPDATED, subscription)
    if pending_updates.OVERRIDING.intersection(fields):
        pending_updates.discard(uow, processor, subscription)
    staged = stage(uow, subscription, changes)
    move = None
    if staged.action is not None:
        move = transition(SubscriptionStatus(subscription.status), staged.action)
        subscription.status = move.status.value
    invoice = None
    if staged.invoices_now or (
        changes.proration_behavior == "always_invoice" and _has_pending(uow, subscription)
    ):
        invoice = cut_invoice(uow, processor, subscription, staged.spans, redirect=redirect)
    if before is not None and invoice is not None and invoice.status == "open":
        if not _paid(uow, processor, invoice, changes, redirect=redirect):
            requested = pending_updates.Requested(
                billing_cycle_anchor_now=changes.billing_cycle_anchor == "now",
                trial_end=None if isinstance(changes.trial_end, Keep) else changes.trial_end,
                trial_from_plan=changes.trial_from_plan,
                metadata=None if isinstance(changes.metadata, Keep) else changes.metadata,
            )
            pending_updates.hold(uow, subscription, before, invoice, requested, staged.action)
            move = None
    elif invoice is not None and invoice.status == "open":
        if move is not None:
            emit_move(uow, subscription, move.events)
            move = None
        collect(uow, processor, subscription, invoice, changes, redirect=redirect)
    if move is not None:
        emit_move(uow, subscription, move.events)
    subscription.next_action_at = subscription_payments.next_action(subscription)
    return subscription


def _paid(
    uow: UnitOfWork,
    processor: Processor,
    invoice: Invoice,
    changes: SubscriptionChanges,
    *,
    redirect: Redirect,
) -> bool:
    return subscription_payments.collect(
        uow, processor, invoice, strict=False, off_session=changes.off_session, redirect=redirect
    )


def stage(uow: UnitOfWork, subscription: Subscription, changes: SubscriptionChanges) -> Staged:
    """Apply `changes` to the subscription and its items, creating the pending prorations
    they cause; cut no invoice and take no payment."""
    at = _proration_time(uow, subscription, changes)
    prorate = (
        changes.proration_behavior != "none"
        and subscription.status in _PRORATING
        and Period(subscription.current_period_start, subscription.current_period_end).contains(at)
    )
    old_items = list(subscription.items)
    old_prices = {item.id: item.price for item in old_items}
    before = {item.id: prorations.before_charge_of(uow, subscription, item) for item in old_items}
    old_interval = subscription_item_changes.interval_of(old_items)
    _set_discounts(uow, subscription, changes)
    moves = (
        subscription_item_changes.apply(uow, subscription, changes.items, before)
        if changes.items
        else []
    )
    metered_changes.bill_ended_prices(uow, subscription, changes, moves, old_prices)
    uow.session.expire(subscription, ["items"])
    interval = subscription_item_changes.interval_of(subscription.items)
    staged = _trial_or_anchor(uow, subscription, changes, interval != old_interval)
    if staged.spans and staged.action is not SubscriptionAction.END_TRIAL_NOW:
        metered_changes.bill_before_new_period(uow, subscription, changes)
    if staged.spans and staged.action is not SubscriptionAction.END_TRIAL_NOW:
        # A new period starts now: the old one's unused rest is credited, item by item as
        # it was configured, and the new period is billed whole.
        if prorate:
            for item in old_items:
                prorations.create(uow, subscription, item, before[item.id], None, at=uow.now)
        _start_period(subscription, uow.now, staged)
    elif staged.spans:
        _start_period(subscription, uow.now, staged)
    elif prorate:
        for move in moves:
            prorations.create(uow, subscription, move.item, move.before, move.after, at=at)
            if move.after is not None and subscription.billing_mode == "flexible":
                # The proration bills the new configuration for the rest of the period.
                move.item.last_billed = {
                    "price": move.after.price,
                    "quantity": move.after.quantity,
                    "discount": 0 if move.before is None else move.before.discount,
                    "line": None,
                }
    _set_cancellation(uow, subscription, changes, prorate=prorate)
    _set_fields(uow, subscription, changes)
    if len(changes.add_invoice_items) > subscription_item_changes.MAX_ITEMS:
        raise invalid(
            f"You can add at most {subscription_item_changes.MAX_ITEMS} invoice items.",
            param="add_invoice_items",
        )
    subscription_create.add_invoice_items(uow, subscription, changes.add_invoice_items)
    return staged


def _proration_time(
    uow: UnitOfWork, subscription: Subscription, changes: SubscriptionChanges
) -> datetime:
    if changes.proration_date is None:
        return uow.now
    period = Period(subscription.current_period_start, subscription.current_period_end)
    if not period.start <= changes.proration_date <= period.end:
        raise invalid(
            "proration_date must be within the subscription's current billing period "
            f"({int(period.start.timestamp())} to {int(period.end.timestamp())}).",
            param="proration_date",
        )
    return changes.proration_date


def _trial_or_anchor(
    uow: UnitOfWork, subscription: Subscription, changes: SubscriptionChanges, new_interval: bool
) -> Staged:
    trialing = subscription.status == SubscriptionStatus.TRIALING.value
    trial_end = _requested_trial_end(uow, subscription, changes)
    if trial_end is not None:
        if trial_end <= uow.now:
            if not trialing:
                raise invalid(
                    "trial_end=now can only end the trial of a subscription that is trialing.",
                    param="trial_end",
                )
            subscription.trial_end = uow.now
            subscription.trial_notice_at = None
            return Staged(spans=_whole_period(subscription, uow.now),
                          action=SubscriptionAction.END_TRIAL_NOW)  # fmt: skip
        subscription.billing_cycle_anchor = trial_end
        subscription.billing_cycle_anchor_config = None
        subscription.trial_end = trial_end
        subscription.trial_notice_at = timing.trial_notice_at(uow.now, trial_end)
        if trialing:
            trial = Period(subscription.current_period_start, trial_end)
            subscription_cycle.move_into(subscription, trial)
            return Staged()
        subscription.trial_start = uow.now
        trial = Period(uow.now, trial_end)
        return Staged(spans=(BilledSpan(trial, Fraction(0), trial),),
                      action=SubscriptionAction.START_TRIAL)  # fmt: skip
    if changes.billing_cycle_anchor == "now" or new_interval:
        if trialing:
            raise invalid(
                "The billing cycle of a trialing subscription starts when its trial ends; "
                "end the trial with trial_end=now to start it now.",
                param="billing_cycle_anchor",
            )
        return Staged(spans=_whole_period(subscription, uow.now))
    return Staged()


def _requested_trial_end(
    uow: UnitOfWork, subscription: Subscription, changes: SubscriptionChanges
) -> datetime | None:
    if changes.trial_from_plan:
        if not isinstance(changes.trial_end, Keep):
            raise invalid(
                "You may only specify one of these parameters: trial_end, trial_from_plan.",
                param="trial_from_plan",
            )
        days = subscription.items[0].price.recurring_trial_period_days or 0
        return timing.trial_end_from(
            uow.now, trial_end=None, trial_period_days=None, trial_from_plan_days=days
        )
    if isinstance(changes.trial_end, Keep):
        return None
    timing.check_trial_end(uow.now, changes.trial_end)
    return changes.trial_end


def _whole_period(subscription: Subscription, start: datetime) -> tuple[BilledSpan, ...]:
    interval = subscription_item_changes.interval_of(subscription.items)
    period = Period(start, boundary(start, interval, 1))
    return (BilledSpan(period, Fraction(1), period),)


def _start_period(subscription: Subscription, now: datetime, staged: Staged) -> None:
    period = staged.spans[0].period
    if staged.action is not SubscriptionAction.START_TRIAL:
        subscription.billing_cycle_anchor = now
        subscription.billing_cycle_anchor_config = None
    subscription_cycle.move_into(subscription, period)


def _set_cancellation(
    uow: UnitOfWork, subscription: Subscription, changes: SubscriptionChanges, *, prorate: bool
) -> None:
    at_end = changes.cancel_at_period_end
    if not isinstance(changes.cancel_at, Keep) and changes.cancel_at is not None:
        if at_end is True:
            raise invalid(
                "You may only specify one of these parameters: cancel_at, cancel_at_period_end.",
                param="cancel_at",
            )
        timing.check_cancel_at(uow.now, changes.cancel_at)
        subscription.cancel_at = changes.cancel_at
        subscription.cancel_at_period_end = False
        _requested(uow, subscription)
        if changes.cancel_at < subscription.current_period_end:
            if prorate:
                prorations.credit_unused_time(uow, subscription, at=changes.cancel_at)
            # The period now ends at cancel_at, and the anchor moves there: should the
            # cancellation be withdrawn, the next period starts at cancel_at.
            subscription.billing_cycle_anchor = changes.cancel_at
            subscription.billing_cycle_anchor_config = None
            subscription_cycle.move_into(
                subscription, Period(subscription.current_period_start, changes.cancel_at)
            )
    elif changes.cancel_at is None:
        subscription.cancel_at = None
        if not subscription.cancel_at_period_end:
            _withdrawn(subscription)
    if at_end is True:
        subscription.cancel_at_period_end = True
        subscription.cancel_at = None
        _requested(uow, subscription)
    elif at_end is False:
        subscription.cancel_at_period_end = False
        if subscription.cancel_at is None:
            _withdrawn(subscription)


def _requested(uow: UnitOfWork, subscription: Subscription) -> None:
    subscription.canceled_at = uow.now
    subscription.cancellation_details = {
        **subscription.cancellation_details,
        "reason": "cancellation_requested",
    }


def _withdrawn(subscription: Subscription) -> None:
    subscription.canceled_at = None
    subscription.cancellation_details = {
        **subscription.cancellation_details,
        "reason": None,
    }


def _set_discounts(
    uow: UnitOfWork, subscription: Subscription, changes: SubscriptionChanges
) -> None:
    if isinstance(changes.discounts, Keep):
        return
    discounts.replace(
        uow,
        Owner(customer_id=subscription.customer_id, subscription_id=subscription.id),
        changes.discounts or [],
        param="discounts",
        currency=subscription.currency,
    )
    uow.session.expire(subscription, ["discounts"])


def _set_fields(uow: UnitOfWork, subscription: Subscription, changes: SubscriptionChanges) -> None:
    if not isinstance(changes.default_payment_method, Keep):
        subscription.default_payment_method_id = (
            None
            if changes.default_payment_method is None
            else payment_methods.require_attached(
                uow,
                changes.default_payment_method,
                subscription.customer_id,
                param="default_payment_method",
            ).id
        )
        if subscription.default_payment_method_id is not None:
            invoice_dunning.retry_soon(
                uow, subscription.customer_id, subscription_id=subscription.id
            )
    if not isinstance(changes.default_tax_rates, Keep):
        subscription.default_tax_rate_ids = price_terms.check_tax_rates(
            uow, changes.default_tax_rates or [], param="default_tax_rates"
        )
    if not isinstance(changes.pause_collection, Keep):
        pause = changes.pause_collection
        if pause is not None and pause.resumes_at is not None and pause.resumes_at <= uow.now:
            raise invalid(
                "Invalid timestamp: must be an integer Unix timestamp in the future.",
                param="pause_collection[resumes_at]",
            )
        subscription.pause_collection = (
            None
            if pause is None
            else {
                "behavior": pause.behavior,
                "resumes_at": None
                if pause.resumes_at is None
                else int(pause.resumes_at.timestamp()),
            }
        )
    _set_collection(subscription, changes)
    if not isinstance(changes.description, Keep):
        subscription.description = changes.description
    if not isinstance(changes.cancellation_details, Keep):
        subscription.cancellation_details = {
            **subscription.cancellation_details,
            "comment": changes.cancellation_details.get("comment"),
            "feedback": changes.cancellation_details.get("feedback"),
        }
    if not isinstance(changes.metadata, Keep):
        subscription.metadata_ = metadata.merge(subscription.metadata_, changes.metadata)


def _set_collection(subscription: Subscription, changes: SubscriptionChanges) -> None:
    method = (
        subscription.collection_method
        if isinstance(changes.collection_method, Keep)
        else changes.collection_method
    )
    days = changes.days_until_due
    if method == "charge_automatically":
        if not isinstance(days, Keep):
            raise invalid(
                "days_until_due can only be set when collection_method is send_invoice.",
                param="days_until_due",
            )
        subscription.days_until_due = None
    elif not isinstance(days, Keep):
        subscription.days_until_due = days
    elif subscription.days_until_due is None:
        subscription.days_until_due = invoices.DEFAULT_DAYS_UNTIL_DUE
    subscription.collection_method = method


def _has_pending(uow: UnitOfWork, subscription: Subscription) -> bool:
    return bool(
        invoice_items.pending_for(
            uow, subscription.customer_id, subscription.currency, subscription_id=subscription.id
        )
    )


def cut_invoice(
    uow: UnitOfWork,
    processor: Processor,
    subscription: Subscription,
    spans: Sequence[BilledSpan],
    *,
    redirect: Redirect,
    billing_reason: str = "subscription_update",
) -> Invoice:
    """An invoice, finalized now, for `spans` of the items plus the subscription's pending
    invoice items (its prorations)."""
    pending = invoice_items.pending_for(
        uow, subscription.customer_id, subscription.currency, subscription_id=subscription.id
    )
    invoice = subscription_invoices.cut_draft(
        uow,
        subscription,
        billing_reason=billing_reason,
        items=subscription.items,
        spans=spans,
        pending=pending,
    )
    subscription.latest_invoice_id = invoice.id
    uow.emit("invoice.created", invoice)
    invoice_finalization.finalize_invoice(uow, processor, invoice, redirect=redirect)
    return invoice


def collect(
    uow: UnitOfWork,
    processor: Processor,
    subscription: Subscription,
    invoice: Invoice,
    changes: SubscriptionChanges,
    *,
    redirect: Redirect,
) -> None:
    """Charge the invoice the update cut. `error_if_incomplete` refuses the whole update
    with 402 when it cannot be paid; otherwise an unpaid invoice leaves the subscription
    past_due (`default_incomplete` leaves the payment for the client to confirm)."""
    if subscription.collection_method != "charge_automatically":
        return
    paid = False
    if changes.payment_behavior != "default_incomplete":
        paid = subscription_payments.collect(
            uow,
            processor,
            invoice,
            strict=changes.payment_behavior == "error_if_incomplete",
            off_session=changes.off_session,
            redirect=redirect,
        )
    if paid:
        return
    move = transition(SubscriptionStatus(subscription.status), SubscriptionAction.PAYMENT_FAILED)
    subscription.status = move.status.value
    emit_move(uow, subscription, move.events)
