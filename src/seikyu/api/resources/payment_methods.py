"""/v1/payment_methods and /v1/customers/{id}/payment_methods"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Address, Expandable, ListParams, Metadata, Params
from seikyu.api.render.payment_method import render_payment_method
from seikyu.api.routing import Call, Router
from seikyu.db.models.payment_methods import PaymentMethod
from seikyu.payments import payment_methods as service
from seikyu.payments.payment_methods import PaymentMethodFields

router = Router()

Str = Annotated[str, Field(max_length=5000)]
ExpMonth = Annotated[int, Field(ge=1, le=12)]
ExpYear = Annotated[int, Field(ge=0, le=9999)]
AllowRedisplay = Literal["always", "limited", "unspecified"]


class BillingDetails(Params):
    address: Address | None = None
    email: Annotated[str, Field(max_length=800)] | None = None
    name: Str | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None
    tax_id: Annotated[str, Field(max_length=100)] | None = None


class CardCreate(Params):
    # No length limit here: any value reaches the card checks, which answer with Stripe's
    # card error and never echo the number back.
    number: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    cvc: str | None = None
    token: Annotated[str, Field(max_length=200)] | None = None


class CardUpdate(Params):
    exp_month: ExpMonth | None = None
    exp_year: ExpYear | None = None


class PaymentMethodWrite(Expandable):
    allow_redisplay: AllowRedisplay = "unspecified"
    billing_details: BillingDetails | None = None
    metadata: Metadata | None = None


class PaymentMethodCreate(PaymentMethodWrite):
    type: Annotated[str, Field(max_length=100)]
    card: CardCreate | None = None

    def fields(self) -> PaymentMethodFields:
        data = self.model_dump(exclude_unset=True, exclude={"expand", "type"})
        return cast(PaymentMethodFields, data)


class PaymentMethodUpdate(PaymentMethodWrite):
    card: CardUpdate | None = None

    def fields(self) -> PaymentMethodFields:
        return cast(PaymentMethodFields, self.model_dump(exclude_unset=True, exclude={"expand"}))


class Attach(Expandable):
    customer: Str


class PaymentMethodList(ListParams):
    customer: Str | None = None
    type: Annotated[str, Field(max_length=100)] | None = None


class CustomerPaymentMethodList(ListParams):
    type: Annotated[str, Field(max_length=100)] | None = None
    allow_redisplay: AllowRedisplay | None = None


@router.post("/v1/payment_methods", PaymentMethodCreate)
def create(call: Call[PaymentMethodCreate]) -> dict[str, Any]:
    params = call.params
    return render_payment_method(service.create(call.uow, params.type, params.fields()))


@router.get("/v1/payment_methods/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_payment_method(service.get(call.uow, call.path["id"]))


@router.post("/v1/payment_methods/{id}", PaymentMethodUpdate)
def update(call: Call[PaymentMethodUpdate]) -> dict[str, Any]:
    return render_payment_method(service.update(call.uow, call.path["id"], call.params.fields()))


@router.post("/v1/payment_methods/{id}/attach", Attach)
def attach(call: Call[Attach]) -> dict[str, Any]:
    payment_method = service.attach(call.uow, call.processor, call.path["id"], call.params.customer)
    return render_payment_method(payment_method)


@router.post("/v1/payment_methods/{id}/detach", Expandable)
def detach(call: Call[Expandable]) -> dict[str, Any]:
    return render_payment_method(service.detach(call.uow, call.path["id"]))


@router.get("/v1/payment_methods", PaymentMethodList)
def list_payment_methods(call: Call[PaymentMethodList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow, lists.window(params), customer_id=params.customer, type_=params.type
    )
    return lists.envelope(call.url, page, render_payment_method)


@router.get("/v1/customers/{customer}/payment_methods", CustomerPaymentMethodList)
def list_customer_payment_methods(call: Call[CustomerPaymentMethodList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow, lists.window(params), customer_id=call.path["customer"], type_=params.type
    )
    return lists.envelope(call.url, page, render_payment_method)


@router.get("/v1/customers/{customer}/payment_methods/{id}", Expandable)
def retrieve_customer_payment_method(call: Call[Expandable]) -> dict[str, Any]:
    payment_method = service.require_attached(
        call.uow, call.path["id"], call.path["customer"], param="payment_method"
    )
    return render_payment_method(payment_method)


registry.register(
    registry.ObjectSpec(
        name="payment_method",
        prefix="pm",
        model=PaymentMethod,
        render=render_payment_method,
        load=service.find,
        expandable=frozenset({"customer"}),
    )
)
