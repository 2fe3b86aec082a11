"""Catalog services on a real database: lookups by account, ordering, lookup keys, events."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from seikyu.accounts import service as accounts
from seikyu.api.resources import all_routers
from seikyu.catalog import prices, products
from seikyu.catalog.price_repository import PriceFilter
from seikyu.catalog.price_rules import PriceInput, Recurring, TierInput
from seikyu.catalog.prices import NewPrice
from seikyu.core.errors import SeikyuError
from seikyu.db.models import Event
from seikyu.db.pagination import Window
from seikyu.db.uow import Actor, Database, UnitOfWork
from tests.support import metered_usage

if TYPE_CHECKING:
    from tests.conftest import TestAccount


@pytest.fixture(autouse=True)
def _renderers() -> None:
    # Events render their objects at commit; the resource modules register the renderers.
    all_routers()


def other_account(db: Database) -> str:
    with db.unit() as uow:
        return accounts.create_account(uow, name="other").id


def event_types(db: Database, account: TestAccount) -> list[str]:
    with db.unit() as uow:
        stmt = select(Event.type).where(Event.account_id == account.id).order_by(Event.id)
        return list(uow.session.scalars(stmt))


def usd(amount: int) -> PriceInput:
    return PriceInput(currency="usd", unit_amount=amount)


def test_find_sees_only_this_accounts_products(db: Database, account: TestAccount) -> None:
    with db.unit(Actor(account.id)) as uow:
        product = products.create(uow, {"name": "Gold", "id": "gold"})
    stranger = other_account(db)

    with db.unit(Actor(account.id)) as uow:
        assert products.find(uow, "gold") is not None
        assert products.find(uow, "missing") is None
    with db.unit(Actor(stranger)) as uow:
        assert products.find(uow, product.id) is None


def test_products_page_in_creation_order_whatever_their_ids(unit: UnitOfWork) -> None:
    made = [products.create(unit, {"name": n, "id": n}).id for n in ("b", "c", "a")]
    made.append(products.create(unit, {"name": "generated"}).id)

    first = products.page(unit, Window(limit=2))
    rest = products.page(unit, Window(limit=2, starting_after=first.items[-1].id))

    assert [p.id for p in first.items + rest.items] == list(reversed(made))
    assert (first.has_more, rest.has_more) == (True, False)


def test_terms_read_back_what_was_created(unit: UnitOfWork) -> None:
    product = products.create(unit, {"name": "Metered"})
    meter_id = metered_usage.meter(unit)
    draft = PriceInput(
        currency="eur",
        billing_scheme="tiered",
        tiers_mode="graduated",
        tiers=(
            TierInput(up_to=1000, unit_amount_decimal=Decimal("0.25")),
            TierInput(up_to=None, unit_amount_decimal=Decimal("0.125"), flat_amount=500),
        ),
        recurring=Recurring("month", usage_type="metered", meter=meter_id),
    )

    price = prices.create(unit, NewPrice(terms=draft, product=product.id))
    unit.session.flush()
    unit.session.expire_all()

    stored = prices.terms(prices.get(unit, price.id))
    assert stored.tiers is not None
    assert [t.unit_amount for t in stored.tiers] == [Decimal("0.25"), Decimal("0.125")]
    assert [t.flat_amount for t in stored.tiers] == [None, Decimal(500)]
    assert stored.recurring == Recurring("month", usage_type="metered", meter=meter_id)


def test_a_yen_amount_is_stored_as_whole_yen(unit: UnitOfWork) -> None:
    product = products.create(unit, {"name": "Tea"})

    price = prices.create(
        unit, NewPrice(terms=PriceInput(currency="jpy", unit_amount=700), product=product.id)
    )
    unit.session.flush()
    unit.session.expire_all()

    stored = prices.get(unit, price.id)
    assert (stored.unit_amount, stored.unit_amount_decimal) == (700, Decimal(700))


def test_moving_a_lookup_key_updates_both_prices_in_one_unit(
    db: Database, account: TestAccount
) -> None:
    with db.unit(Actor(account.id)) as uow:
        product = products.create(uow, {"name": "Plan"})
        old = prices.create(uow, NewPrice(terms=usd(1000), product=product.id, lookup_key="k"))

    with db.unit(Actor(account.id)) as uow:
        new = prices.create(
            uow,
            NewPrice(terms=usd(1200), product=product.id, lookup_key="k", transfer_lookup_key=True),
        )

    with db.unit(Actor(account.id)) as uow:
        assert prices.get(uow, old.id).lookup_key is None
        keyed = prices.page(uow, Window(), PriceFilter(lookup_keys=("k",)))
        assert [p.id for p in keyed.items] == [new.id]
    assert event_types(db, account) == [
        "product.created",
        "price.created",
        "price.updated",
        "price.created",
    ]


def test_a_refused_lookup_key_writes_nothing(db: Database, account: TestAccount) -> None:
    with db.unit(Actor(account.id)) as uow:
        product = products.create(uow, {"name": "Plan"})
        prices.create(uow, NewPrice(terms=usd(1000), product=product.id, lookup_key="k"))

    with pytest.raises(SeikyuError) as info, db.unit(Actor(account.id)) as uow:
        prices.create(
            uow,
            NewPrice(terms=usd(1), product_data={"name": "Orphan", "id": "orphan"}, lookup_key="k"),
        )

    assert info.value.param == "lookup_key"
    with db.unit(Actor(account.id)) as uow:
        assert products.find(uow, "orphan") is None
    assert event_types(db, account) == ["product.created", "price.created"]


def test_a_product_without_prices_is_deleted_for_good(db: Database, account: TestAccount) -> None:
    with db.unit(Actor(account.id)) as uow:
        product = products.create(uow, {"name": "Short-lived", "id": "short"})
    with db.unit(Actor(account.id)) as uow:
        products.delete(uow, product.id)

    with db.unit(Actor(account.id)) as uow:
        assert products.find(uow, "short") is None
        # The id is free again, as the row is gone.
        products.create(uow, {"name": "Again", "id": "short"})
    assert event_types(db, account) == ["product.created", "product.deleted", "product.created"]


def test_a_product_with_prices_stays(unit: UnitOfWork) -> None:
    product = products.create(unit, {"name": "Kept"})
    prices.create(unit, NewPrice(terms=usd(1), product=product.id))

    with pytest.raises(SeikyuError) as info:
        products.delete(unit, product.id)

    assert info.value.param == "id"
    assert products.find(unit, product.id) is not None
