"""Stripe's documented test cards as data: what each card is and how it behaves.

Source: Stripe's testing guide (docs.stripe.com/testing): cards by brand and by country, the
declined-payment table, "decline after attaching", the 3D Secure "authentication and
setup" and "support and availability" tables, "simulate an asynchronous refund", and
the disputes table.
Stripe's test PaymentMethod ids (`pm_card_*`) and Tokens (`tok_*`) name the same cards.

A payment method stores the `key` of its test card (e.g. "visa"), never the number; the
built-in test processor reads the behaviour back from the key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType

from seikyu.core.errors import SeikyuError
from seikyu.payments.domain.cards import Brand, Funding, brand_of, luhn_valid, normalize_number


class ThreeDSecure(StrEnum):
    """When a card demands 3D Secure authentication before a payment can succeed."""

    NONE = "none"
    # 4000002760003184: every payment and every setup, however the card was set up.
    ALWAYS = "always"
    # 4000002500003155: on-session payments always; off-session ones until the card is set up
    # for off-session use (a setup that itself requires authentication).
    UNLESS_SET_UP = "unless_set_up"
    # 4000003800000446: on-session payments; off-session ones succeed as if already set up.
    ALREADY_SET_UP = "already_set_up"


class RefundBehaviour(StrEnum):
    """How a refund of a charge on the card unfolds (Stripe: "simulate an asynchronous refund")."""

    # Every other card: the refund succeeds at once and never changes again.
    IMMEDIATE = "immediate"
    # 4000000000007726: the refund starts pending and later succeeds.
    ASYNC_SUCCESS = "async_success"
    # 4000000000005126: the refund starts succeeded and later fails (expired_or_canceled_card).
    ASYNC_FAILURE = "async_failure"


class RiskBehaviour(StrEnum):
    """The risk Radar gives a payment with the card (Stripe: "Testing Stripe Radar")."""

    # Every other card: the model scores the payment.
    SCORED = "scored"
    # 4000000000009235: an `elevated` risk level (reviewed by the built-in rule).
    ELEVATED = "elevated"
    # 4000000000004954: the `highest` level, blocked unless the built-in block rule is off.
    HIGHEST = "highest"
    # 4100000000000019: the `highest` level, blocked whatever the rules say.
    ALWAYS_BLOCKED = "always_blocked"


@dataclass(frozen=True, slots=True)
class TestDispute:
    """The dispute a card's issuer opens as soon as a payment on it succeeds."""

    __test__ = False  # not a pytest test class, despite the name

    reason: str
    # An inquiry asks questions before any money moves; otherwise a chargeback.
    inquiry: bool = False


@dataclass(frozen=True, slots=True)
class TestCard:
    """One of Stripe's test cards and the outcome it simulates.

    A card with an `error_code` fails every payment with that code (and `decline_code`, which
    Stripe leaves out for expired_card, incorrect_cvc and processing_error). Unless
    `declines_after_attach`, the same error also refuses attaching it to a customer.
    `refunds` says how refunds of its charges unfold.
    """

    __test__ = False  # not a pytest test class, despite the name

    key: str
    number: str
    brand: Brand
    country: str | None
    funding: Funding
    error_code: str | None = None
    decline_code: str | None = None
    declines_after_attach: bool = False
    three_d_secure: ThreeDSecure = ThreeDSecure.NONE
    refunds: RefundBehaviour = RefundBehaviour.IMMEDIATE
    risk: RiskBehaviour = RiskBehaviour.SCORED
    # 4000000000005423: the payment succeeds, and the issuer reports it as fraudulent at once
    # with an early fraud warning.
    early_fraud_warning: bool = False
    # 4000000000000259, 4000000000002685, 4000000000001976: the payment succeeds, and the
    # cardholder disputes it at once.
    dispute: TestDispute | None = None

    @property
    def declines(self) -> bool:
        return self.error_code is not None


