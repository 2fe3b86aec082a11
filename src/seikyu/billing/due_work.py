"""Time-driven billing, one subscription or one invoice at a time.

The worker finds what is due by the indexed `next_action_at` columns (`due`), then runs
each in a transaction of its own: `run_subscription` (trial notice, pending update and
incomplete expiry, the end of a collection pause, trial end, renewals and scheduled
cancellations, catching up on as many periods as have passed) and `run_invoice`
(finalizing a draft whose delay is over, then charging it or sending it; retrying a failed
charge; marking a sent invoice overdue). Each is claimed with a row lock that other
workers skip, and every step checks state before acting, so a run repeated after a crash
or by a second worker does nothing twice: a renewal invoice is also unique per period.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from seikyu.accounts import settings
from seikyu.billing import (
    due_repository,
    invoice_collection,
    invoice_finalization,
    subscription_cycle,
    subscription_expiry,
    subscription_payments,
    subscription_trials,
    subscriptions,
)
from seikyu.billing import subscription_pending_updates as pending_updates
from seikyu.billing.domain.subscription_status import (
    SubscriptionAction,
    SubscriptionStatus,
    transition,
)
from seikyu.billing.due_repository import Due
from seikyu.billing.subscriptions import UPDATED, emit_move
from seikyu.core.errors import Kind, SeikyuError
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork
from seikyu.events import acknowledgements
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect

log = logging.getLogger("seikyu.billing")

TRIAL_WILL_END = "customer.subscription.trial_will_end"
# How many steps one run takes at most: a clock moved far ahead renews period after period.
MAX_STEPS = 500
# A subscription still due after its run (nothing could progress) is looked at again this
# much later, not in a hot loop.
STALLED_RETRY = timedelta(hours=1)
INVOICE_CREATED = "invoice.created"
# How often a draft waiting for its webhooks looks at their deliveries again; the
# finalization itself is timed from the acknowledgement, not from this.
WEBHOOK_RECHECK = timedelta(minutes=1)


def due(
    uow: UnitOfWork, limit: int, account_id: str | None = None, test_clock: str | None = None
) -> list[Due]:
    return due_repository.due(uow.session, uow.now, limit, account_id, test_clock)


def claim(uow: UnitOfWork, kind: str, ids: list[str]) -> set[str]:
    """Lock those of the subscriptions or invoices (`kind`) still due that no other worker
    holds, with every row their runs lock, at once: a transaction running several loads
    them in one go. Returns the ids claimed; the others are left for later."""
    if kind == "subscription":
        return due_repository.claim_subscriptions(uow.session, ids, uow.now)
    return due_repository.claim_invoices(uow.session, ids, uow.now)


def run_subscription(
    uow: UnitOfWork, processor: Processor, subscription_id: str, *, redirect: Redirect
) -> bool:
    """Do what has fallen due for the subscription; False when it was not due (or another
    worker holds it)."""
    subscription = due_repository.claim_subscription(uow.session, subscription_id, uow.now)
    if subscription is None:
        return False
    for _ in range(MAX_STEPS):
        before = _state(subscription)
        _step(uow, processor, subscription, redirect=redirect)
        if _state(subscription) == before:
            break
    after = subscription_payments.next_action(subscription)
    if after is not None and after <= uow.now:
        log.warning("subscription %s stays due after its run; retrying later", subscription.id)
        after = uow.now + STALLED_RETRY
    subscription.next_action_at = after
    return True


def _state(subscription: Subscription) -> tuple[Any, ...]:
    return (
        subscription.status,
        subscription.current_period_start,
        subscription.current_period_end,
        subscription.trial_notice_at,
        subscription.pending_update is None,
        repr(subscription.pause_collection),
    )


def _step(
    uow: UnitOfWork, processor: Processor, subscription: Subscription, *, redirect: Redirect
) -> None:
    """One due thing, the earliest kind first; nothing when nothing is due."""
    now = uow.now
    if subscription.trial_notice_at is not None and subscription.trial_notice_at <= now:
        if subscription.status == SubscriptionStatus.TRIALING.value:
            uow.emit(TRIAL_WILL_END, subscription)
        subscription.trial_notice_at = None
        return
    if pending_updates.expire(uow, processor, subscription.id) is not None:
        return
    if subscription_expiry.expire_incomplete(uow, processor, subscription.id) is not None:
        return
    if _resume_collection(uow, subscription):
        return
    if subscription.status == SubscriptionStatus.TRIALING.value:
        subscription_trials.end_trial(uow, subscription.id)
        return
    invoice = subscription_cycle.renew(uow, subscription.id)
    if invoice is not None and _finalizes_now(uow, invoice):
        # An account that finalizes without delay has nothing to wait for: finalizing in the
        # renewal's own transaction saves reloading everything the renewal just loaded.
        _finalize(uow, processor, invoice, redirect=redirect)


def _finalizes_now(uow: UnitOfWork, invoice: Invoice) -> bool:
    """Whether the invoice just cut can be finalized in the same transaction: no delay,
    and no endpoint that must first acknowledge its `invoice.created`, which is only
    delivered once this transaction commits."""
    at = invoice.next_action_at
    return (
        invoice.status == "draft"
        and invoice.auto_advance
        and at is not None
        and at <= uow.now
        and not (_awaits_webhooks(invoice) and acknowledgements.awaited(uow, INVOICE_CREATED))
    )


def _awaits_webhooks(invoice: Invoice) -> bool:
    """Stripe waits for webhooks before finalizing a subscription's invoices automatically.
    Not on a test clock: its deliveries go out in real time, while the clock runs ahead."""
    return invoice.subscription_id is not None and invoice.test_clock is None


def _held_for_webhooks(uow: UnitOfWork, invoice: Invoice) -> datetime | None:
    """When to look at the draft again if it must still wait for its `invoice.created` to
    be acknowledged (then finalized the account's delay later), or None to finalize now."""
    if not _awaits_webhooks(invoice):
        return None
    acknowledgement = acknowledgements.of(uow, invoice.id, INVOICE_CREATED)
    if acknowledgement is None:
        return None
    billing = settings.billing_settings(uow, uow.account_id)
    if acknowledgement.waiting:
        deadline = invoice.created + timedelta(seconds=billing.webhook_wait_seconds)
        return min(uow.now + WEBHOOK_RECHECK, deadline) if uow.now < deadline else None
    if acknowledgement.at is None:
        return None  # every delivery gave up or was canceled: nothing left to wait for
    finalizes = acknowledgement.at + timedelta(seconds=billing.finalization_delay_seconds)
    return finalizes if finalizes > uow.now else None


def _resume_collection(uow: UnitOfWork, subscription: Subscription) -> bool:
    pause = subscription.pause_collection
    if pause is None or pause.get("resumes_at") is None:
        return False
    if datetime.fromtimestamp(pause["resumes_at"], UTC) > uow.now:
        return False
    uow.before_update(UPDATED, subscription)
    subscription.pause_collection = None
    return True


def run_invoice(
    uow: UnitOfWork, processor: Processor, invoice_id: str, *, redirect: Redirect
) -> bool:
    """Advance the invoice if it is due; False when it was not (or another worker holds
    it)."""
    invoice = due_repository.claim_invoice(uow.session, invoice_id, uow.now)
    if invoice is None:
        return False
    invoice.next_action_at = None
    if invoice.status == "draft":
        held_until = _held_for_webhooks(uow, invoice) if invoice.auto_advance else None
        if held_until is not None:
            invoice.next_action_at = held_until
        elif invoice.auto_advance:
            _finalize(uow, processor, invoice, redirect=redirect)
    elif invoice.status == "open":
        if invoice.collection_method == "charge_automatically":
            attempt_at = invoice.next_payment_attempt
            if invoice.auto_advance and attempt_at is not None and attempt_at <= uow.now:
                _charge(uow, processor, invoice, redirect=redirect)
        elif invoice.due_date is not None and invoice.due_date <= uow.now:
            _overdue(uow, invoice)
    return True


def _finalize(
    uow: UnitOfWork, processor: Processor, invoice: Invoice, *, redirect: Redirect
) -> None:
    invoice.next_action_at = None
    invoice_finalization.finalize_invoice(uow, processor, invoice, redirect=redirect)
    if invoice.status != "open":
        return  # nothing was due: paid at finalization
    # Only read: the subscription itself changes when the invoice is paid or fails.
    status, pause = subscriptions.collection_state_of(uow, invoice) or (None, None)
    pause = pause or {}
    if pause.get("behavior") == "mark_uncollectible":
        invoice_collection.mark_uncollectible(uow, invoice.id)
        return
    if pause.get("behavior") == "void":
        invoice_collection.void(uow, processor, invoice.id)
        return
    if invoice.collection_method == "send_invoice":
        invoice_collection.send(uow, invoice.id)
        invoice.next_payment_attempt = None
        invoice.next_action_at = invoice.due_date
        return
    if status == SubscriptionStatus.UNPAID.value:
        # An unpaid subscription's invoices are issued but not charged: "immediately
        # closed", in the words of Stripe's API reference, which is auto_advance off.
        uow.before_update("invoice.updated", invoice)
        invoice.auto_advance = False
        invoice.next_payment_attempt = None
        invoice.next_action_at = None
        return
    # Charged on the next pass, not in this transaction: the finalized invoice and its
    # PaymentIntent must be committed before the processor is asked, so that a worker dying
    # mid-charge is followed by the same attempt under the same key, never a second charge
    # for a PaymentIntent that was rolled back.
    invoice.next_payment_attempt = uow.now
    invoice.next_action_at = uow.now


def _charge(uow: UnitOfWork, processor: Processor, invoice: Invoice, *, redirect: Redirect) -> None:
    """One automatic attempt. A failure is recorded on the invoice and emitted as
    `invoice.payment_failed`, whose reactions make the subscription past_due and schedule
    the next retry (see invoice_dunning)."""
    invoice.next_payment_attempt = None
    invoice.next_action_at = None
    # Locked before the attempt, once: its outcome changes the subscription (paid: pending
    # update applied; failed: past_due), and the card may be the subscription's default.
    subscriptions.of_invoice(uow, invoice)
    try:
        invoice_collection.attempt(
            uow, processor, invoice, payment_method=None, off_session=True, redirect=redirect
        )
    except SeikyuError as error:
        if error.keep_changes:
            return  # a decline, already recorded with its event
        if error.kind is Kind.REQUEST_FAILED or error.param == "payment_method":
            invoice_collection.fail_unpayable(uow, invoice)
            return
        raise


def _overdue(uow: UnitOfWork, invoice: Invoice) -> None:
    """A sent invoice passed its due date unpaid: `invoice.overdue`, and its subscription is
    past_due."""
    uow.emit("invoice.overdue", invoice)
    subscription = subscriptions.of_invoice(uow, invoice)
    if subscription is None or subscription.latest_invoice_id != invoice.id:
        return
    status = SubscriptionStatus(subscription.status)
    if status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE):
        return
    move = transition(status, SubscriptionAction.OVERDUE)
    if move.status is status:
        return
    uow.before_update(UPDATED, subscription)
    subscription.status = move.status.value
    emit_move(uow, subscription, move.events)
