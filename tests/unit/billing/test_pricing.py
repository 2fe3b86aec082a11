"""Price amounts: per unit, decimal unit amounts, packages, volume and graduated tiers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.billing.domain.pricing import (
    BillingScheme,
    PackageRounding,
    Pricing,
    Tier,
    TiersMode,
    TransformQuantity,
    billable_quantity,
    exact_amount,
    line_amount,
    per_unit,
)


def tiered(mode: TiersMode, *tiers: tuple[int | None, int, int]) -> Pricing:
    return Pricing(
        billing_scheme=BillingScheme.TIERED,
        tiers_mode=mode,
        tiers=tuple(Tier(up_to, Decimal(unit), Decimal(flat)) for up_to, unit, flat in tiers),
    )


TYPOGRAPHIC = ((5, 700, 0), (10, 650, 0), (None, 600, 0))
FLAT_AND_UNIT = (
    (5, 500, 1000),
    (10, 400, 2000),
    (15, 300, 3000),
    (20, 200, 4000),
    (None, 100, 5000),
)


@pytest.mark.parametrize(
    ("quantity", "amount"), [(1, 700), (5, 3500), (6, 3900), (20, 12000), (25, 15000)]
)
def test_g_1_1_volume_tiers_bill_the_whole_quantity_at_its_tier(quantity: int, amount: int) -> None:
    assert line_amount(tiered(TiersMode.VOLUME, *TYPOGRAPHIC), quantity) == amount


def test_g_1_1_volume_total_can_drop_when_crossing_a_tier() -> None:
    # [I] illustration from the reference: the whole quantity moves to the cheaper tier.
    pricing = tiered(TiersMode.VOLUME, (10, 1000, 0), (None, 500, 0))
    assert line_amount(pricing, 10) == 10000
    assert line_amount(pricing, 11) == 5500


@pytest.mark.parametrize(
    ("quantity", "amount"), [(1, 700), (5, 3500), (6, 4150), (20, 12750), (25, 15750)]
)
def test_g_1_2_graduated_tiers_bill_each_slice_at_its_own_tier(quantity: int, amount: int) -> None:
    assert line_amount(tiered(TiersMode.GRADUATED, *TYPOGRAPHIC), quantity) == amount


def test_g_1_3_flat_and_unit_tiers_at_twelve() -> None:
    assert line_amount(tiered(TiersMode.VOLUME, *FLAT_AND_UNIT), 12) == 6600
    assert line_amount(tiered(TiersMode.GRADUATED, *FLAT_AND_UNIT), 12) == 11100


@pytest.mark.parametrize("mode", list(TiersMode))
def test_g_1_3_quantity_zero_still_bills_the_first_tier_flat_amount(mode: TiersMode) -> None:
    assert line_amount(tiered(mode, *FLAT_AND_UNIT), 0) == 1000


@pytest.mark.parametrize(
    ("quantity", "volume", "graduated"), [(1, 1500, 1500), (10, 6000, 7500), (25, 7500, 22500)]
)
def test_g_1_4_flat_tiers_at_boundaries_and_overflow(
    quantity: int, volume: int, graduated: int
) -> None:
    # [I] a graduated tier's flat amount is added only once the quantity reaches that tier:
    # at exactly 10 the third tier (11-15) is not reached, so its 3000 is not billed.
    assert line_amount(tiered(TiersMode.VOLUME, *FLAT_AND_UNIT), quantity) == volume
    assert line_amount(tiered(TiersMode.GRADUATED, *FLAT_AND_UNIT), quantity) == graduated


@pytest.mark.parametrize(
    ("users", "amount"), [(1, 1000), (3, 1000), (5, 1000), (6, 2000), (7, 2000)]
)
def test_g_1_5_package_pricing_rounds_up_to_whole_packages(users: int, amount: int) -> None:
    pricing = per_unit(1000, TransformQuantity(5, PackageRounding.UP))
    assert line_amount(pricing, users) == amount


def test_g_1_6_package_pricing_on_usage_per_started_hour() -> None:
    pricing = per_unit(1000, TransformQuantity(60, PackageRounding.UP))
    assert billable_quantity(pricing, 150) == 3
    assert line_amount(pricing, 150) == 3000


def test_g_1_7_package_pricing_rounding_down() -> None:
    pricing = per_unit(1000, TransformQuantity(5, PackageRounding.DOWN))
    assert line_amount(pricing, 7) == 1000
    assert line_amount(pricing, 4) == 0


def test_g_1_9_decimal_unit_amount_rounds_once_per_line() -> None:
    pricing = per_unit(Decimal("0.05"))
    assert exact_amount(pricing, 30) == Decimal("1.50")
    assert line_amount(pricing, 30) == 2


def test_g_1_10_each_line_rounds_before_lines_are_summed() -> None:
    # [I] half up per line: 1.45 -> 1, and two lines of 1.5 are 2 + 2, not round(3.0).
    pricing = per_unit(Decimal("0.05"))
    assert line_amount(pricing, 29) == 1
    assert line_amount(pricing, 30) + line_amount(pricing, 30) == 4


def test_decimal_tier_amounts_round_once_for_the_whole_line() -> None:
    pricing = Pricing(
        billing_scheme=BillingScheme.TIERED,
        tiers_mode=TiersMode.GRADUATED,
        tiers=(Tier(100, Decimal("0.004")), Tier(None, Decimal("0.003"))),
    )
    # 100 x 0.004 + 150 x 0.003 = 0.85 -> 1, where rounding each slice would give 0 + 0.
    assert exact_amount(pricing, 250) == Decimal("0.850")
    assert line_amount(pricing, 250) == 1


def test_decimal_quantities_are_priced_exactly() -> None:
    assert line_amount(per_unit(1000), Decimal("2.5")) == 2500


@pytest.mark.parametrize(
    "build",
    [
        lambda: Pricing(billing_scheme=BillingScheme.TIERED, tiers_mode=TiersMode.VOLUME),
        lambda: tiered(TiersMode.VOLUME, (5, 1, 0), (10, 1, 0)),
        lambda: tiered(TiersMode.VOLUME, (5, 1, 0), (5, 1, 0), (None, 1, 0)),
        lambda: Pricing(tiers=(Tier(None, Decimal(1)),)),
        lambda: Pricing(
            billing_scheme=BillingScheme.TIERED,
            tiers_mode=TiersMode.VOLUME,
            tiers=(Tier(None, Decimal(1)),),
            transform_quantity=TransformQuantity(2, PackageRounding.UP),
        ),
        lambda: TransformQuantity(0, PackageRounding.UP),
    ],
)
def test_inconsistent_pricing_is_refused(build: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        build()  # type: ignore[operator]


def test_negative_quantity_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        line_amount(per_unit(100), -1)


tier_lists = st.lists(
    st.tuples(st.integers(1, 50), st.integers(0, 10**6), st.integers(0, 10**6)),
    min_size=1,
    max_size=6,
)


def build_tiers(mode: TiersMode, raw: list[tuple[int, int, int]]) -> Pricing:
    bound = 0
    tiers = []
    for width, unit, flat in raw[:-1]:
        bound += width
        tiers.append((bound, unit, flat))
    tiers.append((None, raw[-1][1], raw[-1][2]))
    return tiered(mode, *tiers)


@given(tier_lists, st.integers(0, 500))
def test_graduated_totals_never_decrease_as_quantity_grows(
    raw: list[tuple[int, int, int]], quantity: int
) -> None:
    pricing = build_tiers(TiersMode.GRADUATED, raw)
    assert line_amount(pricing, quantity + 1) >= line_amount(pricing, quantity)


@given(tier_lists, st.integers(0, 500))
def test_graduated_total_is_the_sum_of_its_slices(
    raw: list[tuple[int, int, int]], quantity: int
) -> None:
    pricing = build_tiers(TiersMode.GRADUATED, raw)
    # Pricing unit by unit: each unit at the rate of the tier it lands in, plus the flat
    # amount of every tier reached (the first always is).
    expected = Decimal(pricing.tiers[0].flat_amount)
    for unit in range(1, quantity + 1):
        lower = 0
        for index, tier in enumerate(pricing.tiers):
            if tier.up_to is None or unit <= tier.up_to:
                expected += tier.unit_amount
                if unit == lower + 1 and index > 0:
                    expected += tier.flat_amount
                break
            lower = tier.up_to
    assert exact_amount(pricing, quantity) == expected


@given(
    st.decimals(min_value=0, max_value=10**6, places=12, allow_nan=False),
    st.integers(0, 10**4),
    st.integers(1, 100),
    st.sampled_from(list(PackageRounding)),
)
def test_every_line_amount_is_a_whole_minor_unit(
    unit: Decimal, quantity: int, divide_by: int, rounding: PackageRounding
) -> None:
    amount = line_amount(per_unit(unit, TransformQuantity(divide_by, rounding)), quantity)
    assert isinstance(amount, int)
    assert amount >= 0
