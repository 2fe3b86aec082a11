"""Tax computation: golden scenarios G-6.5 and G-7.x, and properties of both rounding levels."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.billing.domain.tax import (
    LineTax,
    TaxableLine,
    TaxLevel,
    TaxRate,
    TaxResult,
    TaxSettings,
    TaxTotal,
    compute_taxes,
)
from seikyu.core.money import Rounding

LINE_ITEM = TaxSettings(level=TaxLevel.LINE_ITEM)
INVOICE = TaxSettings(level=TaxLevel.INVOICE)


def rate(rate_id: str, percentage: str, *, inclusive: bool = False) -> TaxRate:
    return TaxRate(id=rate_id, percentage=Decimal(percentage), inclusive=inclusive)


def invoice_level(rounding: Rounding) -> TaxSettings:
    return TaxSettings(level=TaxLevel.INVOICE, rounding=rounding)


def amounts(result: TaxResult) -> list[list[int]]:
    return [[tax.amount for tax in row] for row in result.lines]


VAT_10 = rate("txr_vat10", "10")
JCT_10 = rate("txr_jct10", "10")
JCT_8 = rate("txr_jct8", "8")
JCT_8_INCLUSIVE = rate("txr_jct8_incl", "8", inclusive=True)
VAT_10_INCLUSIVE = rate("txr_vat10_incl", "10", inclusive=True)


def test_exclusive_tax_is_added_on_top_of_the_line_g_7_1() -> None:
    """G-7.1: line 1000 usd at 10% exclusive -> tax 100, total 1100."""
    # [I] rule: exclusive tax = amount * p / 100, rounded half up per line.
    result = compute_taxes([TaxableLine(amount=1000, rates=(VAT_10,))])

    assert result.lines == ((LineTax("txr_vat10", False, 1000, 100),),)
    assert result.totals == (TaxTotal("txr_vat10", Decimal(10), False, 1000, 100),)
    assert result.exclusive_amount == 100
    assert result.inclusive_amount == 0


def test_inclusive_tax_is_taken_out_of_the_line_g_7_2() -> None:
    """G-7.2: 60000 eur at 10% inclusive -> tax round(5454.55) = 5455, taxable 54545."""
    # [I] rule: inclusive tax = amount * p / (100 + p), rounded half up.
    result = compute_taxes([TaxableLine(amount=60000, rates=(VAT_10_INCLUSIVE,))])

    assert result.lines == ((LineTax("txr_vat10_incl", True, 54545, 5455),),)
    assert result.inclusive_amount == 5455
    assert result.exclusive_amount == 0


def test_yen_amounts_have_no_minor_unit_g_7_3() -> None:
    """G-7.3: ¥1,000 at JCT 10% exclusive -> tax 100 (not 10000)."""
    # [I] rule: amounts are whole yen, the same arithmetic as any currency.
    result = compute_taxes([TaxableLine(amount=1000, rates=(JCT_10,))])

    assert result.totals == (TaxTotal("txr_jct10", Decimal(10), False, 1000, 100),)


def test_reduced_rate_inclusive_yen_g_7_4() -> None:
    """G-7.4: ¥1,080 at 8% inclusive -> tax 80, net 1000."""
    # [I] rule: 1080 * 8 / 108 = 80 exactly.
    result = compute_taxes([TaxableLine(amount=1080, rates=(JCT_8_INCLUSIVE,))])

    assert result.totals == (TaxTotal("txr_jct8_incl", Decimal(8), True, 1000, 80),)


G_7_5_LINES = [
    TaxableLine(amount=105, rates=(JCT_8,)),
    TaxableLine(amount=105, rates=(JCT_8,)),
    TaxableLine(amount=105, rates=(JCT_8,)),
    TaxableLine(amount=2980, rates=(JCT_10,)),
]


def test_line_item_level_rounds_each_line_g_7_5() -> None:
    """G-7.5: 3 x ¥105 at 8% and ¥2,980 at 10%, per line: 8 + 8 + 8 + 298 = 322."""
    # [I] rule: each line's 8.4 rounds half up to 8 on its own.
    result = compute_taxes(G_7_5_LINES, LINE_ITEM)

    assert amounts(result) == [[8], [8], [8], [298]]
    assert result.totals == (
        TaxTotal("txr_jct8", Decimal(8), False, 315, 24),
        TaxTotal("txr_jct10", Decimal(10), False, 2980, 298),
    )
    assert result.exclusive_amount == 322


def test_invoice_level_rounds_once_per_rate_g_7_5() -> None:
    """G-7.5: after subtotaling, 8%: 315 x 0.08 = 25.2 -> 25; 10%: 298; total tax 323."""
    # [I] rule: per rate, the sum of exact taxes rounded once (half up here).
    result = compute_taxes(G_7_5_LINES, invoice_level(Rounding.HALF_UP))

    assert result.totals == (
        TaxTotal("txr_jct8", Decimal(8), False, 315, 25),
        TaxTotal("txr_jct10", Decimal(10), False, 2980, 298),
    )
    assert result.exclusive_amount == 323


def test_invoice_level_spreads_each_rate_total_back_over_its_lines_g_7_5() -> None:
    """G-7.5: the 8% total of 25 is shown on the lines as 8 + 8 + 9."""
    # Each 8.4 rounds to 8; the missing unit goes to the later of the equal lines.
    result = compute_taxes(G_7_5_LINES, INVOICE)

    assert amounts(result) == [[8], [8], [9], [298]]


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [(Rounding.DOWN, 25), (Rounding.HALF_UP, 25), (Rounding.UP, 26)],
)
def test_invoice_level_rounding_mode_decides_the_rate_total(
    rounding: Rounding, expected: int
) -> None:
    # Given 8% of ¥315 = 25.2
    lines = [TaxableLine(amount=315, rates=(JCT_8,))]

    result = compute_taxes(lines, invoice_level(rounding))

    assert result.totals[0].amount == expected


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        (Rounding.DOWN, [[8], [8], [9], [298]]),
        (Rounding.UP, [[9], [9], [8], [298]]),
    ],
)
def test_invoice_level_line_shares_add_up_to_the_rate_total_in_every_mode(
    rounding: Rounding, expected: list[list[int]]
) -> None:
    # Given three 8.4s: DOWN gives 8 each against 25, UP gives 9 each against 26
    result = compute_taxes(G_7_5_LINES, invoice_level(rounding))

    assert amounts(result) == expected
    assert sum(row[0] for row in amounts(result)[:3]) == result.totals[0].amount


def test_tax_is_charged_on_the_discounted_amount_g_6_5() -> None:
    """G-6.5: subtotal 10000 less a 20% coupon = 8000, 10% exclusive -> tax 800."""
    # [I] rule: the caller passes the amount after discounts; tax = 8000 * 10%.
    result = compute_taxes([TaxableLine(amount=8000, rates=(VAT_10,))])

    assert result.totals == (TaxTotal("txr_vat10", Decimal(10), False, 8000, 800),)


def test_several_exclusive_rates_on_one_line_each_tax_the_full_amount() -> None:
    # Given a state 5% and a city 7.25% on 1000: 50 and 72.5 -> 73
    state, city = rate("txr_state", "5"), rate("txr_city", "7.25")

    result = compute_taxes([TaxableLine(amount=1000, rates=(state, city))])

    assert result.lines == (
        (LineTax("txr_state", False, 1000, 50), LineTax("txr_city", False, 1000, 73)),
    )
    assert result.exclusive_amount == 123


def test_exclusive_rate_taxes_the_amount_net_of_inclusive_tax() -> None:
    # Given ¥1,080 with 8% inclusive (net 1000) and a 2% exclusive surcharge
    surcharge = rate("txr_surcharge", "2")

    result = compute_taxes([TaxableLine(amount=1080, rates=(JCT_8_INCLUSIVE, surcharge))])

    assert result.lines == (
        (LineTax("txr_jct8_incl", True, 1000, 80), LineTax("txr_surcharge", False, 1000, 20)),
    )
    assert (result.inclusive_amount, result.exclusive_amount) == (80, 20)


def test_a_credit_line_mirrors_its_debit() -> None:
    debit = compute_taxes([TaxableLine(amount=60000, rates=(VAT_10_INCLUSIVE,))])

    credit = compute_taxes([TaxableLine(amount=-60000, rates=(VAT_10_INCLUSIVE,))])

    assert credit.lines == ((LineTax("txr_vat10_incl", True, -54545, -5455),),)
    assert debit.lines == ((LineTax("txr_vat10_incl", True, 54545, 5455),),)


def test_a_line_without_rates_gets_no_entries() -> None:
    result = compute_taxes([TaxableLine(amount=500), TaxableLine(amount=1000, rates=(VAT_10,))])

    assert result.lines[0] == ()
    assert result.totals == (TaxTotal("txr_vat10", Decimal(10), False, 1000, 100),)


def test_no_lines_means_no_tax() -> None:
    result = compute_taxes([], INVOICE)

    assert result == TaxResult(lines=(), totals=())
    assert result.exclusive_amount == 0


def test_a_zero_percent_rate_still_gets_a_row() -> None:
    exempt = rate("txr_exempt", "0")

    result = compute_taxes([TaxableLine(amount=1000, rates=(exempt,))])

    assert result.totals == (TaxTotal("txr_exempt", Decimal(0), False, 1000, 0),)


def test_totals_list_rates_in_order_of_first_appearance() -> None:
    lines = [
        TaxableLine(amount=100, rates=(JCT_10,)),
        TaxableLine(amount=100, rates=(JCT_8, JCT_10)),
    ]

    result = compute_taxes(lines)

    assert [total.tax_rate for total in result.totals] == ["txr_jct10", "txr_jct8"]


def test_invoice_level_rounds_an_exact_half_that_decimals_would_miss() -> None:
    # Given 20% inclusive on 2 and 13: exact taxes 2/6 + 13/6 = 5/2 exactly, while the
    # 60-digit Decimal quotients add up to 2.4999...9 and would round down to 2
    twenty = rate("txr_twenty", "20", inclusive=True)
    lines = [TaxableLine(amount=2, rates=(twenty,)), TaxableLine(amount=13, rates=(twenty,))]

    result = compute_taxes(lines, INVOICE)

    assert result.totals == (TaxTotal("txr_twenty", Decimal(20), True, 12, 3),)


def test_six_rates_on_a_line_are_rejected() -> None:
    rates = tuple(rate(f"txr_{n}", "1") for n in range(6))

    with pytest.raises(ValueError, match="at most 5"):
        TaxableLine(amount=100, rates=rates)


def test_the_same_rate_twice_on_a_line_is_rejected() -> None:
    with pytest.raises(ValueError, match="same tax rate twice"):
        TaxableLine(amount=100, rates=(VAT_10, VAT_10))


def test_one_rate_id_with_two_definitions_is_rejected() -> None:
    lines = [
        TaxableLine(amount=100, rates=(rate("txr_a", "8"),)),
        TaxableLine(amount=100, rates=(rate("txr_a", "10"),)),
    ]

    with pytest.raises(ValueError, match="two definitions"):
        compute_taxes(lines)


@pytest.mark.parametrize("percentage", ["-1", "100.0001", "12.34567", "NaN", "Infinity"])
def test_out_of_range_or_too_precise_percentages_are_rejected(percentage: str) -> None:
    with pytest.raises(ValueError, match="percentage"):
        rate("txr_bad", percentage)


def test_a_percentage_with_trailing_zeros_beyond_four_places_is_accepted() -> None:
    assert rate("txr_ok", "8.000000").percentage == Decimal(8)


percentages = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False)
gross_amounts = st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=12)
modes = st.sampled_from(list(Rounding))


@given(percentage=percentages, gross=gross_amounts)
def test_line_item_inclusive_tax_and_taxable_add_up_to_each_gross(
    percentage: Decimal, gross: list[int]
) -> None:
    inclusive = TaxRate(id="txr_p", percentage=percentage, inclusive=True)

    result = compute_taxes([TaxableLine(amount=a, rates=(inclusive,)) for a in gross], LINE_ITEM)

    for amount, (tax,) in zip(gross, result.lines, strict=True):
        assert type(tax.amount) is int
        assert type(tax.taxable_amount) is int
        assert tax.amount + tax.taxable_amount == amount


@given(percentage=percentages, gross=gross_amounts, rounding=modes)
def test_invoice_level_inclusive_total_and_taxable_add_up_to_the_gross_sum(
    percentage: Decimal, gross: list[int], rounding: Rounding
) -> None:
    inclusive = TaxRate(id="txr_p", percentage=percentage, inclusive=True)
    lines = [TaxableLine(amount=a, rates=(inclusive,)) for a in gross]

    result = compute_taxes(lines, invoice_level(rounding))

    for total in result.totals:
        assert type(total.amount) is int
        assert type(total.taxable_amount) is int
        assert total.amount + total.taxable_amount == sum(gross)


mixed_lines = st.lists(
    st.builds(
        TaxableLine,
        amount=st.integers(min_value=-(10**9), max_value=10**9),
        rates=st.lists(
            st.sampled_from(
                [JCT_8, JCT_10, JCT_8_INCLUSIVE, VAT_10_INCLUSIVE, rate("txr_x", "7.25")]
            ),
            max_size=4,
            unique=True,
        ).map(tuple),
    ),
    max_size=10,
)


def exact_tax(line: TaxableLine, tax_rate: TaxRate) -> Fraction:
    inclusive_sum = sum(Fraction(r.percentage) for r in line.rates if r.inclusive)
    return line.amount * Fraction(tax_rate.percentage) / (100 + inclusive_sum)


@given(lines=mixed_lines, rounding=modes)
def test_invoice_level_line_shares_add_up_and_stay_within_two_units_of_exact(
    lines: list[TaxableLine], rounding: Rounding
) -> None:
    # Bound proved in tax._spread: under 2 units, at most 1.5 with a half mode.
    bound = Fraction(3, 2) if rounding in {Rounding.HALF_UP, Rounding.HALF_EVEN} else 2

    result = compute_taxes(lines, invoice_level(rounding))

    for total in result.totals:
        shares = [
            tax.amount for row in result.lines for tax in row if tax.tax_rate == total.tax_rate
        ]
        assert sum(shares) == total.amount
    for line, row in zip(lines, result.lines, strict=True):
        for tax_rate, tax in zip(line.rates, row, strict=True):
            assert abs(tax.amount - exact_tax(line, tax_rate)) <= bound
            assert abs(tax.amount - exact_tax(line, tax_rate)) < 2


@given(lines=mixed_lines, level=st.sampled_from(list(TaxLevel)), rounding=modes)
def test_negating_every_amount_negates_every_result(
    lines: list[TaxableLine], level: TaxLevel, rounding: Rounding
) -> None:
    settings = TaxSettings(level=level, rounding=rounding)
    credits = [TaxableLine(amount=-line.amount, rates=line.rates) for line in lines]

    debit = compute_taxes(lines, settings)
    credit = compute_taxes(credits, settings)

    assert credit.lines == tuple(
        tuple(LineTax(tax.tax_rate, tax.inclusive, -tax.taxable_amount, -tax.amount) for tax in row)
        for row in debit.lines
    )
    assert [(t.taxable_amount, t.amount) for t in credit.totals] == [
        (-t.taxable_amount, -t.amount) for t in debit.totals
    ]
