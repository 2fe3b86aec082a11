"""What invoices and subscriptions take from the invoice item service: the pending items of
a customer, attaching them to an invoice, an invoice's items, and proration items."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from seikyu.api.resources import all_routers
from seikyu.billing import invoice_items
from seikyu.billing.invoice_items import InvoiceItemFields
from seikyu.core.errors import SeikyuError
from seikyu.customers import service as customers
from seikyu.db.models import Event
from seikyu.db.models.invoice_items import InvoiceItem
from seikyu.db.uow import Actor, Database, UnitOfWork

if TYPE_CHECKING:
    from tests.conftest import TestAccount

JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _renderers() -> None:
    # Events render their objects at commit; the resource modules register the renderers.
    all_routers()


def new_customer(unit: UnitOfWork) -> str:
    return customers.create(unit, {"email": "buyer@example.com"}).id


def charge(unit: UnitOfWork, customer_id: str, amount: int, currency: str = "usd") -> InvoiceItem:
    fields: InvoiceItemFields = {"customer": customer_id, "amount": amount, "currency": currency}
    return invoice_items.create(unit, fields)


def proration(unit: UnitOfWork, customer_id: str, subscription_id: str, amount: int) -> InvoiceItem:
    return invoice_items.create_proration(
        unit,
        customer_id=customer_id,
        subscription_id=subscription_id,
        subscription_item_id="si_1",
        amount=amount,
        currency="usd",
        quantity=2,
        price_id=None,
        description="Unused time",
        period_start=JAN,
        period_end=FEB,
        tax_rate_ids=["txr_1"],
        proration_details={"credited_items": None, "discount_amounts": []},
    )


def ids(items: list[InvoiceItem]) -> list[str]:
    return [item.id for item in items]


def test_pending_items_come_oldest_first_and_only_the_customers(unit: UnitOfWork) -> None:
    buyer, other = new_customer(unit), new_customer(unit)
    first, second = charge(unit, buyer, 100), charge(unit, buyer, 200)
    charge(unit, other, 300)

    assert ids(invoice_items.pending_for(unit, buyer)) == [first.id, second.id]


def test_pending_items_leave_out_deleted_and_invoiced_ones(unit: UnitOfWork) -> None:
    buyer = new_customer(unit)
    kept, deleted, invoiced = charge(unit, buyer, 1), charge(unit, buyer, 2), charge(unit, buyer, 3)
    invoice_items.delete(unit, deleted.id)
    invoice_items.attach(unit, [invoiced], "in_1")
    unit.session.flush()

    assert ids(invoice_items.pending_for(unit, buyer)) == [kept.id]
    assert ids(invoice_items.of_invoice(unit, "in_1")) == [invoiced.id]


def test_pending_items_in_one_currency(unit: UnitOfWork) -> None:
    buyer = new_customer(unit)
    dollars = charge(unit, buyer, 100, "usd")

    assert ids(invoice_items.pending_for(unit, buyer, "usd")) == [dollars.id]
    assert invoice_items.pending_for(unit, buyer, "eur") == []


def test_a_subscriptions_pending_items_are_its_own_and_those_of_none(unit: UnitOfWork) -> None:
    buyer = new_customer(unit)
    loose = charge(unit, buyer, 100)
    ours = proration(unit, buyer, "sub_ours", -50)
    proration(unit, buyer, "sub_theirs", -70)

    taken = invoice_items.pending_for(unit, buyer, "usd", subscription_id="sub_ours")

    assert ids(taken) == [loose.id, ours.id]
    assert len(invoice_items.pending_for(unit, buyer)) == 3


def test_attach_puts_items_on_an_invoice_in_their_order(unit: UnitOfWork) -> None:
    buyer = new_customer(unit)
    first, second = charge(unit, buyer, 100), charge(unit, buyer, 200)

    invoice_items.attach(unit, [second, first], "in_2")
    unit.session.flush()

    assert ids(invoice_items.of_invoice(unit, "in_2")) == [first.id, second.id]
    assert invoice_items.pending_for(unit, buyer) == []


def test_a_proration_is_never_discounted_and_says_what_it_is(unit: UnitOfWork) -> None:
    buyer = new_customer(unit)

    made = proration(unit, buyer, "sub_1", -1250)
    unit.session.flush()

    stored = invoice_items.get(unit, made.id)
    assert (stored.proration, stored.discountable, stored.amount, stored.quantity) == (
        True,
        False,
        -1250,
        2,
    )
    assert (stored.subscription_id, stored.subscription_item_id) == ("sub_1", "si_1")
    assert (stored.period_start, stored.period_end) == (JAN, FEB)
    assert stored.tax_rate_ids == ["txr_1"]
    assert stored.proration_details == {"credited_items": None, "discount_amounts": []}
    assert stored.unit_amount_decimal is None


def test_created_and_deleted_items_record_their_events(db: Database, account: TestAccount) -> None:
    with db.unit(Actor(account.id)) as uow:
        buyer = new_customer(uow)
        made = charge(uow, buyer, 100)
        made_id = made.id
    with db.unit(Actor(account.id)) as uow:
        invoice_items.delete(uow, made_id)

    with db.unit(Actor(account.id)) as uow:
        rows = uow.session.scalars(
            select(Event).where(Event.account_id == account.id).order_by(Event.id)
        )
        shown = [(e.type, e.data["object"]) for e in rows if e.type.startswith("invoiceitem")]
    assert [kind for kind, _ in shown] == ["invoiceitem.created", "invoiceitem.deleted"]
    # The deletion shows the item as it was, not the stub its id now reads as.
    assert [obj["amount"] for _, obj in shown] == [100, 100]


def test_a_fractional_quantity_is_refused(unit: UnitOfWork) -> None:
    buyer = new_customer(unit)
    fields: InvoiceItemFields = {
        "customer": buyer,
        "unit_amount_decimal": Decimal(100),
        "currency": "usd",
        "quantity_decimal": Decimal("1.5"),
    }

    with pytest.raises(SeikyuError) as info:
        invoice_items.create(unit, fields)

    assert info.value.param == "quantity_decimal"