def _visa(
    key: str,
    number: str,
    *,
    country: str = "US",
    error_code: str | None = None,
    decline_code: str | None = None,
    declines_after_attach: bool = False,
    three_d_secure: ThreeDSecure = ThreeDSecure.NONE,
    refunds: RefundBehaviour = RefundBehaviour.IMMEDIATE,
    risk: RiskBehaviour = RiskBehaviour.SCORED,
    early_fraud_warning: bool = False,
    dispute: TestDispute | None = None,
) -> TestCard:
    """A credit Visa, the card most of Stripe's behaviour cards are."""
    return TestCard(
        key,
        number,
        "visa",
        country,
        "credit",
        error_code,
        decline_code,
        declines_after_attach,
        three_d_secure,
        refunds,
        risk,
        early_fraud_warning,
        dispute,
    )


_DECLINED = "card_declined"
_3DS = ThreeDSecure

CATALOGUE: tuple[TestCard, ...] = (
    # Cards by brand: payments succeed.
    _visa("visa", "4242424242424242"),
    TestCard("visa_debit", "4000056655665556", "visa", "US", "debit"),
    TestCard("mastercard", "5555555555554444", "mastercard", "US", "credit"),
    TestCard("mastercard_2_series", "2223003122003222", "mastercard", "US", "credit"),
    TestCard("mastercard_debit", "5200828282828210", "mastercard", "US", "debit"),
    TestCard("mastercard_prepaid", "5105105105105100", "mastercard", "US", "prepaid"),
    TestCard("amex", "378282246310005", "amex", "US", "credit"),
    TestCard("discover", "6011111111111117", "discover", "US", "credit"),
    TestCard("diners", "3056930009020004", "diners", "US", "credit"),
    # Stripe notes JCB and UnionPay test cards are issued outside the US.
    TestCard("jcb", "3566002020360505", "jcb", "JP", "credit"),
    TestCard("unionpay", "6200000000000005", "unionpay", "CN", "credit"),
    # Cards by country.
    TestCard("jp", "4000003920000003", "visa", "JP", "credit"),
    # Declined payments.
    _visa("declined", "4000000000000002", error_code=_DECLINED, decline_code="generic_decline"),
    _visa(
        "insufficient_funds",
        "4000000000009995",
        error_code=_DECLINED,
        decline_code="insufficient_funds",
    ),
    _visa("lost_card", "4000000000009987", error_code=_DECLINED, decline_code="lost_card"),
    _visa("stolen_card", "4000000000009979", error_code=_DECLINED, decline_code="stolen_card"),
    _visa("expired_card", "4000000000000069", error_code="expired_card"),
    _visa("incorrect_cvc", "4000000000000127", error_code="incorrect_cvc"),
    _visa("processing_error", "4000000000000119", error_code="processing_error"),
    _visa(
        "velocity_exceeded",
        "4000000000006975",
        error_code=_DECLINED,
        decline_code="card_velocity_exceeded",
    ),
    _visa(
        "charge_customer_fail",
        "4000000000000341",
        error_code=_DECLINED,
        decline_code="generic_decline",
        declines_after_attach=True,
    ),
    # 3D Secure: authentication and setup (the digits after 400000 are the ISO country code).
    _visa(
        "authentication_required_on_setup",
        "4000002500003155",
        country="FR",
        three_d_secure=_3DS.UNLESS_SET_UP,
    ),
    _visa("authentication_required", "4000002760003184", country="DE", three_d_secure=_3DS.ALWAYS),
    _visa(
        "authentication_required_setup_for_off_session",
        "4000003800000446",
        country="IT",
        three_d_secure=_3DS.ALREADY_SET_UP,
    ),
    _visa(
        "authentication_required_insufficient_funds",
        "4000008260003178",
        country="GB",
        error_code=_DECLINED,
        decline_code="insufficient_funds",
        declines_after_attach=True,
        three_d_secure=_3DS.UNLESS_SET_UP,
    ),
    # 3D Secure: support and availability.
    _visa("three_d_secure_required", "4000000000003220", three_d_secure=_3DS.ALWAYS),
    _visa("three_d_secure_optional", "4000000000003055"),
    # Asynchronous refunds.
    _visa("pending_refund", "4000000000007726", refunds=RefundBehaviour.ASYNC_SUCCESS),
    _visa("refund_fail", "4000000000005126", refunds=RefundBehaviour.ASYNC_FAILURE),
    # Radar: a fixed risk level, and an early fraud warning.
    _visa("risk_level_elevated", "4000000000009235", risk=RiskBehaviour.ELEVATED),
    _visa("risk_level_highest", "4000000000004954", risk=RiskBehaviour.HIGHEST),
    _visa(
        "charge_declined_fraudulent",
        "4100000000000019",
        risk=RiskBehaviour.ALWAYS_BLOCKED,
    ),
    _visa("early_fraud_warning", "4000000000005423", early_fraud_warning=True),
    # Disputes.
    _visa("dispute", "4000000000000259", dispute=TestDispute("fraudulent")),
    _visa(
        "dispute_product_not_received",
        "4000000000002685",
        dispute=TestDispute("product_not_received"),
    ),
    _visa("dispute_inquiry", "4000000000001976", dispute=TestDispute("fraudulent", inquiry=True)),
)

