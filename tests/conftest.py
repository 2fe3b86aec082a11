"""Shared fixtures: a migrated database per backend, a real server, an account, SDK clients.

Every database-backed test runs on SQLite and on PostgreSQL. The PostgreSQL leg needs
SEIKYU_TEST_DATABASE_URL; without it those tests are reported as skipped, by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.app import build_database
from seikyu.db.uow import Actor, Database, UnitOfWork
from tests.support.databases import POSTGRES_ENV, backends, fresh_database, postgres_url
from tests.support.server import ServerProcess, start_server


def pytest_report_header() -> str:
    if postgres_url():
        return f"databases: sqlite and postgresql ({POSTGRES_ENV} is set)"
    return f"databases: sqlite only; PostgreSQL leg SKIPPED because {POSTGRES_ENV} is unset"


@pytest.fixture(scope="session", params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    name = str(request.param)
    if name == "postgresql" and not postgres_url():
        pytest.skip(f"PostgreSQL leg skipped: {POSTGRES_ENV} is unset")
    return name


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(backend, tmp_path_factory.mktemp(backend)) as url:
        yield url


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[Database]:
    database = build_database(database_url, pool_size=4)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = start_server(database_url, tmp_path_factory.mktemp("server"))
    yield process
    process.stop()


@dataclass(frozen=True)
class TestAccount:
    __test__ = False  # not a test class, despite the name

    id: str
    secret: str


@pytest.fixture
def account(db: Database) -> TestAccount:
    """A new account per test, so tests never see each other's objects."""
    with db.unit() as uow:
        created = accounts.create_account(uow, name="test")
        uow.session.flush()
        key = accounts.create_key(uow, created.id)
    return TestAccount(created.id, key.secret)


@pytest.fixture
def client(server: ServerProcess, account: TestAccount) -> stripe.StripeClient:
    return stripe.StripeClient(
        account.secret,
        base_addresses={"api": server.url, "files": server.url, "meter_events": server.url},
        max_network_retries=0,
    )


@pytest.fixture
def http(server: ServerProcess, account: TestAccount) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {account.secret}"},
        timeout=30.0,
    ) as raw:
        yield raw


@pytest.fixture
def unit(db: Database, account: TestAccount) -> Iterator[UnitOfWork]:
    """A unit of work for the test's account, committed at the end of the test."""
    with db.unit(Actor(account.id)) as uow:
        yield uow


@pytest.fixture(autouse=True)
def _isolate_stripe_globals() -> Iterator[None]:
    # The SDK keeps module-level settings; tests use StripeClient and must not leak them.
    saved = (stripe.api_key, stripe.api_base)
    yield
    stripe.api_key, stripe.api_base = saved


__all__ = ["Path", "TestAccount"]
