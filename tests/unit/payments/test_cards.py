"""Card numbers, expiry dates and CVCs: Stripe's validation errors and what may be kept."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.core.errors import ErrorType, Kind, SeikyuError
from seikyu.payments.domain.cards import (
    CardDetails,
    brand_of,
    check_card,
    display_brand,
    fingerprint,
    full_expiry_year,
    last4,
    luhn_valid,
    normalize_number,
)

TODAY = date(2025, 6, 15)
VISA = "4242424242424242"
AMEX = "378282246310005"


def card_error_of(
    number: str = VISA, exp_month: int = 12, exp_year: int = 2034, cvc: str | None = "123"
) -> SeikyuError:
    with pytest.raises(SeikyuError) as raised:
        check_card(number, exp_month, exp_year, cvc, today=TODAY)
    return raised.value


def with_check_digit(partial: str) -> str:
    return next(partial + d for d in "0123456789" if luhn_valid(partial + d))


# Luhn


@pytest.mark.parametrize("number", [VISA, AMEX, "6011111111111117", "3056930009020004"])
def test_stripe_test_numbers_pass_the_luhn_check(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4242424242424241", "4242424242424243", "1234567812345678"])
def test_a_wrong_check_digit_fails_the_luhn_check(number: str) -> None:
    assert not luhn_valid(number)


FULL_WIDTH_42 = "\uff14\uff12"  # digits to str.isdigit(), not to a card network


@pytest.mark.parametrize(
    "number", ["", "4242 4242 4242 4242", "42424242424242x2", FULL_WIDTH_42 * 8]
)
def test_anything_but_ascii_digits_fails_the_luhn_check_without_raising(number: str) -> None:
    assert not luhn_valid(number)


@given(st.text(alphabet="0123456789", min_size=11, max_size=18), st.integers(0, 17))
def test_changing_one_digit_of_a_valid_number_breaks_the_luhn_check(
    partial: str, position: int
) -> None:
    number = with_check_digit(partial)
    index = position % len(number)
    changed = str((int(number[index]) + 1) % 10)
    assert not luhn_valid(number[:index] + changed + number[index + 1 :])


# Brands


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4000056655665556", "visa"),
        ("5105105105105100", "mastercard"),
        ("2221000000000009", "mastercard"),
        ("2720990000000007", "mastercard"),
        ("371449635398431", "amex"),
        ("6011000990139424", "discover"),
        ("6555900000604105", "discover"),
        ("36227206271667", "diners"),
        ("3530111333300000", "jcb"),
        ("6205500000000000004", "unionpay"),
        ("2721000000000005", "unknown"),
        ("9999999999999995", "unknown"),
    ],
)
def test_the_brand_comes_from_the_iin_prefix(number: str, brand: str) -> None:
    assert brand_of(number) == brand


def test_a_brand_needs_a_number_of_digits() -> None:
    with pytest.raises(ValueError, match="digits"):
        brand_of("4242-4242")


@pytest.mark.parametrize(
    ("brand", "shown"),
    [("visa", "visa"), ("amex", "american_express"), ("diners", "diners_club"),
     ("unionpay", "union_pay"), ("unknown", "other")],
)  # fmt: skip
def test_display_brand_spells_out_what_stripe_spells_out(brand: str, shown: str) -> None:
    assert display_brand(brand) == shown  # type: ignore[arg-type]


# Normalising and keeping


def test_spaces_and_dashes_are_dropped_from_a_typed_number() -> None:
    assert normalize_number(" 4242 4242-4242 4242 ") == VISA


@pytest.mark.parametrize(
    "raw", ["42424242424", "42424242424242424242", "4242x24242424242", FULL_WIDTH_42 * 6]
)
def test_a_number_too_short_too_long_or_not_digits_is_incorrect(raw: str) -> None:
    with pytest.raises(SeikyuError) as raised:
        normalize_number(raw)
    assert (raised.value.code, raised.value.param) == ("incorrect_number", "number")


def test_last4_is_the_last_four_digits() -> None:
    assert (last4(VISA), last4(AMEX)) == ("4242", "0005")


def test_card_details_cannot_be_changed_once_made() -> None:
    details = CardDetails("visa", "US", "credit", "4242", 12, 2034)
    with pytest.raises(dataclasses.FrozenInstanceError):
        details.last4 = "0000"  # type: ignore[misc]


# check_card


def test_a_valid_card_passes_the_check() -> None:
    check_card("4242 4242 4242 4242", 12, 2034, "123", today=TODAY)


def test_a_card_is_valid_through_its_expiry_month() -> None:
    check_card(VISA, 6, 2025, "123", today=TODAY)


def test_a_missing_cvc_is_not_checked() -> None:
    check_card(VISA, 12, 2034, None, today=TODAY)


def test_a_number_failing_luhn_is_stripes_incorrect_number_card_error() -> None:
    error = card_error_of(number="4242424242424241")
    assert error.body() == {
        "type": "card_error",
        "message": "Your card number is incorrect.",
        "code": "incorrect_number",
        "doc_url": "https://stripe.com/docs/error-codes/incorrect-number",
        "param": "number",
    }
    assert (error.type, error.kind) == (ErrorType.CARD, Kind.REQUEST_FAILED)


@pytest.mark.parametrize("month", [0, 13])
def test_a_month_outside_1_to_12_is_invalid_expiry_month(month: int) -> None:
    error = card_error_of(exp_month=month)
    assert (error.code, error.param, error.message) == (
        "invalid_expiry_month",
        "exp_month",
        "Your card's expiration month is invalid.",
    )


@pytest.mark.parametrize("year", [2024, 95, 1999])
def test_a_past_year_is_invalid_expiry_year(year: int) -> None:
    # Stripe's testing guide: a year in the past, such as 95, gives invalid_expiry_year.
    error = card_error_of(exp_year=year)
    assert (error.code, error.param, error.message) == (
        "invalid_expiry_year",
        "exp_year",
        "Your card's expiration year is invalid.",
    )


def test_a_past_month_of_this_year_is_invalid_expiry_month() -> None:
    # [I] Stripe documents only the past-year case; the month twin is inferred.
    error = card_error_of(exp_month=5, exp_year=2025)
    assert (error.code, error.param) == ("invalid_expiry_month", "exp_month")


def test_a_year_more_than_50_years_ahead_is_invalid_expiry_year() -> None:
    # [I] Stripe's future horizon is undocumented; Seikyu allows 50 years.
    check_card(VISA, 12, 2075, "123", today=TODAY)
    assert card_error_of(exp_year=2076).code == "invalid_expiry_year"


@pytest.mark.parametrize(("short", "year"), [(95, 1995), (30, 2030), (74, 2074), (75, 1975)])
def test_a_two_digit_year_is_read_within_50_years_of_today(short: int, year: int) -> None:
    assert full_expiry_year(short, today=TODAY) == year


@pytest.mark.parametrize(
    ("number", "cvc"), [(VISA, "99"), (VISA, "1234"), (VISA, "12a"), (AMEX, "123")]
)
def test_a_cvc_of_the_wrong_length_or_not_digits_is_invalid_cvc(number: str, cvc: str) -> None:
    error = card_error_of(number=number, cvc=cvc)
    assert (error.code, error.param, error.message) == (
        "invalid_cvc",
        "cvc",
        "Your card's security code is invalid.",
    )


def test_american_express_takes_a_four_digit_cvc() -> None:
    check_card(AMEX, 12, 2034, "1234", today=TODAY)


def test_the_number_is_checked_before_the_expiry_and_the_cvc() -> None:
    assert card_error_of(number="4242424242424241", exp_month=13, cvc="9").code == (
        "incorrect_number"
    )


# Fingerprints


def test_the_same_card_and_key_always_give_the_same_fingerprint() -> None:
    assert fingerprint(VISA, b"account-key") == fingerprint(VISA, b"account-key")


def test_a_fingerprint_is_pinned_so_stored_fingerprints_stay_comparable() -> None:
    assert fingerprint(VISA, b"account-key") == "BSAU7EDFbFw4sMqj"


def test_a_fingerprint_is_16_url_safe_alphanumeric_characters() -> None:
    value = fingerprint(AMEX, b"k")
    assert len(value) == 16
    assert value.isascii()
    assert value.isalnum()


def test_another_key_gives_another_fingerprint() -> None:
    assert fingerprint(VISA, b"account-a") != fingerprint(VISA, b"account-b")


def test_another_number_gives_another_fingerprint() -> None:
    assert fingerprint(VISA, b"k") != fingerprint("4000056655665556", b"k")


def test_a_fingerprint_needs_a_key() -> None:
    with pytest.raises(ValueError, match="key"):
        fingerprint(VISA, b"")