# Seikyu's card-testing cards: every valid number beginning with this prefix is a distinct
# card (its own fingerprint) that the issuer declines as `incorrect_number`, so that a test
# can play a card-testing attack (many cards, mostly declined) with as many cards as it needs.
CARD_TESTING_PREFIX = "40000077"
CARD_TESTING = _visa("card_testing", "", error_code="incorrect_number")

CARDS: MappingProxyType[str, TestCard] = MappingProxyType({c.key: c for c in CATALOGUE})
_BY_NUMBER = MappingProxyType({c.number: c for c in CATALOGUE})

# A payment method whose number is not a test card stores this key: a plain card that pays.
# GENERIC's number and brand are placeholders that `card_for_number` fills in.
GENERIC_KEY = "generic"
GENERIC = TestCard(GENERIC_KEY, "", "unknown", "US", "credit")

# Stripe's test ids and the catalogue key each names. The guide's current names come first;
# the plain `pm_card_charge...` / `tok_charge...` decline ids are from its earlier editions.
_ID_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("visa", ("pm_card_visa", "tok_visa", "pm_card_us", "tok_us")),
    ("visa_debit", ("pm_card_visa_debit", "tok_visa_debit")),
    ("mastercard", ("pm_card_mastercard", "tok_mastercard")),
    ("mastercard_debit", ("pm_card_mastercard_debit", "tok_mastercard_debit")),
    ("mastercard_prepaid", ("pm_card_mastercard_prepaid", "tok_mastercard_prepaid")),
    ("amex", ("pm_card_amex", "tok_amex")),
    ("discover", ("pm_card_discover", "tok_discover")),
    ("diners", ("pm_card_diners", "tok_diners")),
    ("jcb", ("pm_card_jcb", "tok_jcb")),
    ("unionpay", ("pm_card_unionpay", "tok_unionpay")),
    ("jp", ("pm_card_jp", "tok_jp")),
    ("declined", ("pm_card_visa_chargeDeclined", "tok_visa_chargeDeclined")),
    (
        "insufficient_funds",
        (
            "pm_card_visa_chargeDeclinedInsufficientFunds",
            "tok_visa_chargeDeclinedInsufficientFunds",
        ),
    ),
    ("lost_card", ("pm_card_visa_chargeDeclinedLostCard", "tok_visa_chargeDeclinedLostCard")),
    (
        "stolen_card",
        ("pm_card_visa_chargeDeclinedStolenCard", "tok_visa_chargeDeclinedStolenCard"),
    ),
    (
        "expired_card",
        (
            "pm_card_chargeDeclinedExpiredCard",
            "tok_chargeDeclinedExpiredCard",
            "tok_visa_chargeDeclinedExpiredCard",
        ),
    ),
    (
        "incorrect_cvc",
        (
            "pm_card_chargeDeclinedIncorrectCvc",
            "tok_chargeDeclinedIncorrectCvc",
            "tok_visa_chargeDeclinedIncorrectCvc",
        ),
    ),
    (
        "processing_error",
        (
            "pm_card_chargeDeclinedProcessingError",
            "tok_chargeDeclinedProcessingError",
            "tok_visa_chargeDeclinedProcessingError",
        ),
    ),
    (
        "velocity_exceeded",
        (
            "pm_card_visa_chargeDeclinedVelocityLimitExceeded",
            "tok_visa_chargeDeclinedVelocityLimitExceeded",
        ),
    ),
    (
        "charge_customer_fail",
        ("pm_card_chargeCustomerFail", "tok_chargeCustomerFail", "tok_visa_chargeCustomerFail"),
    ),
    ("authentication_required_on_setup", ("pm_card_authenticationRequiredOnSetup",)),
    ("authentication_required", ("pm_card_authenticationRequired",)),
    (
        "authentication_required_setup_for_off_session",
        ("pm_card_authenticationRequiredSetupForOffSession",),
    ),
    (
        "authentication_required_insufficient_funds",
        ("pm_card_authenticationRequiredChargeDeclinedInsufficientFunds",),
    ),
    ("three_d_secure_required", ("pm_card_threeDSecure2Required", "tok_threeDSecure2Required")),
    ("three_d_secure_optional", ("pm_card_threeDSecureOptional", "tok_threeDSecureOptional")),
    ("pending_refund", ("pm_card_pendingRefund", "tok_pendingRefund")),
    ("refund_fail", ("pm_card_refundFail", "tok_refundFail")),
    ("risk_level_elevated", ("pm_card_riskLevelElevated", "tok_riskLevelElevated")),
    ("risk_level_highest", ("pm_card_riskLevelHighest", "tok_riskLevelHighest")),
    (
        "charge_declined_fraudulent",
        ("pm_card_chargeDeclinedFraudulent", "tok_chargeDeclinedFraudulent"),
    ),
    ("early_fraud_warning", ("pm_card_createEarlyFraudWarning", "tok_createEarlyFraudWarning")),
    ("dispute", ("pm_card_createDispute", "tok_createDispute")),
    (
        "dispute_product_not_received",
        ("pm_card_createDisputeProductNotReceived", "tok_createDisputeProductNotReceived"),
    ),
    ("dispute_inquiry", ("pm_card_createDisputeInquiry", "tok_createDisputeInquiry")),
    # Earlier names.
    ("declined", ("pm_card_chargeDeclined", "tok_chargeDeclined")),
    (
        "insufficient_funds",
        ("pm_card_chargeDeclinedInsufficientFunds", "tok_chargeDeclinedInsufficientFunds"),
    ),
    ("lost_card", ("pm_card_chargeDeclinedLostCard", "tok_chargeDeclinedLostCard")),
    ("stolen_card", ("pm_card_chargeDeclinedStolenCard", "tok_chargeDeclinedStolenCard")),
    ("velocity_exceeded", ("pm_card_chargeDeclinedVelocityLimitExceeded",)),
)

