"""A trial reaching its end (reference section 3). The scheduler calls `end_trial` at the
subscription's `trial_end`; called early, or for a subscription no longer trialing, it
changes nothing.

Without a payment method for a `charge_automatically` subscription,
`trial_settings.end_behavior.missing_payment_method` decides: `cancel` ends it at the trial
end (G-3.3), `pause` pauses it with no invoice (G-3.4), `create_invoice` goes on as with
one (G-3.5: the invoice finds nothing to charge when it finalizes). Otherwise the first
paid period starts at the trial end (a stub back onto a later anchor, G-2.12) and its
invoice is cut as a draft that finalizes an hour later (G-3.1); the subscription is
active from the trial end, and a failed collection makes it past_due.
"""

from __future__ import annotations

from seikyu.billing import subscription_cycle, subscription_payments
from seikyu.billing.domain.subscription_status import (
    SubscriptionAction,
    SubscriptionStatus,
    transition,
)
from seikyu.billing.subscriptions import UPDATED, emit_move, get
from seikyu.customers import service as customers
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork


def end_trial(uow: UnitOfWork, subscription_id: str) -> Invoice | None:
    """End the trial if it is due; returns the invoice cut for the first paid period."""
    subscription = get(uow, subscription_id, for_update=True)
    trial_end = subscription.trial_end
    if subscription.status != SubscriptionStatus.TRIALING.value or trial_end is None:
        return None
    if trial_end > uow.now:
        return None
    uow.before_update(UPDATED, subscription)
    behavior = subscription.trial_missing_payment_method
    if not _has_payment_method(uow, subscription) and behavior in ("cancel", "pause"):
        action = SubscriptionAction.CANCEL if behavior == "cancel" else (
            SubscriptionAction.TRIAL_ENDED_PAUSE
        )  # fmt: skip
        move = transition(SubscriptionStatus.TRIALING, action)
        subscription.status = move.status.value
        if action is SubscriptionAction.CANCEL:
            subscription.canceled_at = trial_end
            subscription.ended_at = trial_end
            subscription.cancellation_details = {
                **subscription.cancellation_details,
                "reason": "cancellation_requested",
            }
        subscription.next_action_at = subscription_payments.next_action(subscription)
        emit_move(uow, subscription, move.events)
        return None
    period = subscription_cycle.next_period(subscription)
    invoice = subscription_cycle.build_cycle_invoice(uow, subscription, period)
    invoice.next_action_at = subscription_cycle.finalizes_at(uow)
    uow.emit("invoice.created", invoice)
    # The trial is over and its first invoice is on its way: active until a collection
    # of that invoice fails.
    move = transition(SubscriptionStatus.TRIALING, SubscriptionAction.TRIAL_ENDED_PAID)
    subscription.status = move.status.value
    subscription_cycle.move_into(subscription, period)
    subscription.latest_invoice_id = invoice.id
    subscription.next_action_at = subscription_payments.next_action(subscription)
    emit_move(uow, subscription, move.events)
    return invoice


def _has_payment_method(uow: UnitOfWork, subscription: Subscription) -> bool:
    if subscription.collection_method != "charge_automatically":
        return True
    if subscription.default_payment_method_id is not None:
        return True
    customer = customers.get(uow, subscription.customer_id)
    return bool((customer.invoice_settings or {}).get("default_payment_method"))
