"""POST /v1/subscriptions/{id} and /v1/subscriptions/{id}/resume"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from seikyu.api.params import Expandable, Metadata, Params, Timestamp, moment
from seikyu.api.render.subscription import render_subscription
from seikyu.api.resources.subscriptions import (
    CancellationDetails,
    Discounts,
    Id,
    InvoiceItemParam,
    PriceData,
    Quantity,
    TaxRates,
    TrialSettings,
)
from seikyu.api.routing import Call, Router
from seikyu.billing import subscription_resume, subscription_update
from seikyu.billing.subscription_changes import (
    KEEP,
    ItemChange,
    PauseCollection,
    SubscriptionChanges,
)
from seikyu.payments.payment_intents import Redirect

router = Router()

ProrationBehavior = Literal["always_invoice", "create_prorations", "none"]


class ItemFields(Params):
    """What an item may be given, in `items[]` of an update and on the item endpoints."""

    price: Id | None = None
    price_data: PriceData | None = None
    quantity: Quantity | None = None
    tax_rates: TaxRates | None = None
    discounts: Discounts | None = None
    metadata: Metadata | None = None

    def change(
        self, item_id: str | None, *, deleted: bool = False, clear_usage: bool = False
    ) -> ItemChange:
        # `tax_rates=""` and `discounts=""` clear them: [] rather than None (unchanged).
        return ItemChange(
            id=item_id,
            price=self.price,
            price_data=None
            if self.price_data is None
            else self.price_data.model_dump(exclude_none=True),
            quantity=self.quantity,
            tax_rates=self.tax_rates
            if self.tax_rates is not None
            else ([] if self.given("tax_rates") else None),
            discounts=[d.request() for d in self.discounts]
            if self.discounts is not None
            else ([] if self.given("discounts") else None),
            metadata=self.metadata,
            deleted=deleted,
            clear_usage=clear_usage,
        )


class ItemUpdateParam(ItemFields):
    id: Id | None = None
    deleted: bool = False
    clear_usage: bool = False

    def request(self) -> ItemChange:
        return self.change(self.id, deleted=self.deleted, clear_usage=self.clear_usage)


class PauseCollectionParam(Params):
    behavior: Literal["keep_as_draft", "mark_uncollectible", "void"]
    resumes_at: Timestamp | None = None


class SubscriptionUpdate(Expandable):
    items: Annotated[list[ItemUpdateParam], Field(max_length=20)] | None = None
    add_invoice_items: Annotated[list[InvoiceItemParam], Field(max_length=20)] | None = None
    billing_cycle_anchor: Literal["now", "unchanged"] = "unchanged"
    cancel_at: Timestamp | None = None
    cancel_at_period_end: bool | None = None
    cancellation_details: CancellationDetails | None = None
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None
    days_until_due: Annotated[int, Field(ge=0, le=10_000)] | None = None
    default_payment_method: Id | None = None
    default_tax_rates: TaxRates | None = None
    description: Annotated[str, Field(max_length=500)] | None = None
    discounts: Discounts | None = None
    metadata: Metadata | None = None
    off_session: bool = False
    pause_collection: PauseCollectionParam | None = None
    payment_behavior: Literal[
        "allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"
    ] = "allow_incomplete"
    proration_behavior: ProrationBehavior = "create_prorations"
    proration_date: Timestamp | None = None
    trial_end: Timestamp | Literal["now"] | None = None
    trial_from_plan: bool = False
    trial_settings: TrialSettings | None = None

    def changes(self, now: datetime) -> SubscriptionChanges:
        pause = self.pause_collection
        return SubscriptionChanges(
            items=[item.request() for item in self.items or []],
            proration_behavior=self.proration_behavior,
            proration_date=moment(self.proration_date),
            trial_end=KEEP
            if self.trial_end is None
            else (now if self.trial_end == "now" else moment(self.trial_end) or now),
            trial_from_plan=self.trial_from_plan,
            cancel_at=self._kept("cancel_at", moment(self.cancel_at)),
            cancel_at_period_end=KEEP
            if self.cancel_at_period_end is None
            else self.cancel_at_period_end,
            billing_cycle_anchor=self.billing_cycle_anchor,
            pause_collection=self._kept(
                "pause_collection",
                None
                if pause is None
                else PauseCollection(behavior=pause.behavior, resumes_at=moment(pause.resumes_at)),
            ),
            default_payment_method=self._kept(
                "default_payment_method", self.default_payment_method
            ),
            default_tax_rates=self._kept("default_tax_rates", self.default_tax_rates),
            discounts=self._kept(
                "discounts",
                None if self.discounts is None else [d.request() for d in self.discounts],
            ),
            collection_method=KEEP if self.collection_method is None else self.collection_method,
            days_until_due=KEEP if self.days_until_due is None else self.days_until_due,
            description=self._kept("description", self.description),
            cancellation_details=KEEP
            if self.cancellation_details is None
            else self.cancellation_details.model_dump(),
            payment_behavior=self.payment_behavior,
            off_session=self.off_session,
            add_invoice_items=[i.request() for i in self.add_invoice_items or []],
            metadata=self._kept("metadata", self.metadata),
        )

    def _kept(self, name: str, value: Any) -> Any:
        """KEEP when the request did not name the field; its value (None: cleared) if it did."""
        return value if self.given(name) else KEEP

    def named(self) -> list[str]:
        return [name for name in self.model_fields if self.given(name)]


class SubscriptionResume(Expandable):
    billing_cycle_anchor: Literal["now", "unchanged"] = "now"
    proration_behavior: ProrationBehavior = "create_prorations"
    proration_date: Timestamp | None = None


@router.post("/v1/subscriptions/{id}", SubscriptionUpdate)
def update(call: Call[SubscriptionUpdate]) -> dict[str, Any]:
    subscription = subscription_update.update(
        call.uow,
        call.processor,
        call.path["id"],
        call.params.changes(call.uow.now),
        fields=call.params.named(),
        redirect=Redirect(call.base_url, None),
    )
    return render_subscription(subscription)


@router.post("/v1/subscriptions/{id}/resume", SubscriptionResume)
def resume(call: Call[SubscriptionResume]) -> dict[str, Any]:
    params = call.params
    subscription = subscription_resume.resume(
        call.uow,
        call.processor,
        call.path["id"],
        billing_cycle_anchor=params.billing_cycle_anchor,
        proration_behavior=params.proration_behavior,
        proration_date=moment(params.proration_date),
        redirect=Redirect(call.base_url, None),
    )
    return render_subscription(subscription)
