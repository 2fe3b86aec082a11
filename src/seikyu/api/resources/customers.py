"""/v1/customers"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params
from seikyu.api.render.customer import render_customer
from seikyu.api.routing import Call, Router
from seikyu.customers import service
from seikyu.customers.service import CustomerFields
from seikyu.db.models import Customer

router = Router()

Str = Annotated[str, Field(max_length=5000)]
Short = Annotated[str, Field(max_length=200)]
InvoicePrefix = Annotated[str, Field(pattern=r"^[A-Z0-9]{3,12}$")]


class Address(Params):
    city: Short | None = None
    country: Annotated[str, Field(max_length=2)] | None = None
    line1: Short | None = None
    line2: Short | None = None
    postal_code: Short | None = None
    state: Short | None = None


class Shipping(Params):
    address: Address
    name: Short
    phone: Short | None = None


class CustomField(Params):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    value: Annotated[str, Field(min_length=1, max_length=140)]


class RenderingOptions(Params):
    amount_tax_display: Literal["exclude_tax", "include_inclusive_tax"] | None = None
    template: Short | None = None


class InvoiceSettings(Params):
    custom_fields: Annotated[list[CustomField], Field(max_length=4)] | None = None
    default_payment_method: Short | None = None
    footer: Str | None = None
    rendering_options: RenderingOptions | None = None


class CustomerWrite(Expandable):
    address: Address | None = None
    balance: int | None = None
    description: Str | None = None
    email: Annotated[str, Field(max_length=512)] | None = None
    invoice_prefix: InvoicePrefix | None = None
    invoice_settings: InvoiceSettings | None = None
    metadata: Metadata | None = None
    name: Annotated[str, Field(max_length=256)] | None = None
    next_invoice_sequence: Annotated[int, Field(ge=1, le=1_000_000_000)] | None = None
    phone: Annotated[str, Field(max_length=20)] | None = None
    preferred_locales: list[Short] | None = None
    shipping: Shipping | None = None
    tax_exempt: Literal["none", "exempt", "reverse"] | None = None

    def fields(self) -> CustomerFields:
        """The named fields only, with nested params as plain dicts; None clears."""
        data = self.model_dump(exclude_unset=True, exclude={"expand"})
        return cast(CustomerFields, data)


class CustomerCreate(CustomerWrite):
    pass


class CustomerUpdate(CustomerWrite):
    pass


class CustomerList(ListParams):
    email: Annotated[str, Field(max_length=512)] | None = None
    test_clock: Short | None = None


@router.post("/v1/customers", CustomerCreate)
def create(call: Call[CustomerCreate]) -> dict[str, Any]:
    customer = service.create(call.uow, call.params.fields())
    return render_customer(customer)


@router.get("/v1/customers/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_customer(service.get(call.uow, call.path["id"]))


@router.post("/v1/customers/{id}", CustomerUpdate)
def update(call: Call[CustomerUpdate]) -> dict[str, Any]:
    return render_customer(service.update(call.uow, call.path["id"], call.params.fields()))


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
    )
)
