"""A read by primary key answers as a flushed session would, without flushing: rows
pending insertion are found, rows pending deletion are not, and pending changes to other
rows wait for the next flush."""

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


def test_a_row_pending_insertion_is_found_without_a_flush(unit: UnitOfWork) -> None:
    made = customers.create(unit, {"name": "Pending"})
    assert made in unit.session.new
    found, seen = statements_during(unit, lambda: by_id(unit, made.id))
    assert found is made
    assert "INSERT" not in seen
    assert made in unit.session.new


def test_another_account_does_not_see_a_pending_row(unit: UnitOfWork) -> None:
    made = customers.create(unit, {"name": "Pending"})
    found = scoped.by_id(unit.session, Customer, made.id, "acct_other", unit.livemode)
    assert found is None


def test_a_row_pending_deletion_is_not_found(unit: UnitOfWork) -> None:
    gone = customers.create(unit, {"name": "Gone"})
    unit.session.flush()
    gone_id = gone.id
    unit.session.delete(gone)
    assert by_id(unit, gone_id) is None
    unit.session.flush()  # and the deletion goes out as it would have
    assert by_id(unit, gone_id) is None


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
