"""The customer's balance against an invoice total, and the minimum charge."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from seikyu.billing.domain.balance import Settlement, settle
from seikyu.core.money import charge_step, minimum_charge


def test_g_5_1_credit_partially_covers_the_invoice() -> None:
    # [I] credit used = min(credit, total).
    assert settle(1000, -300, "usd") == Settlement(-300, 700, 0)


def test_g_5_2_credit_covers_everything_and_the_rest_stays() -> None:
    settlement = settle(1000, -1500, "usd")
    assert settlement == Settlement(-1500, 0, -500)
    assert not settlement.needs_payment
    assert settlement.applied_balance == 1000


def test_g_5_3_money_owed_is_added_to_what_is_due() -> None:
    assert settle(1000, 200, "usd") == Settlement(200, 1200, 0)


def test_g_5_4_an_amount_below_the_minimum_charge_moves_to_the_balance() -> None:
    settlement = settle(30, 0, "usd")
    assert settlement == Settlement(0, 0, 30, carried=30)
    assert not settlement.needs_payment
    # The next invoice collects it.
    assert settle(1000, settlement.ending_balance, "usd").amount_due == 1030


def test_g_7_6_yen_below_fifty_is_not_charged() -> None:
    assert settle(30, 0, "jpy") == Settlement(0, 0, 30, carried=30)
    assert settle(50, 0, "jpy") == Settlement(0, 50, 0)


def test_credit_that_leaves_less_than_the_minimum_is_carried_too() -> None:
    # 1000 due, 980 of credit: the 20 left is below 50 and is not charged.
    assert settle(1000, -980, "usd") == Settlement(-980, 0, 20, carried=20)


def test_a_three_decimal_amount_due_is_charged_to_the_tens() -> None:
    # 12.345 KWD cannot be charged: 12.340 is, and the 0.005 waits on the balance.
    assert settle(12345, 0, "kwd") == Settlement(0, 12340, 5, carried=5)
    assert settle(12340, 0, "kwd") == Settlement(0, 12340, 0)


def test_a_negative_total_adds_to_the_customer_credit() -> None:
    assert settle(-334, 0, "usd") == Settlement(0, 0, -334)
    assert settle(-334, 200, "usd") == Settlement(200, 0, -134)


def test_a_zero_invoice_with_nothing_owed_is_settled() -> None:
    assert settle(0, 0, "usd") == Settlement(0, 0, 0)


@given(
    st.integers(-(10**9), 10**9),
    st.integers(-(10**9), 10**9),
    st.sampled_from(["usd", "jpy", "gbp", "huf", "kwd", "krw", "isk"]),
)
def test_the_balance_always_accounts_for_every_minor_unit(
    total: int, balance: int, currency: str
) -> None:
    # What the customer pays now plus what they will owe afterwards is what they owed
    # before plus this invoice: nothing is lost or invented.
    settlement = settle(total, balance, currency)
    assert settlement.amount_due >= 0
    assert settlement.amount_due + settlement.ending_balance == balance + total
    assert settlement.amount_due == 0 or settlement.amount_due >= minimum_charge(currency)
    assert settlement.amount_due % charge_step(currency) == 0
    if settlement.amount_due > 0:
        assert 0 <= settlement.ending_balance < charge_step(currency)
