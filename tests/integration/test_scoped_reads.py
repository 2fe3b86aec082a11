"""A read by primary key leaves pending changes to other rows for the next flush, and
flushes first when rows are pending insertion or deletion (see `seikyu.db.pending`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from seikyu.customers import service as customers
from seikyu.db import scoped
from seikyu.db.models.customers import Customer
from seikyu.db.uow import UnitOfWork


def statements_during(unit: UnitOfWork, read: Any) -> tuple[Any, list[str]]:
    seen: list[str] = []

    def remember(*args: Any) -> None:
        seen.append(str(args[2]).split()[0])

    engine = unit.session.get_bind()
    event.listen(engine, "before_cursor_execute", remember)
    try:
        return read(), seen
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def by_id(unit: UnitOfWork, customer_id: str) -> Customer | None:
    return scoped.by_id(unit.session, Customer, customer_id, unit.account_id, unit.livemode)


def test_a_row_pending_insertion_is_written_first(unit: UnitOfWork) -> None:
    existing = customers.create(unit, {"name": "Existing"})
    unit.session.flush()
    existing_id = existing.id
    unit.session.expire(existing)  # so that reading it needs the database
    made = customers.create(unit, {"name": "Pending"})
    assert made in unit.session.new

    found, seen = statements_during(unit, lambda: by_id(unit, existing_id))

    assert found is existing
    assert seen[0] == "INSERT"
    assert not unit.session.new


def test_a_change_to_another_row_waits_for_the_next_flush(unit: UnitOfWork) -> None:
    changed = customers.create(unit, {"name": "Before"})
    other = customers.create(unit, {"name": "Other"})
    unit.session.flush()
    other_id = other.id
    unit.session.expire(other)  # so that reading it needs the database
    changed.name = "After"

    found, seen = statements_during(unit, lambda: by_id(unit, other_id))

    assert found is other
    assert found.name == "Other"
    # The row and its eager collections, and no UPDATE of the changed one.
    assert set(seen) == {"SELECT"}
    assert unit.session.is_modified(changed)


def test_another_account_does_not_see_the_row(unit: UnitOfWork) -> None:
    made = customers.create(unit, {"name": "Mine"})
    unit.session.flush()
    made.name = "Changed"
    assert scoped.by_id(unit.session, Customer, made.id, "acct_other", unit.livemode) is None
    assert scoped.by_id(unit.session, Customer, made.id, unit.account_id, True) is None
