"""The `seikyu` command: serve, workers, migrate, keys, account settings, and following a
server's logs and events over its API. A composition root."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from seikyu.db.engine import database_url

if TYPE_CHECKING:
    from seikyu.db.uow import Database
    from seikyu.risk.model.training import TrainedModel

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Seikyu billing server.")
keys = typer.Typer(no_args_is_help=True, help="Manage secret API keys.")
app.add_typer(keys, name="keys")
accounts_cli = typer.Typer(no_args_is_help=True, help="Account-wide settings.")
app.add_typer(accounts_cli, name="accounts")

BOOTSTRAP_ENV = "SEIKYU_BOOTSTRAP_SECRET_KEY"

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Defaults to $SEIKYU_DATABASE_URL or sqlite:///seikyu.db"),
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _open(url: str | None, *, pool_size: int = 5) -> Database:
    """The database, or a clear exit if its schema is not the one this version needs."""
    from seikyu.app import build_database
    from seikyu.db.migrate import is_current

    db = build_database(database_url(url), pool_size=pool_size)
    try:
        current = is_current(db.engine)
    except Exception as error:
        db.dispose()
        raise _fail(f"Cannot open the database: {error}", 2) from None
    if not current:
        db.dispose()
        raise _fail("The database schema is not current: run `seikyu migrate` first.", 2)
    return db


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    database_url_: DatabaseUrl = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="API processes (PostgreSQL); SQLite takes 1")
    ] = 1,
    billing_worker: Annotated[
        bool,
        typer.Option(
            help="Run time-driven billing in this process (off: run `seikyu worker`); "
            "test clocks advance either way"
        ),
    ] = True,
    retention_days: Annotated[
        int,
        typer.Option(
            min=1,
            max=3650,
            envvar="SEIKYU_RETENTION_DAYS",
            help="Days events, finished webhook deliveries and request log lines are kept",
        ),
    ] = 30,
) -> None:
    """Run the API and the background worker in one process (or N API processes).

    On a database without accounts, the first start creates one. Its secret key is the one
    in $SEIKYU_BOOTSTRAP_SECRET_KEY if set, else a new random key, printed once: only its
    hash is stored.
    """
    from datetime import timedelta

    import uvicorn

    from seikyu.accounts import service as accounts
    from seikyu.app import build_app
    from seikyu.core.errors import SeikyuError
    from seikyu.payments.payment_intents import Redirect
    from seikyu.payments.test_processor import TestProcessor
    from seikyu.worker.billing import BillingThread, BillingWorker
    from seikyu.worker.maintenance import MaintenanceThread
    from seikyu.worker.webhooks import WebhookThread, WebhookWorker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    db = _open(database_url_, pool_size=20)
    given = os.environ.get(BOOTSTRAP_ENV) or None
    try:
        with db.unit() as uow:
            created = accounts.bootstrap(uow, given)
    except SeikyuError as error:
        db.dispose()
        raise _fail(f"{BOOTSTRAP_ENV}: {error.message}", 2) from None
    if created is not None:
        typer.echo(f"Created account {created.account_id}.")
        if given is None:
            typer.echo(f"Test secret key (shown once, store it now): {created.secret}")
        else:
            typer.echo(f"Its secret key is the one in {BOOTSTRAP_ENV}.")
    elif given is not None:
        typer.echo(f"{BOOTSTRAP_ENV} ignored: the database already has an account.", err=True)
    maintenance = MaintenanceThread(db, TestProcessor(), retention=timedelta(days=retention_days))
    maintenance.start()
    # Without the billing worker, test clocks still advance here: only real time is left to
    # `seikyu worker`. Checking for advancing clocks is cheap, so it is done more often.
    billing = BillingThread(
        BillingWorker(
            db, TestProcessor(), Redirect(_public_url(host, port)), real_time=billing_worker
        ),
        interval=1.0 if billing_worker else CLOCK_INTERVAL,
    )
    billing.start()
    # Webhooks are delivered by every serving process, whatever `--billing-worker` says:
    # they are what tells the account's own code about the work done here.
    webhooks = WebhookThread(WebhookWorker(db))
    webhooks.start()
    if workers > 1 and db.is_sqlite:
        db.dispose()
        raise _fail("--workers needs PostgreSQL: SQLite admits one writing process.", 2)
    typer.echo(f"Seikyu API listening on http://{host}:{port}")
    try:
        if workers > 1:
            # Each process builds its own app from the environment (uvicorn spawns them).
            os.environ["SEIKYU_DATABASE_URL"] = db.url
            uvicorn.run(
                "seikyu.app:app_from_environment",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
            )
        else:
            uvicorn.run(build_app(db), host=host, port=port, log_level="warning", access_log=False)
    finally:
        billing.stop()
        maintenance.stop()
        webhooks.stop()
        db.dispose()


CLOCK_INTERVAL = 0.2


def _public_url(host: str, port: int) -> str:
    """Where customers reach this server (the 3D Secure page): $SEIKYU_PUBLIC_URL, else the
    address it listens on."""
    return os.environ.get("SEIKYU_PUBLIC_URL") or f"http://{host}:{port}"


@app.command()
def worker(
    interval: Annotated[float, typer.Option(help="Seconds between passes")] = 1.0,
    public_url: Annotated[
        str | None, typer.Option(help="The API's address, for 3D Secure links")
    ] = None,
    account: Annotated[
        str | None, typer.Option(help="Only this account's work (default: every account's)")
    ] = None,
    database_url_: DatabaseUrl = None,
    webhook_timeout: Annotated[
        float, typer.Option(min=0.1, max=60.0, help="Seconds a webhook receiver has to answer")
    ] = 10.0,
) -> None:
    """Run time-driven billing (renewals, trial ends, finalization, retries) and webhook
    deliveries in this process, beside or instead of the ones `serve` runs; PostgreSQL
    admits several."""
    import signal
    import threading

    from seikyu.payments.payment_intents import Redirect
    from seikyu.payments.test_processor import TestProcessor
    from seikyu.worker.billing import BillingWorker
    from seikyu.worker.webhooks import WebhookThread, WebhookWorker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    db = _open(database_url_)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    billing = BillingWorker(
        db,
        TestProcessor(),
        Redirect(public_url or _public_url("127.0.0.1", 8000)),
        account_id=account,
    )
    webhooks = WebhookThread(WebhookWorker(db, timeout=webhook_timeout, account_id=account))
    webhooks.start()
    typer.echo("Seikyu billing worker running")
    try:
        while not stop.is_set():
            billing.run_until_idle()
            stop.wait(interval)
    finally:
        webhooks.stop()
        db.dispose()


@app.command()
def migrate(database_url_: DatabaseUrl = None) -> None:
    """Create or upgrade the schema to the newest revision."""
    from seikyu.db.engine import make_engine
    from seikyu.db.migrate import upgrade

    engine = make_engine(database_url(database_url_))
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    typer.echo("Database schema is current.")


@keys.command("create")
def keys_create(
    account: Annotated[str | None, typer.Option(help="Account id; default: the first")] = None,
    database_url_: DatabaseUrl = None,
) -> None:
    """Create a test secret key and print it once: `<key id> <account id> <secret>`."""
    from seikyu.accounts import service as accounts
    from seikyu.core.errors import SeikyuError

    db = _open(database_url_)
    try:
        with db.unit() as uow:
            account_id = account or accounts.default_account_id(uow)
            if account_id is None:
                new = accounts.bootstrap(uow, None)
            else:
                new = accounts.create_key(uow, account_id)
    except SeikyuError as error:
        raise _fail(error.message) from None
    finally:
        db.dispose()
    assert new is not None  # bootstrap on a database without accounts always creates one
    typer.echo(f"{new.key_id} {new.account_id} {new.secret}")


@keys.command("list")
def keys_list(database_url_: DatabaseUrl = None) -> None:
    """List keys, redacted: `<key id> <account id> <redacted secret> <active|revoked>`."""
    from seikyu.accounts import service as accounts

    db = _open(database_url_)
    try:
        with db.unit(readonly=True) as uow:
            rows = [
                f"{key.id} {key.account_id} {key.redacted} "
                f"{'revoked' if key.revoked_at else 'active'}"
                for key in accounts.list_keys(uow)
            ]
    finally:
        db.dispose()
    for row in rows:
        typer.echo(row)


@keys.command("revoke")
def keys_revoke(key_id: str, database_url_: DatabaseUrl = None) -> None:
    """Revoke a key: requests with it fail with 401 from now on."""
    from seikyu.accounts import service as accounts
    from seikyu.core.errors import SeikyuError

    db = _open(database_url_)
    try:
        with db.unit() as uow:
            key = accounts.revoke_key(uow, key_id)
            revoked = key.id
    except SeikyuError as error:
        raise _fail(error.message) from None
    finally:
        db.dispose()
    typer.echo(f"{revoked} revoked")


@accounts_cli.command("tax-rounding")
def accounts_tax_rounding(
    account: Annotated[str | None, typer.Option(help="Account id; default: the first")] = None,
    level: Annotated[
        str | None, typer.Option(help="line_item (each line) or invoice (once per rate)")
    ] = None,
    rounding: Annotated[
        str | None, typer.Option(help="At invoice level: down, half_up or up")
    ] = None,
    database_url_: DatabaseUrl = None,
) -> None:
    """Show or change how manual tax rates are rounded: `<account id> <level> <rounding>`."""
    from seikyu.accounts import service as accounts
    from seikyu.accounts import settings
    from seikyu.core.errors import SeikyuError

    db = _open(database_url_)
    try:
        with db.unit(readonly=level is None and rounding is None) as uow:
            account_id = account or accounts.default_account_id(uow)
            if account_id is None:
                raise SeikyuError("There is no account yet: run `seikyu serve` once.")
            if level is None and rounding is None:
                current = settings.tax_rounding(uow, account_id)
            else:
                current = settings.set_tax_rounding(uow, account_id, level=level, rounding=rounding)
    except SeikyuError as error:
        raise _fail(error.message) from None
    finally:
        db.dispose()
    typer.echo(f"{account_id} {current.level} {current.rounding}")


@accounts_cli.command("invoice-settings")
def accounts_invoice_settings(
    account: Annotated[str | None, typer.Option(help="Account id; default: the first")] = None,
    numbering: Annotated[
        str | None, typer.Option(help="customer (a sequence each) or account (one sequence)")
    ] = None,
    prefix: Annotated[str | None, typer.Option(help="The account-wide number prefix")] = None,
    qualified_invoice: Annotated[
        bool | None, typer.Option(help="Japan's qualified invoice rules on or off")
    ] = None,
    registration_number: Annotated[
        str | None, typer.Option(help="The issuer's registration number, T and 13 digits")
    ] = None,
    database_url_: DatabaseUrl = None,
) -> None:
    """Show or change how invoices are numbered and whether they are qualified invoices."""
    from seikyu.accounts import service as accounts
    from seikyu.accounts import settings
    from seikyu.billing import invoice_settings
    from seikyu.core.errors import SeikyuError

    changing = any(
        value is not None for value in (numbering, prefix, qualified_invoice, registration_number)
    )
    db = _open(database_url_)
    try:
        with db.unit(readonly=not changing) as uow:
            account_id = account or accounts.default_account_id(uow)
            if account_id is None:
                raise SeikyuError("There is no account yet: run `seikyu serve` once.")
            if changing:
                current = invoice_settings.update(
                    uow,
                    account_id,
                    numbering=numbering,
                    prefix=prefix,
                    qualified_invoice=qualified_invoice,
                    registration_number=registration_number,
                )
            else:
                current = settings.invoice_settings(uow, account_id)
    except SeikyuError as error:
        raise _fail(error.message) from None
    finally:
        db.dispose()
    typer.echo(
        f"{account_id} numbering={current.numbering} prefix={current.prefix or '-'} "
        f"qualified_invoice={current.qualified_invoice} "
        f"registration_number={current.registration_number or '-'}"
    )


@accounts_cli.command("billing-settings")
def accounts_billing_settings(
    account: Annotated[str | None, typer.Option(help="Account id; default: the first")] = None,
    finalization_delay_seconds: Annotated[
        int | None,
        typer.Option(help="Seconds from a subscription invoice's creation to its finalization"),
    ] = None,
    retries: Annotated[
        int | None, typer.Option(help="Automatic retries of a failed charge, 0 to 8")
    ] = None,
    retry_window_days: Annotated[
        int | None, typer.Option(help="Days the retries are spread over, 1 to 60")
    ] = None,
    subscription_after_retries: Annotated[
        str | None, typer.Option(help="After the last failure: cancel, unpaid or past_due")
    ] = None,
    invoice_after_retries: Annotated[
        str | None, typer.Option(help="After the last failure: open or uncollectible")
    ] = None,
    webhook_wait_seconds: Annotated[
        int | None,
        typer.Option(help="Longest wait for webhook endpoints to acknowledge invoice.created"),
    ] = None,
    database_url_: DatabaseUrl = None,
) -> None:
    """Show or change finalization timing and the retry policy for failed payments."""
    from dataclasses import asdict, replace

    from seikyu.accounts import service as accounts
    from seikyu.accounts import settings
    from seikyu.core.errors import SeikyuError

    given: dict[str, Any] = {
        name: value
        for name, value in {
            "finalization_delay_seconds": finalization_delay_seconds,
            "retries": retries,
            "retry_window_days": retry_window_days,
            "subscription_after_retries": subscription_after_retries,
            "invoice_after_retries": invoice_after_retries,
            "webhook_wait_seconds": webhook_wait_seconds,
        }.items()
        if value is not None
    }
    db = _open(database_url_)
    try:
        with db.unit(readonly=not given) as uow:
            account_id = account or accounts.default_account_id(uow)
            if account_id is None:
                raise SeikyuError("There is no account yet: run `seikyu serve` once.")
            current = settings.billing_settings(uow, account_id)
            if given:
                current = replace(current, **given)
                settings.set_billing_settings(uow, account_id, current)
    except SeikyuError as error:
        raise _fail(error.message) from None
    finally:
        db.dispose()
    shown = " ".join(f"{name}={value}" for name, value in asdict(current).items())
    typer.echo(f"{account_id} {shown}")


# --- following a running server over its API (like the Stripe CLI) ------------------------

logs_cli = typer.Typer(no_args_is_help=True, help="Follow a server's request log.")
app.add_typer(logs_cli, name="logs")
events_cli = typer.Typer(no_args_is_help=True, help="Follow a server's events.")
app.add_typer(events_cli, name="events")

ApiKey = Annotated[
    str | None,
    typer.Option("--api-key", envvar="SEIKYU_API_KEY", help="Secret API key"),
]
ApiBase = Annotated[
    str, typer.Option("--api-base", envvar="SEIKYU_API_BASE", help="The server's address")
]
Interval = Annotated[float, typer.Option(min=0.05, max=60.0, help="Seconds between polls")]
History = Annotated[int, typer.Option(min=0, max=100, help="How many existing lines to show first")]
DEFAULT_API_BASE = "http://127.0.0.1:8000"


@logs_cli.command("tail")
def logs_tail(
    status: Annotated[str | None, typer.Option(help="A status code (404) or class (4xx)")] = None,
    path: Annotated[str | None, typer.Option(help="Only paths starting with this")] = None,
    method: Annotated[str | None, typer.Option(help="GET, POST or DELETE")] = None,
    history: History = 20,
    interval: Interval = 1.0,
    api_key: ApiKey = None,
    api_base: ApiBase = DEFAULT_API_BASE,
) -> None:
    """Print request log lines as they come, until interrupted:
    `<time> <status> <method> <path> <request id> <error type>`."""
    from seikyu.tail import commands, entry

    code = entry.run(
        lambda following, terminal: commands.logs_tail(
            following, terminal, status=status, path=path, method=method
        ),
        api_key=api_key,
        api_base=api_base,
        interval=interval,
        history=history,
    )
    if code:
        raise typer.Exit(code)


@events_cli.command("tail")
def events_tail(
    type_: Annotated[
        list[str] | None,
        typer.Option("--type", help="Event types, `*` wildcards (customer.*); repeat or comma"),
    ] = None,
    history: History = 20,
    interval: Interval = 1.0,
    api_key: ApiKey = None,
    api_base: ApiBase = DEFAULT_API_BASE,
) -> None:
    """Print events as they happen, until interrupted: `<time> <type> <object id> <event id>`."""
    from seikyu.tail import commands, entry

    code = entry.run(
        lambda following, terminal: commands.events_tail(following, terminal, types=type_ or []),
        api_key=api_key,
        api_base=api_base,
        interval=interval,
        history=history,
    )
    if code:
        raise typer.Exit(code)


@app.command()
def listen(
    forward_to: Annotated[
        str, typer.Option(help="The URL to POST each event to, e.g. http://localhost:3000/hook")
    ],
    events: Annotated[
        list[str] | None,
        typer.Option(help="Only these event types, `*` wildcards; repeat or comma-separate"),
    ] = None,
    secret: Annotated[
        str | None, typer.Option(help="Sign with this whsec_ secret (default: a new one)")
    ] = None,
    interval: Interval = 1.0,
    api_key: ApiKey = None,
    api_base: ApiBase = DEFAULT_API_BASE,
) -> None:
    """Forward each new event to a local URL, signed like a webhook (`Stripe-Signature`), and
    print the status each forward got. A failed forward is printed, and listening goes on."""
    from seikyu.core.clock import SystemClock
    from seikyu.events.signature import new_secret
    from seikyu.tail import commands, entry

    if secret is not None and not secret.strip():
        raise _fail("--secret must not be empty.", 2)
    signing = secret or new_secret()
    code = entry.run(
        lambda following, terminal: commands.listen(
            following,
            terminal,
            forward_to=forward_to,
            secret=signing,
            types=events or [],
            clock=SystemClock(),
        ),
        api_key=api_key,
        api_base=api_base,
        interval=interval,
    )
    if code:
        raise typer.Exit(code)


radar_cli = typer.Typer(
    no_args_is_help=True,
    help="The fraud model offline: simulate labelled payments, train (on a simulation or "
    "an account's own payments), evaluate.",
)
app.add_typer(radar_cli, name="radar")


@radar_cli.command("simulate")
def radar_simulate(
    out: Annotated[
        Path, typer.Option("--out", help="Simulation file (JSON lines; gzip if it ends in .gz)")
    ],
    days: Annotated[int, typer.Option(min=1, max=3650)] = 180,
    seed: Annotated[int, typer.Option()] = 7,
    subscribers: Annotated[
        int, typer.Option(min=0, help="Subscribers at the start of the simulation")
    ] = 20_000,
    signups_per_day: Annotated[float, typer.Option(min=0)] = 150.0,
    ip_geolocation: Annotated[
        bool,
        typer.Option(help="Attempts carry their IP's country, as screening places IPs online"),
    ] = True,
) -> None:
    """Write a simulated SaaS account's card attempts with their fraud labels."""
    from seikyu.risk.model.dataset import save_simulation
    from seikyu.risk.model.saas_simulator import SimulationConfig, simulate

    config = SimulationConfig(
        seed=seed,
        days=days,
        initial_subscribers=subscribers,
        signups_per_day=signups_per_day,
        ip_geolocation=ip_geolocation,
    )
    simulation = simulate(config)
    save_simulation(simulation, out)
    fraud = sum(1 for a in simulation.attempts if a.fraud)
    typer.echo(f"Wrote {len(simulation.attempts):,} attempts ({fraud:,} fraudulent) to {out}.")


