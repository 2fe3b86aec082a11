"""Discounts: when they are in effect, how much they take, and how that is spread over lines."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.billing.domain.discounts import (
    Coupon,
    Discount,
    DiscountableLine,
    DiscountAmount,
    allocate,
    apply_discounts,
    discount_end,
    in_effect,
)


def percent(p: str, *, id: str = "di_percent", products: set[str] | None = None) -> Discount:
    applies_to = frozenset(products) if products is not None else None
    return Discount(id=id, coupon=Coupon(percent_off=Decimal(p), applies_to_products=applies_to))


def amount(off: int, *, id: str = "di_amount", products: set[str] | None = None) -> Discount:
    applies_to = frozenset(products) if products is not None else None
    return Discount(id=id, coupon=Coupon(amount_off=off, applies_to_products=applies_to))


def line(
    amount: int,
    *,
    product: str | None = None,
    discountable: bool = True,
    discounts: tuple[Discount, ...] = (),
) -> DiscountableLine:
    return DiscountableLine(
        amount=amount, product=product, discountable=discountable, discounts=discounts
    )


def taken(amounts: tuple[tuple[DiscountAmount, ...], ...]) -> list[list[tuple[str, int]]]:
    return [[(entry.discount, entry.amount) for entry in per_line] for per_line in amounts]


def total_after(
    lines: list[DiscountableLine], amounts: tuple[tuple[DiscountAmount, ...], ...]
) -> int:
    return sum(item.amount for item in lines) - sum(
        entry.amount for per_line in amounts for entry in per_line
    )


def at(month: int, day: int = 10, year: int = 2024) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


# --- golden scenarios -------------------------------------------------------------------------


def test_g_6_1_fifty_percent_off_halves_the_subtotal() -> None:
    lines = [line(10000)]
    result = apply_discounts(lines, [percent("50")])
    assert taken(result) == [[("di_percent", 5000)]]
    assert total_after(lines, result) == 5000


def test_g_6_2_amount_off_larger_than_the_subtotal_floors_the_total_at_zero() -> None:
    lines = [line(100)]
    result = apply_discounts(lines, [amount(200)])
    assert taken(result) == [[("di_amount", 100)]]
    assert total_after(lines, result) == 0


def test_g_6_2_amount_off_smaller_than_the_subtotal_is_taken_in_full() -> None:
    lines = [line(300)]
    result = apply_discounts(lines, [amount(200)])
    assert taken(result) == [[("di_amount", 200)]]
    assert total_after(lines, result) == 100


def test_g_6_3_percent_then_amount_leaves_7500() -> None:
    # [I] rule: stacking is sequential, each discount works on what the previous ones left.
    lines = [line(10000)]
    result = apply_discounts(lines, [percent("20"), amount(500)])
    assert taken(result) == [[("di_percent", 2000), ("di_amount", 500)]]
    assert total_after(lines, result) == 7500


def test_g_6_3_amount_then_percent_leaves_7600() -> None:
    # [I] rule: stacking is sequential, each discount works on what the previous ones left.
    lines = [line(10000)]
    result = apply_discounts(lines, [amount(500), percent("20")])
    assert taken(result) == [[("di_amount", 500), ("di_percent", 1900)]]
    assert total_after(lines, result) == 7600


def test_g_6_4_amount_off_is_spread_over_lines_by_their_amounts() -> None:
    lines = [line(1000), line(2000)]
    result = apply_discounts(lines, [amount(500)])
    assert taken(result) == [[("di_amount", 166)], [("di_amount", 334)]]
    assert total_after(lines, result) == 2500


def test_g_6_4_allocation_floors_then_gives_the_remainder_to_the_largest_line() -> None:
    assert allocate(500, [1000, 2000]) == (166, 334)


def test_g_2_4_first_invoice_of_two_items_with_a_subscription_amount_off_coupon() -> None:
    # Given items of 1000 and 2000 a month and a subscription coupon of 500 off
    lines = [line(1000, product="prod_a"), line(2000, product="prod_b")]
    coupon = amount(500, id="di_sub")
    # When the first invoice is discounted
    result = apply_discounts(lines, [coupon])
    # Then each line shows its share and the invoice totals 2500
    assert taken(result) == [[("di_sub", 166)], [("di_sub", 334)]]
    assert total_after(lines, result) == 2500


def test_g_6_5_twenty_percent_coupon_before_tax_takes_2000() -> None:
    # [I] rule: discounts come off before tax; only the discount part is checked here.
    lines = [line(10000)]
    result = apply_discounts(lines, [percent("20")])
    assert taken(result) == [[("di_percent", 2000)]]
    assert total_after(lines, result) == 8000  # total_excluding_tax


# --- G-6.6 duration semantics -------------------------------------------------------------------


def test_g_6_6_once_applies_to_the_first_invoice_only() -> None:
    # [I] dates; rule: "once" is spent by the first invoice it is applied to.
    discount = Discount(id="di_1", coupon=Coupon(percent_off=Decimal(10)), start=at(1))
    assert in_effect(discount, invoice_at=at(1), already_applied=False)
    assert not in_effect(discount, invoice_at=at(2), already_applied=True)


@pytest.mark.parametrize(
    ("invoice_at", "expected"),
    [(at(1), True), (at(2), True), (at(3), True), (at(4), False), (at(5), False)],
)
def test_g_6_6_repeating_three_months_covers_three_monthly_invoices(
    invoice_at: datetime, expected: bool
) -> None:
    # [I] dates; rule: repeating applies on start <= invoice_at < end, end = start + 3 months.
    discount = Discount(
        id="di_1",
        coupon=Coupon(percent_off=Decimal(10)),
        duration="repeating",
        start=at(1),
        end=at(4),
    )
    assert in_effect(discount, invoice_at=invoice_at, already_applied=True) is expected


def test_g_6_6_repeating_does_not_apply_before_its_start() -> None:
    discount = Discount(
        id="di_1",
        coupon=Coupon(percent_off=Decimal(10)),
        duration="repeating",
        start=at(1),
        end=at(4),
    )
    assert not in_effect(discount, invoice_at=at(1, day=9), already_applied=False)


def test_g_6_6_forever_applies_to_every_invoice() -> None:
    discount = Discount(
        id="di_1", coupon=Coupon(percent_off=Decimal(10)), duration="forever", start=at(1)
    )
    assert in_effect(discount, invoice_at=at(1), already_applied=False)
    assert in_effect(discount, invoice_at=at(12, year=2030), already_applied=True)


def test_in_effect_rejects_a_naive_invoice_date() -> None:
    discount = Discount(id="di_1", coupon=Coupon(percent_off=Decimal(10)), duration="forever")
    with pytest.raises(ValueError, match="aware"):
        in_effect(discount, invoice_at=datetime(2024, 1, 10), already_applied=False)


# --- eligibility ----------------------------------------------------------------------------


def test_applies_to_products_discounts_only_the_eligible_lines() -> None:
    lines = [line(1000, product="prod_a"), line(2000, product="prod_b"), line(3000)]
    result = apply_discounts(lines, [percent("10", products={"prod_b"})])
    assert taken(result) == [[], [("di_percent", 200)], []]


def test_applies_to_products_caps_amount_off_at_the_eligible_lines() -> None:
    lines = [line(300, product="prod_a"), line(2000, product="prod_b")]
    result = apply_discounts(lines, [amount(500, products={"prod_a"})])
    assert taken(result) == [[("di_amount", 300)], []]


def test_no_eligible_product_means_no_discount() -> None:
    lines = [line(1000, product="prod_a"), line(2000, product="prod_b")]
    result = apply_discounts(lines, [amount(500, products={"prod_z"})])
    assert taken(result) == [[], []]


def test_proration_lines_are_not_discounted() -> None:
    # Given a renewal line and two proration lines (discountable=false)
    lines = [line(2000), line(-500, discountable=False), line(1000, discountable=False)]
    # When a 50% coupon applies to the invoice
    result = apply_discounts(lines, [percent("50")])
    # Then only the renewal line is discounted, on its own amount
    assert taken(result) == [[("di_percent", 1000)], [], []]


def test_zero_and_negative_lines_are_not_discounted() -> None:
    lines = [line(0), line(-300), line(1000)]
    result = apply_discounts(lines, [amount(2000)])
    assert taken(result) == [[], [], [("di_amount", 1000)]]


def test_no_lines_take_nothing() -> None:
    assert apply_discounts([], [amount(500)]) == ()


# --- ordering -------------------------------------------------------------------------------


def test_item_level_discounts_apply_before_invoice_level_ones() -> None:
    # Given line 0 with its own 20% item discount and an invoice-level 1000 off
    lines = [line(10000, discounts=(percent("20", id="di_item"),)), line(10000)]
    # When discounts are applied
    result = apply_discounts(lines, [amount(1000, id="di_invoice")])
    # Then the item discount comes first and the invoice discount is spread over 8000 and 10000
    assert taken(result) == [
        [("di_item", 2000), ("di_invoice", 444)],
        [("di_invoice", 556)],
    ]


def test_item_level_discount_reaches_only_its_own_line() -> None:
    lines = [line(1000), line(1000, discounts=(amount(5000, id="di_item"),))]
    result = apply_discounts(lines, [])
    assert taken(result) == [[], [("di_item", 1000)]]


def test_later_invoice_discount_takes_nothing_once_the_lines_are_used_up() -> None:
    lines = [line(1000)]
    result = apply_discounts(lines, [percent("100", id="di_all"), amount(100, id="di_more")])
    assert taken(result) == [[("di_all", 1000)]]


# --- rounding -------------------------------------------------------------------------------


def test_percent_is_rounded_half_up_on_the_base_then_spread() -> None:
    # 15% of 999 = 149.85 -> 150; per-line rounding (75 + 74.85 -> 75) would agree only by luck
    lines = [line(500), line(499)]
    result = apply_discounts(lines, [percent("15")])
    assert taken(result) == [[("di_percent", 76)], [("di_percent", 74)]]


def test_percent_exactly_half_a_unit_rounds_up() -> None:
    result = apply_discounts([line(3)], [percent("50")])
    assert taken(result) == [[("di_percent", 2)]]


# --- allocate -------------------------------------------------------------------------------


def test_allocate_never_gives_a_line_more_than_its_weight() -> None:
    assert allocate(2, [1, 1, 1]) == (0, 1, 1)


def test_allocate_gives_a_tied_remainder_to_the_later_line() -> None:
    assert allocate(1, [5, 5]) == (0, 1)


def test_allocate_gives_the_remainder_to_the_largest_weight_wherever_it_is() -> None:
    assert allocate(500, [2000, 1000]) == (334, 166)


def test_allocate_of_the_whole_sum_gives_each_line_its_weight() -> None:
    assert allocate(7, [3, 0, 4]) == (3, 0, 4)


def test_allocate_gives_nothing_to_zero_weights() -> None:
    assert allocate(3, [0, 4, 0, 2]) == (0, 2, 0, 1)


def test_allocate_of_zero_over_zero_weights_is_all_zero() -> None:
    assert allocate(0, [0, 0]) == (0, 0)
    assert allocate(0, []) == ()


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [(-1, [1], "negative"), (1, [2, -1], "negative"), (4, [1, 2], "exceeds")],
)
def test_allocate_rejects_impossible_splits(total: int, weights: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        allocate(total, weights)


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent_off", "amount_off"),
    [
        (None, None),
        (Decimal(10), 100),
        (Decimal(0), None),
        (Decimal("100.01"), None),
        (Decimal("NaN"), None),
        (None, 0),
        (None, -5),
    ],
)
def test_coupon_rejects_invalid_terms(percent_off: Decimal | None, amount_off: int | None) -> None:
    with pytest.raises(ValueError, match=r"percent_off|amount_off"):
        Coupon(percent_off=percent_off, amount_off=amount_off)


def test_coupon_accepts_one_hundred_percent() -> None:
    assert Coupon(percent_off=Decimal(100)).percent_off == Decimal(100)


def test_repeating_discount_needs_start_and_end() -> None:
    with pytest.raises(ValueError, match="start and end"):
        Discount(id="di_1", coupon=Coupon(amount_off=1), duration="repeating", start=at(1))


def test_discount_end_must_follow_its_start() -> None:
    with pytest.raises(ValueError, match="after its start"):
        Discount(id="di_1", coupon=Coupon(amount_off=1), start=at(4), end=at(1))


# --- properties -----------------------------------------------------------------------------


@given(st.data(), st.lists(st.integers(0, 10**9), min_size=1, max_size=30))
def test_allocate_sums_to_total_within_each_weight(data: st.DataObject, weights: list[int]) -> None:
    total = data.draw(st.integers(0, sum(weights)))
    shares = allocate(total, weights)
    assert sum(shares) == total
    assert all(0 <= share <= weight for share, weight in zip(shares, weights, strict=True))


PRODUCTS = ("prod_a", "prod_b", "prod_c")
percent_points = st.integers(1, 10000)  # hundredths of a percent: 0.01 .. 100.00
coupons = st.one_of(
    percent_points.map(lambda n: Coupon(percent_off=Decimal(n) / 100)),
    st.integers(1, 10**7).map(lambda n: Coupon(amount_off=n)),
)
restricted_coupons = st.builds(
    lambda coupon, products: Coupon(
        percent_off=coupon.percent_off, amount_off=coupon.amount_off, applies_to_products=products
    ),
    coupons,
    st.none() | st.frozensets(st.sampled_from(PRODUCTS), min_size=1),
)
discounts = st.builds(
    Discount, id=st.from_regex(r"di_[a-z0-9]{4}", fullmatch=True), coupon=restricted_coupons
)
lines = st.builds(
    DiscountableLine,
    amount=st.integers(-(10**6), 10**7),
    product=st.none() | st.sampled_from(PRODUCTS),
    discountable=st.booleans(),
    discounts=st.lists(discounts, max_size=3).map(tuple),
)


@given(st.lists(lines, max_size=8), st.lists(discounts, max_size=5))
def test_no_line_is_discounted_below_zero(
    invoice_lines: list[DiscountableLine], invoice_discounts: list[Discount]
) -> None:
    result = apply_discounts(invoice_lines, invoice_discounts)
    assert len(result) == len(invoice_lines)
    for item, per_line in zip(invoice_lines, result, strict=True):
        discounted = sum(entry.amount for entry in per_line)
        if item.discountable and item.amount > 0:
            assert discounted <= item.amount
        else:
            assert discounted == 0


@given(
    st.lists(
        st.builds(
            DiscountableLine, amount=st.integers(-(10**6), 10**7), discountable=st.booleans()
        ),
        max_size=8,
    ),
    st.lists(coupons, max_size=5),
)
def test_each_discount_takes_exactly_its_size_on_what_is_left(
    invoice_lines: list[DiscountableLine], stack: list[Coupon]
) -> None:
    # Given discounts with no product restriction, so each one's base is what the ones before left
    invoice_discounts = [Discount(id=f"di_{n}", coupon=c) for n, c in enumerate(stack)]
    base = sum(item.amount for item in invoice_lines if item.discountable and item.amount > 0)
    # When the stack is applied
    result = apply_discounts(invoice_lines, invoice_discounts)
    # Then each discount takes its size: half-up percent of the base, or amount_off capped at it
    for discount in invoice_discounts:
        if discount.coupon.percent_off is not None:
            points = int(discount.coupon.percent_off * 100)
            size = (base * points + 5000) // 10000
        else:
            assert discount.coupon.amount_off is not None
            size = min(discount.coupon.amount_off, base)
        took = sum(e.amount for per_line in result for e in per_line if e.discount == discount.id)
        assert took == size
        base -= size


def test_g_6_6_a_repeating_discount_ends_whole_months_after_it_starts() -> None:
    assert discount_end(datetime(2024, 1, 10, tzinfo=UTC), 3) == datetime(2024, 4, 10, tzinfo=UTC)
    # A month-end start is clamped like a billing anchor.
    assert discount_end(datetime(2024, 1, 31, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)


def test_g_6_7_an_existing_forever_discount_outlives_its_coupon_s_redeem_by() -> None:
    # redeem_by only stops new redemptions (checked when a coupon is applied); a discount
    # already running keeps applying to every invoice.
    discount = Discount("di_old", Coupon(percent_off=Decimal(10)), duration="forever")
    assert in_effect(discount, invoice_at=datetime(2040, 1, 1, tzinfo=UTC), already_applied=True)
