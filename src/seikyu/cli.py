"""The `seikyu` command: serve, migrate, keys. A composition root."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer

from seikyu.db.engine import database_url

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Seikyu billing server.")
keys = typer.Typer(no_args_is_help=True, help="Manage secret API keys.")
app.add_typer(keys, name="keys")

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Defaults to $SEIKYU_DATABASE_URL or sqlite:///seikyu.db"),
]


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    database_url_: DatabaseUrl = None,
) -> None:
    """Run the API and the background worker in one process."""
    import uvicorn

    from seikyu.accounts import service as accounts
    from seikyu.app import build_app, build_database
    from seikyu.db.migrate import is_current
    from seikyu.worker.maintenance import MaintenanceThread

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    db = build_database(database_url(database_url_), pool_size=20)
    if not is_current(db.engine):
        typer.echo("The database schema is not current: run `seikyu migrate` first.", err=True)
        raise typer.Exit(2)
    with db.unit() as uow:
        created = accounts.bootstrap(uow, os.environ.get("SEIKYU_BOOTSTRAP_SECRET_KEY") or None)
    if created is not None:
        typer.echo(f"Created account {created.account_id}.")
        typer.echo(f"Test secret key (shown once, store it now): {created.secret}")
    maintenance = MaintenanceThread(db)
    maintenance.start()
    typer.echo(f"Seikyu API listening on http://{host}:{port}")
    try:
        uvicorn.run(build_app(db), host=host, port=port, log_level="warning", access_log=False)
    finally:
        maintenance.stop()
        db.dispose()


@app.command()
def migrate(database_url_: DatabaseUrl = None) -> None:
    """Create or upgrade the schema to the newest revision."""
    from seikyu.db.engine import make_engine
    from seikyu.db.migrate import upgrade

    engine = make_engine(database_url(database_url_))
    upgrade(engine)
    engine.dispose()
    typer.echo("Database schema is current.")


@keys.command("create")
def keys_create(
    account: Annotated[str | None, typer.Option(help="Account id; default: the first")] = None,
    database_url_: DatabaseUrl = None,
) -> None:
    """Create a test secret key and print it once."""
    from seikyu.accounts import service as accounts
    from seikyu.app import build_database

    db = build_database(database_url(database_url_))
    with db.unit() as uow:
        account_id = account or accounts.default_account_id(uow)
        if account_id is None:
            created = accounts.bootstrap(uow, None)
            assert created is not None
            new = created
        else:
            new = accounts.create_key(uow, account_id)
    typer.echo(f"{new.key_id} {new.account_id} {new.secret}")


@keys.command("list")
def keys_list(database_url_: DatabaseUrl = None) -> None:
    """List keys (redacted) with their status."""
    from seikyu.accounts import service as accounts
    from seikyu.app import build_database

    db = build_database(database_url(database_url_))
    with db.unit() as uow:
        for key in accounts.list_keys(uow):
            state = "revoked" if key.revoked_at else "active"
            typer.echo(f"{key.id} {key.account_id} {key.redacted} {state}")


@keys.command("revoke")
def keys_revoke(key_id: str, database_url_: DatabaseUrl = None) -> None:
    """Revoke a key: requests with it fail with 401 from now on."""
    from seikyu.accounts import service as accounts
    from seikyu.app import build_database
    from seikyu.core.errors import SeikyuError

    db = build_database(database_url(database_url_))
    try:
        with db.unit() as uow:
            key = accounts.revoke_key(uow, key_id)
    except SeikyuError as error:
        typer.echo(error.message, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{key.id} revoked")


def main() -> None:
    app()
