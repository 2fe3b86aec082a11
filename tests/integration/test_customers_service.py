"""Customer and tax ID use cases against SQLite and PostgreSQL, below the HTTP layer."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from seikyu.api.resources import all_routers
from seikyu.api.search_query import FieldKind, parse, validate
from seikyu.core.errors import SeikyuError
from seikyu.customers import service, tax_ids
from seikyu.customers.tax_ids import MAX_PER_OWNER, TaxIdData
from seikyu.db.models import Customer, Event
from seikyu.db.models.tax_ids import TaxId
from seikyu.db.pagination import Window
from seikyu.db.uow import Actor, Database

if TYPE_CHECKING:
    from tests.conftest import TestAccount

# Event rows are rendered through the API's registry, filled by importing the resources.
all_routers()


def _new_customer(db: Database, account: TestAccount, **fields: object) -> str:
    with db.unit(Actor(account.id)) as uow:
        return service.create(uow, fields).id


def _count(db: Database, account: TestAccount, model: type[TaxId] | type[Event]) -> int:
    with db.unit() as uow:
        stmt = select(func.count()).select_from(model).where(model.account_id == account.id)
        return int(uow.session.scalar(stmt) or 0)


def test_concurrent_additions_never_pass_the_limit(db: Database, account: TestAccount) -> None:
    customer_id = _new_customer(db, account)
    with db.unit(Actor(account.id)) as uow:
        for n in range(MAX_PER_OWNER - 3):
            tax_ids.create_for_customer(
                uow, customer_id, TaxIdData("us_ein", f"12-{n:07d}"), customer_param="id"
            )
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def add(n: int) -> None:
        start.wait()
        try:
            with db.unit(Actor(account.id)) as uow:
                tax_ids.create_for_customer(
                    uow, customer_id, TaxIdData("us_ein", f"98-{n:07d}"), customer_param="id"
                )
            outcomes.append("added")
        except SeikyuError:
            outcomes.append("refused")

    threads = [threading.Thread(target=add, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["added"] * 3 + ["refused"] * 5
    assert _count(db, account, TaxId) == MAX_PER_OWNER


def test_an_invalid_tax_id_in_tax_id_data_leaves_no_customer(
    db: Database, account: TestAccount
) -> None:
    with pytest.raises(SeikyuError) as info, db.unit(Actor(account.id)) as uow:
        service.create(
            uow,
            {"email": "a@example.com"},
            tax_id_data=[TaxIdData("jp_trn", "T8010601046367"), TaxIdData("jp_trn", "T1")],
        )

    assert (info.value.code, info.value.param) == ("tax_id_invalid", "tax_id_data[1][value]")
    with db.unit() as uow:
        customers = uow.session.scalar(
            select(func.count()).select_from(Customer).where(Customer.account_id == account.id)
        )
    assert customers == 0
    assert _count(db, account, TaxId) == 0
    assert _count(db, account, Event) == 0


def test_tax_id_rows_are_kept_after_deletion(db: Database, account: TestAccount) -> None:
    customer_id = _new_customer(db, account)
    with db.unit(Actor(account.id)) as uow:
        tax_id = tax_ids.create_for_customer(
            uow, customer_id, TaxIdData("jp_trn", "T8010601046367"), customer_param="id"
        )
    with db.unit(Actor(account.id)) as uow:
        tax_ids.delete(uow, tax_id.id, customer_id=customer_id)

    with db.unit(Actor(account.id)) as uow:
        assert tax_ids.find(uow, tax_id.id) is None
        kept = uow.session.get(TaxId, tax_id.id)
        assert kept is not None
        assert kept.deleted_at is not None
        assert kept.value == "T8010601046367"


def test_customers_on_a_test_clock_are_listed_only_for_that_clock(
    db: Database, account: TestAccount
) -> None:
    plain = _new_customer(db, account)
    on_clock = _new_customer(db, account)
    with db.unit(Actor(account.id)) as uow:
        customer = uow.session.get(Customer, on_clock)
        assert customer is not None
        customer.test_clock = "clock_1"  # test clocks have no API yet: set it directly

    with db.unit(Actor(account.id)) as uow:
        default = service.page(uow, Window(), email=None, test_clock=None)
        clock = service.page(uow, Window(), email=None, test_clock="clock_1")

    assert [c.id for c in default.items] == [plain]
    assert [c.id for c in clock.items] == [on_clock]


def _query(text: str) -> object:
    kinds = {name: FieldKind(kind) for name, kind in service.search_fields().items()}
    return validate(parse(text), kinds)


def test_metadata_search_finds_keys_with_quotes_and_non_ascii(
    db: Database, account: TestAccount
) -> None:
    wanted = _new_customer(db, account, metadata={'say "hi"': "yes", "café": "crème"})
    _new_customer(db, account, metadata={"café": "thé"})

    with db.unit(Actor(account.id)) as uow:
        quoted, _ = service.search(uow, _query(r'metadata["say \"hi\""]:"yes"'), offset=0, limit=10)
        accented, _ = service.search(uow, _query('metadata["café"]:"crème"'), offset=0, limit=10)

    assert [c.id for c in quoted] == [wanted]
    assert [c.id for c in accented] == [wanted]


def test_search_pages_by_offset_and_counts(db: Database, account: TestAccount) -> None:
    ids = [_new_customer(db, account, email=f"user{n}@example.com") for n in range(5)]
    query = _query('email~"example.com"')

    with db.unit(Actor(account.id)) as uow:
        first, more = service.search(uow, query, offset=0, limit=3)
        rest, no_more = service.search(uow, query, offset=3, limit=3)
        total = service.count(uow, query)

    assert [c.id for c in first + rest] == list(reversed(ids))
    assert (more, no_more, total) == (True, False, 5)
