"""A renewal draft's usage lines measured again when it is finalized (as Stripe bills the
usage reported while the draft waits): usage reported during the grace period is billed on
the draft, tiers price the whole window, an event canceled meanwhile lowers the bill, a
late-usage line is refreshed but never goes below what was billed before, and a draft
finalized by hand is refreshed too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
import stripe
from sqlalchemy import event, select

from seikyu.accounts import settings
from seikyu.accounts.settings import BillingSettings
from seikyu.api.resources import all_routers
from seikyu.billing import invoice_finalization
from seikyu.billing.discounts import DiscountRequest
from seikyu.catalog import coupons, tax_rates
from seikyu.catalog.price_rules import TierInput
from seikyu.db.models.billing_meters import BillingMeter
from seikyu.db.models.events import Event
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.uow import Database
from seikyu.metering import adjustments
from seikyu.metering.domain import ingest_rules
from seikyu.payments.test_processor import TestProcessor
from seikyu.worker.billing import BillingWorker
from tests.support import metered_usage
from tests.support.metered_shop import APRIL, MAY, REDIRECT, START, Line, Shop, day, lines_of

if TYPE_CHECKING:
    from tests.conftest import TestAccount

SECOND = timedelta(seconds=1)
# Longer than Stripe's hour, so that the renewal is seen to wait for the account's delay.
DELAY = timedelta(hours=2)
GRACE = APRIL + timedelta(minutes=30)
GRADUATED: dict[str, Any] = {
    "billing_scheme": "tiered",
    "tiers_mode": "graduated",
    "tiers": (TierInput(up_to=10, unit_amount=10), TierInput(up_to=None, unit_amount=5)),
}
VOLUME: dict[str, Any] = {
    "billing_scheme": "tiered",
    "tiers_mode": "volume",
    "tiers": (
        TierInput(up_to=10, unit_amount=10),
        TierInput(up_to=50, unit_amount=8),
        TierInput(up_to=None, unit_amount=5),
    ),
}


@pytest.fixture(autouse=True)
def _renderers() -> None:
    all_routers()


@pytest.fixture
def shop(db: Database, account: TestAccount) -> Shop:
    found = Shop(db, account)
    with found.unit(START) as uow:
        delay = BillingSettings(finalization_delay_seconds=int(DELAY.total_seconds()))
        settings.set_billing_settings(uow, account.id, delay)
    return found


def run_worker(shop: Shop, now: datetime) -> None:
    worker = BillingWorker(shop.db, TestProcessor(), REDIRECT, account_id=shop.account.id)
    worker.run_until_idle(now=now)


def report_at(
    shop: Shop, received: datetime, meter: str, customer: str, value: int, at: datetime
) -> None:
    """One event of `value` timestamped `at`, received at `received`."""
    with shop.unit(received) as uow:
        metered_usage.report(uow, meter, customer, value, at)


def renewal(shop: Shop, subscription: str, period_start: datetime) -> Invoice:
    """The cycle invoice looking back on the period from `period_start`, detached."""
    with shop.unit(START) as uow:
        found: Invoice = uow.session.scalars(
            select(Invoice).where(
                Invoice.subscription_id == subscription,
                Invoice.billing_reason == "subscription_cycle",
                Invoice.period_start == period_start,
            )
        ).one()
        # Detached before the commit expires it: its lines are loaded with it.
        uow.session.expunge(found)
        return found


def cancel_event(shop: Shop, now: datetime, meter: str, value: int) -> None:
    """Cancel the meter's one event of `value`, as a meter event adjustment does."""
    with shop.unit(now) as uow:
        event_name = uow.session.get_one(BillingMeter, meter).event_name
        identifier = uow.session.scalars(
            select(MeterEvent.identifier).where(
                MeterEvent.meter_id == meter, MeterEvent.value == value
            )
        ).one()
        adjustments.cancel(uow, event_name, identifier, ingest_rules.V1)


# --- the grace period -----------------------------------------------------------------


