"""A billing worker killed in the middle of a renewal run of thousands of subscriptions, then
restarted: every subscription ends with exactly one paid invoice per period, each paid by
one charge, the processor asked for nothing that Seikyu did not record, and every event
written exactly once. Real `seikyu worker` processes on PostgreSQL and the real clock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection

from seikyu.accounts import settings
from seikyu.accounts.settings import BillingSettings
from seikyu.api.resources import all_routers
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount
from tests.integration.test_subscription_cycle import Shop
from tests.support.renewal_fleet import (
    Ledger,
    Progress,
    Worker,
    clone_subscriptions,
    freeze_mid_charge,
    months_behind,
    open_authorizations,
    progress,
    read_ledger,
    wait_for,
)

SUBSCRIPTIONS = 2_000
# How many renewals each eighth of them is behind: most one, some two to catch up on.
PERIODS_BEHIND = (1, 1, 1, 1, 1, 1, 1, 2)
# The kill comes once this share of the renewal invoices is paid.
KILLED_AFTER = 0.1
# One worker is killed; two take its place, sharing the due work as a fleet of workers
# does, so that the renewals use both cores of a small machine.
RESTARTED = 2
SECONDS_TO_FINISH = 240.0


@pytest.fixture(autouse=True)
def _renderers() -> None:
    # Events render their objects at commit; the resource modules register the renderers.
    all_routers()


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """The worker processes a test starts; none outlives it, and their logs are printed,
    which pytest shows when the test fails."""
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.ensure_gone()
        print(worker.log())


@pytest.fixture
def watch(db: Database) -> Iterator[Connection]:
    """A connection outside any worker, each statement seeing what has committed."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield conn


def charge_renewals_at_once(db: Database, account: TestAccount) -> None:
    """No finalization delay: a renewal is finalized as soon as it is cut, and charged on the
    pass after."""
    with db.unit(Actor(account.id)) as uow:
        delay = BillingSettings(finalization_delay_seconds=0)
        settings.set_billing_settings(uow, account.id, delay)


def subscriptions_behind(shop: Shop, now: datetime) -> dict[str, int]:
    """SUBSCRIPTIONS paid monthly subscriptions, each with how many renewals it is behind."""
    behind: dict[str, int] = {}
    copies = SUBSCRIPTIONS // len(PERIODS_BEHIND) - 1
    for periods in PERIODS_BEHIND:
        template = shop.subscribe(months_behind(now, periods))
        clones = clone_subscriptions(shop.db, shop.account.id, template, copies)
        behind.update(dict.fromkeys([template, *clones], periods))
    return behind


def findings(ledger: Ledger, behind: dict[str, int], now: datetime) -> dict[str, str]:
    """Each failed check's problems: how many, and the first few."""
    checks = {
        "periods not invoiced exactly once": ledger.periods_not_invoiced_once(behind, now),
        "renewal invoices not paid": ledger.invoices_not_paid(),
        "invoices not paid by exactly one charge": ledger.invoices_not_charged_once(),
        "processor calls Seikyu has no record of": ledger.authorizations_not_recorded(),
        "events not written exactly once": ledger.events_not_exactly_once(),
    }
    return {name: f"{len(found)}: {found[:5]}" for name, found in checks.items() if found}


def test_a_worker_killed_mid_run_and_restarted_bills_every_period_once(
    db: Database,
    account: TestAccount,
    database_url: str,
    tmp_path: Path,
    workers: list[Worker],
    watch: Connection,
) -> None:
    if db.is_sqlite:
        pytest.skip("worker processes side by side and crash recovery need PostgreSQL")
    # Given thousands of subscriptions behind on their renewals, each charged once renewed
    began = time.monotonic()
    charge_renewals_at_once(db, account)
    shop = Shop(db, account)
    behind = subscriptions_behind(shop, db.clock.now())
    renewals = sum(behind.values())
    print(f"{len(behind)} subscriptions, {renewals} renewals: set up in {_since(began)}")

    def state() -> Progress:
        return progress(watch, account.id, db.clock.now())

    # When a worker, well into the run, is killed while a charge is in flight: the
    # processor asked, the transaction recording its answer not yet committed
    first = Worker.start("first", database_url, account.id, tmp_path)
    workers.append(first)
    if not wait_for(lambda: state().paid >= renewals * KILLED_AFTER, timeout=120):
        pytest.fail(f"the first worker got nowhere: {state()}")
    in_flight = freeze_mid_charge([first], watch, account.id, timeout=30)
    if not in_flight:
        pytest.fail(f"no moment with a charge in flight came: {state()}")
    first.kill()
    killed = state()
    left_open = open_authorizations(watch, account.id)
    print(f"killed at {_since(began)}: {killed}; in flight {in_flight}, open {left_open}")
    assert 0 < killed.paid < renewals
    assert killed.behind > 0

    # And workers are started again, and stopped once nothing is due
    for number in range(RESTARTED):
        workers.append(Worker.start(f"restarted-{number}", database_url, account.id, tmp_path))
    if not wait_for(lambda: state().idle, timeout=SECONDS_TO_FINISH, poll=0.5):
        pytest.fail(f"the restarted workers did not finish: {state()}")
    assert [worker.stop() for worker in workers[1:]] == [0] * RESTARTED
    print(f"finished at {_since(began)}")

    # Then every period was invoiced once and paid by one charge, the processor was asked
    # for nothing unrecorded, and no event was lost or doubled
    ledger = read_ledger(db, account.id)
    assert len(ledger.invoices) == renewals
    problems = findings(ledger, behind, db.clock.now())
    assert not problems, "\n".join(f"{check}: {found}" for check, found in problems.items())


def _since(began: float) -> str:
    return f"{time.monotonic() - began:.1f}s"
