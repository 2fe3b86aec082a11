"""Renewals on a real database with the clock chosen per unit of work: periods that return
to the anchor day, exact renewal amounts, coupon durations, pending prorations on the
renewal invoice, idempotency, and subscriptions that end instead of renewing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, select

from seikyu.api.resources import all_routers
from seikyu.billing import invoice_items, subscription_create, subscription_cycle, subscriptions
from seikyu.billing.discounts import DiscountRequest
from seikyu.billing.subscription_create import ItemRequest, NewSubscription
from seikyu.catalog import coupons, prices, products, tax_rates
from seikyu.catalog.price_rules import PriceInput, Recurring
from seikyu.catalog.prices import NewPrice
from seikyu.customers import service as customers
from seikyu.db.models import Event
from seikyu.db.models.invoices import Invoice
from seikyu.db.uow import Actor, Database, UnitOfWork
from seikyu.payments import payment_methods
from seikyu.payments.payment_intents import Redirect
from seikyu.payments.test_processor import TestProcessor

if TYPE_CHECKING:
    from tests.conftest import TestAccount

HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _renderers() -> None:
    # Events render their objects at commit; the resource modules register the renderers.
    all_routers()


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass
class Shop:
    """One account's database with a clock the test moves."""

    db: Database
    account: TestAccount

    def unit(self, now: datetime) -> Any:
        return self.db.unit(Actor(self.account.id), now=now)

    def subscribe(
        self,
        now: datetime,
        *,
        amount: int = 3000,
        quantity: int = 1,
        coupon: dict[str, Any] | None = None,
        item_coupon: dict[str, Any] | None = None,
        status: str = "active",
        **fields: Any,
    ) -> str:
        """A paid monthly subscription started at `now`, its first invoice paid by card."""
        processor = TestProcessor()
        with self.unit(now) as uow:
            product = products.create(uow, {"name": "Gold"})
            price = prices.create(
                uow,
                NewPrice(
                    terms=PriceInput(
                        currency="usd", unit_amount=amount, recurring=Recurring("month")
                    ),
                    product=product.id,
                ),
            )
            customer = customers.create(uow, {"email": "buyer@example.com"})
            card = payment_methods.attach(uow, processor, "pm_card_visa", customer.id)
            if coupon is not None:
                made = coupons.create(uow, coupon)  # type: ignore[arg-type]
                fields["discounts"] = [DiscountRequest(coupon=made.id)]
            on_item = None
            if item_coupon is not None:
                made = coupons.create(uow, item_coupon)  # type: ignore[arg-type]
                on_item = [DiscountRequest(coupon=made.id)]
            subscription = subscription_create.create(
                uow,
                processor,
                NewSubscription(
                    customer=customer.id,
                    items=[ItemRequest(price=price.id, quantity=quantity, discounts=on_item)],
                    default_payment_method=card.id,
                    **fields,
                ),
                redirect=Redirect("http://localhost"),
            )
            assert subscription.status == status
            return subscription.id

    def renew(self, subscription_id: str, now: datetime) -> Invoice | None:
        with self.unit(now) as uow:
            return subscription_cycle.renew(uow, subscription_id)

    def renew_at_each_period_end(self, subscription_id: str, times: int) -> list[Invoice]:
        made = []
        for _ in range(times):
            end = self.subscription(subscription_id)["current_period_end"]
            invoice = self.renew(subscription_id, end)
            assert invoice is not None
            made.append(invoice)
        return made

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        with self.unit(at(2020, 1, 1)) as uow:
            found = subscriptions.get(uow, subscription_id)
            return {
                "status": found.status,
                "current_period_start": found.current_period_start,
                "current_period_end": found.current_period_end,
                "items": [
                    (item.current_period_start, item.current_period_end) for item in found.items
                ],
                "latest_invoice": found.latest_invoice_id,
                "next_action_at": found.next_action_at,
                "ended_at": found.ended_at,
                "canceled_at": found.canceled_at,
                "customer": found.customer_id,
            }

    def events(self, type_: str) -> list[dict[str, Any]]:
        with self.unit(at(2020, 1, 1)) as uow:
            stmt = (
                select(Event.data)
                .where(Event.account_id == self.account.id, Event.type == type_)
                .order_by(Event.id)
            )
            return list(uow.session.scalars(stmt))

    def cycle_invoices(self, subscription_id: str) -> int:
        with self.unit(at(2020, 1, 1)) as uow:
            stmt = select(Invoice.id).where(
                Invoice.subscription_id == subscription_id,
                Invoice.billing_reason == "subscription_cycle",
            )
            return len(list(uow.session.scalars(stmt)))


