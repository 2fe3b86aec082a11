"""Proration: unused-time credits and remaining-time debits, to the second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seikyu.billing.domain.discounts import Coupon, Discount, DiscountableLine, apply_discounts
from seikyu.billing.domain.pricing import (
    BillingScheme,
    Pricing,
    Tier,
    TiersMode,
    line_amount,
    per_unit,
)
from seikyu.billing.domain.proration import (
    Charge,
    ProrationKind,
    prorate,
    prorate_change,
    remaining_fraction,
)
from seikyu.core.clock import from_unix
from seikyu.core.periods import Interval, Period, Unit, first_period


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def charge(amount: int | Decimal, quantity: int = 1, **extra: object) -> Charge:
    return Charge(item="si_1", pricing=per_unit(amount), quantity=quantity, **extra)  # type: ignore[arg-type]


def amounts(
    before: Charge | None, after: Charge | None, period: Period, when: datetime
) -> list[int]:
    return [line.amount for line in prorate_change(before, after, period, when)]


APRIL = Period(at(2024, 4, 1), at(2024, 5, 1))
MARCH = Period(from_unix(1709251200), from_unix(1711929600))


def test_g_2_1_half_period_upgrade_credits_half_and_charges_half() -> None:
    assert amounts(charge(1000), charge(2000), APRIL, at(2024, 4, 16)) == [-500, 1000]


def test_g_2_2_stripe_preview_example() -> None:
    period = Period(from_unix(1596749288), from_unix(1599427688))
    when = from_unix(1598982148)
    assert remaining_fraction(period, when) == Fraction(445540, 2678400)

    credit, debit = prorate_change(charge(1000), charge(3252), period, when)

    assert (credit.kind, credit.amount) == (ProrationKind.UNUSED_TIME, -166)
    assert (debit.kind, debit.amount) == (ProrationKind.REMAINING_TIME, 541)
    assert credit.period == debit.period == Period(when, from_unix(1599427688))


def test_g_2_2_descriptions_name_what_and_when() -> None:
    period = Period(from_unix(1596749288), from_unix(1599427688))
    credit, debit = prorate_change(
        charge(1000, label="Basic"), charge(3252, label="Pro"), period, from_unix(1598982148)
    )
    assert credit.description == "Unused time on Basic after 01 Sep 2020"
    assert debit.description == "Remaining time on Pro after 01 Sep 2020"


def test_g_2_3_classic_credits_the_current_price_even_if_never_billed() -> None:
    # Apr 21: 10 of 30 days left; the current price is 2000 (set without proration).
    lines = amounts(charge(2000), charge(1000), APRIL, at(2024, 4, 21))
    assert lines == [-667, 333]
    assert sum(lines) == -334


def test_g_2_3_flexible_credits_the_last_price_billed() -> None:
    # The caller passes the last billed configuration (1000) as what is credited.
    lines = amounts(charge(1000), charge(1000), APRIL, at(2024, 4, 21))
    assert lines == [-333, 333]
    assert sum(lines) == 0


def test_g_2_4_removing_a_discounted_item_credits_its_net_amount() -> None:
    february = Period(at(2024, 2, 1), at(2024, 3, 1))
    halfway = february.start + (february.end - february.start) / 2
    coupon = Discount("di_1", Coupon(amount_off=500), duration="forever")

    # Classic: the coupon counts in full against the removed item.
    classic = sum(a.amount for a in apply_discounts([DiscountableLine(1000)], [coupon])[0])
    assert amounts(charge(1000, discount=classic), None, february, halfway) == [-250]
    # Flexible: the item's share of the coupon on its last invoice (G-6.4).
    assert amounts(charge(1000, discount=166), None, february, halfway) == [-417]


def test_g_2_5_seat_increase_mid_month() -> None:
    when = from_unix(1710547200)
    assert remaining_fraction(MARCH, when) == Fraction(16, 31)
    credit, debit = prorate_change(
        charge(1000, 2, label="Seat"), charge(1000, 5, label="Seat"), MARCH, when
    )
    assert (credit.amount, debit.amount) == (-1032, 2581)
    assert credit.description == "Unused time on 2 × Seat after 16 Mar 2024"
    assert debit.description == "Remaining time on 5 × Seat after 16 Mar 2024"


def test_g_2_6_price_change_at_a_non_midnight_time() -> None:
    assert amounts(charge(1000), charge(3252), MARCH, from_unix(1711022400)) == [-339, 1101]


def test_g_2_11_shortened_first_period_is_prorated_over_the_cycle_period() -> None:
    # [I] denominator: the whole monthly period that ends at the anchor (Jan 1 -> Feb 1).
    first = first_period(from_unix(1705276800), from_unix(1706745600), Interval(Unit.MONTH))
    assert first.is_shortened
    fraction = Fraction(first.period.seconds, first.full_period.seconds)
    assert fraction == Fraction(1468800, 2678400)
    assert prorate(Decimal(3000), fraction) == 1645


def test_g_2_12_trial_then_stub_to_the_anchor() -> None:
    first = first_period(from_unix(1713744000), from_unix(1714521600), Interval(Unit.MONTH))
    fraction = Fraction(first.period.seconds, first.full_period.seconds)
    assert fraction == Fraction(3, 10)
    assert prorate(Decimal(3000), fraction) == 900


def test_decimal_prices_prorate_from_the_exact_amount() -> None:
    # 1000 units at 0.05 is 50 exactly; a third of it is 16.67 -> 17, not a third of a
    # pre-rounded amount.
    fraction = Fraction(1, 3)
    assert prorate(Decimal("0.05") * 1000, fraction) == 17
    assert prorate(Decimal("0.05") * 1001, fraction) == 17


def test_tiered_prices_prorate_their_period_amount() -> None:
    tiers = Pricing(
        billing_scheme=BillingScheme.TIERED,
        tiers_mode=TiersMode.GRADUATED,
        tiers=(Tier(5, Decimal(700)), Tier(None, Decimal(650))),
    )
    before = Charge("si_1", tiers, quantity=5)
    after = Charge("si_1", tiers, quantity=6)
    assert amounts(before, after, APRIL, at(2024, 4, 16)) == [-1750, 2075]


def test_metered_items_are_never_prorated() -> None:
    metered = charge(10, metered=True)
    assert amounts(metered, None, APRIL, at(2024, 4, 16)) == []
    assert amounts(None, metered, APRIL, at(2024, 4, 16)) == []


def test_an_added_item_is_charged_and_a_removed_item_credited() -> None:
    assert amounts(None, charge(3000), APRIL, at(2024, 4, 21)) == [1000]
    assert amounts(charge(3000), None, APRIL, at(2024, 4, 21)) == [-1000]


def test_a_change_at_the_period_end_prorates_nothing() -> None:
    assert amounts(charge(1000), charge(2000), APRIL, APRIL.end) == []


@pytest.mark.parametrize("when", [at(2024, 3, 31, 23, 59, 59), at(2024, 5, 1, 0, 0, 1)])
def test_a_proration_date_outside_the_period_is_refused(when: datetime) -> None:
    with pytest.raises(ValueError, match="within the current period"):
        prorate_change(charge(1000), charge(2000), APRIL, when)


amounts_st = st.integers(0, 10**8)
periods_st = st.builds(
    lambda start, length: Period(from_unix(start), from_unix(start + length)),
    st.integers(0, 4 * 10**9),
    st.integers(1, 3 * 366 * 86400),
)


@given(amounts_st, amounts_st, periods_st, st.integers(1, 10**4))
def test_a_change_at_the_period_start_credits_and_charges_whole_periods(
    old: int, new: int, period: Period, quantity: int
) -> None:
    before, after = charge(old, quantity), charge(new, quantity + 1)
    lines = amounts(before, after, period, period.start)
    old_whole = line_amount(before.pricing, quantity)
    assert lines == [-old_whole, line_amount(after.pricing, quantity + 1)]


@settings(deadline=None)
@given(st.decimals(0, 10**6, places=12), periods_st, st.data())
def test_a_credit_is_exactly_minus_the_debit_it_undoes(
    unit: Decimal, period: Period, data: st.DataObject
) -> None:
    start, end = int(period.start.timestamp()), int(period.end.timestamp())
    when = from_unix(data.draw(st.integers(start, end - 1)))
    added = prorate_change(None, charge(unit), period, when)
    removed = prorate_change(charge(unit), None, period, when)
    assert [line.amount for line in removed] == [-line.amount for line in added]


@given(st.integers(0, 10**8), st.integers(1, 10**7), st.data())
def test_splitting_a_period_bills_the_whole_within_one_minor_unit(
    amount: int, length: int, data: st.DataObject
) -> None:
    # Each side rounds on its own, so two halves may differ from the whole by one unit.
    elapsed = data.draw(st.integers(0, length))
    before = prorate(Decimal(amount), Fraction(elapsed, length))
    after = prorate(Decimal(amount), Fraction(length - elapsed, length))
    assert abs(before + after - amount) <= 1


def test_remaining_fraction_runs_from_one_to_zero() -> None:
    assert remaining_fraction(APRIL, APRIL.start) == 1
    assert remaining_fraction(APRIL, APRIL.end) == 0
    assert remaining_fraction(APRIL, APRIL.start + timedelta(days=15)) == Fraction(1, 2)
