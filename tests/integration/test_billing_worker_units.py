"""The billing worker runs many subscriptions or invoices per transaction: one that fails
is rolled back alone, with its events, while the rest commit; a row another transaction
holds is left for a later pass, never waited for."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, select

from seikyu.billing import subscription_cycle
from seikyu.db.models.invoices import Invoice
from seikyu.db.uow import Database, UnitOfWork
from seikyu.worker import billing
from tests.conftest import TestAccount
from tests.integration.test_billing_worker import run, subscribed_on_postgres, worker
from tests.integration.test_subscription_cycle import Shop, at, shop  # noqa: F401

SECOND = timedelta(seconds=1)
RENEWS = at(2025, 4, 1) + SECOND
# After the finalization delay: renewals finalized and charged.
PAID = at(2025, 4, 1, 2)
HELD = "row locks held by another transaction"


def renewed_for(shop: Shop, ids: list[str]) -> list[str]:  # noqa: F811
    return [subscription_id for subscription_id in ids if shop.cycle_invoices(subscription_id)]


def test_a_run_that_raises_is_rolled_back_alone_with_its_events(
    shop: Shop,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [shop.subscribe(at(2025, 3, 1)) for _ in range(5)]
    created_before = len(shop.events("invoice.created"))
    renew = subscription_cycle.renew

    def renew_then_fail_for_the_third(uow: UnitOfWork, subscription_id: str) -> Any:
        invoice = renew(uow, subscription_id)
        if subscription_id == ids[2]:
            raise RuntimeError("the run breaks after writing its invoice")
        return invoice

    monkeypatch.setattr(subscription_cycle, "renew", renew_then_fail_for_the_third)
    one_pass = worker(shop).run_due(now=RENEWS)

    assert one_pass.failed == 1
    assert renewed_for(shop, ids) == [ids[0], ids[1], ids[3], ids[4]]
    assert shop.cycle_invoices(ids[2]) == 0
    assert shop.subscription(ids[2])["current_period_start"] == at(2025, 3, 1)
    assert len(shop.events("invoice.created")) == created_before + 4

    monkeypatch.setattr(subscription_cycle, "renew", renew)
    run(shop, RENEWS)
    run(shop, PAID)
    assert renewed_for(shop, ids) == ids
    assert [shop.cycle_invoices(subscription_id) for subscription_id in ids] == [1] * 5
    assert len(shop.events("invoice.created")) == created_before + 5
    assert len(shop.events("invoice.paid")) == len(shop.events("invoice.created"))


def test_a_unit_stops_claiming_when_its_time_is_up(
    shop: Shop,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [shop.subscribe(at(2025, 3, 1)) for _ in range(billing.CLAIM_SIZE + 3)]
    monkeypatch.setattr(billing, "UNIT_SECONDS", 0.0)
    first = worker(shop).run_due(now=RENEWS)
    # The first claim is always run whole; the next waits for the next unit.
    assert first.done == billing.CLAIM_SIZE
    assert len(renewed_for(shop, ids)) == billing.CLAIM_SIZE
    run(shop, RENEWS)
    assert renewed_for(shop, ids) == ids


def pass_while_held(shop: Shop, table: str, row_id: str, now: datetime) -> billing.Pass:  # noqa: F811
    """One worker pass while another transaction holds the row locked; the pass must not
    wait for it."""
    db = shop.db
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url) as other:
        other.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", (row_id,))
        outcome: list[billing.Pass] = []
        thread = threading.Thread(
            target=lambda: outcome.append(worker(shop).run_due(now=now)), daemon=True
        )
        thread.start()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the worker waited for a row another transaction holds"
        other.rollback()
    return outcome[0]


def test_a_subscription_whose_customer_is_held_is_left_for_a_later_pass(
    db: Database, account: TestAccount
) -> None:
    shop_, ids = subscribed_on_postgres(db, account, 4, HELD)
    held = shop_.subscription(ids[1])["customer"]
    outcome = pass_while_held(shop_, "customers", held, RENEWS)
    assert outcome.done == 3
    assert outcome.failed == 0
    assert renewed_for(shop_, ids) == [ids[0], ids[2], ids[3]]
    run(shop_, RENEWS)
    run(shop_, PAID)
    assert renewed_for(shop_, ids) == ids
    with shop_.unit(at(2020, 1, 1)) as uow:
        renewals = uow.session.query(Invoice).filter(
            Invoice.subscription_id.in_(ids), Invoice.billing_reason == "subscription_cycle"
        )
        assert sorted(invoice.status for invoice in renewals) == ["paid"] * 4


def finalize_only(shop: Shop, ids: list[str]) -> None:  # noqa: F811
    """Renew, then finalize without charging: one pass finalizes, the charge waits for the
    next (see due_work._finalize)."""
    run(shop, RENEWS)
    worker(shop).run_due(now=PAID)
    for subscription_id in ids:
        assert renewal_of(shop, subscription_id).status == "open"


def renewal_of(shop: Shop, subscription_id: str) -> Invoice:  # noqa: F811
    with shop.unit(at(2020, 1, 1)) as uow:
        stmt = select(Invoice).where(
            Invoice.subscription_id == subscription_id,
            Invoice.billing_reason == "subscription_cycle",
        )
        return uow.session.scalars(stmt).one()


def test_charges_lock_intents_read_payments_once_per_claim_and_write_each_row_once(
    shop: Shop,  # noqa: F811
) -> None:
    ids = [shop.subscribe(at(2025, 3, 1)) for _ in range(5)]
    finalize_only(shop, ids)
    seen: list[str] = []

    def remember(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(shop.db.engine, "before_cursor_execute", remember)
    try:
        charged = worker(shop).run_due(now=PAID)
    finally:
        event.remove(shop.db.engine, "before_cursor_execute", remember)

    assert charged.done == 5
    assert [renewal_of(shop, subscription_id).status for subscription_id in ids] == ["paid"] * 5
    reads = [sql for sql in seen if sql.startswith("SELECT")]
    assert len([sql for sql in reads if " FROM payment_intents " in sql]) == 1
    assert len([sql for sql in reads if " FROM invoice_payments " in sql]) == 1
    # The attempt's changes to the invoice and its intent go out together at the end of
    # each charge: screening's reads and the journal's settling do not flush them early.
    assert len([sql for sql in seen if sql.startswith("UPDATE invoices ")]) == 5
    assert len([sql for sql in seen if sql.startswith("UPDATE payment_intents ")]) == 5


def test_an_invoice_whose_intent_is_held_is_left_for_a_later_pass(
    db: Database, account: TestAccount
) -> None:
    shop_, ids = subscribed_on_postgres(db, account, 4, HELD)
    finalize_only(shop_, ids)
    # As a confirmation of the intent through the API would hold it.
    held = renewal_of(shop_, ids[1]).payment_intent_id
    assert held is not None
    outcome = pass_while_held(shop_, "payment_intents", held, PAID)
    assert (outcome.done, outcome.failed) == (3, 0)
    waiting = renewal_of(shop_, ids[1])
    assert (waiting.status, waiting.attempt_count) == ("open", 0)
    run(shop_, PAID)
    renewals = [renewal_of(shop_, subscription_id) for subscription_id in ids]
    assert [(found.status, found.attempt_count) for found in renewals] == [("paid", 1)] * 4