@pytest.fixture
def shop(db: Database, account: TestAccount) -> Shop:
    return Shop(db, account)


def period_of(invoice: Invoice) -> tuple[datetime, datetime]:
    line = invoice.lines[0]
    return line.period_start, line.period_end


# --- periods ---------------------------------------------------------------------------


def test_a_year_of_renewals_on_the_31st_returns_to_the_anchor_day(shop: Shop) -> None:
    """G-2.7: Jan 31 -> Feb 28 -> Mar 31 -> Apr 30 ..., never skipping or overlapping."""
    start = at(2025, 1, 31, 10)
    subscription_id = shop.subscribe(start)

    invoices = shop.renew_at_each_period_end(subscription_id, 12)

    ends = [(2025, 3, 31), (2025, 4, 30), (2025, 5, 31), (2025, 6, 30), (2025, 7, 31),
            (2025, 8, 31), (2025, 9, 30), (2025, 10, 31), (2025, 11, 30), (2025, 12, 31),
            (2026, 1, 31), (2026, 2, 28)]  # fmt: skip
    starts = [(2025, 2, 28), *ends[:-1]]
    assert [period_of(invoice) for invoice in invoices] == [
        (at(*s, 10), at(*e, 10)) for s, e in zip(starts, ends, strict=True)
    ]
    assert [invoice.total for invoice in invoices] == [3000] * 12
    assert {invoice.billing_reason for invoice in invoices} == {"subscription_cycle"}
    state = shop.subscription(subscription_id)
    assert (state["current_period_start"], state["current_period_end"]) == (
        at(2026, 1, 31, 10),
        at(2026, 2, 28, 10),
    )
    assert state["items"] == [(at(2026, 1, 31, 10), at(2026, 2, 28, 10))]
    assert state["next_action_at"] == at(2026, 2, 28, 10)
    assert state["latest_invoice"] == invoices[-1].id


def test_a_renewal_invoice_is_a_draft_dated_at_the_period_start(shop: Shop) -> None:
    subscription_id = shop.subscribe(at(2025, 3, 1))
    late = at(2025, 4, 1, 2)

    invoice = shop.renew(subscription_id, late)

    assert invoice is not None
    assert (invoice.status, invoice.auto_advance, invoice.collection_method) == (
        "draft",
        True,
        "charge_automatically",
    )
    assert invoice.created == at(2025, 4, 1)
    # Stripe's invoice period looks back on the period that just ended.
    assert (invoice.period_start, invoice.period_end) == (at(2025, 3, 1), at(2025, 4, 1))
    assert invoice.next_action_at == late + HOUR
    assert (invoice.due_date, invoice.days_until_due) == (None, None)


def test_renewal_amounts_with_quantity_and_default_tax_are_exact(shop: Shop) -> None:
    start = at(2025, 3, 1)
    with shop.unit(start) as uow:
        vat = tax_rates.create(
            uow, {"display_name": "VAT", "percentage": Decimal("8.25"), "inclusive": False}
        )
    subscription_id = shop.subscribe(start, amount=1250, quantity=3, default_tax_rates=[vat.id])

    invoice = shop.renew(subscription_id, at(2025, 4, 1))

    assert invoice is not None
    assert (invoice.subtotal, invoice.total_excluding_tax, invoice.total) == (3750, 3750, 4059)
    assert invoice.amount_due == 4059
    assert invoice.default_tax_rate_ids == [vat.id]
    assert [(line.quantity, line.amount) for line in invoice.lines] == [(3, 3750)]
    assert invoice.total_taxes[0]["amount"] == 309


