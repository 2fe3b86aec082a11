"""Metered items on renewal invoices (Stripe Billing Meters semantics): usage is billed in
arrears for the period that just ended, priced per unit, in packages or in tiers, with
each meter formula; trial usage is never billed; usage reported late is billed on the next
invoice; previews and cancellations bill the usage so far."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event

from seikyu.api.resources import all_routers
from seikyu.billing import (
    invoice_preview,
    subscription_trials,
    subscriptions,
)
from seikyu.billing.invoice_preview import PreviewRequest
from seikyu.catalog.price_rules import TierInput, TransformQuantity
from seikyu.db.models.invoices import Invoice
from seikyu.db.uow import Database
from seikyu.payments.test_processor import TestProcessor
from tests.support import metered_usage
from tests.support.metered_shop import APRIL, MAY, REDIRECT, START, Line, Shop, day, lines_of

if TYPE_CHECKING:
    from tests.conftest import TestAccount


@pytest.fixture(autouse=True)
def _renderers() -> None:
    all_routers()


@pytest.fixture
def shop(db: Database, account: TestAccount) -> Shop:
    return Shop(db, account)


# --- per unit and formulas --------------------------------------------------------------


def test_a_renewal_bills_the_period_that_ended_per_unit(shop: Shop) -> None:
    """G-9.2: values 25, 10, 5 on a sum meter at 4 cents a unit bill 160."""
    meter = shop.meter("sum")
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (25, day(2)), (10, day(10)), (5, day(31, 23)))

    lines = shop.renew(subscription, APRIL)

    assert lines == [Line("40 × API calls (at 0.04 USD / month)", 40, 160, (START, APRIL), metered)]
    [(start, end, quantity, invoice_id)] = shop.billings(subscription)
    assert (start, end, quantity) == (START, APRIL, 40)
    assert invoice_id.startswith("in_")


@pytest.mark.parametrize(
    ("formula", "quantity"), [("sum", 40), ("count", 3), ("last", 5), ("max", 25)]
)
def test_each_meter_formula_sets_the_quantity(shop: Shop, formula: str, quantity: int) -> None:
    meter = shop.meter(formula)
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (25, day(2)), (10, day(10)), (5, day(20)))

    [line] = shop.renew(subscription, APRIL)

    assert (line.quantity, line.amount) == (quantity, 4 * quantity)


def test_usage_before_the_period_and_of_other_customers_is_not_billed(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    _, other = shop.subscribe(metered)
    shop.report(meter, customer, (7, START - timedelta(seconds=1)), (3, day(5)), (9, APRIL))
    shop.report(meter, other, (100, day(5)))

    [line] = shop.renew(subscription, APRIL)

    assert (line.quantity, line.amount) == (3, 12)


def test_a_negative_total_bills_a_quantity_of_zero(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (10, day(2)), (-30, day(3)))

    [line] = shop.renew(subscription, APRIL)

    assert (line.quantity, line.amount) == (0, 0)
    assert shop.billings(subscription)[0][2] == 0


# --- tiers and packages -----------------------------------------------------------------


def test_graduated_tiers_price_each_unit_in_its_tier(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(
        meter,
        billing_scheme="tiered",
        tiers_mode="graduated",
        tiers=(
            TierInput(up_to=10, unit_amount=10),
            TierInput(up_to=None, unit_amount=5, flat_amount=200),
        ),
    )
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (40, day(2)))

    [line] = shop.renew(subscription, APRIL)

    # 10 × 10 + 30 × 5 + 200 flat for reaching the second tier.
    assert (line.description, line.quantity, line.amount) == (
        "40 × API calls (graduated tiers / month)",
        40,
        450,
    )


def test_volume_tiers_price_every_unit_at_the_tier_reached(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(
        meter,
        billing_scheme="tiered",
        tiers_mode="volume",
        tiers=(
            TierInput(up_to=10, unit_amount=10),
            TierInput(up_to=50, unit_amount=8),
            TierInput(up_to=None, unit_amount=5),
        ),
    )
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (30, day(2)), (10, day(3)))

    [line] = shop.renew(subscription, APRIL)

    assert (line.description, line.quantity, line.amount) == (
        "40 × API calls (Tier 2 at 0.08 USD / month)",
        40,
        320,
    )


def test_package_pricing_bills_whole_packages_of_usage(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(
        meter, unit_amount=1000, transform_quantity=TransformQuantity(divide_by=60, round="up")
    )
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (150, day(2)))

    [line] = shop.renew(subscription, APRIL)

    # 150 minutes round up to 3 hours at 10 USD.
    assert (line.description, line.quantity, line.amount) == (
        "150 × API calls (at 10.00 USD per 60 / month)",
        150,
        3000,
    )


# --- alongside licensed items, trials -----------------------------------------------------


def test_licensed_items_bill_ahead_and_metered_items_behind_on_one_invoice(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    licensed = shop.price(None, unit_amount=3000)
    subscription, customer = shop.subscribe(licensed, metered)
    shop.report(meter, customer, (40, day(2)))

    lines = shop.renew(subscription, APRIL)

    assert [(line.price, line.amount, line.period) for line in lines] == [
        (licensed, 3000, (APRIL, MAY)),
        (metered, 160, (START, APRIL)),
    ]


def test_usage_during_a_trial_is_not_billed(shop: Shop) -> None:
    """G-9.6: only the usage after the trial is billed, at the end of the first paid period."""
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered, trial_period_days=14)
    trial_end = START + timedelta(days=14)
    shop.report(meter, customer, (100, day(5)), (30, day(20)))
    with shop.unit(trial_end) as uow:
        first = subscription_trials.end_trial(uow, subscription)
        assert first is not None
        assert first.total == 0
        assert [line.price_id for line in first.lines] == []

    [line] = shop.renew(subscription, trial_end + timedelta(days=31))

    assert (line.quantity, line.amount, line.period) == (
        30,
        120,
        (trial_end, trial_end + timedelta(days=31)),
    )


# --- late usage -------------------------------------------------------------------------


def test_usage_reported_late_is_billed_on_the_next_invoice(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(
        meter,
        billing_scheme="tiered",
        tiers_mode="graduated",
        tiers=(TierInput(up_to=10, unit_amount=10), TierInput(up_to=None, unit_amount=5)),
    )
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (8, day(2)))
    [first] = shop.renew(subscription, APRIL)
    assert (first.quantity, first.amount) == (8, 80)
    # Reported in April for March, inside the 35 days Stripe accepts.
    with shop.unit(datetime(2025, 4, 10, tzinfo=UTC)) as uow:
        metered_usage.report(uow, meter, customer, 6, day(30))
    shop.report(meter, customer, (1, datetime(2025, 4, 15, tzinfo=UTC)))

    late, current = shop.renew(subscription, MAY)

    # 14 units cost 10 × 10 + 4 × 5 = 120; 80 was billed.
    assert (late.description, late.quantity, late.amount, late.period) == (
        "Usage reported late for API calls (Mar 1 - Apr 1, 2025)",
        6,
        40,
        (START, APRIL),
    )
    assert (current.quantity, current.amount, current.period) == (1, 10, (APRIL, MAY))
    billed = shop.billings(subscription)
    assert [(start, quantity) for start, _, quantity, _ in billed] == [(START, 14), (APRIL, 1)]
    assert billed[0][3] == billed[1][3]


def test_usage_that_decreased_after_billing_is_not_credited(shop: Shop) -> None:
    meter = shop.meter("last")
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (8, day(2)))
    shop.renew(subscription, APRIL)
    with shop.unit(datetime(2025, 4, 2, tzinfo=UTC)) as uow:
        metered_usage.report(uow, meter, customer, 3, day(30))

    [current] = shop.renew(subscription, MAY)

    assert current.period == (APRIL, MAY)
    assert shop.billings(subscription)[0][2] == 8


def test_periods_older_than_35_days_are_not_looked_at_again(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.renew(subscription, APRIL)
    shop.renew(subscription, MAY)
    with shop.unit(datetime(2025, 5, 2, tzinfo=UTC)) as uow:
        # Written directly: the API would refuse a timestamp this old.
        metered_usage.report(uow, meter, customer, 50, day(2))

    lines = shop.renew(subscription, datetime(2025, 6, 1, tzinfo=UTC))

    assert [line.period[0] for line in lines] == [MAY]


# --- previews and cancellations -----------------------------------------------------------


def test_a_preview_shows_the_usage_so_far(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    licensed = shop.price(None, unit_amount=3000)
    subscription, customer = shop.subscribe(licensed, metered)
    shop.report(meter, customer, (25, day(2)), (10, day(10)), (99, day(20)))
    processor = TestProcessor()

    with (
        shop.unit(day(15)) as uow,
        invoice_preview.previewing(
            uow,
            PreviewRequest(subscription=subscription),
            processor=processor,
            redirect=REDIRECT,
        ) as preview,
    ):
        lines = lines_of(preview.invoice)

    assert [(line.price, line.quantity, line.amount, line.period) for line in lines] == [
        (licensed, 1, 3000, (APRIL, MAY)),
        (metered, 35, 140, (START, day(15))),
    ]
    assert shop.billings(subscription) == []


def test_canceling_now_with_invoice_now_bills_the_usage_so_far(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (25, day(2)), (10, day(10)))

    with shop.unit(day(15)) as uow:
        canceled = subscriptions.cancel(
            uow, TestProcessor(), subscription, invoice_now=True, redirect=REDIRECT
        )
        assert canceled.status == "canceled"
        invoice = uow.session.get(Invoice, canceled.latest_invoice_id)
        assert invoice is not None
        lines = lines_of(invoice)
        assert (invoice.status, invoice.total) == ("open", 140)

    assert [(line.quantity, line.amount, line.period) for line in lines] == [
        (35, 140, (START, day(15)))
    ]


def test_canceling_now_without_invoice_now_bills_no_usage(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (25, day(2)))

    with shop.unit(day(15)) as uow:
        canceled = subscriptions.cancel(uow, TestProcessor(), subscription, redirect=REDIRECT)
        first_invoice = canceled.latest_invoice_id

    assert shop.billings(subscription) == []
    with shop.unit(day(15)) as uow:
        assert subscriptions.get(uow, subscription).latest_invoice_id == first_invoice


def test_canceling_at_period_end_bills_the_last_period_on_the_closing_invoice(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered, cancel_at_period_end=True)
    shop.report(meter, customer, (40, day(2)))

    lines = shop.renew(subscription, APRIL)

    assert [(line.quantity, line.amount, line.period) for line in lines] == [
        (40, 160, (START, APRIL))
    ]
    with shop.unit(APRIL) as uow:
        assert subscriptions.get(uow, subscription).status == "canceled"


def test_cancel_at_inside_a_period_bills_usage_up_to_it(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered, cancel_at=day(20))
    shop.report(meter, customer, (40, day(2)), (500, day(21)))

    lines = shop.renew(subscription, day(20))

    assert [(line.quantity, line.amount, line.period) for line in lines] == [
        (40, 160, (START, day(20)))
    ]


# --- cost ---------------------------------------------------------------------------------


def test_renewing_without_metered_items_reads_no_usage_tables(shop: Shop, db: Database) -> None:
    licensed = shop.price(None, unit_amount=3000)
    subscription, _ = shop.subscribe(licensed)
    seen: list[str] = []

    def remember(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        shop.renew(subscription, APRIL)
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)

    assert seen
    assert not [sql for sql in seen if "usage_billings" in sql or "billing_meters" in sql]
