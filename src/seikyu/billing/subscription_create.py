"""Creating a subscription, with its first invoice finalized and paid in the same request.

The first invoice bills what `creation_timeline` says is due now: a first period, a
prorated stub before a later anchor, or 0 for a trial, plus any `add_invoice_items`. For
`charge_automatically` it is finalized at once and, per `payment_behavior`, paid with the
default payment method: a declined card or one that needs 3D Secure leaves the subscription
`incomplete` with the open invoice as its `latest_invoice` (`allow_incomplete`), or refuses
the whole request with 402 (`error_if_incomplete`); `default_incomplete` leaves the payment
for the client to confirm. A `send_invoice` subscription is active at once; its first
invoice stays a draft that finalizes an hour later, as on Stripe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from seikyu.billing import (
    discounts,
    invoice_finalization,
    invoice_items,
    invoices,
    price_terms,
    subscription_cycle,
    subscription_invoices,
    subscription_payments,
)
from seikyu.billing import subscription_repository as repository
from seikyu.billing.discounts import DiscountRequest, Owner
from seikyu.billing.domain import subscription_timing as timing
from seikyu.billing.domain.subscription_status import start
from seikyu.core import metadata
from seikyu.core.errors import invalid
from seikyu.core.periods import AnchorConfig, Interval, Unit
from seikyu.customers import service as customers
from seikyu.db.models.prices import Price
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork
from seikyu.payments import payment_methods
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect

MAX_ITEMS = 20
MAX_SUBSCRIPTIONS_PER_CUSTOMER = 500


@dataclass(frozen=True)
class ItemRequest:
    price: str | None = None
    price_data: dict[str, Any] | None = None
    quantity: int | None = None
    tax_rates: list[str] | None = None
    discounts: list[DiscountRequest] | None = None
    metadata: dict[str, str] | None = None


@dataclass(frozen=True)
class InvoiceItemRequest:
    price: str | None = None
    price_data: dict[str, Any] | None = None
    quantity: int | None = None
    tax_rates: list[str] | None = None
    discounts: list[DiscountRequest] | None = None
    metadata: dict[str, str] | None = None


@dataclass(frozen=True)
class NewSubscription:
    customer: str
    items: list[ItemRequest]
    currency: str | None = None
    collection_method: str = "charge_automatically"
    days_until_due: int | None = None
    default_payment_method: str | None = None
    default_tax_rates: list[str] = field(default_factory=list)
    description: str | None = None
    discounts: list[DiscountRequest] | None = None
    trial_end: datetime | None = None
    trial_period_days: int | None = None
    trial_from_plan: bool = False
    missing_payment_method: str = "create_invoice"
    billing_cycle_anchor: datetime | None = None
    billing_cycle_anchor_config: AnchorConfig | None = None
    backdate_start_date: datetime | None = None
    proration_behavior: str = "create_prorations"
    payment_behavior: str = "allow_incomplete"
    add_invoice_items: list[InvoiceItemRequest] = field(default_factory=list)
    cancel_at: datetime | None = None
    cancel_at_period_end: bool = False
    off_session: bool = False
    billing_mode: str = "classic"
    metadata: dict[str, str] | None = None


def create(
    uow: UnitOfWork, processor: Processor, new: NewSubscription, *, redirect: Redirect
) -> Subscription:
    customer = customers.get_active(uow, new.customer, param="customer")
    if repository.count_live(uow.session, uow.account_id, uow.livemode, customer.id) >= (
        MAX_SUBSCRIPTIONS_PER_CUSTOMER
    ):
        raise invalid(
            f"A customer can have at most {MAX_SUBSCRIPTIONS_PER_CUSTOMER} active subscriptions.",
            param="customer",
        )
    _check_behaviors(new)
    priced = _prices(uow, new)
    currency = _currency(new, priced, customer.currency)
    interval = _interval(priced)
    default_pm = (
        payment_methods.require_attached(
            uow, new.default_payment_method, customer.id, param="default_payment_method"
        ).id
        if new.default_payment_method
        else None
    )
    trial_end = timing.trial_end_from(
        uow.now,
        trial_end=new.trial_end,
        trial_period_days=new.trial_period_days,
        trial_from_plan_days=(priced[0].recurring_trial_period_days or 0)
        if new.trial_from_plan
        else None,
    )
    if new.cancel_at is not None:
        timing.check_cancel_at(uow.now, new.cancel_at)
    timeline = timing.creation_timeline(
        uow.now,
        interval,
        trial_end=trial_end,
        anchor=new.billing_cycle_anchor,
        anchor_config=new.billing_cycle_anchor_config,
        backdate_start_date=new.backdate_start_date,
        proration_behavior=timing.ProrationBehavior(new.proration_behavior),
    )
    timeline = timing.cut_at_cancel(timeline, new.cancel_at)
    subscription = Subscription(
        id=uow.new_id("sub"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        customer_id=customer.id,
        test_clock=customer.test_clock,
        status="incomplete",
        currency=currency,
        collection_method=new.collection_method,
        days_until_due=_days_until_due(new),
        default_payment_method_id=default_pm,
        default_tax_rate_ids=price_terms.check_tax_rates(
            uow, new.default_tax_rates, param="default_tax_rates"
        ),
        description=new.description,
        billing_mode=new.billing_mode,
        billing_cycle_anchor=timeline.billing_cycle_anchor,
        billing_cycle_anchor_config=None
        if new.billing_cycle_anchor_config is None or timeline.billing_cycle_anchor == new.cancel_at
        else _config_json(new.billing_cycle_anchor_config),
        start_date=timeline.start_date,
        current_period_start=timeline.current_period.start,
        current_period_end=timeline.current_period.end,
        trial_start=timeline.trial_start,
        trial_end=timeline.trial_end,
        trial_missing_payment_method=new.missing_payment_method,
        trial_notice_at=timing.trial_notice_at(uow.now, timeline.trial_end),
        cancel_at=new.cancel_at,
        cancel_at_period_end=new.cancel_at_period_end,
        cancellation_details={"comment": None, "feedback": None, "reason": None},
        pause_collection=None,
        payment_settings={"save_default_payment_method": "off"},
        invoice_settings={},
        metadata_=metadata.initial(new.metadata),
    )
    repository.add(uow.session, subscription)
    uow.session.flush()
    items = _add_items(uow, subscription, new, priced)
    if new.discounts:
        discounts.replace(
            uow,
            Owner(customer_id=customer.id, subscription_id=subscription.id),
            new.discounts,
            param="discounts",
            currency=currency,
        )
    add_invoice_items(uow, subscription, new.add_invoice_items)
    uow.session.expire(subscription, ["items"])
    paid = _first_invoice(uow, processor, subscription, items, timeline, new, redirect=redirect)
    move = start(
        trialing=timeline.trial_end is not None,
        collection_method=subscription.collection_method,
        payment_required=paid is not None and not paid,
        paid=bool(paid),
    )
    subscription.status = move.status.value
    for event in move.events:
        uow.emit(event, subscription)
    subscription.next_action_at = subscription_payments.next_action(subscription)
    return subscription


def _check_behaviors(new: NewSubscription) -> None:
    if not new.items:
        raise invalid("Missing required param: items.", param="items")
    if len(new.items) > MAX_ITEMS:
        raise invalid(f"A subscription can have at most {MAX_ITEMS} items.", param="items")
    if len(new.add_invoice_items) > MAX_ITEMS:
        raise invalid(f"You can add at most {MAX_ITEMS} invoice items.", param="add_invoice_items")
    if new.payment_behavior == "pending_if_incomplete":
        raise invalid(
            "payment_behavior=pending_if_incomplete can only be used when updating a subscription.",
            param="payment_behavior",
        )
    if new.collection_method == "charge_automatically" and new.days_until_due is not None:
        raise invalid(
            "days_until_due can only be set when collection_method is send_invoice.",
            param="days_until_due",
        )
    if new.cancel_at is not None and new.cancel_at_period_end:
        raise invalid(
            "You may only specify one of these parameters: cancel_at, cancel_at_period_end.",
            param="cancel_at",
        )


def _prices(uow: UnitOfWork, new: NewSubscription) -> list[Price]:
    found: list[Price] = []
    for index, request in enumerate(new.items):
        where = f"items[{index}]"
        if (request.price is None) == (request.price_data is None):
            raise invalid(
                f"You must specify exactly one of `price` or `price_data` in {where}.",
                param=f"{where}[price]",
            )
        if request.price is not None:
            price = price_terms.recurring_price(uow, request.price, param=f"{where}[price]")
        else:
            assert request.price_data is not None
            price = price_terms.price_from_data(
                uow, request.price_data, param=f"{where}[price_data]", recurring=True
            )
        if price.recurring_usage_type == "metered" and request.quantity is not None:
            raise invalid(
                "Quantity should not be specified where usage_type is `metered`.",
                param=f"{where}[quantity]",
            )
        if any(p.id == price.id for p in found):
            raise invalid(
                f"Cannot add multiple subscription items with the same price: {price.id}",
                param=f"{where}[price]",
            )
        found.append(price)
    return found


def _currency(new: NewSubscription, priced: list[Price], customer_currency: str | None) -> str:
    currency = (new.currency or customer_currency or priced[0].currency).lower()
    for index, price in enumerate(priced):
        price_terms.pricing(price, currency, param=f"items[{index}][price]")
    if customer_currency is not None and customer_currency != currency:
        raise invalid(
            f"You cannot combine currencies on a single customer. This customer has had a "
            f"subscription or payment in {customer_currency}, but you are trying to pay in "
            f"{currency}.",
            param="currency",
        )
    return currency


def _interval(priced: list[Price]) -> Interval:
    first = priced[0]
    interval = Interval(Unit(str(first.recurring_interval)), first.recurring_interval_count or 1)
    for index, price in enumerate(priced[1:], start=1):
        other = Interval(Unit(str(price.recurring_interval)), price.recurring_interval_count or 1)
        if other != interval:
            raise invalid(
                "All prices on a subscription must have the same `recurring.interval` and "
                "`recurring.interval_count`.",
                param=f"items[{index}][price]",
            )
    return interval


def _days_until_due(new: NewSubscription) -> int | None:
    if new.collection_method != "send_invoice":
        return None
    return new.days_until_due if new.days_until_due is not None else invoices.DEFAULT_DAYS_UNTIL_DUE


def _add_items(
    uow: UnitOfWork, subscription: Subscription, new: NewSubscription, priced: list[Price]
) -> list[SubscriptionItem]:
    items = []
    for index, (request, price) in enumerate(zip(new.items, priced, strict=True)):
        where = f"items[{index}]"
        if request.quantity is not None and request.quantity < 0:
            raise invalid("Invalid quantity: must be at least 0.", param=f"{where}[quantity]")
        item = SubscriptionItem(
            id=uow.new_id("si"),
            account_id=uow.account_id,
            livemode=uow.livemode,
            created=uow.now,
            subscription_id=subscription.id,
            price_id=price.id,
            quantity=None
            if price.recurring_usage_type == "metered"
            else (request.quantity if request.quantity is not None else 1),
            tax_rate_ids=None
            if request.tax_rates is None
            else price_terms.check_tax_rates(uow, request.tax_rates, param=f"{where}[tax_rates]"),
            current_period_start=subscription.current_period_start,
            current_period_end=subscription.current_period_end,
            last_billed=None,
            metadata_=metadata.initial(request.metadata),
        )
        repository.add(uow.session, item)
        uow.session.flush()
        if request.discounts:
            discounts.replace(
                uow,
                Owner(customer_id=subscription.customer_id, subscription_item_id=item.id),
                request.discounts,
                param=f"{where}[discounts]",
                currency=subscription.currency,
                item_level=True,
            )
        items.append(item)
    return items


def add_invoice_items(
    uow: UnitOfWork, subscription: Subscription, requests: Sequence[InvoiceItemRequest]
) -> None:
    """`add_invoice_items`: one-time items pending for the subscription's next invoice."""
    for index, request in enumerate(requests):
        where = f"add_invoice_items[{index}]"
        fields: dict[str, Any] = {
            "customer": subscription.customer_id,
            "subscription": subscription.id,
            "currency": subscription.currency,
        }
        if request.price is not None:
            price_terms.one_time_price(uow, request.price, param=f"{where}[price]")
            fields["price"] = request.price
        elif request.price_data is not None:
            fields["price_data"] = request.price_data
        else:
            raise invalid(
                f"You must specify either `price` or `price_data` in {where}.",
                param=f"{where}[price]",
            )
        if request.quantity is not None:
            fields["quantity"] = request.quantity
        if request.tax_rates is not None:
            fields["tax_rates"] = request.tax_rates
        if request.discounts is not None:
            fields["discounts"] = request.discounts
        if request.metadata is not None:
            fields["metadata"] = request.metadata
        invoice_items.create(uow, fields)  # type: ignore[arg-type]