def test_send_invoice_renewals_are_due_days_after_their_date(shop: Shop) -> None:
    subscription_id = shop.subscribe(
        at(2025, 3, 1), collection_method="send_invoice", days_until_due=7
    )

    invoice = shop.renew(subscription_id, at(2025, 4, 1))

    assert invoice is not None
    assert (invoice.collection_method, invoice.days_until_due) == ("send_invoice", 7)
    assert invoice.due_date == at(2025, 4, 8)


# --- discounts -------------------------------------------------------------------------


def test_a_once_coupon_applies_only_to_the_first_invoice(shop: Shop) -> None:
    subscription_id = shop.subscribe(
        at(2025, 1, 10), coupon={"percent_off": Decimal(50), "duration": "once"}
    )
    first_id = shop.subscription(subscription_id)["latest_invoice"]
    with shop.unit(at(2025, 1, 10)) as uow:
        first = uow.session.get(Invoice, first_id)
        assert first is not None
        assert first.total == 1500

    renewals = shop.renew_at_each_period_end(subscription_id, 2)

    assert [invoice.total for invoice in renewals] == [3000, 3000]
    assert [invoice.discount_ids for invoice in renewals] == [[], []]


def test_a_three_month_coupon_discounts_exactly_three_invoices(shop: Shop) -> None:
    """G-6.6: started Jan 10; Jan, Feb and Mar are discounted, Apr 10 is full price."""
    subscription_id = shop.subscribe(
        at(2025, 1, 10),
        coupon={"percent_off": Decimal(25), "duration": "repeating", "duration_in_months": 3},
    )

    renewals = shop.renew_at_each_period_end(subscription_id, 4)

    assert [invoice.created for invoice in renewals] == [
        at(2025, 2, 10), at(2025, 3, 10), at(2025, 4, 10), at(2025, 5, 10)
    ]  # fmt: skip
    assert [invoice.total for invoice in renewals] == [2250, 2250, 3000, 3000]
    assert [len(invoice.discount_ids) for invoice in renewals] == [1, 1, 0, 0]


def test_an_items_once_coupon_leaves_the_renewal_line_undiscounted(shop: Shop) -> None:
    subscription_id = shop.subscribe(
        at(2025, 1, 10), item_coupon={"amount_off": 700, "currency": "usd", "duration": "once"}
    )

    renewals = shop.renew_at_each_period_end(subscription_id, 1)

    assert renewals[0].total == 3000
    assert renewals[0].lines[0].discount_ids == []


def test_an_items_forever_coupon_stays_on_its_line(shop: Shop) -> None:
    subscription_id = shop.subscribe(
        at(2025, 1, 10), item_coupon={"percent_off": Decimal(10), "duration": "forever"}
    )

    renewals = shop.renew_at_each_period_end(subscription_id, 2)

    assert [invoice.total for invoice in renewals] == [2700, 2700]
    assert [len(invoice.lines[0].discount_ids) for invoice in renewals] == [1, 1]


def test_a_forever_coupon_keeps_applying(shop: Shop) -> None:
    subscription_id = shop.subscribe(
        at(2025, 1, 10), coupon={"amount_off": 500, "currency": "usd", "duration": "forever"}
    )

    renewals = shop.renew_at_each_period_end(subscription_id, 3)

    assert [invoice.total for invoice in renewals] == [2500, 2500, 2500]


