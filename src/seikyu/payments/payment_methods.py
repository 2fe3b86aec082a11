"""Payment method use cases: create from card details or a test id, attach, detach, update.

A card number and CVC live only for the request that creates the payment method: it is
checked, reduced to brand, country, funding, last4, expiry and a keyed fingerprint, and
exchanged for the processor's handle of the card. Neither is stored or logged.
"""

from __future__ import annotations

from typing import Any, TypedDict

from seikyu.accounts import settings as account_settings
from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, no_such
from seikyu.customers import service as customers
from seikyu.db.models.payment_methods import PaymentMethod
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments import payment_method_repository as repository
from seikyu.payments.domain import cards
from seikyu.payments.domain.processor import OutcomeStatus, Processor
from seikyu.payments.domain.test_cards import GENERIC_KEY, TestCard, card_for_number
from seikyu.payments.domain.test_cards import card_for_test_id as test_card_for_id

TYPES = ("card",)
# How long a card made from a test id (pm_card_visa, tok_visa) stays valid.
TEST_CARD_YEARS = 3


class CardInput(TypedDict, total=False):
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    token: str


class PaymentMethodFields(TypedDict, total=False):
    """Fields a request may set; a None value clears an optional field."""

    billing_details: dict[str, Any] | None
    metadata: dict[str, str] | None
    allow_redisplay: str
    card: CardInput


def create(uow: UnitOfWork, type_: str, fields: PaymentMethodFields) -> PaymentMethod:
    if type_ not in TYPES:
        raise SeikyuError(f"Invalid type: must be one of {', '.join(TYPES)}", param="type")
    card = fields.get("card")
    if card is None:
        raise SeikyuError("Missing required param: card.", param="card", code="parameter_missing")
    token = card.get("token")
    if token is not None:
        if set(card) - {"token"}:
            raise SeikyuError(
                "You cannot pass card details together with a card token.",
                param="card[token]",
                code="parameters_exclusive",
            )
        test_card = test_card_for_id(token)
        if test_card is None:
            raise no_such("token", token, param="card[token]")
        return _from_test_card(uow, test_card, fields)
    return _from_number(uow, card, fields)


def from_test_id(uow: UnitOfWork, test_id: str, *, param: str | None) -> PaymentMethod:
    """A new payment method for one of Stripe's test ids (`pm_card_visa`, `tok_visa`), as
    Stripe makes one each time such an id is used in test mode."""
    test_card = None if uow.livemode else test_card_for_id(test_id)
    if test_card is None:
        raise no_such("payment_method", test_id, param=param)
    return _from_test_card(uow, test_card, {})


def resolve(uow: UnitOfWork, payment_method_id: str, *, param: str | None) -> PaymentMethod:
    """A stored payment method, or a new one when the id is a test id."""
    found = find(uow, payment_method_id)
    if found is not None:
        return found
    return from_test_id(uow, payment_method_id, param=param)


def attach(
    uow: UnitOfWork, processor: Processor, payment_method_id: str, customer_id: str
) -> PaymentMethod:
    payment_method = resolve(uow, payment_method_id, param="id")
    customer = customers.get_active(uow, customer_id, param="customer")
    _check_usable(payment_method)
    if payment_method.customer_id == customer.id:
        return payment_method
    if payment_method.customer_id is not None:
        raise SeikyuError(
            "The payment method you provided has already been attached to a customer.",
            code="payment_method_unexpected_state",
        )
    outcome = processor.attach_check(payment_method.processor_card)
    if outcome.status is not OutcomeStatus.SUCCEEDED:
        raise outcome.card_error()
    link(uow, payment_method, customer.id)
    return payment_method


def link(uow: UnitOfWork, payment_method: PaymentMethod, customer_id: str) -> None:
    """Attach a checked card to a customer (a successful payment has checked it)."""
    uow.before_update("payment_method.attached", payment_method)
    payment_method.customer_id = customer_id
    payment_method.attached_at = uow.now
    if payment_method.cvc_check == "unchecked":
        payment_method.cvc_check = "pass"


def check_usable_by(payment_method: PaymentMethod, customer_id: str | None, *, param: str) -> None:
    """A card a payment may use: not detached, and not another customer's. Refusals name
    `param`."""
    _check_usable(payment_method, param=param)
    if payment_method.customer_id is not None and payment_method.customer_id != customer_id:
        raise SeikyuError(
            f"The provided PaymentMethod {payment_method.id} belongs to another customer "
            "or was attached to a customer and needs the intent to name that customer.",
            param=param,
        )


def detach(uow: UnitOfWork, payment_method_id: str) -> PaymentMethod:
    payment_method = get(uow, payment_method_id)
    if payment_method.customer_id is None:
        raise SeikyuError(
            "The payment method you provided is not attached to a customer so detachment "
            "is impossible.",
            code="payment_method_unexpected_state",
        )
    customers.forget_payment_method(uow, payment_method.customer_id, payment_method.id)
    uow.before_update("payment_method.detached", payment_method)
    payment_method.customer_id = None
    payment_method.detached_at = uow.now
    return payment_method


