"""PostgreSQL's pooled connections: checked before use only after sitting idle, and
replaced when the check finds them gone."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from seikyu.db.engine import make_engine
from tests.support.databases import POSTGRES_ENV, postgres_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_url() is None, reason=f"needs PostgreSQL ({POSTGRES_ENV})"),
]


class Pings:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        real = engine.dialect.do_ping

        def counted(dbapi_connection: object) -> bool:
            self.count += 1
            return real(dbapi_connection)

        engine.dialect.do_ping = counted  # type: ignore[method-assign]


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def _engine(engines: list[Engine], ping_after_idle: float) -> Engine:
    url = postgres_url()
    assert url is not None
    engine = make_engine(url, pool_size=1, ping_after_idle=ping_after_idle)
    engines.append(engine)
    return engine


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_back_in_the_pool_a_moment_ago_is_used_without_a_check(
    engines: list[Engine],
) -> None:
    engine = _engine(engines, ping_after_idle=60.0)
    pings = Pings(engine)

    backends = {_backend(engine) for _ in range(5)}

    assert len(backends) == 1  # the same pooled connection each time
    assert pings.count == 0


def test_a_connection_idle_for_the_interval_is_checked_before_use(
    engines: list[Engine],
) -> None:
    engine = _engine(engines, ping_after_idle=0.05)
    pings = Pings(engine)

    first = _backend(engine)  # a new connection needs no check
    assert pings.count == 0
    time.sleep(0.1)
    second = _backend(engine)

    assert pings.count == 1
    assert second == first


def test_a_connection_that_died_while_idle_is_replaced_before_use(
    engines: list[Engine],
) -> None:
    engine = _engine(engines, ping_after_idle=0.05)
    killer = _engine(engines, ping_after_idle=60.0)
    pings = Pings(engine)
    dead = _backend(engine)

    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead}).scalar()
        for _ in range(100):  # the backend exits shortly after being told to
            gone = conn.execute(
                text("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid"), {"pid": dead}
            ).scalar()
            if gone:
                break
            time.sleep(0.02)
        conn.rollback()
    time.sleep(0.1)

    replacement = _backend(engine)

    assert pings.count == 1
    assert replacement != dead