def test_a_renewal_reads_its_discounts_once_and_each_coupon_once(shop: Shop, db: Database) -> None:
    # The customer's, the subscription's and the item's discounts in one query, used for
    # the invoice, its line and the discounts that end: a read each was the renewal's cost.
    subscription_id = shop.subscribe(
        at(2025, 1, 10),
        coupon={"percent_off": Decimal(20), "duration": "forever"},
        item_coupon={"amount_off": 500, "currency": "usd", "duration": "forever"},
    )
    seen: list[str] = []

    def remember(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        [renewal] = shop.renew_at_each_period_end(subscription_id, 1)
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)

    assert renewal.total == 2000  # (3000 - 500) less 20%
    reads = [sql for sql in seen if sql.startswith("SELECT")]
    assert len([sql for sql in reads if " FROM discounts " in sql]) == 1
    assert len([sql for sql in reads if " FROM coupons " in sql]) <= 2


def test_paying_by_card_takes_the_invoice_payment_from_the_unit(shop: Shop, db: Database) -> None:
    # The attempt pays the invoice, then the reaction to `payment_intent.succeeded` asks
    # again for the same intent's payment; the unit that wrote it remembers it.
    seen: list[str] = []

    def remember(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        subscription_id = shop.subscribe(at(2025, 1, 10))
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)

    first_id = shop.subscription(subscription_id)["latest_invoice"]
    with shop.unit(at(2025, 1, 10)) as uow:
        first = uow.session.get(Invoice, first_id)
        assert first is not None
        assert first.status == "paid"
    by_intent = [
        sql
        for sql in seen
        if sql.startswith("SELECT") and "invoice_payments.payment_intent_id =" in sql
    ]
    assert by_intent == []


# --- pending items ---------------------------------------------------------------------


def test_pending_prorations_and_loose_items_land_on_the_renewal(shop: Shop) -> None:
    start = at(2025, 3, 1)
    subscription_id = shop.subscribe(start)
    other_id = shop.subscribe(start)
    customer = shop.subscription(subscription_id)["customer"]
    stranger = shop.subscription(other_id)["customer"]
    with shop.unit(at(2025, 3, 16)) as uow:
        credit = proration(uow, customer, subscription_id, -1548)
        loose = invoice_items.create(uow, {"customer": customer, "amount": 700, "currency": "usd"})
        theirs = proration(uow, stranger, other_id, -100)

    invoice = shop.renew(subscription_id, at(2025, 4, 1))

    assert invoice is not None
    assert [line.amount for line in invoice.lines] == [3000, -1548, 700]
    assert [line.invoice_item_id for line in invoice.lines] == [None, credit.id, loose.id]
    assert [line.proration for line in invoice.lines] == [False, True, False]
    assert (invoice.subtotal, invoice.total) == (2152, 2152)
    with shop.unit(at(2025, 4, 1)) as uow:
        assert invoice_items.get(uow, theirs.id).invoice_id is None


def proration(uow: UnitOfWork, customer: str, subscription_id: str, amount: int) -> Any:
    return invoice_items.create_proration(
        uow,
        customer_id=customer,
        subscription_id=subscription_id,
        subscription_item_id=None,
        amount=amount,
        currency="usd",
        quantity=1,
        price_id=None,
        description="Unused time on Gold after 16 Mar 2025",
        period_start=at(2025, 3, 16),
        period_end=at(2025, 4, 1),
        tax_rate_ids=None,
    )


# --- when it runs ----------------------------------------------------------------------


def test_renewing_twice_cuts_one_invoice(shop: Shop) -> None:
    subscription_id = shop.subscribe(at(2025, 3, 1))

    first = shop.renew(subscription_id, at(2025, 4, 1))
    again = shop.renew(subscription_id, at(2025, 4, 1, 1))

    assert first is not None
    assert again is None
    assert shop.cycle_invoices(subscription_id) == 1
    assert shop.subscription(subscription_id)["current_period_end"] == at(2025, 5, 1)
    created = [e["object"]["id"] for e in shop.events("invoice.created")]
    assert created.count(first.id) == 1
    updated = shop.events("customer.subscription.updated")
    assert len(updated) == 1
    assert updated[0]["object"]["latest_invoice"] == first.id
    assert updated[0]["previous_attributes"]["latest_invoice"] != first.id
    item_before = updated[0]["previous_attributes"]["items"]["data"][0]
    assert item_before["current_period_end"] == int(at(2025, 4, 1).timestamp())