@radar_cli.command("train")
def radar_train(
    out: Annotated[
        Path,
        typer.Option("--out", help="Model file (LightGBM text); its calibration goes beside it"),
    ],
    from_simulation: Annotated[
        Path | None,
        typer.Option("--from-simulation", exists=True, dir_okay=False, help="From `simulate`"),
    ] = None,
    cutoff_day: Annotated[
        int | None,
        typer.Option(min=1, help="Train at this day of the simulation (default: its end)"),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option("--account", help="Train on this account's own screened payments instead"),
    ] = None,
    database_url_: DatabaseUrl = None,
    livemode: Annotated[
        bool, typer.Option("--livemode/--testmode", help="Which of the account's payments")
    ] = True,
    label_delay_days: Annotated[
        int,
        typer.Option(min=0, max=365, help="Only payments this old: younger ones may be disputed"),
    ] = 30,
    min_frauds: Annotated[
        int, typer.Option(min=1, help="Refuse to train with fewer labelled frauds")
    ] = 20,
) -> None:
    """Train a Radar model on a simulation, or on an account's own labelled payments.

    Exits with status 3, writing nothing, when the account has too few labelled payments.
    """
    from seikyu.risk.model.scorer import calibration_path, save_model

    if from_simulation is not None and account is None:
        trained = _train_on_simulation(from_simulation, cutoff_day)
    elif account is not None and from_simulation is None:
        trained = _train_on_account(
            account,
            database_url_,
            livemode=livemode,
            label_delay_days=label_delay_days,
            min_frauds=min_frauds,
        )
    else:
        raise _fail("Give exactly one of --from-simulation and --account.", 2)
    save_model(trained.booster, trained.calibration, out)
    typer.echo(
        f"Trained on {trained.training_rows:,} attempts, calibrated on "
        f"{trained.calibration_rows:,}: wrote {out} and {calibration_path(out)}."
    )