TEST_IDS: MappingProxyType[str, str] = MappingProxyType(
    {id_: key for key, ids in _ID_GROUPS for id_ in ids}
)


def card_for_key(key: str) -> TestCard | None:
    """The test card a stored key stands for: a catalogue card, `GENERIC`, or None."""
    if key == GENERIC_KEY:
        return GENERIC
    if key == CARD_TESTING.key:
        return CARD_TESTING
    return CARDS.get(key)


def card_for_test_id(id_: str) -> TestCard | None:
    """The card behind one of Stripe's test ids (`pm_card_visa`, `tok_chargeDeclined`, ...)."""
    key = TEST_IDS.get(id_)
    return None if key is None else CARDS[key]


def card_for_number(number: str) -> TestCard | None:
    """The test card for a number as typed; None if it is not a valid card number.

    A valid number outside the catalogue behaves like a plain card of its brand that pays:
    it gets `GENERIC_KEY`, country "US" and funding "credit", so any valid number works
    offline.
    """
    try:
        digits = normalize_number(number)
    except SeikyuError:
        return None
    if not luhn_valid(digits):
        return None
    known = _BY_NUMBER.get(digits)
    if known is not None:
        return known
    if digits.startswith(CARD_TESTING_PREFIX):
        return replace(CARD_TESTING, number=digits)
    return replace(GENERIC, number=digits, brand=brand_of(digits))
