"""The test-card catalogue against Stripe's testing guide, written out by hand here so the
catalogue is checked against the guide rather than against itself."""

from __future__ import annotations

import pytest

from seikyu.payments.domain.cards import FUNDINGS, brand_of, last4, luhn_valid
from seikyu.payments.domain.test_cards import (
    CARDS,
    CATALOGUE,
    GENERIC,
    GENERIC_KEY,
    TEST_IDS,
    TestCard,
    ThreeDSecure,
    card_for_key,
    card_for_number,
    card_for_test_id,
)

# Stripe's "cards by brand" and "cards by country" tables: number, brand, country, funding.
SUCCESSFUL_CARDS = [
    ("4242424242424242", "visa", "US", "credit"),
    ("4000056655665556", "visa", "US", "debit"),
    ("5555555555554444", "mastercard", "US", "credit"),
    ("2223003122003222", "mastercard", "US", "credit"),
    ("5200828282828210", "mastercard", "US", "debit"),
    ("5105105105105100", "mastercard", "US", "prepaid"),
    ("378282246310005", "amex", "US", "credit"),
    ("6011111111111117", "discover", "US", "credit"),
    ("3056930009020004", "diners", "US", "credit"),
    ("3566002020360505", "jcb", "JP", "credit"),
    ("6200000000000005", "unionpay", "CN", "credit"),
    ("4000003920000003", "visa", "JP", "credit"),
]

# Stripe's "declined payments" table: number, error code, decline code ("n/a" -> None).
DECLINING_CARDS = [
    ("4000000000000002", "card_declined", "generic_decline"),
    ("4000000000009995", "card_declined", "insufficient_funds"),
    ("4000000000009987", "card_declined", "lost_card"),
    ("4000000000009979", "card_declined", "stolen_card"),
    ("4000000000000069", "expired_card", None),
    ("4000000000000127", "incorrect_cvc", None),
    ("4000000000000119", "processing_error", None),
    ("4000000000006975", "card_declined", "card_velocity_exceeded"),
    ("4000000000000341", "card_declined", "generic_decline"),
]

# Stripe's 3D Secure tables.
AUTHENTICATING_CARDS = [
    ("4000002500003155", ThreeDSecure.UNLESS_SET_UP),
    ("4000002760003184", ThreeDSecure.ALWAYS),
    ("4000003800000446", ThreeDSecure.ALREADY_SET_UP),
    ("4000008260003178", ThreeDSecure.UNLESS_SET_UP),
    ("4000000000003220", ThreeDSecure.ALWAYS),
    ("4000000000003055", ThreeDSecure.NONE),
]

# Stripe's test ids and the number of the card each names.
TEST_ID_NUMBERS = [
    ("pm_card_visa", "4242424242424242"),
    ("pm_card_visa_debit", "4000056655665556"),
    ("pm_card_mastercard", "5555555555554444"),
    ("pm_card_mastercard_debit", "5200828282828210"),
    ("pm_card_amex", "378282246310005"),
    ("pm_card_discover", "6011111111111117"),
    ("pm_card_diners", "3056930009020004"),
    ("pm_card_jcb", "3566002020360505"),
    ("pm_card_unionpay", "6200000000000005"),
    ("pm_card_jp", "4000003920000003"),
    ("pm_card_visa_chargeDeclined", "4000000000000002"),
    ("pm_card_chargeDeclined", "4000000000000002"),
    ("pm_card_chargeDeclinedInsufficientFunds", "4000000000009995"),
    ("pm_card_chargeDeclinedLostCard", "4000000000009987"),
    ("pm_card_chargeDeclinedStolenCard", "4000000000009979"),
    ("pm_card_chargeDeclinedExpiredCard", "4000000000000069"),
    ("pm_card_chargeDeclinedIncorrectCvc", "4000000000000127"),
    ("pm_card_chargeDeclinedProcessingError", "4000000000000119"),
    ("pm_card_visa_chargeDeclinedVelocityLimitExceeded", "4000000000006975"),
    ("pm_card_chargeCustomerFail", "4000000000000341"),
    ("pm_card_authenticationRequired", "4000002760003184"),
    ("pm_card_authenticationRequiredOnSetup", "4000002500003155"),
    ("pm_card_authenticationRequiredSetupForOffSession", "4000003800000446"),
    ("pm_card_pendingRefund", "4000000000007726"),
    ("pm_card_refundFail", "4000000000005126"),
    ("pm_card_createDispute", "4000000000000259"),
    ("pm_card_createDisputeProductNotReceived", "4000000000002685"),
    ("pm_card_createDisputeInquiry", "4000000000001976"),
    ("tok_visa", "4242424242424242"),
    ("tok_mastercard", "5555555555554444"),
    ("tok_amex", "378282246310005"),
    ("tok_jcb", "3566002020360505"),
    ("tok_chargeDeclined", "4000000000000002"),
    ("tok_chargeDeclinedInsufficientFunds", "4000000000009995"),
    ("tok_visa_chargeDeclinedLostCard", "4000000000009987"),
    ("tok_chargeDeclinedExpiredCard", "4000000000000069"),
    ("tok_chargeCustomerFail", "4000000000000341"),
    ("tok_pendingRefund", "4000000000007726"),
    ("tok_refundFail", "4000000000005126"),
    ("tok_createDispute", "4000000000000259"),
]

