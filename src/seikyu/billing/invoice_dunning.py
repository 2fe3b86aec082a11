"""Dunning: what a failed automatic charge of an invoice leads to.

After each failure (`invoice.payment_failed`), the invoice's `next_payment_attempt` is set
by the account's retry policy, and the worker charges it again then. When the last retry
fails there is no next attempt: the subscription is canceled, marked unpaid or left past
due, and the invoice left open or marked uncollectible, as the account's settings say.

Not retried: the first invoice of an incomplete subscription (it expires instead), a
pending update's invoice (it expires too), invoices the customer pays themselves and
invoices with `auto_advance` off.

A customer who gives a new default payment method (on the customer, or on the
subscription) has the invoices waiting for a retry charged again at the worker's next pass,
rather than on the schedule.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from seikyu.accounts import settings
from seikyu.billing import invoice_collection, invoice_repository
from seikyu.billing import subscription_pending_updates as pending_updates
from seikyu.billing.domain.dunning import RetryPolicy, next_retry
from seikyu.billing.domain.subscription_status import (
    SubscriptionAction,
    SubscriptionStatus,
    transition,
)
from seikyu.billing.subscriptions import UPDATED, emit_move, of_invoice
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork
from seikyu.payments.domain.processor import Processor


def policy(uow: UnitOfWork) -> RetryPolicy:
    current = settings.billing_settings(uow, uow.account_id)
    return RetryPolicy(current.retries, timedelta(days=current.retry_window_days))


def after_failure(uow: UnitOfWork, processor: Processor, invoice: Invoice) -> None:
    """Schedule the next retry of `invoice`, or settle it and its subscription when none
    is left (a reaction to `invoice.payment_failed`)."""
    if (
        invoice.status != "open"
        or invoice.collection_method != "charge_automatically"
        or not invoice.auto_advance
    ):
        return
    subscription = of_invoice(uow, invoice)
    if subscription is not None and (
        subscription.status == SubscriptionStatus.INCOMPLETE.value
        or pending_updates.invoice_id(subscription) == invoice.id
    ):
        return
    uow.before_update("invoice.updated", invoice)
    retry_at = next_retry(policy(uow), invoice.attempt_count, uow.now)
    invoice.next_payment_attempt = retry_at
    invoice.next_action_at = retry_at
    if retry_at is not None:
        return
    chosen = settings.billing_settings(uow, uow.account_id)
    if chosen.invoice_after_retries == "uncollectible":
        invoice_collection.mark_uncollectible(uow, invoice.id)
    if subscription is None or subscription.latest_invoice_id != invoice.id:
        return
    if chosen.subscription_after_retries == "cancel":
        _cancel(uow, processor, subscription)
    elif chosen.subscription_after_retries == "unpaid":
        _move(uow, subscription, SubscriptionAction.RETRIES_EXHAUSTED_UNPAID)


def retry_soon(uow: UnitOfWork, customer_id: str, *, subscription_id: str | None = None) -> int:
    """Bring forward to now the next attempt of the customer's invoices (of one
    subscription, when given) that failed and wait for a retry; returns how many."""
    waiting = invoice_repository.awaiting_retry(
        uow.session, uow.account_id, uow.livemode, customer_id, subscription_id
    )
    for invoice in waiting:
        if invoice.next_payment_attempt is not None and invoice.next_payment_attempt <= uow.now:
            continue
        uow.before_update("invoice.updated", invoice)
        invoice.next_payment_attempt = uow.now
        invoice.next_action_at = uow.now
    return len(waiting)


def _cancel(uow: UnitOfWork, processor: Processor, subscription: Subscription) -> None:
    status = SubscriptionStatus(subscription.status)
    if status is SubscriptionStatus.CANCELED:
        return
    uow.before_update(UPDATED, subscription)
    pending_updates.discard(uow, processor, subscription)
    move = transition(status, SubscriptionAction.CANCEL)
    subscription.status = move.status.value
    subscription.canceled_at = uow.now
    subscription.ended_at = uow.now
    subscription.next_action_at = None
    subscription.cancellation_details = {
        **subscription.cancellation_details,
        "reason": "payment_failed",
    }
    emit_move(uow, subscription, move.events)


def _move(uow: UnitOfWork, subscription: Subscription, action: SubscriptionAction) -> None:
    status = SubscriptionStatus(subscription.status)
    if status is not SubscriptionStatus.PAST_DUE:
        return
    uow.before_update(UPDATED, subscription)
    move = transition(status, action)
    subscription.status = move.status.value
    emit_move(uow, subscription, move.events)


def reaction(processor: Processor) -> Any:
    """The reaction to `invoice.payment_failed`, with the processor that voids a canceled
    subscription's pending update."""

    def react(uow: UnitOfWork, entity: Any) -> None:
        if isinstance(entity, Invoice):
            after_failure(uow, processor, entity)

    return react