def test_usage_reported_while_the_renewal_waits_is_billed_on_it(shop: Shop) -> None:
    """A 10% coupon and 10% tax: the totals follow the refreshed line."""
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    licensed = shop.price(None, unit_amount=3000)
    with shop.unit(START) as uow:
        coupon = coupons.create(uow, {"percent_off": Decimal(10), "duration": "forever"})
        vat = tax_rates.create(
            uow, {"display_name": "VAT", "percentage": Decimal(10), "inclusive": False}
        )
    subscription, customer = shop.subscribe(
        licensed,
        metered,
        discounts=[DiscountRequest(coupon=coupon.id)],
        default_tax_rates=[vat.id],
    )
    shop.report(meter, customer, (40, day(2)))
    run_worker(shop, APRIL + SECOND)
    draft = renewal(shop, subscription, START)
    assert (draft.status, draft.total) == ("draft", 3128)  # (3000 + 160) × 0.9 × 1.1

    # Reported after the draft was cut, with a timestamp in March.
    report_at(shop, GRACE, meter, customer, 10, day(31, 23))
    run_worker(shop, APRIL + DELAY - SECOND)
    assert renewal(shop, subscription, START).status == "draft"
    run_worker(shop, APRIL + DELAY + SECOND)

    invoice = renewal(shop, subscription, START)
    assert lines_of(invoice) == [
        Line("1 × Base plan (at 30.00 USD / month)", 1, 3000, (APRIL, MAY), licensed),
        Line("50 × API calls (at 0.04 USD / month)", 50, 200, (START, APRIL), metered),
    ]
    assert [line.position for line in invoice.lines] == [0, 1]
    assert [share["amount"] for share in invoice.total_discount_amounts] == [320]
    assert [tax["amount"] for tax in invoice.total_taxes] == [288]
    # 3200 - 320 discount + 288 tax.
    assert (invoice.subtotal, invoice.total_excluding_tax, invoice.total) == (3200, 2880, 3168)
    assert (invoice.status, invoice.amount_due, invoice.amount_paid) == ("paid", 3168, 3168)
    [(start, end, quantity, _)] = shop.billings(subscription)
    assert (start, end, quantity) == (START, APRIL, 50)
    # The finalization's event shows what the draft billed before it was measured again.
    [finalized] = [
        data
        for data in events_of(shop, "invoice.updated")
        if data["object"]["id"] == invoice.id
        and data["previous_attributes"].get("status") == "draft"
    ]
    before = finalized["previous_attributes"]
    assert (before["total"], [line["quantity"] for line in before["lines"]["data"]]) == (
        3128,
        [1, 40],
    )


@pytest.mark.parametrize(
    ("tiers", "before", "after"),
    [
        (
            GRADUATED,
            ("8 × API calls (graduated tiers / month)", 8, 80),
            # 10 × 10 + 4 × 5.
            ("14 × API calls (graduated tiers / month)", 14, 120),
        ),
        (
            VOLUME,
            ("8 × API calls (Tier 1 at 0.10 USD / month)", 8, 80),
            # All 14 at the second tier's 8 cents.
            ("14 × API calls (Tier 2 at 0.08 USD / month)", 14, 112),
        ),
    ],
    ids=["graduated", "volume"],
)
def test_tiers_price_the_whole_window_after_the_grace_period(
    shop: Shop,
    tiers: dict[str, Any],
    before: tuple[str, int, int],
    after: tuple[str, int, int],
) -> None:
    meter = shop.meter()
    metered = shop.price(meter, **tiers)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (8, day(2)))
    run_worker(shop, APRIL + SECOND)
    [line] = lines_of(renewal(shop, subscription, START))
    assert (line.description, line.quantity, line.amount) == before

    report_at(shop, GRACE, meter, customer, 6, day(31, 23))
    run_worker(shop, APRIL + DELAY + SECOND)

    invoice = renewal(shop, subscription, START)
    [line] = lines_of(invoice)
    assert (line.description, line.quantity, line.amount) == after
    assert (invoice.total, invoice.amount_paid) == (after[2], after[2])


def test_an_event_canceled_while_the_renewal_waits_lowers_its_bill(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (30, day(2)))
    shop.report(meter, customer, (10, day(31, 20)))
    run_worker(shop, APRIL + SECOND)
    assert renewal(shop, subscription, START).total == 160

    cancel_event(shop, GRACE, meter, 10)
    run_worker(shop, APRIL + DELAY + SECOND)

    invoice = renewal(shop, subscription, START)
    assert lines_of(invoice) == [
        Line("30 × API calls (at 0.04 USD / month)", 30, 120, (START, APRIL), metered)
    ]
    assert (invoice.total, invoice.amount_paid) == (120, 120)
    [(start, end, quantity, _)] = shop.billings(subscription)
    assert (start, end, quantity) == (START, APRIL, 30)


# --- late usage -------------------------------------------------------------------------


def test_a_late_usage_line_is_measured_again_with_the_current_one(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, **GRADUATED)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (8, day(2)))
    run_worker(shop, APRIL + SECOND)
    run_worker(shop, APRIL + DELAY + SECOND)
    assert renewal(shop, subscription, START).amount_paid == 80
    report_at(shop, datetime(2025, 4, 10, tzinfo=UTC), meter, customer, 6, day(30))
    shop.report(meter, customer, (1, datetime(2025, 4, 15, tzinfo=UTC)))
    run_worker(shop, MAY + SECOND)
    late, current = lines_of(renewal(shop, subscription, APRIL))
    # 14 units cost 10 × 10 + 4 × 5 = 120; 80 was billed.
    assert (late.quantity, late.amount, current.quantity, current.amount) == (6, 40, 1, 10)

    grace = MAY + timedelta(minutes=30)
    report_at(shop, grace, meter, customer, 2, day(30))
    report_at(shop, grace, meter, customer, 3, datetime(2025, 4, 30, tzinfo=UTC))
    run_worker(shop, MAY + DELAY + SECOND)

    invoice = renewal(shop, subscription, APRIL)
    # 16 units cost 10 × 10 + 6 × 5 = 130, of which 80 were billed in April.
    assert lines_of(invoice) == [
        Line(
            "Usage reported late for API calls (Mar 1 - Apr 1, 2025)",
            8,
            50,
            (START, APRIL),
            metered,
        ),
        Line("4 × API calls (graduated tiers / month)", 4, 40, (APRIL, MAY), metered),
    ]
    assert (invoice.total, invoice.amount_paid) == (90, 90)
    billed = shop.billings(subscription)
    assert [(start, quantity) for start, _, quantity, _ in billed] == [(START, 16), (APRIL, 4)]


