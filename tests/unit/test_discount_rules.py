"""Coupon and promotion code rules (reference: Stripe behaviour sections 6.1 and 6.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.catalog import discount_rules as rules
from seikyu.catalog.discount_rules import (
    CouponState,
    CouponTerms,
    PromotionCodeTerms,
    Restrictions,
)
from seikyu.core.errors import SeikyuError

NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _refused(call: object, *args: object, **kwargs: object) -> SeikyuError:
    with pytest.raises(SeikyuError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value


# --- percent_off -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored"), [("0.01", "0.01"), ("12.5", "12.5"), ("12.50", "12.5"), ("100", "100")]
)
def test_percent_off_accepted(value: str, stored: str) -> None:
    assert format(rules.check_percent_off(Decimal(value)), "f") == stored


@pytest.mark.parametrize("value", ["0", "-1", "100.01", "12.345", "0.001", "NaN"])
def test_percent_off_refused(value: str) -> None:
    assert _refused(rules.check_percent_off, Decimal(value)).param == "percent_off"


@given(st.decimals(min_value=Decimal("0.01"), max_value=100, places=2, allow_nan=False))
def test_every_two_place_percent_in_range_is_kept_exactly(value: Decimal) -> None:
    assert rules.check_percent_off(value) == value


# --- coupon terms ------------------------------------------------------------------------


def test_defaults_to_once() -> None:
    terms = rules.check_coupon_terms(CouponTerms(percent_off=Decimal(50)), NOW)
    assert terms.duration == "once"
    assert terms.duration_in_months is None


def test_exactly_one_of_percent_off_and_amount_off() -> None:
    both = CouponTerms(percent_off=Decimal(5), amount_off=5, currency="usd")
    assert _refused(rules.check_coupon_terms, both, NOW).code == "parameters_exclusive"
    neither = _refused(rules.check_coupon_terms, CouponTerms(), NOW)
    assert neither.code == "parameter_missing"


def test_amount_off_needs_a_supported_currency() -> None:
    missing = _refused(rules.check_coupon_terms, CouponTerms(amount_off=200), NOW)
    assert (missing.param, missing.code) == ("currency", "parameter_missing")
    unknown = CouponTerms(amount_off=200, currency="zzz")
    assert _refused(rules.check_coupon_terms, unknown, NOW).param == "currency"
    ok = rules.check_coupon_terms(CouponTerms(amount_off=200, currency="USD"), NOW)
    assert ok.currency == "usd"


@pytest.mark.parametrize(
    ("amount", "currency", "ok"),
    [
        (1, "usd", True),
        (0, "usd", False),
        (99_999_999, "usd", True),
        (100_000_000, "usd", False),
        (999_999_999, "inr", True),
        (700, "jpy", True),
    ],
)
def test_amount_off_range(amount: int, currency: str, ok: bool) -> None:
    terms = CouponTerms(amount_off=amount, currency=currency)
    if ok:
        assert rules.check_coupon_terms(terms, NOW).amount_off == amount
    else:
        assert _refused(rules.check_coupon_terms, terms, NOW).param == "amount_off"


def test_repeating_needs_months() -> None:
    terms = CouponTerms(percent_off=Decimal(10), duration="repeating")
    error = _refused(rules.check_coupon_terms, terms, NOW)
    assert (error.param, error.code) == ("duration_in_months", "parameter_missing")
    ok = rules.check_coupon_terms(
        CouponTerms(percent_off=Decimal(10), duration="repeating", duration_in_months=3), NOW
    )
    assert ok.duration_in_months == 3


@pytest.mark.parametrize("months", [0, -1, 1201])
def test_duration_in_months_range(months: int) -> None:
    terms = CouponTerms(percent_off=Decimal(10), duration="repeating", duration_in_months=months)
    assert _refused(rules.check_coupon_terms, terms, NOW).param == "duration_in_months"


@pytest.mark.parametrize("duration", ["once", "forever"])
def test_months_only_with_repeating(duration: str) -> None:
    terms = CouponTerms(percent_off=Decimal(10), duration=duration, duration_in_months=3)
    assert _refused(rules.check_coupon_terms, terms, NOW).param == "duration_in_months"


def test_unknown_duration() -> None:
    terms = CouponTerms(percent_off=Decimal(10), duration="weekly")
    assert _refused(rules.check_coupon_terms, terms, NOW).code == "parameter_invalid_enum"


def test_max_redemptions_positive() -> None:
    terms = CouponTerms(percent_off=Decimal(10), max_redemptions=0)
    assert _refused(rules.check_coupon_terms, terms, NOW).param == "max_redemptions"


@pytest.mark.parametrize(
    ("redeem_by", "ok"),
    [
        (NOW + timedelta(seconds=1), True),
        (datetime(2029, 1, 10, 12, 0, tzinfo=UTC), True),  # exactly five years
        (datetime(2029, 1, 10, 12, 0, 1, tzinfo=UTC), False),
        (NOW, False),
        (NOW - DAY, False),
    ],
)
def test_redeem_by_in_the_future_and_at_most_five_years_out(redeem_by: datetime, ok: bool) -> None:
    terms = CouponTerms(percent_off=Decimal(10), redeem_by=redeem_by)
    if ok:
        assert rules.check_coupon_terms(terms, NOW).redeem_by == redeem_by
    else:
        assert _refused(rules.check_coupon_terms, terms, NOW).param == "redeem_by"


def test_add_years_clamps_leap_day() -> None:
    leap = datetime(2024, 2, 29, 9, 30, tzinfo=UTC)
    assert rules.add_years(leap, 5) == datetime(2029, 2, 28, 9, 30, tzinfo=UTC)
    assert rules.add_years(leap, 4) == datetime(2028, 2, 29, 9, 30, tzinfo=UTC)


def test_currency_options_only_for_amount_off() -> None:
    terms = CouponTerms(percent_off=Decimal(10), currency_options={"eur": 5})
    assert _refused(rules.check_coupon_terms, terms, NOW).param == "currency_options"


def test_currency_options_are_normalised_and_exclude_the_own_currency() -> None:
    terms = CouponTerms(amount_off=500, currency="usd", currency_options={"EUR": 450, "usd": 500})
    assert rules.check_coupon_terms(terms, NOW).currency_options == {"eur": 450}


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"usd": 400}, "currency_options[usd][amount_off]"),
        ({"eur": 0}, "currency_options[eur][amount_off]"),
        ({"xxx": 10}, "currency_options[xxx]"),
    ],
)
def test_currency_options_refused(options: dict[str, int], param: str) -> None:
    terms = CouponTerms(amount_off=500, currency="usd", currency_options=options)
    assert _refused(rules.check_coupon_terms, terms, NOW).param == param


@pytest.mark.parametrize("coupon_id", ["SUMMER", "25OFF", "free_month", "v1.2-beta~x"])
def test_coupon_ids_accepted(coupon_id: str) -> None:
    assert rules.check_coupon_id(coupon_id) == coupon_id


@pytest.mark.parametrize("coupon_id", ["", "a b", "a/b", "a?b", "é", "x" * 201])
def test_coupon_ids_refused(coupon_id: str) -> None:
    assert _refused(rules.check_coupon_id, coupon_id).param == "id"


# --- coupon validity ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "valid"),
    [
        (CouponState(), True),
        (CouponState(deleted=True), False),
        (CouponState(redeem_by=NOW + DAY), True),
        (CouponState(redeem_by=NOW), False),
        (CouponState(redeem_by=NOW - DAY), False),
        (CouponState(max_redemptions=3, times_redeemed=2), True),
        (CouponState(max_redemptions=3, times_redeemed=3), False),
    ],
)
def test_coupon_valid(state: CouponState, valid: bool) -> None:
    assert rules.coupon_valid(state, NOW) is valid


# --- promotion codes -----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["FALL20", "fall-20", "A", "2024-VIP-x", "x" * 500])
def test_codes_accepted(code: str) -> None:
    assert rules.check_code(code) == code


@pytest.mark.parametrize("code", ["", "FALL 20", "fall_20", "ÉTÉ", "a.b", "x" * 501])
def test_codes_refused(code: str) -> None:
    assert _refused(rules.check_code, code).param == "code"


def test_codes_compare_regardless_of_case() -> None:
    assert rules.fold_code("Fall-20") == rules.fold_code("FALL-20")


@pytest.mark.parametrize(
    ("customer", "other", "clash"),
    [
        (None, None, True),
        (None, "cus_a", True),
        ("cus_a", None, True),
        ("cus_a", "cus_a", True),
        ("cus_a", "cus_b", False),
    ],
)
def test_codes_clash(customer: str | None, other: str | None, clash: bool) -> None:
    assert rules.codes_clash(customer, other) is clash


def test_expires_at_is_filled_from_redeem_by() -> None:
    coupon = CouponState(redeem_by=NOW + 10 * DAY)
    terms = rules.check_promotion_code_terms(PromotionCodeTerms(code="X"), coupon, NOW)
    assert terms.expires_at == NOW + 10 * DAY


def test_expires_at_stays_unset_without_redeem_by() -> None:
    terms = rules.check_promotion_code_terms(PromotionCodeTerms(), CouponState(), NOW)
    assert terms.expires_at is None


@pytest.mark.parametrize(
    ("expires_at", "ok"),
    [
        (NOW + 10 * DAY, True),
        (NOW + DAY, True),
        (NOW + 10 * DAY + timedelta(seconds=1), False),
        (NOW, False),
    ],
)
def test_expires_at_within_redeem_by_and_in_the_future(expires_at: datetime, ok: bool) -> None:
    coupon = CouponState(redeem_by=NOW + 10 * DAY)
    terms = PromotionCodeTerms(code="X", expires_at=expires_at)
    if ok:
        assert rules.check_promotion_code_terms(terms, coupon, NOW).expires_at == expires_at
    else:
        assert _refused(rules.check_promotion_code_terms, terms, coupon, NOW).param == "expires_at"


@pytest.mark.parametrize(("wanted", "ok"), [(1, True), (5, True), (6, False), (0, False)])
def test_max_redemptions_within_the_coupons(wanted: int, ok: bool) -> None:
    coupon = CouponState(max_redemptions=5)
    terms = PromotionCodeTerms(code="X", max_redemptions=wanted)
    if ok:
        assert rules.check_promotion_code_terms(terms, coupon, NOW).max_redemptions == wanted
    else:
        error = _refused(rules.check_promotion_code_terms, terms, coupon, NOW)
        assert error.param == "max_redemptions"


def test_no_code_for_an_invalid_coupon() -> None:
    terms = PromotionCodeTerms(code="X")
    error = _refused(rules.check_promotion_code_terms, terms, CouponState(deleted=True), NOW)
    assert error.param == "promotion[coupon]"


@pytest.mark.parametrize(
    ("restrictions", "param"),
    [
        (Restrictions(minimum_amount=100), "restrictions[minimum_amount_currency]"),
        (Restrictions(minimum_amount_currency="usd"), "restrictions[minimum_amount]"),
        (
            Restrictions(minimum_amount=-1, minimum_amount_currency="usd"),
            "restrictions[minimum_amount]",
        ),
        (
            Restrictions(minimum_amount=1, minimum_amount_currency="abc"),
            "restrictions[minimum_amount_currency]",
        ),
        (Restrictions(currency_options={"eur": 1}), "restrictions[currency_options]"),
        (
            Restrictions(
                minimum_amount=1, minimum_amount_currency="usd", currency_options={"USD": 1}
            ),
            "restrictions[currency_options][USD]",
        ),
    ],
)
def test_restrictions_refused(restrictions: Restrictions, param: str) -> None:
    assert _refused(rules.check_restrictions, restrictions).param == param


def test_restrictions_normalised() -> None:
    checked = rules.check_restrictions(
        Restrictions(
            first_time_transaction=True,
            minimum_amount=0,
            minimum_amount_currency="USD",
            currency_options={"EUR": 900},
        )
    )
    assert checked == Restrictions(
        first_time_transaction=True,
        minimum_amount=0,
        minimum_amount_currency="usd",
        currency_options={"eur": 900},
    )


# --- lapses --------------------------------------------------------------------------------


def _lapse(**overrides: object) -> str | None:
    values: dict[str, object] = {
        "expires_at": None,
        "max_redemptions": None,
        "times_redeemed": 0,
        "coupon_is_valid": True,
        "now": NOW,
    }
    values.update(overrides)
    return rules.lapse_reason(**values)  # type: ignore[arg-type]


def test_a_fresh_code_has_not_lapsed() -> None:
    assert _lapse() is None
    assert _lapse(expires_at=NOW + DAY, max_redemptions=2, times_redeemed=1) is None


def test_lapse_reasons() -> None:
    assert _lapse(coupon_is_valid=False) == "its coupon is no longer valid"
    assert _lapse(expires_at=NOW) == "it has expired"
    assert _lapse(max_redemptions=2, times_redeemed=2) == "it has reached its max_redemptions"


def test_reactivation_refusal_names_active() -> None:
    error = rules.refuse_reactivation("FALL20", "it has expired")
    assert error.param == "active"
    assert "FALL20" in error.message
