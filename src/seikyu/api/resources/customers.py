"""/v1/customers"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import AfterValidator, Field

from seikyu.api import lists, registry
from seikyu.api.params import (
    Address,
    Expandable,
    ListParams,
    Metadata,
    Params,
    SearchParams,
    bad,
)
from seikyu.api.render.customer import render_customer
from seikyu.api.render.tax_id import render_tax_id
from seikyu.api.routing import Call, Router
from seikyu.api.search import run_search
from seikyu.billing import discounts, invoice_dunning
from seikyu.billing.discounts import DiscountRequest, Owner
from seikyu.catalog import promotion_codes
from seikyu.clocks import test_clocks
from seikyu.core.errors import SeikyuError
from seikyu.customers import service, tax_ids
from seikyu.customers.service import CustomerFields
from seikyu.customers.tax_id_formats import MAX_VALUE_LENGTH
from seikyu.customers.tax_ids import TaxIdData
from seikyu.db.models import Customer
from seikyu.db.uow import UnitOfWork
from seikyu.payments import payment_methods

router = Router()

Str = Annotated[str, Field(max_length=5000)]


def _invoice_prefix(value: str) -> str:
    if not (1 <= len(value) <= 12 and value.isascii() and value.isalnum() and value.isupper()):
        raise bad(
            f"Invalid invoice_prefix: {value!r} must be 1 to 12 uppercase letters or numbers."
        )
    return value


InvoicePrefix = Annotated[str, AfterValidator(_invoice_prefix)]
# Stripe documents no bound for `balance`; the column is a signed 64-bit integer.
Balance = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


class Shipping(Params):
    address: Address
    name: Str
    phone: Str | None = None


class CustomField(Params):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    value: Annotated[str, Field(min_length=1, max_length=140)]


class RenderingOptions(Params):
    amount_tax_display: Literal["exclude_tax", "include_inclusive_tax"] | None = None
    template: Str | None = None


class InvoiceSettings(Params):
    custom_fields: Annotated[list[CustomField], Field(max_length=4)] | None = None
    default_payment_method: Str | None = None
    footer: Str | None = None
    rendering_options: RenderingOptions | None = None


class TaxIdDatum(Params):
    type: Annotated[str, Field(max_length=50)]
    value: Annotated[str, Field(max_length=MAX_VALUE_LENGTH)]


class CustomerWrite(Expandable):
    """Fields typed `X | None` may be cleared with ""; the others may not (Stripe's
    `parameter_invalid_empty`), so their defaults are values, never sent when unset."""

    address: Address | None = None
    balance: Balance = 0
    # Stripe's pre-2025-03-31 way to give a customer a discount, kept as an extension: the
    # current API has no other. Neither can be cleared with "": DELETE .../discount does it.
    coupon: Str = ""
    promotion_code: Str = ""
    business_name: Annotated[str, Field(max_length=150)] | None = None
    description: Str | None = None
    email: Annotated[str, Field(max_length=512)] | None = None
    individual_name: Annotated[str, Field(max_length=150)] | None = None
    invoice_prefix: InvoicePrefix = ""
    invoice_settings: InvoiceSettings = InvoiceSettings()
    metadata: Metadata | None = None
    name: Annotated[str, Field(max_length=256)] | None = None
    next_invoice_sequence: Annotated[int, Field(ge=1, le=1_000_000_000)] = 1
    phone: Annotated[str, Field(max_length=20)] | None = None
    preferred_locales: list[Annotated[str, Field(max_length=50)]] | None = None
    shipping: Shipping | None = None
    tax_exempt: Literal["none", "exempt", "reverse"] | None = None

    def fields(self) -> CustomerFields:
        """The customer's own fields, nested params as plain dicts; a None value clears."""
        data = self.model_dump(
            exclude_unset=True,
            exclude={"expand", "tax_id_data", "test_clock", "coupon", "promotion_code"},
        )
        return cast(CustomerFields, data)

    def discount_request(self) -> DiscountRequest | None:
        """The discount to give the customer, if the request names a coupon or a code."""
        coupon = self.coupon if self.given("coupon") else None
        code = self.promotion_code if self.given("promotion_code") else None
        if coupon is None and code is None:
            return None
        return DiscountRequest(coupon=coupon, promotion_code=code)


