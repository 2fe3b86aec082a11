"""Collecting a subscription's invoice in the request that cut it, per `payment_behavior`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from seikyu.billing import invoice_collection
from seikyu.core.errors import Kind, SeikyuError
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect

# An incomplete subscription whose first invoice is still unpaid this long after creation
# expires (Stripe's 23 hours).
INCOMPLETE_WINDOW = timedelta(hours=23)


def collect(
    uow: UnitOfWork,
    processor: Processor,
    invoice: Invoice,
    *,
    strict: bool,
    off_session: bool,
    redirect: Redirect,
) -> bool:
    """Charge the open invoice with its default payment method; True when paid.

    `strict` is `error_if_incomplete`: a decline, or a payment that needs the customer,
    fails the whole request with 402 and nothing of it stands. Otherwise the failed
    attempt is kept (recorded on the invoice) and False is returned.
    """
    try:
        intent = invoice_collection.attempt(
            uow, processor, invoice, payment_method=None, off_session=off_session,
            redirect=redirect,
        )  # fmt: skip
    except SeikyuError as error:
        if strict:
            error.keep_changes = False
            raise
        if error.kind is Kind.REQUEST_FAILED or error.keep_changes:
            return False
        raise
    if intent.status == "succeeded":
        return True
    if strict:
        raise SeikyuError(
            "Payment for this subscription requires additional user action before it can be "
            "completed successfully.",
            code="invoice_payment_intent_requires_action",
            kind=Kind.REQUEST_FAILED,
        )
    return False


def next_action(subscription: Subscription) -> datetime | None:
    """The next instant at which time alone changes the subscription: its period end,
    trial end (and its notice three days before), scheduled cancellation, the end of a
    collection pause, an incomplete start's expiry or a pending update's."""
    if subscription.status in ("canceled", "incomplete_expired"):
        return None
    # A paused subscription does not cycle: its period end is no event.
    due = [] if subscription.status == "paused" else [subscription.current_period_end]
    if subscription.status == "trialing" and subscription.trial_end is not None:
        due.append(subscription.trial_end)
        if subscription.trial_notice_at is not None:
            due.append(subscription.trial_notice_at)
    pause = subscription.pause_collection
    if pause is not None and pause.get("resumes_at") is not None:
        due.append(datetime.fromtimestamp(pause["resumes_at"], UTC))
    if subscription.cancel_at is not None:
        due.append(subscription.cancel_at)
    if subscription.status == "incomplete":
        due.append(subscription.created + INCOMPLETE_WINDOW)
    if subscription.pending_update is not None:
        # Stored as ISO text by subscription_pending_updates.
        due.append(datetime.fromisoformat(subscription.pending_update["expires_at"]))
    return min(due, default=None)
