"""/v1/setup_intents"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, cast

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params, Timestamp
from seikyu.api.radar_options import RadarOptions
from seikyu.api.render.setup_intent import render_setup_intent
from seikyu.api.routing import Call, Router
from seikyu.core.errors import SeikyuError
from seikyu.db.models.setup_intents import SetupIntent
from seikyu.payments import setup_intents as service
from seikyu.payments.setup_intents import Confirmation, SetupIntentFields

router = Router()

Str = Annotated[str, Field(max_length=5000)]
THREE_D_SECURE = "payment_method_options[card][request_three_d_secure]"


class CardOptions(Params):
    request_three_d_secure: Literal["any", "automatic", "challenge"] | None = None


class PaymentMethodOptions(Params):
    card: CardOptions | None = None


class AutomaticPaymentMethods(Params):
    enabled: bool
    allow_redirects: Literal["always", "never"] | None = None


class SingleUse(Params):
    amount: Annotated[int, Field(ge=1, le=99_999_999)]
    currency: Annotated[str, Field(min_length=3, max_length=3)]


class OnlineAcceptance(Params):
    ip_address: Str
    user_agent: Str


class OfflineAcceptance(Params):
    pass


class CustomerAcceptance(Params):
    type: Literal["offline", "online"]
    accepted_at: Timestamp | None = None
    offline: OfflineAcceptance | None = None
    online: OnlineAcceptance | None = None


class MandateData(Params):
    customer_acceptance: CustomerAcceptance


def _challenge(options: PaymentMethodOptions | None) -> bool:
    # `any` asks the issuer for 3D Secure, which the test cards' issuers answer without a
    # challenge unless they always want one: the same as `automatic` here.
    card = options.card if options is not None else None
    return card is not None and card.request_three_d_secure == "challenge"


def _refuse_kept_challenge(options: PaymentMethodOptions | None) -> None:
    if _challenge(options):
        raise SeikyuError(
            "Seikyu applies `request_three_d_secure=challenge` to the confirmation it is sent "
            "with only: pass it with `confirm=true`, or when confirming the SetupIntent.",
            param=THREE_D_SECURE,
        )


def _refuse_mandate_data(mandate_data: MandateData | None, *, confirming: bool) -> None:
    if mandate_data is None:
        return
    if not confirming:
        raise SeikyuError(
            "The parameter `mandate_data` cannot be passed when creating a SetupIntent unless "
            "`confirm` is set to true.",
            param="mandate_data",
        )
    raise SeikyuError(
        "Mandates are not supported: Seikyu sets up cards, which need no mandate. Remove "
        "`mandate_data` from the request.",
        param="mandate_data",
    )


class SetupIntentWrite(Expandable):
    # Neither can be unset: `customer=` or `payment_method=` is refused as empty.
    customer: Str = ""
    payment_method: Str = ""
    description: Annotated[str, Field(max_length=1000)] | None = None
    metadata: Metadata | None = None
    payment_method_options: PaymentMethodOptions | None = None
    payment_method_types: Annotated[list[Literal["card"]], Field(min_length=1)] = ["card"]

    def fields(self) -> SetupIntentFields:
        data = self.model_dump(
            exclude_unset=True,
            include={"customer", "payment_method", "usage", "description", "metadata",
                     "payment_method_types"},
        )  # fmt: skip
        return cast(SetupIntentFields, data)


class SetupIntentCreate(SetupIntentWrite):
    confirm: bool = False
    usage: Literal["off_session", "on_session"] = "off_session"
    return_url: Str | None = None
    automatic_payment_methods: AutomaticPaymentMethods | None = None
    single_use: SingleUse | None = None
    mandate_data: MandateData | None = None
    radar_options: RadarOptions | None = None

    def check(self) -> None:
        """Refuse what Seikyu cannot honour, as Stripe refuses what it cannot."""
        if self.return_url is not None and not self.confirm:
            raise SeikyuError(
                "The parameter `return_url` cannot be passed when creating a SetupIntent "
                "unless `confirm` is set to true.",
                param="return_url",
            )
        apm = self.automatic_payment_methods
        if apm is not None and apm.enabled and self.given("payment_method_types"):
            raise SeikyuError(
                "You may only specify one of these parameters: automatic_payment_methods, "
                "payment_method_types.",
                param="automatic_payment_methods",
                code="parameters_exclusive",
            )
        if self.single_use is not None:
            raise SeikyuError(
                "Single-use mandates are only valid for the payment method types acss_debit, "
                "alipay, au_becs_debit, bacs_debit, bancontact, boleto, ideal, link, "
                "sepa_debit and us_bank_account, not for card.",
                param="single_use",
            )
        _refuse_mandate_data(self.mandate_data, confirming=self.confirm)
        if not self.confirm:
            _refuse_kept_challenge(self.payment_method_options)


class SetupIntentUpdate(SetupIntentWrite):
    pass


class SetupIntentConfirm(Expandable):
    payment_method: Str = ""
    return_url: Str | None = None
    payment_method_options: PaymentMethodOptions | None = None
    mandate_data: MandateData | None = None
    radar_options: RadarOptions | None = None


class SetupIntentCancel(Expandable):
    cancellation_reason: Literal["abandoned", "requested_by_customer", "duplicate"] | None = None


class SetupIntentList(ListParams):
    customer: Str | None = None
    payment_method: Str | None = None


def _ip_address(options: RadarOptions | None) -> str | None:
    return None if options is None else options.ip_address


def _showing_the_intent(run: Callable[[], SetupIntent]) -> dict[str, Any]:
    """Run a confirmation; a failed one's error carries the intent, as Stripe's does."""
    try:
        return render_setup_intent(run())
    except SeikyuError as error:
        if isinstance(error.subject, SetupIntent):
            error.extra["setup_intent"] = render_setup_intent(error.subject)
        raise


@router.post("/v1/setup_intents", SetupIntentCreate)
def create(call: Call[SetupIntentCreate]) -> dict[str, Any]:
    params = call.params
    params.check()
    confirmation = (
        Confirmation(
            call.base_url,
            params.return_url,
            _challenge(params.payment_method_options),
            _ip_address(params.radar_options),
        )
        if params.confirm
        else None
    )
    return _showing_the_intent(
        lambda: service.create(call.uow, call.processor, params.fields(), confirmation=confirmation)
    )


@router.get("/v1/setup_intents/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_setup_intent(service.get(call.uow, call.path["id"]))


@router.post("/v1/setup_intents/{id}", SetupIntentUpdate)
def update(call: Call[SetupIntentUpdate]) -> dict[str, Any]:
    _refuse_kept_challenge(call.params.payment_method_options)
    return render_setup_intent(service.update(call.uow, call.path["id"], call.params.fields()))


@router.post("/v1/setup_intents/{id}/confirm", SetupIntentConfirm)
def confirm(call: Call[SetupIntentConfirm]) -> dict[str, Any]:
    params = call.params
    _refuse_mandate_data(params.mandate_data, confirming=True)
    confirmation = Confirmation(
        call.base_url,
        params.return_url,
        _challenge(params.payment_method_options),
        _ip_address(params.radar_options),
    )
    return _showing_the_intent(
        lambda: service.confirm(
            call.uow,
            call.processor,
            call.path["id"],
            confirmation,
            payment_method=params.payment_method or None,
        )
    )


@router.post("/v1/setup_intents/{id}/cancel", SetupIntentCancel)
def cancel(call: Call[SetupIntentCancel]) -> dict[str, Any]:
    intent = service.cancel(call.uow, call.path["id"], call.params.cancellation_reason)
    return render_setup_intent(intent)


@router.get("/v1/setup_intents", SetupIntentList)
def list_setup_intents(call: Call[SetupIntentList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow,
        lists.window(params),
        customer_id=params.customer,
        payment_method_id=params.payment_method,
    )
    return lists.envelope(call.url, page, render_setup_intent)


registry.register(
    registry.ObjectSpec(
        name="setup_intent",
        prefix="seti",
        model=SetupIntent,
        render=render_setup_intent,
        load=service.find,
        expandable=frozenset({"customer", "payment_method"}),
    )
)
