"""Pending updates: `payment_behavior=pending_if_incomplete`.

An update made this way that cuts an invoice stands only if that invoice is paid. When the
payment fails or needs the customer, the subscription and its items go back to what they
were, the invoice stays open as the subscription's `latest_invoice`, and the changes wait in
`pending_update`. Paying the invoice later applies them
(`customer.subscription.pending_update_applied`); at `expires_at` (the trial end or the
period end, and at most 23 hours after the update) the invoice is voided and they are
dropped (`customer.subscription.pending_update_expired`). Voiding the invoice, canceling the
subscription or another update to what is pending drops them too.

The stored form keeps, beside what Stripe shows, the subscription's and the items' columns
as the update left them, so applying restores exactly what was billed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect

from seikyu.billing import invoice_collection, invoices, subscription_payments
from seikyu.billing import subscription_repository as repository
from seikyu.billing.domain.subscription_status import (
    SubscriptionAction,
    SubscriptionStatus,
    transition,
)
from seikyu.core import metadata
from seikyu.core.errors import invalid, no_such
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.prices import Price
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork
from seikyu.payments.domain.processor import Processor

if TYPE_CHECKING:
    # Only the type: the update module that builds changes imports this one.
    from seikyu.billing.subscription_changes import SubscriptionChanges

UPDATED = "customer.subscription.updated"
APPLIED = "customer.subscription.pending_update_applied"
EXPIRED = "customer.subscription.pending_update_expired"
MAX_LIFETIME = timedelta(hours=23)

# What a pending update may carry (Stripe's list, with metadata since API 2026-05-27).
ALLOWED = frozenset(
    {
        "add_invoice_items",
        "billing_cycle_anchor",
        "expand",
        "items",
        "metadata",
        "off_session",
        "payment_behavior",
        "proration_behavior",
        "proration_date",
        "trial_end",
        "trial_from_plan",
    }
)
# Parameters whose change overrides a waiting pending update, which is then dropped.
OVERRIDING = frozenset({"billing_cycle_anchor", "items", "trial_end", "trial_from_plan"})

# The subscription columns an update that cuts an invoice can change, apart from status
# (moved through the transition table) and metadata (merged).
_SUBSCRIPTION_COLUMNS = (
    "billing_cycle_anchor",
    "billing_cycle_anchor_config",
    "current_period_start",
    "current_period_end",
    "trial_start",
    "trial_end",
    "trial_notice_at",
    "status",
    "metadata_",
)
_ITEM_COLUMNS = (
    "id",
    "account_id",
    "livemode",
    "created",
    "subscription_id",
    "price_id",
    "quantity",
    "tax_rate_ids",
    "current_period_start",
    "current_period_end",
    "last_billed",
    "metadata_",
    "deleted_at",
)
# The stored columns that hold instants; JSON keeps them as ISO text.
_INSTANTS = frozenset(
    {
        "billing_cycle_anchor",
        "created",
        "current_period_end",
        "current_period_start",
        "deleted_at",
        "expires_at",
        "trial_end",
        "trial_notice_at",
        "trial_start",
    }
)
_ITEM_ONLY = ("tax_rates", "discounts", "metadata")


def check(subscription: Subscription, changes: SubscriptionChanges, fields: Sequence[str]) -> None:
    """Refuse what a pending update cannot carry, naming the first such parameter."""
    if subscription.collection_method != "charge_automatically":
        raise invalid(
            "Pending updates are not supported for subscriptions with "
            "collection_method=send_invoice.",
            param="payment_behavior",
        )
    for name in fields:
        if name not in ALLOWED:
            raise _refused(name)
    for index, item in enumerate(changes.items):
        for name in _ITEM_ONLY:
            if getattr(item, name) is not None:
                raise _refused(f"items[{index}][{name}]")
        if item.clear_usage:
            raise _refused(f"items[{index}][clear_usage]")


def _refused(param: str) -> Exception:
    return invalid(
        f"The parameter {param} cannot be used with payment_behavior=pending_if_incomplete.",
        param=param,
    )


@dataclass(frozen=True)
class Snapshot:
    """The columns of a subscription and of its items at one moment, JSON-ready."""

    subscription: dict[str, Any]
    items: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, subscription: Subscription, extra: Sequence[SubscriptionItem] = ()) -> Snapshot:
        items = {item.id: item for item in (*extra, *subscription.items)}
        return cls(
            {name: _dump(name, getattr(subscription, name)) for name in _SUBSCRIPTION_COLUMNS},
            {
                item_id: {name: _dump(name, getattr(item, name)) for name in _ITEM_COLUMNS}
                for item_id, item in items.items()
            },
        )


@dataclass(frozen=True)
class Requested:
    """What the update asked for, as the pending update shows it."""

    billing_cycle_anchor_now: bool = False
    trial_end: datetime | None = None
    trial_from_plan: bool = False
    metadata: dict[str, Any] | None = None


def hold(
    uow: UnitOfWork,
    subscription: Subscription,
    before: Snapshot,
    invoice: Invoice,
    requested: Requested,
    action: SubscriptionAction | None,
) -> None:
    """The update's invoice is unpaid: put the subscription back as it was before the
    update and keep what the update did as its pending update, for `invoice`."""
    touched = [_item(uow, item_id) for item_id in before.items]
    after = Snapshot.of(subscription, [item for item in touched if item is not None])
    _restore(uow, subscription, before)
    requested_anchor = requested.billing_cycle_anchor_now or (
        after.subscription["billing_cycle_anchor"] != before.subscription["billing_cycle_anchor"]
    )
    subscription.pending_update = {
        "invoice": invoice.id,
        "expires_at": _dump("expires_at", _expiry(uow, subscription)),
        "action": None if action is None else action.value,
        "billing_cycle_anchor": after.subscription["billing_cycle_anchor"]
        if requested_anchor
        else None,
        "trial_end": _dump("trial_end", requested.trial_end),
        "trial_from_plan": requested.trial_from_plan or None,
        "metadata": requested.metadata,
        "subscription": after.subscription,
        "items": after.items,
    }


def _expiry(uow: UnitOfWork, subscription: Subscription) -> datetime:
    due = [uow.now + MAX_LIFETIME, subscription.current_period_end]
    if subscription.status == SubscriptionStatus.TRIALING.value and subscription.trial_end:
        due.append(subscription.trial_end)
    return min(due)


def expires_at(subscription: Subscription) -> datetime | None:
    pending = subscription.pending_update
    return None if pending is None else _load("expires_at", pending["expires_at"])


def invoice_id(subscription: Subscription) -> str | None:
    pending = subscription.pending_update
    return None if pending is None else str(pending["invoice"])


def apply(uow: UnitOfWork, subscription: Subscription) -> None:
    """The pending update's invoice was paid: the changes it billed take effect."""
    pending = subscription.pending_update
    if pending is None:
        return
    uow.before_update(UPDATED, subscription)
    state = dict(pending["subscription"])
    state.pop("status")
    state.pop("metadata_")
    _restore(uow, subscription, Snapshot(state, pending["items"]))
    if pending["metadata"] is not None:
        subscription.metadata_ = metadata.merge(subscription.metadata_, pending["metadata"])
    subscription.pending_update = None
    subscription.next_action_at = subscription_payments.next_action(subscription)
    uow.emit(APPLIED, subscription)
    if pending["action"] is not None:
        move = transition(
            SubscriptionStatus(subscription.status), SubscriptionAction(pending["action"])
        )
        subscription.status = move.status.value
        for event in move.events:
            if event != UPDATED:  # recorded above by before_update
                uow.emit(event, subscription)


