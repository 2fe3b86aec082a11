"""The built-in test processor: Stripe's test-card outcomes, 3D Secure, attach checks,
idempotency, captures, cancels and refunds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.core.errors import ErrorType
from seikyu.payments.domain.cards import BRANDS, brand_of, last4, luhn_valid
from seikyu.payments.domain.processor import (
    CardRequest,
    Outcome,
    OutcomeStatus,
    Processor,
    SetupRequest,
)
from seikyu.payments.domain.test_cards import GENERIC_KEY, card_for_number
from seikyu.payments.test_processor import TestProcessor

SUCCEEDED = OutcomeStatus.SUCCEEDED
FAILED = OutcomeStatus.FAILED
REQUIRES_ACTION = OutcomeStatus.REQUIRES_ACTION


def pay(
    processor: TestProcessor,
    card_key: str,
    *,
    amount: int = 2000,
    key: str = "attempt-1",
    off_session: bool = False,
    setup_for_off_session: bool = False,
    authenticated: bool = False,
    capture: bool = True,
) -> Outcome:
    return processor.authorize(
        CardRequest(
            card_key=card_key,
            amount=amount,
            currency="usd",
            idempotency_key=key,
            off_session=off_session,
            setup_for_off_session=setup_for_off_session,
            authenticated=authenticated,
            capture=capture,
        )
    )


def set_up(processor: TestProcessor, card_key: str, *, authenticated: bool = False) -> Outcome:
    return processor.setup(SetupRequest(card_key, "setup-1", authenticated=authenticated))


def reference_of(outcome: Outcome) -> str:
    assert outcome.reference is not None
    return outcome.reference


def test_the_test_processor_is_a_processor() -> None:
    processor: Processor = TestProcessor()
    assert processor.attach_check("visa").status is SUCCEEDED


# Successful payments


def test_a_plain_card_is_approved_with_stripes_outcome() -> None:
    assert pay(TestProcessor(), "visa", key="attempt-1") == Outcome(
        SUCCEEDED,
        "tp_ch_3dafcfaa6218343276ff4226",  # sha256 of the idempotency key
        network_status="approved_by_network",
        outcome_type="authorized",
        seller_message="Payment complete.",
    )


def test_a_valid_number_outside_the_catalogue_pays() -> None:
    assert pay(TestProcessor(), GENERIC_KEY).status is SUCCEEDED


def test_an_unknown_card_key_is_refused() -> None:
    with pytest.raises(ValueError, match="no test card"):
        pay(TestProcessor(), "4242424242424242")


def test_a_payment_amount_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        pay(TestProcessor(), "visa", amount=0)


# Declines


@pytest.mark.parametrize(
    ("card_key", "error_code", "decline_code", "message"),
    [
        ("declined", "card_declined", "generic_decline", "Your card was declined."),
        ("insufficient_funds", "card_declined", "insufficient_funds",
         "Your card has insufficient funds."),
        ("lost_card", "card_declined", "lost_card", "Your card was declined."),
        ("stolen_card", "card_declined", "stolen_card", "Your card was declined."),
        ("expired_card", "expired_card", None, "Your card has expired."),
        ("incorrect_cvc", "incorrect_cvc", None, "Your card's security code is incorrect."),
        ("processing_error", "processing_error", None,
         "An error occurred while processing your card. Try again in a little bit."),
        ("velocity_exceeded", "card_declined", "card_velocity_exceeded",
         "Your card was declined for making repeated attempts too frequently or exceeding its "
         "amount limit."),
        ("charge_customer_fail", "card_declined", "generic_decline", "Your card was declined."),
    ],
)  # fmt: skip
def test_each_declining_card_fails_with_stripes_codes_and_message(
    card_key: str, error_code: str, decline_code: str | None, message: str
) -> None:
    outcome = pay(TestProcessor(), card_key)
    assert (outcome.status, outcome.error_code, outcome.decline_code, outcome.message) == (
        FAILED,
        error_code,
        decline_code,
        message,
    )
    assert (outcome.network_status, outcome.outcome_type) == (
        "declined_by_network",
        "issuer_declined",
    )
    assert reference_of(outcome).startswith("tp_ch_")


def test_a_generic_decline_tells_the_seller_the_bank_gave_no_details() -> None:
    outcome = pay(TestProcessor(), "declined")
    assert outcome.seller_message == (
        "The bank did not return any further details with this decline."
    )
    assert outcome.reason == "generic_decline"


def test_a_specific_decline_tells_the_seller_the_banks_code() -> None:
    outcome = pay(TestProcessor(), "expired_card")
    assert outcome.seller_message == "The bank returned the decline code `expired_card`."
    assert outcome.reason == "expired_card"


def test_a_decline_becomes_stripes_card_error() -> None:
    error = pay(TestProcessor(), "insufficient_funds").card_error()
    assert error.type is ErrorType.CARD
    assert error.body() == {
        "type": "card_error",
        "message": "Your card has insufficient funds.",
        "code": "card_declined",
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "decline_code": "insufficient_funds",
    }


@pytest.mark.parametrize(("card_key", "param"), [("expired_card", "exp_month"),
                                                  ("incorrect_cvc", "cvc")])  # fmt: skip
def test_a_card_error_names_the_card_detail_stripe_blames(card_key: str, param: str) -> None:
    assert pay(TestProcessor(), card_key).card_error().param == param


def test_an_approval_is_not_a_card_error() -> None:
    with pytest.raises(ValueError, match="failed"):
        pay(TestProcessor(), "visa").card_error()


# 3D Secure


def test_an_always_authenticate_card_waits_for_authentication_on_session() -> None:
    outcome = pay(TestProcessor(), "authentication_required")
    assert outcome == Outcome(REQUIRES_ACTION)
    assert outcome.needs_authentication


def test_an_always_authenticate_card_pays_once_authenticated() -> None:
    assert pay(TestProcessor(), "authentication_required", authenticated=True).status is SUCCEEDED


def test_an_always_authenticate_card_declines_off_session_even_when_set_up() -> None:
    outcome = pay(
        TestProcessor(), "authentication_required", off_session=True, setup_for_off_session=True
    )
    assert (outcome.status, outcome.error_code, outcome.decline_code, outcome.message) == (
        FAILED,
        "authentication_required",
        "authentication_required",
        "Your card was declined. This transaction requires authentication.",
    )
    assert outcome.needs_authentication


def test_an_authenticate_unless_set_up_card_declines_off_session_before_set_up() -> None:
    outcome = pay(TestProcessor(), "authentication_required_on_setup", off_session=True)
    assert (outcome.status, outcome.decline_code) == (FAILED, "authentication_required")


def test_an_authenticate_unless_set_up_card_pays_off_session_once_set_up() -> None:
    outcome = pay(
        TestProcessor(),
        "authentication_required_on_setup",
        off_session=True,
        setup_for_off_session=True,
    )
    assert outcome.status is SUCCEEDED


def test_an_authenticate_unless_set_up_card_still_authenticates_on_session_once_set_up() -> None:
    outcome = pay(TestProcessor(), "authentication_required_on_setup", setup_for_off_session=True)
    assert outcome.status is REQUIRES_ACTION


def test_an_already_set_up_card_pays_off_session_without_a_setup() -> None:
    outcome = pay(
        TestProcessor(), "authentication_required_setup_for_off_session", off_session=True
    )
    assert outcome.status is SUCCEEDED


def test_an_already_set_up_card_authenticates_on_session() -> None:
    outcome = pay(TestProcessor(), "authentication_required_setup_for_off_session")
    assert outcome.status is REQUIRES_ACTION


def test_the_3d_secure_insufficient_funds_card_declines_after_authentication() -> None:
    processor = TestProcessor()
    assert pay(processor, "authentication_required_insufficient_funds").status is REQUIRES_ACTION
    outcome = pay(
        processor, "authentication_required_insufficient_funds", key="attempt-2", authenticated=True
    )
    assert (outcome.status, outcome.decline_code) == (FAILED, "insufficient_funds")


def test_a_3d_secure_optional_card_pays_without_authentication() -> None:
    assert pay(TestProcessor(), "three_d_secure_optional").status is SUCCEEDED


# Attaching and setting up


@pytest.mark.parametrize("card_key", ["charge_customer_fail", "visa", "authentication_required"])
def test_cards_that_decline_only_when_charged_can_be_attached(card_key: str) -> None:
    assert TestProcessor().attach_check(card_key) == Outcome(SUCCEEDED)


def test_the_decline_after_attaching_card_attaches_then_declines() -> None:
    processor = TestProcessor()
    assert processor.attach_check("charge_customer_fail").status is SUCCEEDED
    outcome = pay(processor, "charge_customer_fail", off_session=True)
    assert (outcome.status, outcome.error_code, outcome.decline_code) == (
        FAILED,
        "card_declined",
        "generic_decline",
    )


@pytest.mark.parametrize(
    ("card_key", "error_code"),
    [("declined", "card_declined"), ("insufficient_funds", "card_declined"),
     ("expired_card", "expired_card"), ("processing_error", "processing_error")],
)  # fmt: skip
def test_declining_cards_cannot_be_attached(card_key: str, error_code: str) -> None:
    outcome = TestProcessor().attach_check(card_key)
    assert (outcome.status, outcome.error_code, outcome.reference) == (FAILED, error_code, None)


@pytest.mark.parametrize(
    "card_key", ["authentication_required", "authentication_required_on_setup"]
)
def test_setting_up_a_card_that_wants_3d_secure_waits_for_authentication(card_key: str) -> None:
    processor = TestProcessor()
    assert set_up(processor, card_key).status is REQUIRES_ACTION


def test_setting_up_a_card_succeeds_once_authenticated() -> None:
    processor = TestProcessor()
    assert set_up(processor, "authentication_required_on_setup", authenticated=True) == Outcome(
        SUCCEEDED
    )


@pytest.mark.parametrize(
    "card_key", ["visa", "charge_customer_fail", "authentication_required_setup_for_off_session"]
)
def test_setting_up_a_card_without_3d_secure_needs_succeeds_at_once(card_key: str) -> None:
    assert set_up(TestProcessor(), card_key).status is SUCCEEDED


def test_setting_up_a_declining_card_fails_like_attaching_it() -> None:
    outcome = set_up(TestProcessor(), "declined")
    assert (outcome.status, outcome.decline_code) == (FAILED, "generic_decline")


# Idempotency


def test_the_same_idempotency_key_returns_the_first_outcome() -> None:
    processor = TestProcessor()
    first = pay(processor, "visa", key="pi_1-attempt-1")
    assert pay(processor, "visa", key="pi_1-attempt-1") == first


def test_references_derive_from_the_idempotency_key_alone() -> None:
    assert pay(TestProcessor(), "visa", key="k") == pay(TestProcessor(), "visa", key="k")
    assert pay(TestProcessor(), "visa", key="k") != pay(TestProcessor(), "visa", key="other")


def test_any_process_answers_a_replay_the_same_way() -> None:
    # No memory: a fresh instance (another server process, or after a restart) gives the
    # outcome the first one gave, so a request replayed after a crash is safe.
    first = pay(TestProcessor(), "declined", key="pi_9-attempt-1")
    assert pay(TestProcessor(), "declined", key="pi_9-attempt-1") == first


# Capture, cancel, refund


def test_an_authorization_captures_for_its_amount() -> None:
    processor = TestProcessor()
    reference = reference_of(pay(processor, "visa", amount=1000, capture=False))
    captured = processor.capture(reference, 1000, "capture-1")
    assert (captured.status, captured.reference) == (SUCCEEDED, reference)


def test_a_reference_the_processor_never_issued_is_refused() -> None:
    processor = TestProcessor()
    with pytest.raises(ValueError, match="issued no charge"):
        processor.capture("ch_elsewhere", 100, "capture-1")
    with pytest.raises(ValueError, match="issued no charge"):
        processor.refund("ch_elsewhere", 100, "refund-1")
    with pytest.raises(ValueError, match="issued no charge"):
        processor.cancel("ch_elsewhere", "cancel-1")


@pytest.mark.parametrize("amount", [0, -5])
def test_captures_and_refunds_need_a_positive_amount(amount: int) -> None:
    processor = TestProcessor()
    reference = reference_of(pay(processor, "visa", capture=False))
    with pytest.raises(ValueError, match="positive"):
        processor.capture(reference, amount, "capture-1")
    with pytest.raises(ValueError, match="positive"):
        processor.refund(reference, amount, "refund-1")


def test_an_authorization_can_be_released() -> None:
    processor = TestProcessor()
    reference = reference_of(pay(processor, "visa", capture=False))
    assert processor.cancel(reference, "cancel-1") == Outcome(SUCCEEDED, reference)


def test_a_refund_has_its_own_reference() -> None:
    processor = TestProcessor()
    reference = reference_of(pay(processor, "visa"))
    refund = processor.refund(reference, 2000, "refund-1")
    assert refund.status is SUCCEEDED
    assert reference_of(refund).startswith("tp_re_")


def test_a_replayed_refund_refunds_once() -> None:
    processor = TestProcessor()
    reference = reference_of(pay(processor, "visa", amount=1000))
    first = processor.refund(reference, 600, "refund-1")
    assert processor.refund(reference, 600, "refund-1") == first
    assert processor.refund(reference, 400, "refund-2") != first


# Any valid number


def luhn_complete(partial: str) -> str:
    return next(partial + d for d in "0123456789" if luhn_valid(partial + d))


@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_every_luhn_valid_16_digit_number_gets_a_brand_last4_and_an_outcome(partial: str) -> None:
    number = luhn_complete(partial)
    card = card_for_number(number)
    assert card is not None
    assert brand_of(number) in BRANDS
    assert last4(number) == number[-4:]
    outcome = pay(TestProcessor(), card.key)
    assert outcome.status in OutcomeStatus
