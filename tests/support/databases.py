"""Fresh, migrated databases for tests: a SQLite file, and PostgreSQL when configured."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from seikyu.db.engine import make_engine, normalize_url
from seikyu.db.migrate import upgrade

POSTGRES_ENV = "SEIKYU_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def backends() -> list[str]:
    return ["sqlite", "postgresql"]


@contextmanager
def fresh_database(backend: str, workdir: Path, revision: str = "head") -> Iterator[str]:
    """Yield the URL of a new database migrated to `revision`, dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / f'seikyu-{secrets.token_hex(4)}.db'}"
        _migrate(url, revision)
        yield url
        return
    base = postgres_url()
    if base is None:
        raise RuntimeError(f"{POSTGRES_ENV} is not set")
    admin_url = make_url(normalize_url(base))
    name = f"seikyu_t_{secrets.token_hex(5)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url, revision)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str, revision: str = "head") -> None:
    engine = make_engine(url)
    upgrade(engine, revision)
    engine.dispose()
