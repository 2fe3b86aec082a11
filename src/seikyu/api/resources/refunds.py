"""/v1/refunds"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import AfterValidator, Field, field_validator

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, bad
from seikyu.api.render.refund import render_refund
from seikyu.api.routing import Call, Router
from seikyu.core.errors import SeikyuError
from seikyu.customers import rules
from seikyu.db.models.refunds import Refund
from seikyu.payments import refunds as service
from seikyu.payments.refunds import RefundFields

router = Router()

Str = Annotated[str, Field(max_length=5000)]


def _email(value: str) -> str:
    try:
        rules.check_email(value)
    except SeikyuError as error:
        raise bad(error.message, error.code) from None
    return value


Email = Annotated[str, Field(max_length=800), AfterValidator(_email)]


class RefundCreate(Expandable):
    amount: Annotated[int, Field(ge=1)] | None = None
    charge: Str | None = None
    payment_intent: Str | None = None
    reason: Literal["duplicate", "fraudulent", "requested_by_customer"] | None = None
    metadata: Metadata | None = None
    instructions_email: Email | None = None
    # Stripe's, for refunds Seikyu cannot make: to a customer's cash balance, or of what a
    # connected account was paid. Accepted here only to be refused in Stripe's terms.
    origin: Literal["customer_balance"] | None = None
    customer: Str | None = None
    currency: Str | None = None
    refund_application_fee: bool | None = None
    reverse_transfer: bool | None = None

    @field_validator("origin", "customer", "currency")
    @classmethod
    def _no_cash_balance(cls, value: str | None) -> str | None:
        if value is not None:
            raise bad(
                "Refunds to a customer's cash balance are not supported: refund a charge or a "
                "PaymentIntent instead."
            )
        return value

    @field_validator("refund_application_fee")
    @classmethod
    def _no_application_fee(cls, value: bool | None) -> bool | None:
        if value:
            raise bad("This charge has no application fee to refund.")
        return value

    @field_validator("reverse_transfer")
    @classmethod
    def _no_transfer(cls, value: bool | None) -> bool | None:
        if value:
            raise bad("This charge has no transfer to reverse.")
        return value

    def fields(self) -> RefundFields:
        data = self.model_dump(
            exclude_unset=True,
            include={
                "amount",
                "charge",
                "payment_intent",
                "reason",
                "metadata",
                "instructions_email",
            },
        )
        return cast(RefundFields, data)


class RefundUpdate(Expandable):
    metadata: Metadata | None = None


class RefundList(ListParams):
    charge: Str | None = None
    payment_intent: Str | None = None


@router.post("/v1/refunds", RefundCreate)
def create(call: Call[RefundCreate]) -> dict[str, Any]:
    return render_refund(service.create(call.uow, call.processor, call.params.fields()))


@router.get("/v1/refunds/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_refund(service.get(call.uow, call.path["id"]))


@router.post("/v1/refunds/{id}", RefundUpdate)
def update(call: Call[RefundUpdate]) -> dict[str, Any]:
    if not call.params.given("metadata"):
        return render_refund(service.get(call.uow, call.path["id"]))
    refund = service.update(call.uow, call.path["id"], call.params.metadata)
    return render_refund(refund)


@router.post("/v1/refunds/{id}/cancel", Expandable)
def cancel(call: Call[Expandable]) -> dict[str, Any]:
    return render_refund(service.cancel(call.uow, call.processor, call.path["id"]))


@router.get("/v1/refunds", RefundList)
def list_refunds(call: Call[RefundList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow,
        lists.window(params),
        charge_id=params.charge,
        payment_intent_id=params.payment_intent,
    )
    return lists.envelope(call.url, page, render_refund)


registry.register(
    registry.ObjectSpec(
        name="refund",
        prefix="re",
        model=Refund,
        render=render_refund,
        load=service.find,
        expandable=frozenset({"charge", "payment_intent"}),
    )
)