def test_nothing_is_renewed_before_the_period_ends(shop: Shop) -> None:
    subscription_id = shop.subscribe(at(2025, 3, 1))

    assert shop.renew(subscription_id, at(2025, 3, 31, 23)) is None
    assert shop.renew("sub_missing", at(2025, 4, 1)) is None
    assert shop.cycle_invoices(subscription_id) == 0


def test_a_late_run_catches_up_one_period_per_call(shop: Shop) -> None:
    subscription_id = shop.subscribe(at(2025, 1, 15))
    late = at(2025, 3, 20)

    first = shop.renew(subscription_id, late)
    second = shop.renew(subscription_id, late)
    third = shop.renew(subscription_id, late)

    assert first is not None
    assert second is not None
    assert third is None
    assert [period_of(first), period_of(second)] == [
        (at(2025, 2, 15), at(2025, 3, 15)),
        (at(2025, 3, 15), at(2025, 4, 15)),
    ]
    assert shop.subscription(subscription_id)["next_action_at"] == at(2025, 4, 15)


# --- ending instead ----------------------------------------------------------------------


def test_cancel_at_period_end_ends_it_without_a_renewal(shop: Shop) -> None:
    """G-4.4"""
    subscription_id = shop.subscribe(at(2025, 3, 1), cancel_at_period_end=True)

    invoice = shop.renew(subscription_id, at(2025, 4, 1))

    assert invoice is None
    state = shop.subscription(subscription_id)
    assert state["status"] == "canceled"
    assert state["ended_at"] == at(2025, 4, 1)
    assert state["canceled_at"] == at(2025, 4, 1)
    assert state["next_action_at"] is None
    assert shop.cycle_invoices(subscription_id) == 0
    deleted = shop.events("customer.subscription.deleted")
    assert [e["object"]["id"] for e in deleted] == [subscription_id]
    assert deleted[0]["object"]["cancellation_details"]["reason"] == "cancellation_requested"
    assert shop.renew(subscription_id, at(2025, 4, 2)) is None


def test_cancel_at_inside_the_next_period_bills_up_to_it_then_ends(shop: Shop) -> None:
    """April has 30 days; canceling on the 16th bills half of it."""
    subscription_id = shop.subscribe(at(2025, 3, 1), amount=3100, cancel_at=at(2025, 4, 16))

    renewal = shop.renew(subscription_id, at(2025, 4, 1))

    assert renewal is not None
    assert period_of(renewal) == (at(2025, 4, 1), at(2025, 4, 16))
    assert renewal.total == 1550
    state = shop.subscription(subscription_id)
    assert state["current_period_end"] == at(2025, 4, 16)
    assert state["next_action_at"] == at(2025, 4, 16)

    assert shop.renew(subscription_id, at(2025, 4, 16)) is None
    state = shop.subscription(subscription_id)
    assert (state["status"], state["ended_at"]) == ("canceled", at(2025, 4, 16))


def test_a_subscription_ending_with_pending_prorations_bills_them_last(shop: Shop) -> None:
    subscription_id = shop.subscribe(at(2025, 3, 1), cancel_at_period_end=True)
    customer = shop.subscription(subscription_id)["customer"]
    with shop.unit(at(2025, 3, 16)) as uow:
        proration(uow, customer, subscription_id, 800)

    final = shop.renew(subscription_id, at(2025, 4, 1))

    assert final is not None
    assert [line.amount for line in final.lines] == [800]
    assert final.total == 800
    assert shop.subscription(subscription_id)["status"] == "canceled"