def test_a_late_line_never_goes_below_what_was_billed_and_goes_when_nothing_is_left(
    shop: Shop,
) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    licensed = shop.price(None, unit_amount=3000)
    subscription, customer = shop.subscribe(licensed, metered)
    shop.report(meter, customer, (8, day(2)))
    run_worker(shop, APRIL + SECOND)
    run_worker(shop, APRIL + DELAY + SECOND)
    report_at(shop, datetime(2025, 4, 10, tzinfo=UTC), meter, customer, 6, day(30))
    shop.report(meter, customer, (1, datetime(2025, 4, 15, tzinfo=UTC)))
    run_worker(shop, MAY + SECOND)
    draft = renewal(shop, subscription, APRIL)
    assert [(line.quantity, line.amount) for line in lines_of(draft)] == [
        (1, 3000),
        (6, 24),
        (1, 4),
    ]

    # March now nets 8 + 6 - 10 = 4, below the 8 billed in April.
    report_at(shop, MAY + timedelta(minutes=30), meter, customer, -10, day(30))
    run_worker(shop, MAY + DELAY + SECOND)

    invoice = renewal(shop, subscription, APRIL)
    assert [
        (line.price, line.quantity, line.amount, line.period) for line in lines_of(invoice)
    ] == [
        (licensed, 1, 3000, (MAY, datetime(2025, 6, 1, tzinfo=UTC))),
        (metered, 1, 4, (APRIL, MAY)),
    ]
    assert [line.position for line in invoice.lines] == [0, 1]
    assert (invoice.total, invoice.amount_paid) == (3004, 3004)
    march = [quantity for start, _, quantity, _ in shop.billings(subscription) if start == START]
    assert march == [8]


def test_a_draft_whose_window_a_later_bill_took_over_is_left_alone(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (8, day(2)))
    shop.renew(subscription, APRIL)  # left a draft: nothing finalizes it
    report_at(shop, datetime(2025, 4, 10, tzinfo=UTC), meter, customer, 6, day(30))
    shop.renew(subscription, MAY)  # bills March's 6 late
    april, may = renewal(shop, subscription, START), renewal(shop, subscription, APRIL)

    for invoice in (april, may):
        with shop.unit(MAY + SECOND) as uow:
            invoice_finalization.finalize(uow, TestProcessor(), invoice.id, redirect=REDIRECT)

    assert [
        (line.quantity, line.amount) for line in lines_of(renewal(shop, subscription, START))
    ] == [(8, 32)]
    late, current = lines_of(renewal(shop, subscription, APRIL))
    assert (late.quantity, late.amount, current.quantity) == (6, 24, 0)
    assert [quantity for _, _, quantity, _ in shop.billings(subscription)] == [14, 0]


# --- invoices without usage, finalized by hand ------------------------------------------


def test_a_renewal_with_only_licensed_lines_is_finalized_as_cut_without_reading_usage(
    shop: Shop, db: Database
) -> None:
    licensed = shop.price(None, unit_amount=3000)
    subscription, _ = shop.subscribe(licensed)
    run_worker(shop, APRIL + SECOND)
    draft = lines_of(renewal(shop, subscription, START))
    seen: list[str] = []

    def remember(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        run_worker(shop, APRIL + DELAY + SECOND)
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)

    invoice = renewal(shop, subscription, START)
    assert lines_of(invoice) == draft
    assert (invoice.status, invoice.total, invoice.amount_paid) == ("paid", 3000, 3000)
    assert seen
    assert not [sql for sql in seen if "usage_billings" in sql or "billing_meters" in sql]


def test_finalizing_the_draft_through_the_api_bills_the_usage_reported_meanwhile(
    shop: Shop, client: stripe.StripeClient
) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (40, day(2)))
    run_worker(shop, APRIL + SECOND)
    report_at(shop, GRACE, meter, customer, 10, day(31, 23))
    draft = renewal(shop, subscription, START)

    finalized = client.v1.invoices.finalize_invoice(draft.id)

    assert (finalized.status, finalized.subtotal, finalized.total) == ("open", 200, 200)
    assert finalized.amount_due == 200
    [line] = client.v1.invoices.line_items.list(draft.id).data
    assert (line.description, line.quantity, line.amount) == (
        "50 × API calls (at 0.04 USD / month)",
        50,
        200,
    )


def events_of(shop: Shop, type_: str) -> list[dict[str, Any]]:
    with shop.unit(START) as uow:
        stmt = (
            select(Event.data)
            .where(Event.account_id == shop.account.id, Event.type == type_)
            .order_by(Event.id)
        )
        return list(uow.session.scalars(stmt))
