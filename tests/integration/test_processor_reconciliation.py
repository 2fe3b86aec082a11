"""A process killed right after the processor acted: what the journal and the
reconciliation job make of it. Real processes, killed with SIGKILL."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from seikyu.app import build_database
from seikyu.core.clock import FrozenClock
from seikyu.db.models.processor_calls import ProcessorCall
from seikyu.db.pagination import Window
from seikyu.db.uow import Actor, Database
from seikyu.payments import charges, payment_intents, payment_methods, refunds
from seikyu.payments.payment_intents import Redirect
from seikyu.payments.reconciliation import GRACE, reconcile
from tests.conftest import TestAccount
from tests.support.ledger_processor import LedgerProcessor

ROOT = Path(__file__).resolve().parents[2]
REDIRECT = Redirect("http://localhost")


@pytest.fixture
def ledger(tmp_path: Path) -> LedgerProcessor:
    return LedgerProcessor(tmp_path / "ledger.json")


@pytest.fixture
def later(database_url: str, db: Database) -> Iterator[Database]:
    """The same database seen from past the reconciliation grace period."""
    database = build_database(database_url, clock=FrozenClock(db.clock.now() + 2 * GRACE))
    yield database
    database.dispose()


def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("only PostgreSQL journals a call outside the request's transaction")


def new_intent(db: Database, account: TestAccount, *, capture_method: str = "automatic") -> str:
    with db.unit(Actor(account.id)) as uow:
        card = payment_methods.from_test_id(uow, "pm_card_visa", param="payment_method")
        intent = payment_intents.create(
            uow,
            ledger_unused(),
            {
                "amount": 2000,
                "currency": "usd",
                "payment_method": card.id,
                "capture_method": capture_method,
            },
            redirect=REDIRECT,
        )
        return intent.id


def ledger_unused() -> LedgerProcessor:
    # Creating an intent without confirming it calls no processor.
    return LedgerProcessor(Path("/nonexistent/never-used"))


def crash(
    database_url: str, account: TestAccount, intent_id: str, ledger: LedgerProcessor, op: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.crash_confirm", database_url, account.id,
         intent_id, str(ledger.path), op],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr


def journal(db: Database, key: str) -> ProcessorCall | None:
    with db.unit(readonly=True) as uow:
        return uow.session.get(ProcessorCall, key)


def settled(db: Database, key: str) -> bool:
    call = journal(db, key)
    assert call is not None
    return call.settled


def intent_state(db: Database, account: TestAccount, intent_id: str) -> tuple[str, int, str | None]:
    with db.unit(Actor(account.id), readonly=True) as uow:
        intent = payment_intents.get(uow, intent_id)
        return intent.status, intent.attempts, intent.latest_charge_id


def test_a_killed_confirmation_leaves_the_intent_untouched_and_the_money_known(
    database_url: str, db: Database, account: TestAccount, ledger: LedgerProcessor, backend: str
) -> None:
    intent_id = new_intent(db, account)

    crash(database_url, account, intent_id, ledger, "authorize")

    assert ledger.net_charged() == 2000  # the processor charged; Seikyu recorded nothing
    assert intent_state(db, account, intent_id) == ("requires_confirmation", 0, None)
    call = journal(db, f"{intent_id}:attempt:1")
    if backend == "postgresql":
        assert call is not None
        assert (call.operation, call.subject_id, call.settled) == ("authorize", intent_id, False)
    else:
        assert call is None  # SQLite journals inside the request's transaction


def test_a_retried_confirmation_gets_the_first_outcome_and_charges_once(
    database_url: str, db: Database, account: TestAccount, ledger: LedgerProcessor, backend: str
) -> None:
    intent_id = new_intent(db, account)
    crash(database_url, account, intent_id, ledger, "authorize")

    with db.unit(Actor(account.id)) as uow:
        payment_intents.confirm(uow, ledger, intent_id, {}, redirect=REDIRECT)

    status, attempts, charge_id = intent_state(db, account, intent_id)
    assert (status, attempts) == ("succeeded", 1)
    assert ledger.net_charged() == 2000
    assert len(ledger.ledger()) == 1
    with db.unit(Actor(account.id), readonly=True) as uow:
        assert charge_id is not None
        charge = charges.get(uow, charge_id)
        assert charge.processor_reference in ledger.ledger()
    call = journal(db, f"{intent_id}:attempt:1")
    assert call is not None
    assert (call.settled, call.resolution) == (True, "recorded")


def test_reconciliation_gives_back_a_lost_payment_and_moves_past_its_attempt(
    database_url: str,
    db: Database,
    later: Database,
    account: TestAccount,
    ledger: LedgerProcessor,
    backend: str,
) -> None:
    postgres_only(backend)
    intent_id = new_intent(db, account)
    crash(database_url, account, intent_id, ledger, "authorize")

    key = f"{intent_id}:attempt:1"
    reconcile(db, ledger)  # still within the grace period: maybe in flight
    assert not settled(db, key)
    assert reconcile(later, ledger) >= 1

    assert ledger.net_charged() == 0
    call = journal(db, key)
    assert call is not None
    assert (call.settled, call.resolution) == (True, "refunded")
    assert intent_state(db, account, intent_id) == ("requires_confirmation", 1, None)
    reconcile(later, ledger)  # settled once: a second pass gives nothing back twice
    assert ledger.calls().count(f"{key}:reversal") == 1
    assert ledger.net_charged() == 0

    # The customer confirms again: a new attempt, charged once.
    with db.unit(Actor(account.id)) as uow:
        payment_intents.confirm(uow, ledger, intent_id, {}, redirect=REDIRECT)
    assert intent_state(db, account, intent_id)[:2] == ("succeeded", 2)
    assert ledger.net_charged() == 2000


def test_reconciliation_applies_a_lost_capture(
    database_url: str,
    db: Database,
    later: Database,
    account: TestAccount,
    ledger: LedgerProcessor,
    backend: str,
) -> None:
    postgres_only(backend)
    intent_id = new_intent(db, account, capture_method="manual")
    with db.unit(Actor(account.id)) as uow:
        payment_intents.confirm(uow, ledger, intent_id, {}, redirect=REDIRECT)
    assert intent_state(db, account, intent_id)[0] == "requires_capture"

    crash(database_url, account, intent_id, ledger, "capture")
    assert ledger.net_charged() == 2000
    assert intent_state(db, account, intent_id)[0] == "requires_capture"

    assert reconcile(later, ledger) >= 1

    assert intent_state(db, account, intent_id)[0] == "succeeded"
    with db.unit(Actor(account.id), readonly=True) as uow:
        intent = payment_intents.get(uow, intent_id)
        assert (intent.amount_received, intent.amount_capturable) == (2000, 0)
        assert intent.latest_charge_id is not None
        charge = charges.get(uow, intent.latest_charge_id)
        assert (charge.captured, charge.amount_captured) == (True, 2000)
    assert ledger.net_charged() == 2000
    call = journal(db, f"{intent_id}:capture")
    assert call is not None
    assert call.resolution == "applied"


def test_reconciliation_records_a_lost_refund(
    database_url: str,
    db: Database,
    later: Database,
    account: TestAccount,
    ledger: LedgerProcessor,
    backend: str,
) -> None:
    postgres_only(backend)
    intent_id = new_intent(db, account)
    with db.unit(Actor(account.id)) as uow:
        payment_intents.confirm(uow, ledger, intent_id, {}, redirect=REDIRECT)

    crash(database_url, account, intent_id, ledger, "refund")
    assert ledger.net_charged() == 0  # the customer has the money back; Seikyu knows nothing
    with db.unit(Actor(account.id), readonly=True) as uow:
        assert refunds.page(uow, Window(), charge_id=None, payment_intent_id=intent_id).items == []

    reconcile(later, ledger)

    with db.unit(Actor(account.id), readonly=True) as uow:
        found = refunds.page(uow, Window(), charge_id=None, payment_intent_id=intent_id).items
        assert [(r.amount, r.status, r.reason) for r in found] == [(2000, "succeeded", "duplicate")]
        charge = charges.get(uow, found[0].charge_id)
        assert charge.amount_refunded == 2000
    call = journal(db, f"{found[0].id}:refund")
    assert call is not None
    assert (call.settled, call.resolution) == (True, "applied")
    assert ledger.net_charged() == 0


def test_nothing_to_reconcile_after_ordinary_payments(
    db: Database, later: Database, account: TestAccount, ledger: LedgerProcessor
) -> None:
    intent_id = new_intent(db, account)
    with db.unit(Actor(account.id)) as uow:
        payment_intents.confirm(uow, ledger, intent_id, {}, redirect=REDIRECT)

    reconcile(later, ledger)

    assert settled(db, f"{intent_id}:attempt:1")
    assert ledger.calls() == [f"{intent_id}:attempt:1"]
    assert ledger.net_charged() == 2000
