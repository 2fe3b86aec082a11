"""An incomplete subscription whose first invoice stays unpaid for 23 hours expires: the
invoice is voided and the subscription ends as `incomplete_expired` (G-4.1). The scheduler
calls `expire_incomplete` at the subscription's `next_action_at`; called early, or for a
subscription that is no longer incomplete, it changes nothing."""

from __future__ import annotations

from seikyu.billing import invoice_collection, invoices, subscription_payments
from seikyu.billing.domain.subscription_status import (
    SubscriptionAction,
    SubscriptionStatus,
    transition,
)
from seikyu.billing.subscriptions import UPDATED, emit_move, get
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork
from seikyu.payments.domain.processor import Processor


def expire_incomplete(
    uow: UnitOfWork, processor: Processor, subscription_id: str
) -> Subscription | None:
    """Expire the subscription if it is still incomplete 23 hours after creation; returns
    it when it expired, None when nothing was due."""
    subscription = get(uow, subscription_id, for_update=True)
    if subscription.status != SubscriptionStatus.INCOMPLETE.value:
        return None
    if uow.now < subscription.created + subscription_payments.INCOMPLETE_WINDOW:
        return None
    move = transition(SubscriptionStatus.INCOMPLETE, SubscriptionAction.FIRST_PAYMENT_EXPIRED)
    uow.before_update(UPDATED, subscription)
    if subscription.latest_invoice_id is not None:
        invoice = invoices.get(uow, subscription.latest_invoice_id)
        if invoice.status == "open":
            invoice_collection.void(uow, processor, invoice.id)
    subscription.status = move.status.value
    subscription.ended_at = uow.now
    subscription.next_action_at = None
    emit_move(uow, subscription, move.events)
    return subscription
