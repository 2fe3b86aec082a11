"""Subscription use cases besides creation: look up, list, cancel, and react to payments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from seikyu.billing import (
    invoice_finalization,
    invoice_items,
    metered_lines,
    subscription_invoices,
)
from seikyu.billing import subscription_pending_updates as pending_updates
from seikyu.billing import subscription_prorations as prorations
from seikyu.billing import subscription_repository as repository
from seikyu.billing.domain.subscription_status import (
    TRANSITIONS,
    SubscriptionAction,
    SubscriptionStatus,
    transition,
)
from seikyu.billing.subscription_repository import SubscriptionFilter
from seikyu.core.errors import no_such
from seikyu.customers import service as customers
from seikyu.db.models.customers import Customer
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect

UPDATED = "customer.subscription.updated"
CANCELLATION_FEEDBACK = (
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
)


def get(
    uow: UnitOfWork, subscription_id: str, *, param: str | None = "id", for_update: bool = False
) -> Subscription:
    found = repository.get(
        uow.session, uow.account_id, uow.livemode, subscription_id, for_update=for_update
    )
    if found is None:
        raise no_such("subscription", subscription_id, param=param)
    return found


def of_invoice(uow: UnitOfWork, invoice: Invoice) -> Subscription | None:
    """The subscription an invoice bills, locked; None for a one-off invoice."""
    if invoice.subscription_id is None:
        return None
    return get(uow, invoice.subscription_id, for_update=True)


def collection_state_of(
    uow: UnitOfWork, invoice: Invoice
) -> tuple[str, dict[str, Any] | None] | None:
    """The status and collection pause of the subscription an invoice bills, unlocked;
    None for a one-off invoice."""
    if invoice.subscription_id is None:
        return None
    return repository.collection_state(
        uow.session, uow.account_id, uow.livemode, invoice.subscription_id
    )


def find(uow: UnitOfWork, subscription_id: str) -> Subscription | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, subscription_id)


def page(uow: UnitOfWork, window: Window, where: SubscriptionFilter) -> Page[Subscription]:
    if where.customer_id is not None:
        customers.get(uow, where.customer_id)
    return repository.page(uow.session, uow.account_id, uow.livemode, window, where)


def find_item(uow: UnitOfWork, item_id: str) -> SubscriptionItem | None:
    return repository.item(uow.session, uow.account_id, uow.livemode, item_id)


def cancel(
    uow: UnitOfWork,
    processor: Processor,
    subscription_id: str,
    *,
    details: dict[str, Any] | None = None,
    invoice_now: bool = False,
    prorate: bool = False,
    redirect: Redirect,
) -> Subscription:
    """DELETE /v1/subscriptions/{id}: end it now. Its pending prorations are dropped; other
    pending items stay for the customer's next invoice. `prorate` credits the unused rest
    of the period; `invoice_now` bills what is pending (that credit included) on a final
    invoice at once."""
    subscription = get(uow, subscription_id, for_update=True)
    move = transition(SubscriptionStatus(subscription.status), SubscriptionAction.CANCEL)
    uow.before_update(UPDATED, subscription)
    pending_updates.discard(uow, processor, subscription)
    for item in invoice_items.pending_for(
        uow, subscription.customer_id, subscription_id=subscription.id
    ):
        if item.proration:
            item.deleted_at = uow.now
    if prorate:
        prorations.credit_unused_time(uow, subscription)
    if invoice_now:
        _final_invoice(uow, processor, subscription, redirect=redirect)
    subscription.status = move.status.value
    subscription.canceled_at = uow.now
    subscription.ended_at = uow.now
    subscription.next_action_at = None
    subscription.cancellation_details = {
        "comment": (details or {}).get("comment"),
        "feedback": (details or {}).get("feedback"),
        "reason": "cancellation_requested",
    }
    for event in move.events:
        uow.emit(event, subscription)
    return subscription


def _final_invoice(
    uow: UnitOfWork, processor: Processor, subscription: Subscription, *, redirect: Redirect
) -> None:
    pending = invoice_items.pending_for(
        uow, subscription.customer_id, subscription.currency, subscription_id=subscription.id
    )
    # The usage not invoiced yet is billed too; without invoice_now Stripe discards it.
    metered = metered_lines.billing_until(subscription, subscription.items, uow.now)
    if not pending and not metered:
        return
    invoice = subscription_invoices.cut_draft(
        uow,
        subscription,
        billing_reason="subscription_update",
        items=metered,
        spans=(),
        pending=pending,
        usage_until=uow.now,
    )
    subscription.latest_invoice_id = invoice.id
    uow.emit("invoice.created", invoice)
    invoice_finalization.finalize_invoice(uow, processor, invoice, redirect=redirect)


def emit_move(uow: UnitOfWork, subscription: Subscription, events: Iterable[str]) -> None:
    """Emit a status move's events. Its `customer.subscription.updated` is left out: the
    caller recorded it with `uow.before_update` before changing anything, so the event
    carries the previous attributes."""
    for event in events:
        if event != UPDATED:
            uow.emit(event, subscription)


def invoice_paid(uow: UnitOfWork, invoice: Invoice) -> None:
    """An invoice of the subscription was paid: an incomplete subscription starts, a
    past-due one is in good standing again (a reaction to `invoice.paid`)."""
    if invoice.subscription_id is None:
        return
    subscription = get(uow, invoice.subscription_id, for_update=True)
    status = SubscriptionStatus(subscription.status)
    if status is SubscriptionStatus.INCOMPLETE:
        action = (
            SubscriptionAction.FIRST_PAYMENT_SUCCEEDED_IN_TRIAL
            if subscription.trial_end is not None and subscription.trial_end > uow.now
            else SubscriptionAction.FIRST_PAYMENT_SUCCEEDED
        )
    elif status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID):
        if subscription.latest_invoice_id != invoice.id:
            return
        action = SubscriptionAction.PAYMENT_SUCCEEDED
    else:
        return
    move = transition(status, action)
    uow.before_update(UPDATED, subscription)
    subscription.status = move.status.value
    emit_move(uow, subscription, move.events)


def invoice_payment_failed(uow: UnitOfWork, invoice: Invoice) -> None:
    """A charge of the subscription's latest invoice failed: a subscription in good
    standing becomes past_due (a reaction to `invoice.payment_failed`). The first invoice of
    an incomplete subscription leaves it incomplete."""
    if invoice.subscription_id is None:
        return
    subscription = get(uow, invoice.subscription_id, for_update=True)
    status = SubscriptionStatus(subscription.status)
    if subscription.latest_invoice_id != invoice.id:
        return
    if pending_updates.invoice_id(subscription) == invoice.id:
        return  # a pending update's charge failing leaves the subscription as it was
    if (status, SubscriptionAction.PAYMENT_FAILED) not in TRANSITIONS:
        return
    move = transition(status, SubscriptionAction.PAYMENT_FAILED)
    if move.status is status:
        return
    uow.before_update(UPDATED, subscription)
    subscription.status = move.status.value
    emit_move(uow, subscription, move.events)


def reaction_invoice_payment_failed(uow: UnitOfWork, entity: Any) -> None:
    if isinstance(entity, Invoice):
        invoice_payment_failed(uow, entity)


def reaction_invoice_paid(uow: UnitOfWork, entity: Any) -> None:
    if isinstance(entity, Invoice):
        invoice_paid(uow, entity)


def reaction_customer_deleted(processor: Processor) -> Any:
    """As Stripe: deleting a customer cancels its subscriptions at once, without a final
    invoice or proration."""

    def react(uow: UnitOfWork, entity: Any) -> None:
        if not isinstance(entity, Customer):
            return
        for subscription_id in repository.live_ids(
            uow.session, uow.account_id, uow.livemode, entity.id
        ):
            cancel(uow, processor, subscription_id, redirect=_NO_REDIRECT)

    return react


# Canceling without a final invoice never charges, so never hands out a 3D Secure link.
_NO_REDIRECT = Redirect("http://localhost")
