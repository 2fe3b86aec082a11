"""Money: currency exponents, the one rounding function, amount ceilings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.core.money import (
    MAX_AMOUNT,
    SUPPORTED,
    THREE_DECIMAL,
    ZERO_DECIMAL,
    Rounding,
    charge_step,
    exponent,
    format_major,
    from_major_units,
    is_supported,
    max_amount,
    minimum_charge,
    to_minor_units,
)


@pytest.mark.parametrize(("currency", "digits"), [("usd", 2), ("eur", 2), ("jpy", 0)])
def test_exponents_of_common_currencies(currency: str, digits: int) -> None:
    assert exponent(currency) == digits


def test_zero_decimal_currencies_have_no_minor_unit() -> None:
    assert {"jpy", "krw", "vnd", "clp"} <= ZERO_DECIMAL
    assert all(exponent(code) == 0 for code in ZERO_DECIMAL)


def test_three_decimal_currencies() -> None:
    assert {"bhd", "jod", "kwd", "omr", "tnd"} == THREE_DECIMAL
    assert exponent("KWD") == 3


def test_currency_codes_are_case_insensitive() -> None:
    assert exponent("JPY") == 0
    assert is_supported("USD")
    assert not is_supported("xyz")


def test_every_special_currency_is_supported() -> None:
    assert ZERO_DECIMAL <= SUPPORTED
    assert THREE_DECIMAL <= SUPPORTED


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        ("2.5", Rounding.HALF_UP, 3),
        ("-2.5", Rounding.HALF_UP, -3),
        ("2.5", Rounding.HALF_EVEN, 2),
        ("3.5", Rounding.HALF_EVEN, 4),
        ("2.9", Rounding.DOWN, 2),
        ("-2.9", Rounding.DOWN, -2),
        ("2.1", Rounding.UP, 3),
        ("-2.1", Rounding.UP, -3),
        ("7", Rounding.HALF_UP, 7),
    ],
)
def test_rounding_modes(value: str, rounding: Rounding, expected: int) -> None:
    assert to_minor_units(Decimal(value), rounding) == expected


def test_half_up_is_the_default() -> None:
    assert to_minor_units(Decimal("0.5")) == 1


def test_jct_style_round_down_of_ten_percent_tax() -> None:
    # 10% of ¥1,234 is ¥123.4: Japan's qualified invoices usually round it down.
    assert to_minor_units(Decimal(1234) * Decimal("0.10"), Rounding.DOWN) == 123


def test_sub_cent_unit_prices_become_whole_cents_only_when_rounded() -> None:
    unit = Decimal("0.0125")  # cents per unit
    assert to_minor_units(unit * 1000) == 13
    assert to_minor_units(unit * 1000, Rounding.DOWN) == 12


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False),
    st.sampled_from(list(Rounding)),
)
def test_rounding_stays_within_one_minor_unit(value: Decimal, rounding: Rounding) -> None:
    rounded = to_minor_units(value, rounding)
    assert isinstance(rounded, int)
    assert abs(Decimal(rounded) - value) < 1
    if rounding is Rounding.DOWN:
        assert abs(rounded) <= abs(value)
    if rounding is Rounding.UP:
        assert abs(rounded) >= abs(value)
    if rounding in (Rounding.HALF_UP, Rounding.HALF_EVEN):
        assert abs(Decimal(rounded) - value) <= Decimal("0.5")


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_amounts_are_unchanged_by_any_rounding(amount: int) -> None:
    assert all(to_minor_units(Decimal(amount), mode) == amount for mode in Rounding)


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False),
    st.sampled_from(list(Rounding)),
)
def test_a_credit_rounds_to_exactly_minus_the_debit(value: Decimal, rounding: Rounding) -> None:
    assert to_minor_units(-value, rounding) == -to_minor_units(value, rounding)


@pytest.mark.parametrize(
    ("currency", "minimum"),
    [("usd", 50), ("JPY", 50), ("gbp", 30), ("huf", 17500), ("thb", 1000), ("mxn", 1000)],
)
def test_stripe_minimum_charge_per_currency(currency: str, minimum: int) -> None:
    assert minimum_charge(currency) == minimum


def test_minimum_charge_outside_the_table_is_half_a_major_unit() -> None:
    assert minimum_charge("kwd") == 500
    assert minimum_charge("krw") == 1
    assert minimum_charge("zar") == 50


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("10", "usd", 1000), ("10", "jpy", 10), ("5", "isk", 500), ("1.234", "kwd", 1234)],
)
def test_g_7_7_amounts_are_sent_in_minor_units(amount: str, currency: str, minor: int) -> None:
    assert from_major_units(Decimal(amount), currency) == minor


def test_amounts_finer_than_the_minor_unit_are_refused() -> None:
    with pytest.raises(ValueError, match="more decimals"):
        from_major_units(Decimal("10.5"), "jpy")


def test_charges_in_three_decimal_currencies_and_isk_have_a_coarser_step() -> None:
    assert charge_step("KWD") == 10
    assert charge_step("isk") == 100
    assert charge_step("usd") == charge_step("jpy") == 1


def test_amount_ceilings() -> None:
    assert max_amount("usd") == MAX_AMOUNT == 99_999_999
    assert max_amount("IDR") == 999_999_999_999
    assert max_amount("inr") == 999_999_999


@pytest.mark.parametrize(
    ("amount", "currency", "written"),
    [
        (123450, "usd", "1,234.50"),
        (500, "jpy", "500"),
        (12000, "kwd", "12.000"),
        (-5, "usd", "-0.05"),
    ],
)
def test_format_major_writes_major_units(amount: int, currency: str, written: str) -> None:
    assert format_major(amount, currency) == written