def discard(uow: UnitOfWork, processor: Processor, subscription: Subscription) -> None:
    """Drop the pending update and void its invoice, still open."""
    pending = subscription.pending_update
    if pending is None:
        return
    uow.before_update(UPDATED, subscription)
    subscription.pending_update = None
    subscription.next_action_at = subscription_payments.next_action(subscription)
    invoice = invoices.get(uow, pending["invoice"])
    if invoice.status == "open":
        invoice_collection.void(uow, processor, invoice.id)


def expire(uow: UnitOfWork, processor: Processor, subscription_id: str) -> Subscription | None:
    """Time-driven: drop a pending update whose `expires_at` has passed; returns the
    subscription when it did, None when nothing was due."""
    subscription = _subscription(uow, subscription_id)
    due = expires_at(subscription)
    if due is None or uow.now < due:
        return None
    discard(uow, processor, subscription)
    uow.emit(EXPIRED, subscription)
    return subscription


def invoice_voided(uow: UnitOfWork, invoice: Invoice) -> None:
    """Voiding a pending update's invoice drops the update (a reaction to
    `invoice.voided`)."""
    if invoice.subscription_id is None:
        return
    subscription = _subscription(uow, invoice.subscription_id)
    if invoice_id(subscription) == invoice.id:
        uow.before_update(UPDATED, subscription)
        subscription.pending_update = None
        subscription.next_action_at = subscription_payments.next_action(subscription)


