"""The customer balance ledger below the HTTP layer: the moves billing makes, and changes to
one customer's balance racing each other, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from seikyu.api.resources import all_routers
from seikyu.core.errors import SeikyuError
from seikyu.customers import balance_transactions, service
from seikyu.db.models.customer_balance_transactions import CustomerBalanceTransaction
from seikyu.db.pagination import Window
from seikyu.db.uow import Actor, Database
from tests.support.race import second_during_first

if TYPE_CHECKING:
    from tests.conftest import TestAccount

# Event rows are rendered through the API's registry, filled by importing the resources.
all_routers()


def _new_customer(db: Database, account: TestAccount, *, balance: int = 0) -> str:
    with db.unit(Actor(account.id)) as uow:
        return service.create(uow, {"name": "Ledger Ltd", "balance": balance}).id


def _balance(db: Database, account: TestAccount, customer_id: str) -> tuple[int, str | None]:
    with db.unit(Actor(account.id)) as uow:
        customer = service.get(uow, customer_id)
        return customer.balance, customer.currency


def _ledger(db: Database, account: TestAccount, customer_id: str) -> list[tuple[str, int, int]]:
    """(type, amount, ending_balance) of every transaction, oldest first."""
    with db.unit(Actor(account.id)) as uow:
        found = balance_transactions.page(uow, customer_id, Window(limit=100)).items
        return [(t.type, t.amount, t.ending_balance) for t in reversed(found)]


def _count(db: Database, account: TestAccount) -> int:
    with db.unit() as uow:
        stmt = (
            select(func.count())
            .select_from(CustomerBalanceTransaction)
            .where(CustomerBalanceTransaction.account_id == account.id)
        )
        return int(uow.session.scalar(stmt) or 0)


# --- the moves billing makes ---------------------------------------------------------------


def test_an_invoice_lifecycle_moves_the_balance_and_links_the_invoice(
    db: Database, account: TestAccount
) -> None:
    customer_id = _new_customer(db, account)
    with db.unit(Actor(account.id)) as uow:
        adjust = balance_transactions.adjust
        adjust(uow, customer_id, -1500, currency="jpy", type="adjustment")
        # finalizing a 1000 invoice uses 1000 of the credit; voiding it gives the credit back
        applied = adjust(
            uow, customer_id, 1000, currency="jpy", type="applied_to_invoice", invoice_id="in_1"
        )
        adjust(
            uow,
            customer_id,
            -1000,
            currency="jpy",
            type="unapplied_from_invoice",
            invoice_id="in_1",
        )
        # an amount below the minimum charge is carried to the next invoice
        adjust(uow, customer_id, 30, currency="jpy", type="invoice_too_small", invoice_id="in_2")
        # a credit note credits the balance
        noted = adjust(
            uow,
            customer_id,
            -200,
            currency="jpy",
            type="credit_note",
            invoice_id="in_2",
            credit_note_id="cn_1",
            description="Credit for a missed delivery",
        )

    assert _ledger(db, account, customer_id) == [
        ("adjustment", -1500, -1500),
        ("applied_to_invoice", 1000, -500),
        ("unapplied_from_invoice", -1000, -1500),
        ("invoice_too_small", 30, -1470),
        ("credit_note", -200, -1670),
    ]
    assert _balance(db, account, customer_id) == (-1670, "jpy")
    assert (applied.invoice_id, applied.credit_note_id, applied.currency) == ("in_1", None, "jpy")
    assert (noted.invoice_id, noted.credit_note_id) == ("in_2", "cn_1")
    assert noted.description == "Credit for a missed delivery"
    assert noted.metadata_ == {}


def test_every_type_stripe_names_is_taken(db: Database, account: TestAccount) -> None:
    customer_id = _new_customer(db, account)

    with db.unit(Actor(account.id)) as uow:
        for kind in sorted(balance_transactions.TYPES):
            balance_transactions.adjust(uow, customer_id, -1, currency="usd", type=kind)

    assert [t for t, _, _ in _ledger(db, account, customer_id)] == sorted(
        balance_transactions.TYPES
    )
    assert _balance(db, account, customer_id) == (-len(balance_transactions.TYPES), "usd")


def test_an_unknown_type_is_a_programming_error_and_writes_nothing(
    db: Database, account: TestAccount
) -> None:
    customer_id = _new_customer(db, account)

    with pytest.raises(ValueError, match="invoice_paid"), db.unit(Actor(account.id)) as uow:
        balance_transactions.adjust(uow, customer_id, -100, currency="usd", type="invoice_paid")

    assert _count(db, account) == 0
    assert _balance(db, account, customer_id) == (0, None)


@pytest.mark.parametrize(
    ("amount", "currency", "description", "param"),
    [
        (0, "usd", None, "lines[0][amount]"),
        (5, "eur", None, "currency"),
        (5, "zzz", None, "currency"),
        (5, "usd", "d" * 351, "description"),
    ],
)
def test_refusals_name_the_parameter_and_write_nothing(
    db: Database,
    account: TestAccount,
    amount: int,
    currency: str,
    description: str | None,
    param: str,
) -> None:
    customer_id = _new_customer(db, account)
    with db.unit(Actor(account.id)) as uow:
        balance_transactions.adjust(uow, customer_id, -100, currency="usd", type="adjustment")

    with pytest.raises(SeikyuError) as info, db.unit(Actor(account.id)) as uow:
        balance_transactions.adjust(
            uow,
            customer_id,
            amount,
            currency=currency,
            type="applied_to_invoice",
            description=description,
            param="lines[0][amount]",
        )

    assert info.value.param == param
    assert _ledger(db, account, customer_id) == [("adjustment", -100, -100)]
    assert _balance(db, account, customer_id) == (-100, "usd")


def test_a_deleted_customers_balance_cannot_move(db: Database, account: TestAccount) -> None:
    customer_id = _new_customer(db, account)
    with db.unit(Actor(account.id)) as uow:
        service.delete(uow, customer_id)

    with pytest.raises(SeikyuError) as info, db.unit(Actor(account.id)) as uow:
        balance_transactions.adjust(uow, customer_id, -100, currency="usd", type="adjustment")

    assert (info.value.code, info.value.message) == (
        "resource_missing",
        f"No such customer: '{customer_id}'",
    )


def test_a_balance_held_without_a_currency_becomes_initial_once_billed(
    db: Database, account: TestAccount
) -> None:
    customer_id = _new_customer(db, account, balance=-400)

    with db.unit(Actor(account.id)) as uow:
        balance_transactions.adjust(
            uow, customer_id, 400, currency="usd", type="applied_to_invoice", invoice_id="in_1"
        )

    assert _ledger(db, account, customer_id) == [
        ("initial", -400, -400),
        ("applied_to_invoice", 400, 0),
    ]
    assert _balance(db, account, customer_id) == (0, "usd")


def test_adopting_a_currency_records_the_balance_once_and_keeps_the_first(
    db: Database, account: TestAccount
) -> None:
    customer_id = _new_customer(db, account, balance=250)

    with db.unit(Actor(account.id)) as uow:
        balance_transactions.adopt_currency(uow, customer_id, "EUR")
    with db.unit(Actor(account.id)) as uow:
        balance_transactions.adopt_currency(uow, customer_id, "usd")

    assert _ledger(db, account, customer_id) == [("initial", 250, 250)]
    assert _balance(db, account, customer_id) == (250, "eur")


def test_a_customer_without_balance_adopts_a_currency_without_a_transaction(
    db: Database, account: TestAccount
) -> None:
    customer_id = _new_customer(db, account)

    with db.unit(Actor(account.id)) as uow:
        balance_transactions.adopt_currency(uow, customer_id, "usd")

    assert _ledger(db, account, customer_id) == []
    assert _balance(db, account, customer_id) == (0, "usd")


def test_each_move_emits_one_customer_updated_per_unit(db: Database, account: TestAccount) -> None:
    customer_id = _new_customer(db, account)

    with db.unit(Actor(account.id)) as uow:
        balance_transactions.adjust(uow, customer_id, -100, currency="usd", type="adjustment")
        balance_transactions.adjust(uow, customer_id, -50, currency="usd", type="adjustment")
        pending = [(e.type, e.before) for e in uow.pending_events]

    assert len(pending) == 1
    event_type, before = pending[0]
    assert event_type == "customer.updated"
    assert before is not None
    assert (before["balance"], before["currency"]) == (0, None)


# --- races ---------------------------------------------------------------------------------


def test_a_move_waits_for_the_one_holding_the_customer_and_starts_from_its_balance(
    db: Database, account: TestAccount
) -> None:
    customer_id = _new_customer(db, account)

    failed = second_during_first(
        db,
        Actor(account.id),
        lambda uow: balance_transactions.adjust(
            uow, customer_id, -500, currency="usd", type="adjustment"
        ),
        lambda uow: balance_transactions.adjust(
            uow, customer_id, -300, currency="usd", type="applied_to_invoice"
        ),
    )

    assert failed is None
    assert _ledger(db, account, customer_id) == [
        ("adjustment", -500, -500),
        ("applied_to_invoice", -300, -800),
    ]
    assert _balance(db, account, customer_id) == (-800, "usd")


def test_setting_the_balance_waits_for_a_move_and_records_the_difference_from_it(
    db: Database, account: TestAccount
) -> None:
    customer_id = _new_customer(db, account)
    with db.unit(Actor(account.id)) as uow:
        balance_transactions.adjust(uow, customer_id, -100, currency="usd", type="adjustment")

    failed = second_during_first(
        db,
        Actor(account.id),
        lambda uow: balance_transactions.adjust(
            uow, customer_id, -500, currency="usd", type="adjustment"
        ),
        lambda uow: service.update(uow, customer_id, {"balance": 300}),
    )

    assert failed is None
    assert _ledger(db, account, customer_id) == [
        ("adjustment", -100, -100),
        ("adjustment", -500, -600),
        ("adjustment", 900, 300),
    ]
    assert _balance(db, account, customer_id) == (300, "usd")


def test_many_concurrent_moves_all_land_and_the_balance_is_their_sum(
    db: Database, account: TestAccount
) -> None:
    customer_id = _new_customer(db, account)
    amounts = [-100, 250, -400, 75, -1000, 30, -5, 600]
    start = threading.Barrier(len(amounts))
    failures: list[BaseException] = []

    def move(amount: int) -> None:
        start.wait(timeout=10)
        try:
            with db.unit(Actor(account.id)) as uow:
                balance_transactions.adjust(
                    uow, customer_id, amount, currency="usd", type="adjustment"
                )
        except Exception as error:  # reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=move, args=(amount,)) for amount in amounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    ledger = _ledger(db, account, customer_id)
    assert sorted(amount for _, amount, _ in ledger) == sorted(amounts)
    # Each transaction starts from the balance the one before it left.
    running = 0
    for _, amount, ending in ledger:
        running += amount
        assert ending == running
    assert _balance(db, account, customer_id) == (sum(amounts), "usd")