class CustomerCreate(CustomerWrite):
    tax_id_data: Annotated[list[TaxIdDatum], Field(max_length=tax_ids.MAX_PER_OWNER)] | None = None
    test_clock: Str | None = None

    def tax_id_items(self) -> list[TaxIdData]:
        return [TaxIdData(item.type, item.value) for item in self.tax_id_data or []]


class CustomerUpdate(CustomerWrite):
    pass


class CustomerList(ListParams):
    email: Annotated[str, Field(max_length=512)] | None = None
    test_clock: Str | None = None


@router.post("/v1/customers", CustomerCreate)
def create(call: Call[CustomerCreate]) -> dict[str, Any]:
    params = call.params
    if params.test_clock is not None:
        test_clocks.attach_new_customer(call.uow, params.test_clock)
    customer = service.create(
        call.uow, params.fields(), tax_id_data=params.tax_id_items(), test_clock=params.test_clock
    )
    _give_discount(call.uow, customer, params)
    return render_customer(customer)


@router.get("/v1/customers/search", SearchParams)
def search(call: Call[SearchParams]) -> dict[str, Any]:
    return run_search(call, service.search_fields(), service.search, service.count, render_customer)


@router.get("/v1/customers/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_customer(service.get(call.uow, call.path["id"]))


@router.post("/v1/customers/{id}", CustomerUpdate)
def update(call: Call[CustomerUpdate]) -> dict[str, Any]:
    fields = call.params.fields()
    default = (fields.get("invoice_settings") or {}).get("default_payment_method")
    if default:
        service.get_active(call.uow, call.path["id"])
        payment_methods.require_attached(
            call.uow, default, call.path["id"], param="invoice_settings[default_payment_method]"
        )
    customer = service.update(call.uow, call.path["id"], fields)
    if default:
        invoice_dunning.retry_soon(call.uow, customer.id)
    _give_discount(call.uow, customer, call.params)
    return render_customer(customer)


@router.delete("/v1/customers/{id}", Params)
def delete(call: Call[Params]) -> dict[str, Any]:
    return render_customer(service.delete(call.uow, call.path["id"]))


@router.get("/v1/customers", CustomerList)
def list_customers(call: Call[CustomerList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow, lists.window(params), email=params.email, test_clock=params.test_clock
    )
    return lists.envelope(call.url, page, render_customer)


def _give_discount(uow: UnitOfWork, customer: Customer, params: CustomerWrite) -> None:
    """Make the coupon or promotion code named the customer's one discount, replacing any
    other, in the request's transaction: a refused code leaves no customer or change."""
    request = params.discount_request()
    if request is None:
        return
    if request.promotion_code is not None:
        code = promotion_codes.find(uow, request.promotion_code)
        # A customer discount applies to every later invoice, so there is no purchase to
        # hold the minimum against once, as there is for a subscription or an invoice.
        if code is not None and code.minimum_amount is not None:
            raise SeikyuError(
                f"The promotion code {code.code} has a minimum amount restriction, so it "
                "cannot be applied to a customer.",
                param="promotion_code",
            )
    discounts.replace(uow, Owner(customer.id), [request], param="", currency=customer.currency)
    # The discounts loaded with the customer are the ones it had before.
    uow.session.expire(customer, ["discounts"])


def _tax_ids_of(uow: UnitOfWork, customer: dict[str, Any]) -> dict[str, Any]:
    """`tax_ids`, present on a customer only with `expand[]=tax_ids`, as a list object."""
    url = f"/v1/customers/{customer['id']}/tax_ids"
    return lists.envelope(url, tax_ids.first_page_of(uow, customer["id"]), render_tax_id)


registry.register(
    registry.ObjectSpec(
        name="customer",
        prefix="cus",
        model=Customer,
        render=render_customer,
        load=service.find,
        expandable=frozenset(
            {"invoice_settings.default_payment_method", "default_source", "test_clock"}
        ),
        includable={"tax_ids": _tax_ids_of},
    )
)
