"""/v1/payment_intents"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, cast

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Address, Expandable, ListParams, Metadata, Params
from seikyu.api.radar_options import RadarOptions
from seikyu.api.render.payment_intent import render_payment_intent
from seikyu.api.routing import Call, Router
from seikyu.core.errors import SeikyuError
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.payments import payment_intents as service
from seikyu.payments.payment_intents import ConfirmFields, PaymentIntentFields, Redirect

router = Router()

Str = Annotated[str, Field(max_length=5000)]
Amount = Annotated[int, Field(ge=1, le=99_999_999_999)]
Currency = Annotated[str, Field(min_length=3, max_length=3)]
Descriptor = Annotated[str, Field(max_length=22)]
CaptureMethod = Literal["automatic", "automatic_async", "manual"]
FutureUsage = Literal["on_session", "off_session"]


class Shipping(Params):
    address: Address
    name: Str
    carrier: Str | None = None
    phone: Str | None = None
    tracking_number: Str | None = None


class AutomaticPaymentMethods(Params):
    enabled: bool
    allow_redirects: Literal["always", "never"] | None = None


class PaymentIntentWrite(Expandable):
    capture_method: CaptureMethod = "automatic_async"
    customer: Str | None = None
    description: Annotated[str, Field(max_length=1000)] | None = None
    metadata: Metadata | None = None
    payment_method: Str | None = None
    receipt_email: Annotated[str, Field(max_length=800)] | None = None
    setup_future_usage: FutureUsage | None = None
    shipping: Shipping | None = None
    statement_descriptor: Descriptor | None = None
    statement_descriptor_suffix: Descriptor | None = None
    radar_options: RadarOptions | None = None

    def fields(self) -> PaymentIntentFields:
        data = self.model_dump(
            exclude_unset=True,
            exclude={"expand", "confirm", "off_session", "automatic_payment_methods",
                     "return_url"},
        )  # fmt: skip
        return cast(PaymentIntentFields, data)


class PaymentIntentCreate(PaymentIntentWrite):
    amount: Amount
    currency: Currency
    confirm: bool = False
    confirmation_method: Literal["automatic", "manual"] = "automatic"
    off_session: bool = False
    payment_method_types: Annotated[list[Literal["card"]], Field(min_length=1)] = ["card"]
    automatic_payment_methods: AutomaticPaymentMethods | None = None
    return_url: Str | None = None


class PaymentIntentUpdate(PaymentIntentWrite):
    amount: Amount = 1
    currency: Currency = "usd"


class PaymentIntentConfirm(Expandable):
    capture_method: CaptureMethod = "automatic_async"
    off_session: bool = False
    payment_method: Str = ""
    receipt_email: Annotated[str, Field(max_length=800)] | None = None
    return_url: Str | None = None
    setup_future_usage: FutureUsage | None = None
    radar_options: RadarOptions | None = None

    def fields(self) -> ConfirmFields:
        data = self.model_dump(exclude_unset=True, exclude={"expand", "return_url"})
        return cast(ConfirmFields, data)


class PaymentIntentCapture(Expandable):
    amount_to_capture: Annotated[int, Field(ge=1, le=99_999_999_999)] | None = None


class PaymentIntentCancel(Expandable):
    cancellation_reason: (
        Literal["duplicate", "fraudulent", "requested_by_customer", "abandoned"] | None
    ) = None


class PaymentIntentList(ListParams):
    customer: Str | None = None


def _showing_the_intent(run: Callable[[], PaymentIntent]) -> dict[str, Any]:
    """Run a confirmation; a declined one's error carries the intent, as Stripe's does."""
    try:
        return render_payment_intent(run())
    except SeikyuError as error:
        if isinstance(error.subject, PaymentIntent):
            error.extra["payment_intent"] = render_payment_intent(error.subject)
        raise


@router.post("/v1/payment_intents", PaymentIntentCreate)
def create(call: Call[PaymentIntentCreate]) -> dict[str, Any]:
    params = call.params
    return _showing_the_intent(
        lambda: service.create(
            call.uow,
            call.processor,
            params.fields(),
            confirm=params.confirm,
            off_session=params.off_session,
            redirect=Redirect(call.base_url, params.return_url),
        )
    )


@router.get("/v1/payment_intents/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_payment_intent(service.get(call.uow, call.path["id"]))


@router.post("/v1/payment_intents/{id}", PaymentIntentUpdate)
def update(call: Call[PaymentIntentUpdate]) -> dict[str, Any]:
    return render_payment_intent(service.update(call.uow, call.path["id"], call.params.fields()))


@router.post("/v1/payment_intents/{id}/confirm", PaymentIntentConfirm)
def confirm(call: Call[PaymentIntentConfirm]) -> dict[str, Any]:
    return _showing_the_intent(
        lambda: service.confirm(
            call.uow,
            call.processor,
            call.path["id"],
            call.params.fields(),
            redirect=Redirect(call.base_url, call.params.return_url),
        )
    )


@router.post("/v1/payment_intents/{id}/capture", PaymentIntentCapture)
def capture(call: Call[PaymentIntentCapture]) -> dict[str, Any]:
    intent = service.capture(
        call.uow, call.processor, call.path["id"], call.params.amount_to_capture
    )
    return render_payment_intent(intent)


@router.post("/v1/payment_intents/{id}/cancel", PaymentIntentCancel)
def cancel(call: Call[PaymentIntentCancel]) -> dict[str, Any]:
    intent = service.cancel(
        call.uow, call.processor, call.path["id"], call.params.cancellation_reason
    )
    return render_payment_intent(intent)


@router.get("/v1/payment_intents", PaymentIntentList)
def list_payment_intents(call: Call[PaymentIntentList]) -> dict[str, Any]:
    page = service.page(call.uow, lists.window(call.params), customer_id=call.params.customer)
    return lists.envelope(call.url, page, render_payment_intent)


registry.register(
    registry.ObjectSpec(
        name="payment_intent",
        prefix="pi",
        model=PaymentIntent,
        render=render_payment_intent,
        load=service.find,
        expandable=frozenset({"customer", "payment_method", "latest_charge", "review"}),
    )
)
