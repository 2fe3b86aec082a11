"""POST /v1/invoices/create_preview"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from seikyu.api.expand import expand
from seikyu.api.params import Expandable, Metadata, Params, Timestamp, bad, moment
from seikyu.api.render.common import ts
from seikyu.api.render.invoice import render_invoice, render_line
from seikyu.api.resources.invoice_items import (
    INT64_MAX,
    Currency,
    Discounts,
    PeriodParams,
    PriceDataParams,
    Quantity,
    SignedAmount,
    Str,
    TaxBehavior,
)
from seikyu.api.resources.invoices import DiscountParam
from seikyu.api.resources.subscription_update import ItemUpdateParam, ProrationBehavior
from seikyu.api.routing import Call, Router
from seikyu.billing import invoice_preview
from seikyu.billing.invoice_items import InvoiceItemFields
from seikyu.billing.invoice_preview import Preview, PreviewItem, PreviewRequest
from seikyu.billing.subscription_changes import KEEP, SubscriptionChanges
from seikyu.billing.subscription_create import ItemRequest, NewSubscription
from seikyu.core.clock import from_unix
from seikyu.core.errors import invalid, missing
from seikyu.payments.payment_intents import Redirect

router = Router()

Id = Annotated[str, Field(min_length=1, max_length=500)]
TaxRates = Annotated[list[Id], Field(max_length=5)]


class Liability(Params):
    type: Literal["account", "self"]
    account: Id | None = None


class AutomaticTax(Params):
    enabled: bool
    liability: Liability | None = None


class PreviewInvoiceItem(Params):
    amount: SignedAmount | None = None
    currency: Currency | None = None
    description: Str | None = None
    discountable: bool | None = None
    discounts: Discounts | None = None
    invoiceitem: Id | None = None
    metadata: Metadata | None = None
    period: PeriodParams | None = None
    price: Id | None = None
    price_data: PriceDataParams | None = None
    quantity: Quantity | None = None
    quantity_decimal: Decimal | None = None
    # Only Stripe Tax reads it; accepted as on the invoice item endpoints.
    tax_behavior: TaxBehavior | None = None
    tax_code: Str | None = None
    tax_rates: TaxRates | None = None
    unit_amount: Annotated[int, Field(ge=-INT64_MAX, le=INT64_MAX)] | None = None
    unit_amount_decimal: Decimal | None = None

    @field_validator("tax_code")
    @classmethod
    def _no_tax_codes(cls, value: str | None) -> str | None:
        if value:
            raise bad(
                "Tax codes are used by automatic tax calculation, which is not available; "
                "apply tax rates with tax_rates instead."
            )
        return value

    def item(self, where: str) -> PreviewItem:
        fields = InvoiceItemFields()
        for name in ("amount", "currency", "discountable", "quantity", "quantity_decimal"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = value
        if self.unit_amount is not None and self.unit_amount_decimal is not None:
            raise invalid(
                "You may only specify one of these parameters: unit_amount, unit_amount_decimal.",
                param=f"{where}[unit_amount_decimal]",
            )
        if self.unit_amount is not None:
            fields["unit_amount_decimal"] = Decimal(self.unit_amount)
        elif self.unit_amount_decimal is not None:
            fields["unit_amount_decimal"] = self.unit_amount_decimal
        if self.price is not None:
            fields["price"] = self.price
        if self.price_data is not None:
            fields["price_data"] = self.price_data.model_dump(exclude_none=True)
        if self.period is not None:
            fields["period"] = (from_unix(self.period.start), from_unix(self.period.end))
        if self.given("description"):
            fields["description"] = self.description
        if self.given("metadata"):
            fields["metadata"] = self.metadata
        if self.given("tax_rates"):
            fields["tax_rates"] = self.tax_rates
        if self.given("discounts"):
            fields["discounts"] = (
                None if self.discounts is None else [d.request() for d in self.discounts]
            )
        return PreviewItem(fields=fields, invoiceitem=self.invoiceitem)


class AnchorParam(Params):
    type: Literal["now", "timestamp", "unchanged"]
    timestamp: Timestamp | None = None


# What changes the subscription; `cancel_now` and `proration_behavior` alone do not.
_CHANGING = (
    "billing_cycle_anchor",
    "cancel_at",
    "cancel_at_period_end",
    "default_tax_rates",
    "items",
    "metadata",
    "proration_date",
    "trial_end",
)


class SubscriptionDetails(Params):
    billing_cycle_anchor: Literal["now", "unchanged"] | AnchorParam | None = None
    cancel_at: Timestamp | None = None
    cancel_at_period_end: bool | None = None
    cancel_now: bool = False
    default_tax_rates: TaxRates | None = None
    items: Annotated[list[ItemUpdateParam], Field(max_length=20)] | None = None
    metadata: Metadata | None = None
    proration_behavior: ProrationBehavior = "create_prorations"
    proration_date: Timestamp | None = None
    start_date: Timestamp | None = None
    trial_end: Timestamp | Literal["now"] | None = None

    def changes(self, now: datetime) -> SubscriptionChanges | None:
        if self.start_date is not None:
            raise invalid(
                "start_date applies to a subscription being created; an existing "
                "subscription keeps its own.",
                param="subscription_details[start_date]",
            )
        if not any(self.given(name) for name in _CHANGING):
            return None
        if self.proration_date is not None and not (self.items or self.trial_end is not None):
            raise invalid(
                "proration_date previews the prorations of a change: give "
                "subscription_details[items] or subscription_details[trial_end] with it.",
                param="subscription_details[proration_date]",
            )
        return SubscriptionChanges(
            items=[item.request() for item in self.items or []],
            proration_behavior=self.proration_behavior,
            proration_date=moment(self.proration_date),
            trial_end=KEEP
            if self.trial_end is None
            else (now if self.trial_end == "now" else moment(self.trial_end) or now),
            cancel_at=moment(self.cancel_at) if self.given("cancel_at") else KEEP,
            cancel_at_period_end=KEEP
            if self.cancel_at_period_end is None
            else self.cancel_at_period_end,
            billing_cycle_anchor=self._anchor(),
            default_tax_rates=self.default_tax_rates if self.given("default_tax_rates") else KEEP,
            metadata=self.metadata if self.given("metadata") else KEEP,
        )

    def new_subscription(self, customer: str | None, now: datetime) -> NewSubscription:
        """A subscription to create, previewed when no subscription is named."""
        if customer is None:
            raise missing("customer")
        for index, item in enumerate(self.items or []):
            for name in ("id", "deleted", "clear_usage"):
                if item.given(name):
                    raise invalid(
                        f"{name} names an existing item; a new subscription's items can't use it.",
                        param=f"subscription_details[items][{index}][{name}]",
                    )
        if self.proration_date is not None:
            raise invalid(
                "proration_date previews a change to an existing subscription: pass "
                "`subscription`.",
                param="subscription_details[proration_date]",
            )
        start = moment(self.start_date)
        if start is not None and start > now:
            raise invalid(
                "A subscription starting in the future is created by a subscription schedule, "
                "which is not available; start_date must be now or in the past.",
                param="subscription_details[start_date]",
            )
        anchor = self.billing_cycle_anchor
        return NewSubscription(
            customer=customer,
            items=[
                ItemRequest(
                    price=item.price,
                    price_data=None
                    if item.price_data is None
                    else item.price_data.model_dump(exclude_none=True),
                    quantity=item.quantity,
                    tax_rates=item.tax_rates,
                    discounts=None
                    if item.discounts is None
                    else [d.request() for d in item.discounts],
                    metadata=item.metadata,
                )
                for item in self.items or []
            ],
            default_tax_rates=list(self.default_tax_rates or []),
            trial_end=None
            if self.trial_end is None
            else (now if self.trial_end == "now" else moment(self.trial_end)),
            billing_cycle_anchor=moment(anchor.timestamp)
            if isinstance(anchor, AnchorParam) and anchor.type == "timestamp"
            else None,
            backdate_start_date=start if start is not None and start < now else None,
            proration_behavior=self.proration_behavior,
            cancel_at=moment(self.cancel_at),
            cancel_at_period_end=bool(self.cancel_at_period_end),
            metadata=self.metadata,
        )

    def _anchor(self) -> str:
        anchor = self.billing_cycle_anchor
        if isinstance(anchor, AnchorParam):
            if anchor.type == "timestamp":
                raise invalid(
                    "An existing subscription's billing_cycle_anchor can only be set to now "
                    "or unchanged.",
                    param="subscription_details[billing_cycle_anchor][type]",
                )
            return anchor.type
        return anchor or "unchanged"


class PreviewParams(Expandable):
    automatic_tax: AutomaticTax | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    customer: Id | None = None
    discounts: Annotated[list[DiscountParam], Field(max_length=20)] | None = None
    invoice_items: Annotated[list[PreviewInvoiceItem], Field(max_length=250)] | None = None
    preview_mode: Literal["next", "recurring"] = "next"
    subscription: Id | None = None
    subscription_details: SubscriptionDetails | None = None

    def request(self, now: datetime) -> PreviewRequest:
        if self.automatic_tax is not None and self.automatic_tax.enabled:
            raise invalid(
                "Automatic tax calculation is not available: apply tax rates with "
                "subscription_details[default_tax_rates] or an item's tax_rates instead.",
                param="automatic_tax[enabled]",
            )
        details = self.subscription_details
        creating = self.subscription is None and details is not None and bool(details.items)
        return PreviewRequest(
            customer=self.customer,
            subscription=self.subscription,
            currency=self.currency,
            discounts=[d.request() for d in self.discounts or []]
            if self.given("discounts")
            else KEEP,
            invoice_items=[
                entry.item(f"invoice_items[{index}]")
                for index, entry in enumerate(self.invoice_items or [])
            ],
            changes=None if details is None or creating else details.changes(now),
            new_subscription=details.new_subscription(self.customer, now)
            if details is not None and creating
            else None,
            cancel_now=details is not None and details.cancel_now,
            proration_behavior="create_prorations"
            if details is None
            else details.proration_behavior,
            recurring=self.preview_mode == "recurring",
        )


@router.post("/v1/invoices/create_preview", PreviewParams)
def create_preview(call: Call[PreviewParams]) -> dict[str, Any]:
    uow = call.uow
    request = call.params.request(uow.now)
    redirect = Redirect(call.base_url, None)
    with invoice_preview.previewing(uow, request, processor=call.processor, redirect=redirect) as (
        preview
    ):
        shown = render_preview(preview)
        # Expanded before the rollback, while what the preview made is still there.
        return expand(uow, shown, call.params.expand)


def render_preview(preview: Preview) -> dict[str, Any]:
    """Stripe's preview invoice: an `upcoming_in_` id, every line inline with a temporary
    id, and the proration date it previews."""
    invoice = preview.invoice
    shown = render_invoice(invoice)
    preview_id = "upcoming_" + invoice.id
    shown["id"] = preview_id
    lines = []
    for line in invoice.lines:
        rendered = render_line(line, invoice)
        rendered["id"] = "il_tmp_" + line.id.removeprefix("il_")
        rendered["invoice"] = preview_id
        lines.append(rendered)
    shown["lines"] = {
        "object": "list",
        "data": lines,
        "has_more": False,
        "total_count": len(lines),
        "url": f"/v1/invoices/{preview_id}/lines",
    }
    parent = shown["parent"]
    if parent is not None:
        parent["subscription_details"]["subscription_proration_date"] = ts(preview.proration_date)
    return shown
