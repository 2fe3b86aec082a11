"""Metered items changed mid-period: the usage so far under the old price is billed on the
next invoice at the old price (as Stripe does in flexible billing mode), the new price bills
only what comes after, and `proration_behavior=none` or `clear_usage` drop it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from seikyu.api.resources import all_routers
from seikyu.billing import subscription_update, subscriptions
from seikyu.billing.subscription_changes import ItemChange, SubscriptionChanges
from seikyu.db.models.invoices import Invoice
from seikyu.db.uow import Database
from seikyu.payments.test_processor import TestProcessor
from tests.support.metered_shop import APRIL, REDIRECT, START, Shop, day, lines_of

if TYPE_CHECKING:
    from tests.conftest import TestAccount


@pytest.fixture(autouse=True)
def _renderers() -> None:
    all_routers()


@pytest.fixture
def shop(db: Database, account: TestAccount) -> Shop:
    return Shop(db, account)


def _update(shop: Shop, subscription: str, when: Any, **fields: Any) -> Any:
    with shop.unit(when) as uow:
        item_id = subscriptions.get(uow, subscription).items[0].id
        items = [
            ItemChange(id=item_id, **change) if "id" not in change else ItemChange(**change)
            for change in fields.pop("items", [])
        ]
        changes = SubscriptionChanges(items=items, **fields)
        given = ["items", *fields]
        updated = subscription_update.update(
            uow, TestProcessor(), subscription, changes, fields=given, redirect=REDIRECT
        )
        return updated.latest_invoice_id


def test_a_price_change_bills_the_old_price_up_to_the_change(shop: Shop) -> None:
    meter = shop.meter()
    old = shop.price(meter, unit_amount=4)
    new = shop.price(meter, unit_amount=10)
    subscription, customer = shop.subscribe(old)
    shop.report(meter, customer, (10, day(2)))

    _update(shop, subscription, day(16), items=[{"price": new}])
    shop.report(meter, customer, (5, day(20)))
    lines = shop.renew(subscription, APRIL)

    assert sorted((line.price, line.quantity, line.amount, line.period) for line in lines) == (
        sorted([(old, 10, 40, (START, day(16))), (new, 5, 50, (day(16), APRIL))])
    )


def test_a_deleted_metered_item_bills_its_usage_on_the_next_invoice(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    licensed = shop.price(None, unit_amount=3000)
    subscription, customer = shop.subscribe(metered, licensed)
    shop.report(meter, customer, (10, day(2)))

    with shop.unit(day(16)) as uow:
        found = subscriptions.get(uow, subscription)
        metered_item = next(item.id for item in found.items if item.price_id == metered)
    _update(shop, subscription, day(16), items=[{"id": metered_item, "deleted": True}])
    lines = shop.renew(subscription, APRIL)

    assert [(line.price, line.quantity, line.amount) for line in lines] == [
        (licensed, 1, 3000),
        (metered, 10, 40),
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"proration_behavior": "none", "items": [{"deleted": True, "id": "?"}]},
        {"items": [{"deleted": True, "clear_usage": True, "id": "?"}]},
    ],
)
def test_usage_of_a_deleted_item_can_be_dropped(shop: Shop, fields: dict[str, Any]) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    licensed = shop.price(None, unit_amount=3000)
    subscription, customer = shop.subscribe(metered, licensed)
    shop.report(meter, customer, (10, day(2)))
    with shop.unit(day(16)) as uow:
        found = subscriptions.get(uow, subscription)
        metered_item = next(item.id for item in found.items if item.price_id == metered)
    fields["items"][0]["id"] = metered_item

    _update(shop, subscription, day(16), **fields)
    lines = shop.renew(subscription, APRIL)

    assert [line.price for line in lines] == [licensed]


def test_restarting_the_period_now_bills_the_usage_so_far_at_once(shop: Shop) -> None:
    meter = shop.meter()
    metered = shop.price(meter, unit_amount=4)
    subscription, customer = shop.subscribe(metered)
    shop.report(meter, customer, (10, day(2)))

    invoice_id = _update(shop, subscription, day(16), billing_cycle_anchor="now")

    with shop.unit(day(16)) as uow:
        invoice = uow.session.get(Invoice, invoice_id)
        assert invoice is not None
        lines = lines_of(invoice)
    assert [(line.quantity, line.amount, line.period) for line in lines] == [
        (10, 40, (START, day(16)))
    ]
