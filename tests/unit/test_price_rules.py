"""Price rules: what a valid price is, and its terms in normalized form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.catalog import price_rules
from seikyu.catalog.price_rules import (
    CurrencyOptionInput,
    CustomUnitAmount,
    PriceInput,
    Recurring,
    Tier,
    TierInput,
    TransformQuantity,
)
from seikyu.core.errors import SeikyuError

MONTHLY = Recurring(interval="month")
GRADUATED = (
    TierInput(up_to=5, unit_amount=700),
    TierInput(up_to=10, unit_amount=650),
    TierInput(up_to=None, unit_amount=600),
)


def refused(draft: PriceInput, **where: object) -> SeikyuError:
    with pytest.raises(SeikyuError) as info:
        price_rules.check(draft, **where)  # type: ignore[arg-type]
    return info.value


# --- per-unit amounts ------------------------------------------------------------------


def test_a_yen_price_keeps_its_amount_in_whole_yen() -> None:
    terms = price_rules.check(PriceInput(currency="jpy", unit_amount=700))
    assert terms.unit_amount == Decimal(700)
    assert price_rules.whole(terms.unit_amount) == 700


def test_a_fractional_decimal_amount_stays_exact_and_has_no_whole_amount() -> None:
    terms = price_rules.check(PriceInput(currency="usd", unit_amount_decimal=Decimal("0.5")))
    assert price_rules.decimal_text(terms.unit_amount) == "0.5"
    assert price_rules.whole(terms.unit_amount) is None


@pytest.mark.parametrize(
    ("given_text", "shown"),
    [("5", "5"), ("0.50", "0.5"), ("1E+3", "1000"), ("1E-7", "0.0000001"), ("0.000", "0")],
)
def test_decimal_amounts_are_shown_without_exponent_or_trailing_zeros(
    given_text: str, shown: str
) -> None:
    terms = price_rules.check(PriceInput(currency="usd", unit_amount_decimal=Decimal(given_text)))
    assert price_rules.decimal_text(terms.unit_amount) == shown


def test_a_whole_decimal_amount_also_gives_the_integer_amount() -> None:
    terms = price_rules.check(PriceInput(currency="usd", unit_amount_decimal=Decimal("5")))
    assert price_rules.whole(terms.unit_amount) == 5


def test_twelve_decimal_places_are_allowed_and_thirteen_are_not() -> None:
    price_rules.check(PriceInput(currency="usd", unit_amount_decimal=Decimal("0.123456789012")))
    error = refused(PriceInput(currency="usd", unit_amount_decimal=Decimal("0.1234567890123")))
    assert error.param == "unit_amount_decimal"


def test_digits_beyond_the_decimal_context_are_not_rounded_away() -> None:
    error = refused(
        PriceInput(currency="usd", unit_amount_decimal=Decimal("1.0000000000000000000000000000001"))
    )
    assert error.param == "unit_amount_decimal"


def test_unit_amount_and_unit_amount_decimal_are_exclusive() -> None:
    error = refused(PriceInput(currency="usd", unit_amount=5, unit_amount_decimal=Decimal(5)))
    assert (error.code, error.param) == ("parameters_exclusive", "unit_amount")


def test_a_per_unit_price_needs_an_amount() -> None:
    error = refused(PriceInput(currency="usd"))
    assert (error.code, error.param) == ("parameter_missing", "unit_amount")


@pytest.mark.parametrize(
    ("currency", "largest"), [("usd", 99_999_999), ("jpy", 99_999_999), ("idr", 999_999_999_999)]
)
def test_amounts_are_limited_per_currency(currency: str, largest: int) -> None:
    price_rules.check(PriceInput(currency=currency, unit_amount=largest))
    error = refused(PriceInput(currency=currency, unit_amount=largest + 1))
    assert (error.code, error.param) == ("amount_too_large", "unit_amount")


def test_a_huge_decimal_is_refused_before_any_rounding() -> None:
    error = refused(PriceInput(currency="usd", unit_amount_decimal=Decimal("1E+60")))
    assert (error.code, error.param) == ("amount_too_large", "unit_amount_decimal")


def test_negative_amounts_are_refused() -> None:
    assert refused(PriceInput(currency="usd", unit_amount=-1)).param == "unit_amount"
    error = refused(PriceInput(currency="usd", unit_amount_decimal=Decimal("-0.5")))
    assert error.param == "unit_amount_decimal"


def test_three_decimal_currency_amounts_end_in_zero() -> None:
    price_rules.check(PriceInput(currency="kwd", unit_amount=1250))
    assert refused(PriceInput(currency="kwd", unit_amount=1255)).param == "unit_amount"


def test_currencies_are_lower_cased_and_must_be_supported() -> None:
    assert price_rules.check(PriceInput(currency="USD", unit_amount=1)).currency == "usd"
    assert refused(PriceInput(currency="xyz", unit_amount=1)).param == "currency"


# --- recurring ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "longest"), [("day", 1095), ("week", 156), ("month", 36), ("year", 3)]
)
def test_the_interval_is_at_most_three_years(interval: str, longest: int) -> None:
    ok = price_rules.check(
        PriceInput(currency="usd", unit_amount=1, recurring=Recurring(interval, longest))
    )
    assert ok.type == "recurring"
    error = refused(
        PriceInput(currency="usd", unit_amount=1, recurring=Recurring(interval, longest + 1))
    )
    assert (error.code, error.param) == ("parameter_invalid_integer", "recurring[interval_count]")


def test_interval_count_starts_at_one() -> None:
    error = refused(PriceInput(currency="usd", unit_amount=1, recurring=Recurring("month", 0)))
    assert error.param == "recurring[interval_count]"


def test_a_metered_price_names_its_meter() -> None:
    metered = Recurring("month", usage_type="metered")
    error = refused(PriceInput(currency="usd", unit_amount=1, recurring=metered))
    assert (error.code, error.param) == ("parameter_missing", "recurring[meter]")
    with_meter = Recurring("month", usage_type="metered", meter="mtr_123")
    terms = price_rules.check(PriceInput(currency="usd", unit_amount=1, recurring=with_meter))
    assert terms.recurring == with_meter


def test_a_licensed_price_has_no_meter() -> None:
    licensed = Recurring("month", meter="mtr_123")
    error = refused(PriceInput(currency="usd", unit_amount=1, recurring=licensed))
    assert error.param == "recurring[meter]"


def test_trial_period_days_are_at_most_730() -> None:
    error = refused(
        PriceInput(
            currency="usd", unit_amount=1, recurring=Recurring("month", trial_period_days=731)
        )
    )
    assert error.param == "recurring[trial_period_days]"


def test_without_recurring_the_price_is_one_time() -> None:
    assert price_rules.check(PriceInput(currency="usd", unit_amount=1)).type == "one_time"


# --- tiers -------------------------------------------------------------------------------


def test_a_tiered_price_keeps_its_tiers_with_inf_as_none() -> None:
    terms = price_rules.check(
        PriceInput(
            currency="usd",
            billing_scheme="tiered",
            tiers_mode="graduated",
            tiers=GRADUATED,
            recurring=MONTHLY,
        )
    )
    assert terms.tiers == (
        Tier(5, Decimal(700), None),
        Tier(10, Decimal(650), None),
        Tier(None, Decimal(600), None),
    )
    assert terms.unit_amount is None


def test_a_tier_may_have_both_a_unit_and_a_flat_amount() -> None:
    tiers = (
        TierInput(up_to=5, unit_amount=500, flat_amount=1000),
        TierInput(up_to=None, flat_amount_decimal=Decimal("2000")),
    )
    terms = price_rules.check(
        PriceInput(currency="usd", billing_scheme="tiered", tiers_mode="volume", tiers=tiers)
    )
    assert terms.tiers == (Tier(5, Decimal(500), Decimal(1000)), Tier(None, None, Decimal(2000)))


def tiered(tiers: tuple[TierInput, ...], **extra: object) -> PriceInput:
    return PriceInput(
        currency="usd",
        billing_scheme="tiered",
        tiers_mode="graduated",
        tiers=tiers,
        **extra,  # type: ignore[arg-type]
    )


def test_the_last_tier_goes_to_infinity() -> None:
    error = refused(tiered((TierInput(up_to=5, unit_amount=1), TierInput(up_to=10, unit_amount=1))))
    assert error.param == "tiers[1][up_to]"


def test_only_the_last_tier_goes_to_infinity() -> None:
    error = refused(
        tiered((TierInput(up_to=None, unit_amount=1), TierInput(up_to=None, unit_amount=1)))
    )
    assert error.param == "tiers[0][up_to]"


def test_tier_bounds_increase() -> None:
    error = refused(
        tiered(
            (
                TierInput(up_to=10, unit_amount=1),
                TierInput(up_to=10, unit_amount=1),
                TierInput(up_to=None, unit_amount=1),
            )
        )
    )
    assert error.param == "tiers[1][up_to]"


def test_each_tier_needs_an_amount() -> None:
    error = refused(tiered((TierInput(up_to=5, unit_amount=1), TierInput(up_to=None))))
    assert (error.code, error.param) == ("parameter_missing", "tiers[1][unit_amount]")


def test_a_tier_takes_one_of_flat_amount_and_its_decimal() -> None:
    error = refused(tiered((TierInput(up_to=None, flat_amount=1, flat_amount_decimal=Decimal(1)),)))
    assert (error.code, error.param) == ("parameters_exclusive", "tiers[0][flat_amount]")


def test_a_flat_amount_decimal_is_a_whole_number_of_minor_units() -> None:
    error = refused(tiered((TierInput(up_to=None, flat_amount_decimal=Decimal("1.5")),)))
    assert error.param == "tiers[0][flat_amount_decimal]"


def test_tiered_prices_need_tiers_and_a_mode() -> None:
    no_tiers = PriceInput(currency="usd", billing_scheme="tiered", tiers_mode="volume")
    assert (refused(no_tiers).code, refused(no_tiers).param) == ("parameter_missing", "tiers")
    no_mode = PriceInput(currency="usd", billing_scheme="tiered", tiers=GRADUATED)
    assert refused(no_mode).param == "tiers_mode"


def test_tiers_need_the_tiered_scheme() -> None:
    error = refused(PriceInput(currency="usd", tiers=GRADUATED, tiers_mode="volume"))
    assert error.param == "tiers"


def test_a_tiered_price_has_no_unit_amount_and_no_transform() -> None:
    assert refused(tiered(GRADUATED, unit_amount=5)).param == "unit_amount"
    error = refused(tiered(GRADUATED, transform_quantity=TransformQuantity(5, "up")))
    assert error.param == "transform_quantity"


# --- package pricing and custom amounts --------------------------------------------------


def test_transform_quantity_divides_by_a_positive_integer() -> None:
    ok = price_rules.check(
        PriceInput(currency="usd", unit_amount=1000, transform_quantity=TransformQuantity(5, "up"))
    )
    assert ok.transform_quantity == TransformQuantity(5, "up")
    error = refused(
        PriceInput(currency="usd", unit_amount=1000, transform_quantity=TransformQuantity(0, "up"))
    )
    assert error.param == "transform_quantity[divide_by]"


def test_a_custom_unit_amount_is_for_one_time_prices_only() -> None:
    custom = CustomUnitAmount(minimum=100, maximum=1000, preset=500)
    assert (
        price_rules.check(PriceInput(currency="usd", custom_unit_amount=custom)).unit_amount is None
    )
    error = refused(PriceInput(currency="usd", custom_unit_amount=custom, recurring=MONTHLY))
    assert error.param == "custom_unit_amount"


def test_a_custom_unit_amount_keeps_its_bounds_in_order() -> None:
    error = refused(
        PriceInput(currency="usd", custom_unit_amount=CustomUnitAmount(minimum=10, maximum=5))
    )
    assert error.param == "custom_unit_amount[minimum]"
    error = refused(
        PriceInput(
            currency="usd", custom_unit_amount=CustomUnitAmount(minimum=10, maximum=50, preset=60)
        )
    )
    assert error.param == "custom_unit_amount[preset]"


def test_a_custom_unit_amount_excludes_a_fixed_amount() -> None:
    error = refused(
        PriceInput(currency="usd", unit_amount=5, custom_unit_amount=CustomUnitAmount())
    )
    assert (error.code, error.param) == ("parameters_exclusive", "unit_amount")


# --- currency options, nested params, tax behavior ---------------------------------------


def test_currency_options_are_validated_in_their_own_currency() -> None:
    terms = price_rules.check(
        PriceInput(
            currency="usd",
            unit_amount=1000,
            currency_options={"JPY": CurrencyOptionInput(unit_amount=1500)},
        )
    )
    assert terms.currency_options["jpy"].unit_amount == Decimal(1500)
    assert terms.currency_options["jpy"].tax_behavior == "unspecified"
    error = refused(
        PriceInput(
            currency="usd",
            unit_amount=1000,
            currency_options={"kwd": CurrencyOptionInput(unit_amount=1005)},
        )
    )
    assert error.param == "currency_options[kwd][unit_amount]"


def test_currency_options_do_not_repeat_the_price_currency() -> None:
    error = refused(
        PriceInput(
            currency="usd",
            unit_amount=1000,
            currency_options={"usd": CurrencyOptionInput(unit_amount=900)},
        )
    )
    assert error.param == "currency_options[usd]"


def test_currency_options_of_a_tiered_price_need_tiers() -> None:
    error = refused(tiered(GRADUATED, currency_options={"eur": CurrencyOptionInput()}))
    assert (error.code, error.param) == ("parameter_missing", "currency_options[eur][tiers]")


def test_errors_name_the_parameter_inside_the_request() -> None:
    error = refused(PriceInput(currency="usd"), at=("default_price_data",))
    assert error.param == "default_price_data[unit_amount]"


def test_tax_behavior_is_fixed_once_specified() -> None:
    price_rules.check_tax_behavior_change("unspecified", "inclusive")
    price_rules.check_tax_behavior_change("inclusive", "inclusive")
    with pytest.raises(SeikyuError) as info:
        price_rules.check_tax_behavior_change("inclusive", "exclusive")
    assert info.value.param == "tax_behavior"


def test_tiers_survive_their_stored_form() -> None:
    tier = Tier(up_to=None, unit_amount=Decimal("0.25"), flat_amount=Decimal(100))
    assert Tier.from_json(tier.to_json()) == tier


@given(
    st.decimals(min_value=0, max_value=99_999_999, places=12, allow_nan=False, allow_infinity=False)
)
def test_decimal_text_reads_back_to_the_same_value(value: Decimal) -> None:
    text = price_rules.decimal_text(value)
    assert text is not None
    assert "E" not in text
    assert Decimal(text) == value
    assert price_rules.decimal_places(value) <= 12