def update(uow: UnitOfWork, payment_method_id: str, fields: PaymentMethodFields) -> PaymentMethod:
    payment_method = get(uow, payment_method_id)
    if payment_method.customer_id is None:
        raise SeikyuError(
            "You must save this PaymentMethod to a customer before you can update it.",
            code="payment_method_unexpected_state",
        )
    card = fields.get("card") or {}
    exp_month = card.get("exp_month", payment_method.card_exp_month)
    exp_year = card.get("exp_year", payment_method.card_exp_year)
    if "exp_month" in card or "exp_year" in card:
        cards.check_expiry(exp_month, exp_year, today=uow.now.date())
    uow.before_update("payment_method.updated", payment_method)
    payment_method.card_exp_month = exp_month
    payment_method.card_exp_year = cards.full_expiry_year(exp_year, today=uow.now.date())
    if "billing_details" in fields:
        payment_method.billing_details = _merge_details(
            payment_method.billing_details, fields["billing_details"]
        )
    if "allow_redisplay" in fields:
        payment_method.allow_redisplay = fields["allow_redisplay"]
    if "metadata" in fields:
        payment_method.metadata_ = metadata.merge(payment_method.metadata_, fields["metadata"])
    return payment_method


def require_attached(
    uow: UnitOfWork, payment_method_id: str, customer_id: str, *, param: str
) -> PaymentMethod:
    """A payment method of this customer, for settings that name one (a default)."""
    payment_method = find(uow, payment_method_id)
    if payment_method is None:
        raise no_such("PaymentMethod", payment_method_id, param=param)
    if payment_method.customer_id != customer_id:
        raise SeikyuError(
            f"The customer does not have a payment method with the ID {payment_method_id}. "
            "The payment method must be attached to the customer.",
            param=param,
        )
    return payment_method


def get(uow: UnitOfWork, payment_method_id: str, *, param: str | None = "id") -> PaymentMethod:
    payment_method = find(uow, payment_method_id)
    if payment_method is None:
        raise no_such("payment_method", payment_method_id, param=param)
    return payment_method


def find(uow: UnitOfWork, payment_method_id: str) -> PaymentMethod | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, payment_method_id)


def page(
    uow: UnitOfWork, window: Window, *, customer_id: str | None, type_: str | None
) -> Page[PaymentMethod]:
    if customer_id is not None:
        customers.get_active(uow, customer_id, param="customer")
    return repository.page(
        uow.session, uow.account_id, uow.livemode, window, customer_id=customer_id, type_=type_
    )


def _from_number(uow: UnitOfWork, card: CardInput, fields: PaymentMethodFields) -> PaymentMethod:
    for name in ("number", "exp_month", "exp_year"):
        if name not in card:
            raise SeikyuError(
                f"Missing required param: card[{name}].",
                param=f"card[{name}]",
                code="parameter_missing",
            )
    today = uow.now.date()
    cards.check_card(
        card["number"], card["exp_month"], card["exp_year"], card.get("cvc"), today=today
    )
    digits = cards.normalize_number(card["number"])
    test_card = card_for_number(digits)
    assert test_card is not None  # check_card accepted the number
    if uow.livemode:
        _refuse_in_live_mode(test_card)
    return _store(
        uow,
        test_card,
        digits,
        exp_month=card["exp_month"],
        exp_year=cards.full_expiry_year(card["exp_year"], today=today),
        cvc_check="unchecked" if "cvc" in card else None,
        fields=fields,
    )


def _from_test_card(
    uow: UnitOfWork, test_card: TestCard, fields: PaymentMethodFields
) -> PaymentMethod:
    if uow.livemode:
        _refuse_in_live_mode(test_card)
    return _store(
        uow,
        test_card,
        test_card.number,
        exp_month=uow.now.month,
        exp_year=uow.now.year + TEST_CARD_YEARS,
        cvc_check="unchecked",
        fields=fields,
    )


def _store(
    uow: UnitOfWork,
    test_card: TestCard,
    digits: str,
    *,
    exp_month: int,
    exp_year: int,
    cvc_check: str | None,
    fields: PaymentMethodFields,
) -> PaymentMethod:
    key = account_settings.card_fingerprint_key(uow, uow.account_id)
    payment_method = PaymentMethod(
        id=uow.new_id("pm"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        type="card",
        customer_id=None,
        attached_at=None,
        detached_at=None,
        billing_details=_merge_details({}, fields.get("billing_details")),
        allow_redisplay=fields.get("allow_redisplay") or "unspecified",
        card_brand=test_card.brand,
        card_country=test_card.country,
        card_funding=test_card.funding,
        card_last4=cards.last4(digits),
        card_bin=digits[:6],
        card_exp_month=exp_month,
        card_exp_year=exp_year,
        card_fingerprint=cards.fingerprint(digits, key),
        processor_card=test_card.key,
        cvc_check=cvc_check,
        set_up_for_off_session=False,
        metadata_=metadata.initial(fields.get("metadata")),
    )
    repository.add(uow.session, payment_method)
    return payment_method


def _refuse_in_live_mode(test_card: TestCard) -> None:
    if test_card.key != GENERIC_KEY:
        raise cards.card_error(
            "Your card was declined. Your request was in live mode, but used a known test card.",
            code="card_declined",
            decline_code="test_mode_live_card",
        )
    raise SeikyuError("No card processor is configured for live mode.")


def _check_usable(payment_method: PaymentMethod, *, param: str | None = None) -> None:
    if payment_method.detached_at is not None:
        raise SeikyuError(
            "This PaymentMethod was previously used without being attached to a Customer or "
            "was detached from a Customer, and may not be used again.",
            code="payment_method_unexpected_state",
            param=param,
        )


def _merge_details(current: dict[str, Any], change: dict[str, Any] | None) -> dict[str, Any]:
    """Named sub-fields change, others stay; `billing_details=` clears them all."""
    if change is None:
        return {}
    merged = dict(current)
    for name, value in change.items():
        if name == "address" and isinstance(value, dict):
            merged["address"] = {**(merged.get("address") or {}), **value}
        else:
            merged[name] = value
    return merged
