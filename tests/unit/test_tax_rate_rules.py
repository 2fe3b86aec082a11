"""Tax rate rules: percentage precision and range, tax types, country and state codes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.catalog import tax_rate_rules as rules
from seikyu.core.errors import SeikyuError


@pytest.mark.parametrize(
    ("given_value", "stored"),
    [
        ("0", "0"),
        ("100", "100"),
        ("19", "19"),
        ("19.00", "19"),
        ("8.875", "8.875"),
        ("8.8750", "8.875"),
        ("0.0001", "0.0001"),
        ("1E+1", "10"),
    ],
)
def test_percentage_accepted_and_stored_canonically(given_value: str, stored: str) -> None:
    result = rules.check_percentage(Decimal(given_value))
    assert format(result, "f") == stored


@pytest.mark.parametrize("value", ["-0.0001", "-1", "100.0001", "101", "12.34567", "0.00001"])
def test_percentage_refused(value: str) -> None:
    with pytest.raises(SeikyuError) as caught:
        rules.check_percentage(Decimal(value))
    assert caught.value.param == "percentage"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_percentage_must_be_finite(value: str) -> None:
    with pytest.raises(SeikyuError):
        rules.check_percentage(Decimal(value))


@given(st.decimals(min_value=0, max_value=100, places=4, allow_nan=False))
def test_any_four_place_percentage_within_range_keeps_its_value(value: Decimal) -> None:
    assert rules.check_percentage(value) == value


@pytest.mark.parametrize(("value", "places"), [("1", 0), ("1.50", 1), ("100", 0), ("0.125", 3)])
def test_decimal_places_ignore_trailing_zeros(value: str, places: int) -> None:
    assert rules.decimal_places(Decimal(value)) == places


def test_tax_types_include_the_common_ones() -> None:
    for tax_type in ("vat", "gst", "sales_tax", "jct", "hst", "qst", "pst", "igst"):
        assert rules.check_tax_type(tax_type) == tax_type
    assert rules.check_tax_type(None) is None


def test_unknown_tax_type_is_an_enum_error() -> None:
    with pytest.raises(SeikyuError) as caught:
        rules.check_tax_type("VAT")
    assert caught.value.param == "tax_type"
    assert caught.value.code == "parameter_invalid_enum"


@pytest.mark.parametrize(("value", "stored"), [("de", "DE"), ("JP", "JP"), (None, None)])
def test_country_is_upper_case(value: str | None, stored: str | None) -> None:
    assert rules.check_country(value) == stored


@pytest.mark.parametrize("value", ["D", "DEU", "D1", "", " DE"])
def test_country_must_be_two_letters(value: str) -> None:
    with pytest.raises(SeikyuError) as caught:
        rules.check_country(value)
    assert caught.value.param == "country"


@pytest.mark.parametrize(("value", "stored"), [("ny", "NY"), ("13", "13"), ("NSW", "NSW")])
def test_state_is_a_subdivision_code(value: str, stored: str) -> None:
    assert rules.check_state(value) == stored


@pytest.mark.parametrize("value", ["US-NY", "ABCD", "", "N Y"])
def test_state_refused(value: str) -> None:
    with pytest.raises(SeikyuError) as caught:
        rules.check_state(value)
    assert caught.value.param == "state"
