"""The invoice generator: lines, discounts, taxes, totals and balance, end to end."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from seikyu.billing.domain.discounts import Coupon, Discount, DiscountAmount
from seikyu.billing.domain.invoice import (
    BillingRun,
    InvoiceAmounts,
    ItemUsage,
    LineKind,
    PendingItem,
    generate_invoice,
)
from seikyu.billing.domain.pricing import PackageRounding, TransformQuantity, per_unit
from seikyu.billing.domain.proration import Charge, prorate_change
from seikyu.billing.domain.tax import TaxLevel, TaxRate, TaxSettings, TaxTotal
from seikyu.core.clock import from_unix
from seikyu.core.money import Rounding
from seikyu.core.periods import Period


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


APRIL = Period(at(2024, 4, 1), at(2024, 5, 1))
MAY = Period(at(2024, 5, 1), at(2024, 6, 1))


def item(amount: int | Decimal, quantity: int = 1, **extra: object) -> ItemUsage:
    fields: dict[str, object] = {"item": "si_1", "period": MAY, "quantity": quantity}
    fields.update(extra)
    return ItemUsage(pricing=per_unit(amount), **fields)  # type: ignore[arg-type]


def run(**fields: object) -> InvoiceAmounts:
    fields.setdefault("currency", "usd")
    fields.setdefault("invoice_at", MAY.start)
    return generate_invoice(BillingRun(**fields))  # type: ignore[arg-type]


def forever(id_: str, **coupon: object) -> Discount:
    return Discount(id_, Coupon(**coupon), duration="forever")  # type: ignore[arg-type]


def test_a_plain_renewal() -> None:
    invoice = run(items=(item(1000),))
    assert [line.amount for line in invoice.lines] == [1000]
    assert invoice.lines[0].kind is LineKind.SUBSCRIPTION
    assert (invoice.subtotal, invoice.total, invoice.amount_due) == (1000, 1000, 1000)
    assert invoice.amount_remaining == 1000
    assert invoice.ending_balance == 0


def test_g_2_1_renewal_after_a_half_period_upgrade() -> None:
    prorations = prorate_change(
        Charge("si_1", per_unit(1000)), Charge("si_1", per_unit(2000)), APRIL, at(2024, 4, 16)
    )
    invoice = run(items=(item(2000),), prorations=prorations)
    assert [line.amount for line in invoice.lines] == [2000, -500, 1000]
    assert invoice.total == invoice.amount_due == 2500


def test_g_2_2_preview_with_a_proration_date() -> None:
    period = Period(from_unix(1596749288), from_unix(1599427688))
    next_period = Period(from_unix(1599427688), from_unix(1602019688))
    prorations = prorate_change(
        Charge("si_1", per_unit(1000)),
        Charge("si_1", per_unit(3252)),
        period,
        from_unix(1598982148),
    )

    invoice = run(items=(item(3252, period=next_period),), prorations=prorations)

    credit, debit = invoice.lines[1:]
    assert (credit.amount, debit.amount) == (-166, 541)
    assert credit.proration
    assert not credit.discountable
    assert credit.period == debit.period == Period(from_unix(1598982148), period.end)
    assert invoice.lines[0].period == next_period
    assert invoice.subtotal == invoice.total == invoice.amount_due == 3627


def test_g_2_3_classic_always_invoice_downgrade_leaves_credit() -> None:
    prorations = prorate_change(
        Charge("si_1", per_unit(2000)), Charge("si_1", per_unit(1000)), APRIL, at(2024, 4, 21)
    )
    invoice = run(prorations=prorations, invoice_at=at(2024, 4, 21))
    assert invoice.total == -334
    assert (invoice.amount_due, invoice.ending_balance) == (0, -334)


def test_g_2_5_seat_change_then_renewal() -> None:
    march = Period(from_unix(1709251200), from_unix(1711929600))
    prorations = prorate_change(
        Charge("si_1", per_unit(1000), 2), Charge("si_1", per_unit(1000), 5), march,
        from_unix(1710547200),
    )  # fmt: skip
    april = Period(from_unix(1711929600), at(2024, 5, 1))
    renewal = run(items=(item(1000, 5, period=april),), prorations=prorations)
    assert renewal.total == 6549
    # always_invoice bills the prorations on their own, then the renewal is the full price.
    assert run(prorations=prorations).total == 1549
    assert run(items=(item(1000, 5, period=april),)).total == 5000


def test_g_2_4_and_g_6_4_amount_off_spread_over_two_items() -> None:
    invoice = run(
        items=(item(1000, item="si_a"), item(2000, item="si_b")),
        discounts=(forever("di_1", amount_off=500),),
    )
    assert [line.discount_amounts for line in invoice.lines] == [
        (DiscountAmount("di_1", 166),),
        (DiscountAmount("di_1", 334),),
    ]
    assert invoice.subtotal == 3000
    assert invoice.total_discount_amounts == (DiscountAmount("di_1", 500),)
    assert invoice.total == invoice.total_excluding_tax == 2500
    assert invoice.discounts == ("di_1",)


def test_g_6_5_discount_before_exclusive_tax() -> None:
    vat = TaxRate("txr_10", Decimal(10))
    invoice = run(
        items=(item(10000),),
        discounts=(forever("di_1", percent_off=Decimal(20)),),
        default_tax_rates=(vat,),
    )
    assert invoice.subtotal == 10000
    assert invoice.total_excluding_tax == 8000
    assert invoice.total_taxes == (TaxTotal("txr_10", Decimal(10), False, 8000, 800),)
    assert invoice.total == 8800


def test_g_6_3_stacking_order_changes_the_total() -> None:
    twenty, five_hundred = forever("di_p", percent_off=Decimal(20)), forever("di_a", amount_off=500)
    assert run(items=(item(10000),), discounts=(twenty, five_hundred)).total == 7500
    assert run(items=(item(10000),), discounts=(five_hundred, twenty)).total == 7600


def test_g_6_6_discount_durations_decide_which_invoices_are_discounted() -> None:
    start = at(2024, 1, 10)
    repeating = Discount(
        "di_r", Coupon(amount_off=100), duration="repeating", start=start, end=at(2024, 4, 10)
    )
    once = Discount("di_o", Coupon(amount_off=100), duration="once", start=start)

    def total(on: datetime, *, used: frozenset[str] = frozenset()) -> int:
        return run(
            items=(item(1000),), invoice_at=on, discounts=(repeating, once), used_discounts=used
        ).total

    assert total(start) == 800
    assert total(at(2024, 2, 10), used=frozenset({"di_o"})) == 900
    assert total(at(2024, 3, 10), used=frozenset({"di_o"})) == 900
    assert total(at(2024, 4, 10), used=frozenset({"di_o"})) == 1000


def test_prorations_are_not_discounted_again() -> None:
    prorations = prorate_change(None, Charge("si_2", per_unit(3000)), APRIL, at(2024, 4, 21))
    invoice = run(
        items=(item(1000),),
        prorations=prorations,
        discounts=(forever("di", percent_off=Decimal(50)),),
    )
    assert [line.discount_amounts for line in invoice.lines] == [(DiscountAmount("di", 500),), ()]
    assert invoice.total == 500 + 1000


def test_item_discounts_are_inside_the_subtotal_and_invoice_discounts_are_not() -> None:
    item_discount = forever("di_item", amount_off=100)
    invoice = run(
        items=(item(1000, discounts=(item_discount,)), item(1000, item="si_2")),
        discounts=(forever("di_invoice", percent_off=Decimal(10)),),
    )
    assert invoice.lines[0].discounts == ("di_item",)
    assert invoice.subtotal == 1900
    assert invoice.total_discount_amounts == (
        DiscountAmount("di_item", 100),
        DiscountAmount("di_invoice", 190),
    )
    assert invoice.total == 1710


def test_g_7_2_inclusive_tax_is_inside_the_total() -> None:
    vat = TaxRate("txr_incl", Decimal(10), inclusive=True)
    invoice = run(currency="eur", items=(item(60000),), default_tax_rates=(vat,))
    assert invoice.total == 60000
    assert invoice.total_taxes[0].amount == 5455
    assert invoice.total_excluding_tax == invoice.subtotal_excluding_tax == 54545


def test_g_7_3_yen_amounts_are_whole_yen() -> None:
    jct = TaxRate("txr_jct", Decimal(10))
    invoice = run(currency="jpy", items=(item(1000),), default_tax_rates=(jct,))
    assert (invoice.total_taxes[0].amount, invoice.total) == (100, 1100)


def japanese_invoice(settings: TaxSettings) -> InvoiceAmounts:
    reduced, standard = TaxRate("txr_8", Decimal(8)), TaxRate("txr_10", Decimal(10))
    food = [
        PendingItem(f"ii_{n}", 105, MAY, tax_rates=(reduced,), description="お茶") for n in range(3)
    ]
    return run(
        currency="jpy",
        pending=(*food, PendingItem("ii_book", 2980, MAY, description="本")),
        default_tax_rates=(standard,),
        tax_settings=settings,
    )


def test_g_7_5_line_level_rounding() -> None:
    invoice = japanese_invoice(TaxSettings())
    assert [line.taxes[0].amount for line in invoice.lines] == [8, 8, 8, 298]
    assert invoice.total == 3617


def test_g_7_5_japan_rounds_once_per_rate_per_invoice() -> None:
    invoice = japanese_invoice(TaxSettings(TaxLevel.INVOICE, Rounding.HALF_UP))
    assert [(t.tax_rate, t.taxable_amount, t.amount) for t in invoice.total_taxes] == [
        ("txr_8", 315, 25),
        ("txr_10", 2980, 298),
    ]
    assert invoice.subtotal_excluding_tax == 3295
    assert invoice.total == 3618
    # Each line still shows its share, and the shares add up to the per-rate figure.
    assert sum(line.taxes[0].amount for line in invoice.lines[:3]) == 25


def test_japan_rounding_mode_is_the_account_s_choice() -> None:
    up = japanese_invoice(TaxSettings(TaxLevel.INVOICE, Rounding.UP))
    down = japanese_invoice(TaxSettings(TaxLevel.INVOICE, Rounding.DOWN))
    assert [t.amount for t in up.total_taxes] == [26, 298]
    assert [t.amount for t in down.total_taxes] == [25, 298]


def test_an_item_s_own_tax_rates_replace_the_invoice_defaults() -> None:
    invoice = run(
        items=(item(1000, tax_rates=()), item(1000, item="si_2")),
        default_tax_rates=(TaxRate("txr_10", Decimal(10)),),
    )
    assert [len(line.taxes) for line in invoice.lines] == [0, 1]
    assert invoice.total == 2100


def test_metered_usage_is_billed_through_its_package() -> None:
    # G-1.6 on an invoice: 150 minutes at 1000 per started hour.
    usage = ItemUsage("si_m", per_unit(1000, TransformQuantity(60, PackageRounding.UP)), 150, APRIL)
    assert run(items=(usage,)).total == 3000


def test_g_5_1_to_g_5_3_the_balance_is_applied() -> None:
    assert (run(items=(item(1000),), starting_balance=-300).amount_due) == 700
    credit = run(items=(item(1000),), starting_balance=-1500)
    assert (credit.amount_due, credit.ending_balance) == (0, -500)
    assert run(items=(item(1000),), starting_balance=200).amount_due == 1200


def test_g_5_4_below_the_minimum_charge() -> None:
    invoice = run(items=(item(30),))
    assert invoice.amount_due == 0
    assert invoice.ending_balance == invoice.carried == 30


def test_g_2_13_a_trial_added_to_a_paid_period_credits_the_paid_days() -> None:
    # [V rule / I numbers] paid 3000 for Jun 23 -> Jul 23; on Jul 15 trial_end moves to
    # Aug 1 with create_prorations: the trial line is free and the 8 paid days come back.
    paid = Period(at(2024, 6, 23), at(2024, 7, 23))
    credit = prorate_change(Charge("si_1", per_unit(3000)), None, paid, at(2024, 7, 15))
    trial = item(0, period=Period(at(2024, 7, 15), at(2024, 8, 1)))
    invoice = run(items=(trial,), prorations=credit, invoice_at=at(2024, 7, 15))
    assert [line.amount for line in invoice.lines] == [0, -800]
    assert (invoice.total, invoice.amount_due, invoice.ending_balance) == (-800, 0, -800)


def test_g_2_14_resetting_the_anchor_bills_a_new_period_less_the_unused_time() -> None:
    credit = prorate_change(Charge("si_1", per_unit(1000)), None, APRIL, at(2024, 4, 21))
    new_period = item(1000, period=Period(at(2024, 4, 21), at(2024, 5, 21)))
    invoice = run(items=(new_period,), prorations=credit, invoice_at=at(2024, 4, 21))
    assert [line.amount for line in invoice.lines] == [1000, -333]
    assert invoice.amount_due == 667


def test_g_2_15_moving_to_a_yearly_price_bills_the_year_now() -> None:
    credit = prorate_change(Charge("si_1", per_unit(1000)), None, APRIL, at(2024, 4, 21))
    year = item(10000, period=Period(at(2024, 4, 21), at(2025, 4, 21)))
    assert run(items=(year,), prorations=credit, invoice_at=at(2024, 4, 21)).total == 9667


def test_a_yearly_invoice_inside_a_repeating_window_is_discounted_whole() -> None:
    # 6.1: a repeating discount applies to every invoice dated within its window, so a
    # yearly invoice issued in month 2 of a 3-month coupon is discounted in full.
    start = at(2024, 1, 10)
    coupon = Discount(
        "di_r", Coupon(percent_off=Decimal(25)), duration="repeating", start=start,
        end=at(2024, 4, 10),
    )  # fmt: skip
    year = item(120000, period=Period(at(2024, 2, 10), at(2025, 2, 10)))
    invoice = run(items=(year,), discounts=(coupon,), invoice_at=at(2024, 2, 10))
    assert invoice.total == 90000


def test_subtotal_excluding_tax_takes_out_the_tax_inside_the_undiscounted_subtotal() -> None:
    # 12000 including 20% VAT holds 2000 of tax; after a 50% invoice discount, 6000 holds
    # 1000. The subtotal is before that discount, so it excludes 2000; the total, 1000.
    vat = TaxRate("txr_20", Decimal(20), inclusive=True)
    invoice = run(
        currency="eur",
        items=(item(12000),),
        discounts=(forever("di", percent_off=Decimal(50)),),
        default_tax_rates=(vat,),
    )
    assert (invoice.subtotal, invoice.subtotal_excluding_tax) == (12000, 10000)
    assert (invoice.total, invoice.total_excluding_tax) == (6000, 5000)
