"""The `seikyu` command, run as a real process: migrate, serve, keys create/list/revoke."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from seikyu.api.credential_cache import TTL_SECONDS
from seikyu.db.engine import normalize_url
from seikyu.db.models import Account, ApiKey
from tests.support.databases import postgres_url
from tests.support.server import ServerProcess, start_server

SECRET = re.compile(r"sk_test_[0-9A-Za-z]{40}")


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even the schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
        return
    base = postgres_url()
    assert base is not None
    admin_url = make_url(normalize_url(base))
    name = f"seikyu_cli_{secrets.token_hex(5)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migrated_url(empty_url: str) -> str:
    assert seikyu("migrate", url=empty_url).returncode == 0
    return empty_url


def seikyu(
    *args: str, url: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SEIKYU_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "seikyu", *args, "--database-url", url],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def serve(url: str, workdir: Path, *, bootstrap_key: str | None = None) -> ServerProcess:
    return start_server(url, workdir, bootstrap_key=bootstrap_key)


def customers_status(server: ServerProcess, secret: str) -> int:
    response = httpx.get(
        f"{server.url}/v1/customers", headers={"Authorization": f"Bearer {secret}"}
    )
    return response.status_code


def everything_stored(url: str) -> str:
    """Every row of every table as text, to search for what must not be stored."""
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as connection:
            parts = []
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    parts.append(repr(tuple(row)))
            return "\n".join(parts)
    finally:
        engine.dispose()


def stored_hashes(url: str) -> list[str]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(ApiKey.secret_hash)))
    finally:
        engine.dispose()


def account_count(url: str) -> int:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as connection:
            return len(connection.execute(select(Account.id)).all())
    finally:
        engine.dispose()


# --- migrate -----------------------------------------------------------------------------------


def test_migrate_creates_the_schema_and_can_run_again(empty_url: str) -> None:
    first = seikyu("migrate", url=empty_url)
    assert first.returncode == 0, first.stderr
    assert "Database schema is current." in first.stdout
    again = seikyu("migrate", url=empty_url)
    assert again.returncode == 0, again.stderr
    engine = create_engine(normalize_url(empty_url))
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert {"accounts", "api_keys", "customers", "events", "request_logs"} <= tables


def test_migrate_reads_the_url_from_the_environment(empty_url: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SEIKYU_")}
    environment["SEIKYU_DATABASE_URL"] = empty_url
    result = subprocess.run(
        [sys.executable, "-m", "seikyu", "migrate"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert account_count(empty_url) == 0


@pytest.mark.parametrize("command", [("serve",), ("keys", "create"), ("keys", "list")])
def test_commands_refuse_a_database_that_is_not_migrated(
    empty_url: str, command: tuple[str, ...]
) -> None:
    result = seikyu(*command, url=empty_url)
    assert result.returncode == 2
    assert "run `seikyu migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


# --- serve and its first key -------------------------------------------------------------------


def test_first_serve_prints_a_new_key_once_and_stores_only_its_hash(
    migrated_url: str, tmp_path: Path
) -> None:
    first = serve(migrated_url, tmp_path)
    try:
        printed = SECRET.findall(first.log())
        assert len(printed) == 1
        secret = printed[0]
        assert customers_status(first, secret) == 200
    finally:
        first.stop()

    assert stored_hashes(migrated_url) == [hashlib.sha256(secret.encode()).hexdigest()]
    assert secret not in everything_stored(migrated_url)
    if migrated_url.startswith("sqlite:///"):
        database = Path(migrated_url.removeprefix("sqlite:///"))
        for path in database.parent.glob(database.name + "*"):
            assert secret.encode() not in path.read_bytes()

    second = serve(migrated_url, tmp_path)
    try:
        assert SECRET.findall(second.log()) == []
        assert "Created account" not in second.log()
        assert customers_status(second, secret) == 200
    finally:
        second.stop()
    assert account_count(migrated_url) == 1


def test_serve_with_a_bootstrap_key_uses_it_without_printing_it(
    migrated_url: str, tmp_path: Path
) -> None:
    secret = "sk_test_" + secrets.token_hex(20)
    server = serve(migrated_url, tmp_path, bootstrap_key=secret)
    try:
        assert customers_status(server, secret) == 200
        assert secret not in server.log()
        assert "SEIKYU_BOOTSTRAP_SECRET_KEY" in server.log()
    finally:
        server.stop()
    assert stored_hashes(migrated_url) == [hashlib.sha256(secret.encode()).hexdigest()]
    assert secret not in everything_stored(migrated_url)


def test_a_bootstrap_key_on_a_database_with_an_account_is_ignored(
    migrated_url: str, tmp_path: Path
) -> None:
    first = serve(migrated_url, tmp_path)
    first.stop()
    late = "sk_test_" + secrets.token_hex(20)
    server = serve(migrated_url, tmp_path, bootstrap_key=late)
    try:
        assert customers_status(server, late) == 401
        assert "ignored" in server.log()
    finally:
        server.stop()
    assert account_count(migrated_url) == 1


@pytest.mark.parametrize(
    "bad", ["hello", "pk_test_" + "x" * 30, "sk_test_short", "sk_test_ spaced out key"]
)
def test_an_unusable_bootstrap_key_stops_serve_and_creates_nothing(
    migrated_url: str, bad: str
) -> None:
    result = seikyu("serve", url=migrated_url, env={"SEIKYU_BOOTSTRAP_SECRET_KEY": bad})
    assert result.returncode == 2
    assert "SEIKYU_BOOTSTRAP_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert account_count(migrated_url) == 0


# --- keys ----------------------------------------------------------------------------------------


def test_keys_create_list_and_revoke(migrated_url: str) -> None:
    created = seikyu("keys", "create", url=migrated_url)
    assert created.returncode == 0, created.stderr
    first_id, account_id, first_secret = created.stdout.split()
    assert first_id.startswith("key_")
    assert account_id.startswith("acct_")
    assert SECRET.fullmatch(first_secret)

    again = seikyu("keys", "create", url=migrated_url)
    second_id, same_account, second_secret = again.stdout.split()
    assert same_account == account_id
    assert second_secret != first_secret

    listed = seikyu("keys", "list", url=migrated_url)
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [first_id, second_id]
    assert all(line.endswith(" active") for line in lines)
    assert first_secret not in listed.stdout
    assert second_secret not in listed.stdout
    assert f"{first_secret[:8]}...{first_secret[-4:]}" in listed.stdout

    revoked = seikyu("keys", "revoke", first_id, url=migrated_url)
    assert revoked.returncode == 0
    assert revoked.stdout.strip() == f"{first_id} revoked"
    states = [
        line.split()[-1] for line in seikyu("keys", "list", url=migrated_url).stdout.splitlines()
    ]
    assert states == ["revoked", "active"]


def test_keys_create_for_an_account(migrated_url: str) -> None:
    account_id = seikyu("keys", "create", url=migrated_url).stdout.split()[1]
    result = seikyu("keys", "create", "--account", account_id, url=migrated_url)
    assert result.returncode == 0
    assert result.stdout.split()[1] == account_id


def test_keys_create_for_an_unknown_account_fails_cleanly(migrated_url: str) -> None:
    result = seikyu("keys", "create", "--account", "acct_nothere", url=migrated_url)
    assert result.returncode == 1
    assert "No such account: 'acct_nothere'" in result.stderr
    assert "Traceback" not in result.stderr


def test_revoking_an_unknown_key_fails_cleanly(migrated_url: str) -> None:
    result = seikyu("keys", "revoke", "key_nothere", url=migrated_url)
    assert result.returncode == 1
    assert "No such key: 'key_nothere'" in result.stderr


def test_a_revoked_key_gets_401_from_a_running_server(migrated_url: str, tmp_path: Path) -> None:
    owner = "sk_test_" + secrets.token_hex(20)
    server = serve(migrated_url, tmp_path, bootstrap_key=owner)
    try:
        key_id, _, secret = seikyu("keys", "create", url=migrated_url).stdout.split()
        assert customers_status(server, secret) == 200
        assert seikyu("keys", "revoke", key_id, url=migrated_url).returncode == 0
        # The server may still trust its cached look-up for up to TTL_SECONDS.
        time.sleep(TTL_SECONDS)
        response = httpx.get(
            f"{server.url}/v1/customers", headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "api_key_expired"
        assert customers_status(server, owner) == 200
    finally:
        server.stop()


# --- several API processes ----------------------------------------------------------------------


def test_several_processes_serve_one_postgresql_database(
    backend: str, migrated_url: str, tmp_path: Path
) -> None:
    if backend == "sqlite":
        result = seikyu("serve", "--workers", "2", url=migrated_url)
        assert result.returncode == 2
        assert "PostgreSQL" in result.stderr
        return
    key = "sk_test_" + secrets.token_hex(16)
    server = start_server(migrated_url, tmp_path, bootstrap_key=key, extra_args=("--workers", "2"))
    try:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.url, headers=headers) as http:
            created = [
                http.post("/v1/customers", data={"email": f"p{i}@example.com"}).json()["id"]
                for i in range(20)
            ]
            listed = http.get("/v1/customers", params={"limit": 100}).json()["data"]
            fetched = [http.get(f"/v1/customers/{cid}").status_code for cid in created]
    finally:
        server.stop()
    assert sorted(c["id"] for c in listed) == sorted(created)
    assert fetched == [200] * 20


def test_tax_rounding_defaults_to_stripe_s_per_line_rule(migrated_url: str) -> None:
    account = seikyu("keys", "create", url=migrated_url).stdout.split()[1]
    shown = seikyu("accounts", "tax-rounding", url=migrated_url)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == [account, "line_item", "half_up"]


def test_tax_rounding_switches_to_once_per_rate_and_is_kept(migrated_url: str) -> None:
    account = seikyu("keys", "create", url=migrated_url).stdout.split()[1]
    changed = seikyu(
        "accounts", "tax-rounding", "--level", "invoice", "--rounding", "down", url=migrated_url
    )
    assert changed.stdout.split() == [account, "invoice", "down"]
    # Changing one part keeps the other.
    seikyu("accounts", "tax-rounding", "--rounding", "up", url=migrated_url)
    shown = seikyu("accounts", "tax-rounding", "--account", account, url=migrated_url)
    assert shown.stdout.split() == [account, "invoice", "up"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--level", "per_line", "Invalid level"), ("--rounding", "half_even", "Invalid rounding")],
)
def test_tax_rounding_refuses_unknown_values_and_changes_nothing(
    migrated_url: str, option: str, value: str, message: str
) -> None:
    account = seikyu("keys", "create", url=migrated_url).stdout.split()[1]
    refused = seikyu("accounts", "tax-rounding", option, value, url=migrated_url)
    assert refused.returncode == 1
    assert message in refused.stderr
    shown = seikyu("accounts", "tax-rounding", url=migrated_url)
    assert shown.stdout.split() == [account, "line_item", "half_up"]


def test_tax_rounding_for_an_unknown_account_fails_cleanly(migrated_url: str) -> None:
    refused = seikyu("accounts", "tax-rounding", "--account", "acct_nope", url=migrated_url)
    assert refused.returncode == 1
    assert "No such account" in refused.stderr


def test_billing_settings_show_and_change_the_webhook_wait(migrated_url: str) -> None:
    account = seikyu("keys", "create", url=migrated_url).stdout.split()[1]
    shown = seikyu("accounts", "billing-settings", url=migrated_url)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[0] == account
    assert "webhook_wait_seconds=259200" in shown.stdout.split()
    changed = seikyu(
        "accounts", "billing-settings", "--webhook-wait-seconds", "3600", url=migrated_url
    )
    assert "webhook_wait_seconds=3600" in changed.stdout.split()
    assert "finalization_delay_seconds=3600" in changed.stdout.split()  # the rest is kept
    refused = seikyu(
        "accounts", "billing-settings", "--webhook-wait-seconds", "259201", url=migrated_url
    )
    assert refused.returncode == 1
    assert "webhook_wait_seconds must be between 0 and 259200" in refused.stderr
    shown = seikyu("accounts", "billing-settings", url=migrated_url)
    assert "webhook_wait_seconds=3600" in shown.stdout.split()