def _train_on_simulation(path: Path, cutoff_day: int | None) -> TrainedModel:
    from seikyu.risk.model.dataset import dataset_from_simulation, load_simulation
    from seikyu.risk.model.saas_simulator import DAY
    from seikyu.risk.model.training import train_radar_model

    simulation = load_simulation(path)
    cutoff = simulation.end
    if cutoff_day is not None:
        cutoff = min(cutoff, simulation.config.start + cutoff_day * DAY)
    try:
        return train_radar_model(dataset_from_simulation(simulation), cutoff=cutoff)
    except ValueError as error:
        raise _fail(str(error)) from None


def _train_on_account(
    account: str,
    url: str | None,
    *,
    livemode: bool,
    label_delay_days: int,
    min_frauds: int,
) -> TrainedModel:
    from seikyu.db.uow import Actor
    from seikyu.risk.model.training import train_radar_model
    from seikyu.risk.training_data import NotEnoughLabels, load_training_data

    db = _open(url)
    try:
        with db.unit(Actor(account, livemode=livemode), readonly=True) as uow:
            data = load_training_data(uow, label_delay_days=label_delay_days, min_frauds=min_frauds)
    except NotEnoughLabels as error:
        raise _fail(str(error), 3) from None
    finally:
        db.dispose()
    left_out = ", ".join(f"{n:,} {why}" for why, n in data.excluded.items()) or "none"
    typer.echo(
        f"{len(data.dataset):,} payments of {account}: {data.frauds:,} fraudulent, "
        f"{data.legitimate:,} legitimate; left out: {left_out}."
    )
    try:
        return train_radar_model(data.dataset, cutoff=data.cutoff)
    except ValueError as error:
        raise _fail(str(error), 3) from None


@radar_cli.command("evaluate")
def radar_evaluate(
    data: Annotated[
        Path, typer.Option("--data", exists=True, dir_okay=False, help="From `simulate`")
    ],
    report: Annotated[Path, typer.Option("--report", help="Markdown if .md, else JSON")],
    model: Annotated[
        Path | None,
        typer.Option("--model", exists=True, dir_okay=False, help="Default: the shipped model"),
    ] = None,
) -> None:
    """Score a simulation with a model and report AUC ROC, AP, recall at 0.1% FPR."""
    from seikyu.risk.model.dataset import dataset_from_simulation, load_simulation
    from seikyu.risk.model.evaluation import evaluate
    from seikyu.risk.model.report import evaluation_markdown, write_report
    from seikyu.risk.model.scorer import Scorer, load_default

    scorer = Scorer.from_file(model) if model is not None else load_default()
    evaluation = evaluate(scorer, dataset_from_simulation(load_simulation(data)))
    write_report(evaluation, report)
    typer.echo(evaluation_markdown(evaluation), nl=False)


def main() -> None:
    app()
