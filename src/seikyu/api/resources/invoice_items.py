"""/v1/invoiceitems"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params, Timestamp, bad
from seikyu.api.render.invoice_item import render_invoice_item
from seikyu.api.routing import Call, Router
from seikyu.billing import invoice_items as service
from seikyu.billing.discounts import DiscountRequest
from seikyu.billing.invoice_items import InvoiceItemFields
from seikyu.core.clock import from_unix
from seikyu.db.models.invoice_items import InvoiceItem

router = Router()

INT64_MAX = 2**63 - 1

Str = Annotated[str, Field(max_length=5000)]
Id = Annotated[str, Field(min_length=1, max_length=5000)]
Currency = Annotated[str, Field(min_length=1, max_length=10)]
# A charge or, negative, a credit; the currency's own limit is checked by the service.
SignedAmount = Annotated[int, Field(ge=-INT64_MAX, le=INT64_MAX)]
Quantity = Annotated[int, Field(ge=0, le=INT64_MAX)]
TaxBehavior = Literal["exclusive", "inclusive", "unspecified"]
TaxRates = Annotated[list[Id], Field(max_length=100)]


class DiscountParams(Params):
    coupon: Id | None = None
    discount: Id | None = None
    promotion_code: Id | None = None

    def request(self) -> DiscountRequest:
        return DiscountRequest(
            coupon=self.coupon, promotion_code=self.promotion_code, discount=self.discount
        )


Discounts = Annotated[list[DiscountParams], Field(max_length=100)]


class PeriodParams(Params):
    end: Timestamp
    start: Timestamp


class PriceDataParams(Params):
    currency: Currency
    product: Id
    tax_behavior: TaxBehavior | None = None
    unit_amount: Annotated[int, Field(ge=0, le=INT64_MAX)] | None = None
    unit_amount_decimal: Decimal | None = None


class PricingParams(Params):
    price: Id | None = None


class _ItemParams(Expandable):
    """What create and update share."""

    amount: SignedAmount | None = None
    description: Str | None = None
    discountable: bool | None = None
    discounts: Discounts | None = None
    metadata: Metadata | None = None
    period: PeriodParams | None = None
    price_data: PriceDataParams | None = None
    pricing: PricingParams | None = None
    quantity: Quantity | None = None
    quantity_decimal: Decimal | None = None
    # Only Stripe Tax reads it; manual tax rates carry their own inclusive flag. Accepted so
    # that requests written for Stripe work, with nothing to apply it to.
    tax_behavior: TaxBehavior | None = None
    tax_code: Str | None = None
    tax_rates: TaxRates | None = None
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

    def fields(self) -> InvoiceItemFields:
        out = InvoiceItemFields()
        for name in ("amount", "discountable", "quantity", "quantity_decimal"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.unit_amount_decimal is not None:
            out["unit_amount_decimal"] = self.unit_amount_decimal
        if self.pricing is not None and self.pricing.price is not None:
            out["price"] = self.pricing.price
        if self.price_data is not None:
            out["price_data"] = self.price_data.model_dump(exclude_none=True)
        if self.period is not None:
            out["period"] = (from_unix(self.period.start), from_unix(self.period.end))
        if self.given("description"):
            out["description"] = self.description
        if self.given("metadata"):
            out["metadata"] = self.metadata
        if self.given("tax_rates"):
            out["tax_rates"] = self.tax_rates
        if self.given("discounts"):
            out["discounts"] = (
                None if self.discounts is None else [d.request() for d in self.discounts]
            )
        return out


class InvoiceItemCreate(_ItemParams):
    customer: Id
    currency: Currency | None = None
    invoice: Id | None = None
    subscription: Id | None = None
    # Stripe's, for customers modelled as Accounts v2, which Seikyu does not have.
    customer_account: Str | None = None

    @field_validator("customer_account")
    @classmethod
    def _no_customer_accounts(cls, value: str | None) -> str | None:
        if value is not None:
            raise bad("Customer accounts are not supported: bill a customer with `customer`.")
        return value

    def create_fields(self) -> InvoiceItemFields:
        out = self.fields()
        out["customer"] = self.customer
        if self.currency is not None:
            out["currency"] = self.currency
        if self.invoice is not None:
            out["invoice"] = self.invoice
        if self.subscription is not None:
            out["subscription"] = self.subscription
        return out


class InvoiceItemUpdate(_ItemParams):
    # Stripe's rules for when an item may be invoiced; `""` (none) is all it takes.
    invoicing_rules: Literal[""] | None = None


class InvoiceItemList(ListParams):
    customer: Id | None = None
    invoice: Id | None = None
    pending: bool | None = None
    customer_account: Str | None = None

    @field_validator("customer_account")
    @classmethod
    def _no_customer_accounts(cls, value: str | None) -> str | None:
        if value is not None:
            raise bad("Customer accounts are not supported: filter by `customer`.")
        return value


@router.post("/v1/invoiceitems", InvoiceItemCreate)
def create(call: Call[InvoiceItemCreate]) -> dict[str, Any]:
    return render_invoice_item(service.create(call.uow, call.params.create_fields()))


@router.get("/v1/invoiceitems/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_invoice_item(service.get(call.uow, call.path["id"]))


@router.post("/v1/invoiceitems/{id}", InvoiceItemUpdate)
def update(call: Call[InvoiceItemUpdate]) -> dict[str, Any]:
    return render_invoice_item(service.update(call.uow, call.path["id"], call.params.fields()))


@router.delete("/v1/invoiceitems/{id}", Params)
def delete(call: Call[Params]) -> dict[str, Any]:
    return render_invoice_item(service.delete(call.uow, call.path["id"]))


@router.get("/v1/invoiceitems", InvoiceItemList)
def list_invoice_items(call: Call[InvoiceItemList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow,
        lists.window(params),
        customer_id=params.customer,
        invoice_id=params.invoice,
        pending=params.pending,
    )
    shown = service.shown(call.uow, page.items)
    return lists.envelope(call.url, page, lambda item: render_invoice_item(item, shown[item.id]))


registry.register(
    registry.ObjectSpec(
        name="invoiceitem",
        prefix="ii",
        model=InvoiceItem,
        render=render_invoice_item,
        load=service.find,
        expandable=frozenset({"customer", "invoice", "discounts", "pricing.price_details.price"}),
    )
)
