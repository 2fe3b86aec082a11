"""Invariants of the invoice generator over random invoices in every kind of currency."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from seikyu.billing.domain.discounts import Coupon, Discount
from seikyu.billing.domain.invoice import (
    BillingRun,
    InvoiceAmounts,
    ItemUsage,
    PendingItem,
    generate_invoice,
)
from seikyu.billing.domain.pricing import per_unit
from seikyu.billing.domain.proration import Charge, prorate_change
from seikyu.billing.domain.tax import TaxLevel, TaxRate, TaxSettings
from seikyu.core.money import Rounding, charge_step, minimum_charge
from seikyu.core.periods import Period

PERIOD = Period(datetime(2024, 4, 1, tzinfo=UTC), datetime(2024, 5, 1, tzinfo=UTC))
PRODUCTS = ("prod_a", "prod_b", "prod_c")

rates = st.lists(
    st.tuples(st.decimals(0, 100, places=4), st.booleans()).map(
        lambda r: TaxRate(f"txr_{r[0]}_{r[1]}", r[0], inclusive=r[1])
    ),
    max_size=3,
    unique_by=lambda rate: rate.id,
).map(tuple)

coupons = st.one_of(
    st.builds(Coupon, percent_off=st.decimals("0.01", 100, places=2)),
    st.builds(Coupon, amount_off=st.integers(1, 10**6)),
    st.builds(
        Coupon,
        amount_off=st.integers(1, 10**6),
        applies_to_products=st.frozensets(st.sampled_from(PRODUCTS), min_size=1),
    ),
)
discounts = st.lists(
    st.builds(
        Discount,
        id=st.uuids().map(lambda u: f"di_{u.hex}"),
        coupon=coupons,
        duration=st.just("forever"),
    ),
    max_size=3,
).map(tuple)

items = st.lists(
    st.builds(
        ItemUsage,
        item=st.just("si_x"),
        pricing=st.decimals(0, 10**5, places=4).map(per_unit),
        quantity=st.integers(0, 1000),
        period=st.just(PERIOD),
        product=st.sampled_from(PRODUCTS),
        discounts=discounts,
    ),
    max_size=4,
).map(tuple)

pending = st.lists(
    st.builds(
        PendingItem,
        id=st.just("ii_x"),
        amount=st.integers(-(10**6), 10**6),
        period=st.just(PERIOD),
        product=st.sampled_from(PRODUCTS),
        discountable=st.booleans(),
        tax_rates=st.none() | rates,
    ),
    max_size=4,
).map(tuple)


@st.composite
def prorations(draw: st.DrawFn) -> tuple[object, ...]:
    old, new = draw(st.integers(0, 10**5)), draw(st.integers(0, 10**5))
    at = datetime.fromtimestamp(
        draw(st.integers(int(PERIOD.start.timestamp()), int(PERIOD.end.timestamp()))), UTC
    )
    return prorate_change(Charge("si_p", per_unit(old)), Charge("si_p", per_unit(new)), PERIOD, at)


runs = st.builds(
    BillingRun,
    currency=st.sampled_from(["usd", "jpy", "krw", "kwd", "eur", "isk", "huf"]),
    invoice_at=st.just(PERIOD.start),
    items=items,
    prorations=prorations(),
    pending=pending,
    discounts=discounts,
    default_tax_rates=rates,
    tax_settings=st.builds(
        TaxSettings, level=st.sampled_from(list(TaxLevel)), rounding=st.sampled_from(list(Rounding))
    ),
    starting_balance=st.integers(-(10**6), 10**6),
)


def money_fields(invoice: InvoiceAmounts) -> list[object]:
    values: list[object] = [
        invoice.subtotal,
        invoice.subtotal_excluding_tax,
        invoice.total_excluding_tax,
        invoice.total,
        invoice.starting_balance,
        invoice.amount_due,
        invoice.ending_balance,
        invoice.amount_remaining,
        *(d.amount for d in invoice.total_discount_amounts),
        *(t.amount for t in invoice.total_taxes),
        *(t.taxable_amount for t in invoice.total_taxes),
    ]
    for line in invoice.lines:
        values += [line.amount, *(d.amount for d in line.discount_amounts)]
        values += [*(t.amount for t in line.taxes), *(t.taxable_amount for t in line.taxes)]
    return values


@settings(deadline=None, max_examples=300)
@given(runs)
def test_every_amount_is_a_whole_minor_unit(run: BillingRun) -> None:
    assert all(type(value) is int for value in money_fields(generate_invoice(run)))


@settings(deadline=None, max_examples=300)
@given(runs)
def test_totals_are_consistent_with_the_lines(run: BillingRun) -> None:
    invoice = generate_invoice(run)
    line_discounts = sum(d.amount for line in invoice.lines for d in line.discount_amounts)
    assert sum(d.amount for d in invoice.total_discount_amounts) == line_discounts
    for line in invoice.lines:
        taken = sum(d.amount for d in line.discount_amounts)
        assert taken <= max(line.amount, 0)
        if not line.discountable:
            assert taken == 0
    for total in invoice.total_taxes:
        shares = [t for line in invoice.lines for t in line.taxes if t.tax_rate == total.tax_rate]
        assert sum(t.amount for t in shares) == total.amount
    all_tax = sum(t.amount for t in invoice.total_taxes)
    exclusive = sum(t.amount for t in invoice.total_taxes if not t.inclusive)
    # total = every line, less every discount, plus the tax added on top.
    assert invoice.total == sum(line.amount for line in invoice.lines) - line_discounts + exclusive
    assert invoice.total_excluding_tax == invoice.total - all_tax


@settings(deadline=None, max_examples=300)
@given(runs)
def test_the_balance_accounts_for_every_unit(run: BillingRun) -> None:
    invoice = generate_invoice(run)
    assert invoice.amount_due + invoice.ending_balance == invoice.starting_balance + invoice.total
    assert invoice.amount_due % charge_step(run.currency) == 0
    assert invoice.amount_due == 0 or invoice.amount_due >= minimum_charge(run.currency)