def invoice_paid(uow: UnitOfWork, invoice: Invoice) -> None:
    """Paying a pending update's invoice applies the update (a reaction to
    `invoice.paid`, ahead of the subscription's own)."""
    if invoice.subscription_id is None:
        return
    subscription = _subscription(uow, invoice.subscription_id)
    if invoice_id(subscription) == invoice.id:
        apply(uow, subscription)


def reaction_invoice_paid(uow: UnitOfWork, entity: Any) -> None:
    if isinstance(entity, Invoice):
        invoice_paid(uow, entity)


def reaction_invoice_voided(uow: UnitOfWork, entity: Any) -> None:
    if isinstance(entity, Invoice):
        invoice_voided(uow, entity)


@dataclass(frozen=True)
class Shown:
    """A pending update as the API shows it."""

    expires_at: datetime
    billing_cycle_anchor: datetime | None
    trial_end: datetime | None
    trial_from_plan: bool | None
    metadata: dict[str, Any] | None
    items: list[SubscriptionItem]


def shown(subscription: Subscription) -> Shown | None:
    pending = subscription.pending_update
    if pending is None:
        return None
    return Shown(
        expires_at=_load("expires_at", pending["expires_at"]),
        billing_cycle_anchor=_load("billing_cycle_anchor", pending["billing_cycle_anchor"]),
        trial_end=_load("trial_end", pending["trial_end"]),
        trial_from_plan=pending["trial_from_plan"],
        metadata=pending["metadata"],
        items=_items_of(subscription, pending),
    )


def _items_of(subscription: Subscription, pending: dict[str, Any]) -> list[SubscriptionItem]:
    """The items the pending update would leave, as unsaved objects for showing."""
    session = inspect(subscription).session
    shown = []
    for columns in pending["items"].values():
        if columns["deleted_at"] is not None:
            continue
        item = SubscriptionItem(**{name: _load(name, value) for name, value in columns.items()})
        price = None if session is None else session.get(Price, item.price_id)
        if price is not None:
            item.price = price
        shown.append(item)
    return sorted(shown, key=lambda item: item.id)


def _restore(uow: UnitOfWork, subscription: Subscription, to: Snapshot) -> None:
    for name, value in to.subscription.items():
        setattr(subscription, name, _load(name, value))
    for item_id, columns in to.items.items():
        item = _item(uow, item_id)
        if item is None:
            item = SubscriptionItem(**{name: _load(name, value) for name, value in columns.items()})
            repository.add(uow.session, item)
            continue
        for name, value in columns.items():
            setattr(item, name, _load(name, value))
    for item in list(subscription.items):
        if item.id not in to.items:
            # Added by the update being put back: it exists only in the pending update.
            uow.session.delete(item)
    uow.session.flush()
    uow.session.expire(subscription, ["items"])


def _subscription(uow: UnitOfWork, subscription_id: str) -> Subscription:
    found = repository.get(
        uow.session, uow.account_id, uow.livemode, subscription_id, for_update=True
    )
    if found is None:
        raise no_such("subscription", subscription_id, param="id")
    return found


def _item(uow: UnitOfWork, item_id: str) -> SubscriptionItem | None:
    return uow.session.get(SubscriptionItem, item_id)


def _dump(name: str, value: Any) -> Any:
    if name in _INSTANTS and isinstance(value, datetime):
        return value.isoformat()
    return value


def _load(name: str, value: Any) -> Any:
    if name in _INSTANTS and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value