# ISO 3166-1 numeric codes of the countries Stripe's "400000CCC..." test numbers carry.
ISO_NUMERIC = {"250": "FR", "276": "DE", "380": "IT", "392": "JP", "826": "GB"}


def by_number(number: str) -> TestCard:
    return next(card for card in CATALOGUE if card.number == number)


def card_id(card: TestCard) -> str:
    return card.key


@pytest.mark.parametrize(("number", "brand", "country", "funding"), SUCCESSFUL_CARDS)
def test_each_successful_card_has_stripes_brand_country_and_funding(
    number: str, brand: str, country: str, funding: str
) -> None:
    card = by_number(number)
    assert (card.brand, card.country, card.funding) == (brand, country, funding)
    assert not card.declines


@pytest.mark.parametrize(("number", "error_code", "decline_code"), DECLINING_CARDS)
def test_each_declining_card_has_stripes_error_and_decline_codes(
    number: str, error_code: str, decline_code: str | None
) -> None:
    card = by_number(number)
    assert (card.error_code, card.decline_code) == (error_code, decline_code)


@pytest.mark.parametrize(("number", "three_d_secure"), AUTHENTICATING_CARDS)
def test_each_3d_secure_card_asks_for_authentication_as_stripe_documents(
    number: str, three_d_secure: ThreeDSecure
) -> None:
    assert by_number(number).three_d_secure is three_d_secure


def test_only_the_decline_after_attaching_cards_can_be_attached_and_then_decline() -> None:
    assert {c.number for c in CATALOGUE if c.declines_after_attach} == {
        "4000000000000341",
        "4000008260003178",
    }


def test_the_3d_secure_insufficient_funds_card_declines_after_authentication() -> None:
    card = by_number("4000008260003178")
    assert (card.error_code, card.decline_code) == ("card_declined", "insufficient_funds")


@pytest.mark.parametrize("card", CATALOGUE, ids=card_id)
def test_each_catalogue_card_is_consistent_with_its_number(card: TestCard) -> None:
    assert luhn_valid(card.number)
    assert brand_of(card.number) == card.brand
    assert last4(card.number) == card.number[-4:]
    assert card.funding in FUNDINGS
    assert card.country is not None
    assert len(card.country) == 2
    assert card.country.isupper()


@pytest.mark.parametrize(
    "card",
    [c for c in CATALOGUE if c.number[:6] == "400000" and c.number[6:9] != "000"],
    ids=card_id,
)
def test_a_country_test_number_carries_its_iso_numeric_country_code(card: TestCard) -> None:
    # [I] Stripe's country cards put the ISO 3166-1 numeric code after "400000"
    # (4000003920000003 is Japan, 392); the 3D Secure cards follow the same pattern.
    assert ISO_NUMERIC[card.number[6:9]] == card.country


def test_catalogue_keys_and_numbers_are_unique() -> None:
    assert len({c.key for c in CATALOGUE}) == len({c.number for c in CATALOGUE}) == len(CATALOGUE)


def test_no_catalogue_card_uses_the_generic_key() -> None:
    assert GENERIC_KEY not in CARDS


@pytest.mark.parametrize(("id_", "number"), TEST_ID_NUMBERS)
def test_each_stripe_test_id_names_its_card(id_: str, number: str) -> None:
    card = card_for_test_id(id_)
    assert card is not None
    assert card.number == number


def test_every_test_id_names_a_catalogue_card() -> None:
    assert set(TEST_IDS.values()) <= set(CARDS)


def test_every_test_id_is_a_payment_method_or_token_id() -> None:
    assert all(id_.startswith(("pm_card_", "tok_")) for id_ in TEST_IDS)


def test_an_unknown_test_id_names_no_card() -> None:
    assert card_for_test_id("pm_card_nonexistent") is None


def test_a_typed_catalogue_number_is_found_with_its_spaces() -> None:
    assert card_for_number("4000 0025 0000 3155") == CARDS["authentication_required_on_setup"]


def test_a_valid_number_outside_the_catalogue_is_a_plain_us_credit_card_of_its_brand() -> None:
    card = card_for_number("4111 1111 1111 1111")
    assert card is not None
    assert (card.key, card.number, card.brand, card.country, card.funding) == (
        GENERIC_KEY,
        "4111111111111111",
        "visa",
        "US",
        "credit",
    )
    assert not card.declines
    assert card.three_d_secure is ThreeDSecure.NONE


@pytest.mark.parametrize("number", ["4242424242424241", "4242", "not a card"])
def test_an_invalid_number_is_no_card(number: str) -> None:
    assert card_for_number(number) is None


def test_a_stored_key_gives_its_card_back() -> None:
    assert card_for_key("mastercard_2_series") == by_number("2223003122003222")


def test_the_generic_key_gives_the_plain_generic_card() -> None:
    assert card_for_key(GENERIC_KEY) is GENERIC


def test_an_unknown_key_gives_no_card() -> None:
    assert card_for_key("4242424242424242") is None


def test_the_dispute_cards_pay_and_are_then_disputed_as_stripe_documents() -> None:
    disputes = {
        card.number: (card.dispute.reason, card.dispute.inquiry)
        for card in CATALOGUE
        if card.dispute is not None
    }

    assert disputes == {
        "4000000000000259": ("fraudulent", False),
        "4000000000002685": ("product_not_received", False),
        "4000000000001976": ("fraudulent", True),
    }
    assert not any(by_number(number).declines for number in disputes)
