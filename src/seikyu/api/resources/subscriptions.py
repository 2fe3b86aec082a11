"""/v1/subscriptions and /v1/subscription_items (reads)"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params, Timestamp, moment
from seikyu.api.render.subscription import render_item, render_subscription
from seikyu.api.resources.invoices import DiscountParam
from seikyu.api.routing import Call, Router
from seikyu.billing import subscription_create, subscriptions
from seikyu.billing.subscription_create import InvoiceItemRequest, ItemRequest, NewSubscription
from seikyu.billing.subscription_repository import SubscriptionFilter
from seikyu.core.periods import AnchorConfig
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.payments.payment_intents import Redirect

router = Router()

Id = Annotated[str, Field(max_length=500)]
Quantity = Annotated[int, Field(ge=0, le=999_999_999_999)]
TaxRates = Annotated[list[Id], Field(max_length=5)]
Discounts = Annotated[list[DiscountParam], Field(max_length=20)]


class Recurring(Params):
    interval: Literal["day", "week", "month", "year"]
    interval_count: Annotated[int, Field(ge=1)] | None = None


class PriceData(Params):
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    product: Id
    recurring: Recurring
    tax_behavior: Literal["exclusive", "inclusive", "unspecified"] | None = None
    unit_amount: Annotated[int, Field(ge=0, le=99_999_999_999)] | None = None
    unit_amount_decimal: Annotated[str, Field(max_length=40)] | None = None


class OneTimePriceData(Params):
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    product: Id
    tax_behavior: Literal["exclusive", "inclusive", "unspecified"] | None = None
    unit_amount: Annotated[int, Field(ge=0, le=99_999_999_999)] | None = None
    unit_amount_decimal: Annotated[str, Field(max_length=40)] | None = None


class ItemParam(Params):
    price: Id | None = None
    price_data: PriceData | None = None
    quantity: Quantity | None = None
    tax_rates: TaxRates | None = None
    discounts: Discounts | None = None
    metadata: Metadata | None = None

    def request(self) -> ItemRequest:
        return ItemRequest(
            price=self.price,
            price_data=None
            if self.price_data is None
            else self.price_data.model_dump(exclude_none=True),
            quantity=self.quantity,
            tax_rates=self.tax_rates,
            discounts=None if self.discounts is None else [d.request() for d in self.discounts],
            metadata=self.metadata,
        )


class InvoiceItemParam(Params):
    price: Id | None = None
    price_data: OneTimePriceData | None = None
    quantity: Quantity | None = None
    tax_rates: TaxRates | None = None
    discounts: Discounts | None = None
    metadata: Metadata | None = None

    def request(self) -> InvoiceItemRequest:
        return InvoiceItemRequest(
            price=self.price,
            price_data=None
            if self.price_data is None
            else self.price_data.model_dump(exclude_none=True),
            quantity=self.quantity,
            tax_rates=self.tax_rates,
            discounts=None if self.discounts is None else [d.request() for d in self.discounts],
            metadata=self.metadata,
        )


class AnchorConfigParam(Params):
    day_of_month: Annotated[int, Field(ge=1, le=31)]
    month: Annotated[int, Field(ge=1, le=12)] | None = None
    hour: Annotated[int, Field(ge=0, le=23)] | None = None
    minute: Annotated[int, Field(ge=0, le=59)] | None = None
    second: Annotated[int, Field(ge=0, le=59)] | None = None


class EndBehavior(Params):
    missing_payment_method: Literal["cancel", "create_invoice", "pause"]


class TrialSettings(Params):
    end_behavior: EndBehavior


class BillingMode(Params):
    type: Literal["classic", "flexible"]


class SubscriptionCreate(Expandable):
    customer: Id
    items: Annotated[list[ItemParam], Field(min_length=1, max_length=20)]
    add_invoice_items: Annotated[list[InvoiceItemParam], Field(max_length=20)] | None = None
    backdate_start_date: Timestamp | None = None
    billing_cycle_anchor: Timestamp | None = None
    billing_cycle_anchor_config: AnchorConfigParam | None = None
    billing_mode: BillingMode | None = None
    cancel_at: Timestamp | None = None
    cancel_at_period_end: bool = False
    collection_method: Literal["charge_automatically", "send_invoice"] = "charge_automatically"
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    days_until_due: Annotated[int, Field(ge=0, le=10_000)] | None = None
    default_payment_method: Id | None = None
    default_tax_rates: TaxRates | None = None
    description: Annotated[str, Field(max_length=500)] | None = None
    discounts: Discounts | None = None
    metadata: Metadata | None = None
    off_session: bool = False
    payment_behavior: Literal[
        "allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"
    ] = "allow_incomplete"
    proration_behavior: Literal["always_invoice", "create_prorations", "none"] = "create_prorations"
    trial_end: Timestamp | Literal["now"] | None = None
    trial_from_plan: bool = False
    trial_period_days: Annotated[int, Field(ge=0, le=730)] | None = None
    trial_settings: TrialSettings | None = None

    def new(self, now: datetime) -> NewSubscription:
        config = self.billing_cycle_anchor_config
        return NewSubscription(
            customer=self.customer,
            items=[item.request() for item in self.items],
            currency=self.currency,
            collection_method=self.collection_method,
            days_until_due=self.days_until_due,
            default_payment_method=self.default_payment_method,
            default_tax_rates=list(self.default_tax_rates or []),
            description=self.description,
            discounts=None if self.discounts is None else [d.request() for d in self.discounts],
            trial_end=now if self.trial_end == "now" else moment(self.trial_end),
            trial_period_days=self.trial_period_days,
            trial_from_plan=self.trial_from_plan,
            missing_payment_method=self.trial_settings.end_behavior.missing_payment_method
            if self.trial_settings
            else "create_invoice",
            billing_cycle_anchor=moment(self.billing_cycle_anchor),
            billing_cycle_anchor_config=None
            if config is None
            else AnchorConfig(
                day_of_month=config.day_of_month,
                month=config.month,
                hour=config.hour,
                minute=config.minute,
                second=config.second,
            ),
            backdate_start_date=moment(self.backdate_start_date),
            proration_behavior=self.proration_behavior,
            payment_behavior=self.payment_behavior,
            add_invoice_items=[i.request() for i in self.add_invoice_items or []],
            cancel_at=moment(self.cancel_at),
            cancel_at_period_end=self.cancel_at_period_end,
            off_session=self.off_session,
            billing_mode=self.billing_mode.type if self.billing_mode else "classic",
            metadata=self.metadata,
        )


class CancellationDetails(Params):
    comment: Annotated[str, Field(max_length=5000)] | None = None
    feedback: (
        Literal[
            "customer_service",
            "low_quality",
            "missing_features",
            "other",
            "switched_service",
            "too_complex",
            "too_expensive",
            "unused",
        ]
        | None
    ) = None


class SubscriptionCancel(Expandable):
    cancellation_details: CancellationDetails | None = None
    invoice_now: bool = False
    prorate: bool = False


class SubscriptionList(ListParams):
    customer: Id | None = None
    price: Id | None = None
    status: (
        Literal[
            "active",
            "all",
            "canceled",
            "ended",
            "incomplete",
            "incomplete_expired",
            "past_due",
            "paused",
            "trialing",
            "unpaid",
        ]
        | None
    ) = None
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None


@router.post("/v1/subscriptions", SubscriptionCreate)
def create(call: Call[SubscriptionCreate]) -> dict[str, Any]:
    subscription = subscription_create.create(
        call.uow,
        call.processor,
        call.params.new(call.uow.now),
        redirect=Redirect(call.base_url, None),
    )
    return render_subscription(subscription)


@router.get("/v1/subscriptions/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_subscription(subscriptions.get(call.uow, call.path["id"]))


@router.delete("/v1/subscriptions/{id}", SubscriptionCancel)
def cancel(call: Call[SubscriptionCancel]) -> dict[str, Any]:
    params = call.params
    details = None
    if params.cancellation_details is not None:
        details = params.cancellation_details.model_dump()
    subscription = subscriptions.cancel(
        call.uow,
        call.processor,
        call.path["id"],
        details=details,
        invoice_now=params.invoice_now,
        prorate=params.prorate,
        redirect=Redirect(call.base_url, None),
    )
    return render_subscription(subscription)


@router.get("/v1/subscriptions", SubscriptionList)
def list_subscriptions(call: Call[SubscriptionList]) -> dict[str, Any]:
    params = call.params
    where = SubscriptionFilter(
        customer_id=params.customer,
        price_id=params.price,
        status=params.status,
        collection_method=params.collection_method,
    )
    page = subscriptions.page(call.uow, lists.window(params), where)
    return lists.envelope(call.url, page, render_subscription)


registry.register(
    registry.ObjectSpec(
        name="subscription",
        prefix="sub",
        model=Subscription,
        render=render_subscription,
        load=subscriptions.find,
        expandable=frozenset({"customer", "default_payment_method", "latest_invoice", "discounts"}),
    )
)

registry.register(
    registry.ObjectSpec(
        name="subscription_item",
        prefix="si",
        model=SubscriptionItem,
        render=render_item,
        load=subscriptions.find_item,
        expandable=frozenset({"discounts"}),
    )
)