def _first_invoice(
    uow: UnitOfWork,
    processor: Processor,
    subscription: Subscription,
    items: list[SubscriptionItem],
    timeline: timing.CreationTimeline,
    new: NewSubscription,
    *,
    redirect: Redirect,
) -> bool | None:
    """Cut, finalize and collect the first invoice. Returns None when nothing had to be
    paid now, else whether the payment succeeded."""
    pending = invoice_items.pending_for(
        uow, subscription.customer_id, subscription.currency, subscription_id=subscription.id
    )
    if not timeline.creates_invoice_now and not pending:
        return None
    invoice = subscription_invoices.cut_draft(
        uow,
        subscription,
        billing_reason="subscription_create",
        items=items,
        spans=timeline.invoice_now,
        pending=pending,
    )
    _check_minimums(uow, subscription, invoice.subtotal)
    subscription.latest_invoice_id = invoice.id
    uow.emit("invoice.created", invoice)
    if subscription.collection_method == "send_invoice":
        invoice.next_action_at = subscription_cycle.finalizes_at(uow)
        return None
    invoice_finalization.finalize_invoice(uow, processor, invoice, redirect=redirect)
    if invoice.status == "paid":
        return None
    if new.payment_behavior == "default_incomplete":
        return False
    return subscription_payments.collect(
        uow,
        processor,
        invoice,
        strict=new.payment_behavior == "error_if_incomplete",
        off_session=new.off_session,
        redirect=redirect,
    )


def _check_minimums(uow: UnitOfWork, subscription: Subscription, amount: int) -> None:
    owned = discounts.of_owner(
        uow, Owner(customer_id=subscription.customer_id, subscription_id=subscription.id)
    )
    if owned:
        discounts.check_minimum_amount(uow, owned, amount, subscription.currency, param="discounts")


def _config_json(config: AnchorConfig) -> dict[str, int | None]:
    return {
        "day_of_month": config.day_of_month,
        "hour": config.hour,
        "minute": config.minute,
        "month": config.month,
        "second": config.second,
    }
