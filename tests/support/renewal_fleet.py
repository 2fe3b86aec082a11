"""A renewal run at scale, the `seikyu worker` processes that run it, and its audit.

`clone_subscriptions` copies a subscription made through the services, with its customer,
card and items, so that thousands exist in a second rather than minutes. `Worker` is a real
worker process a test can freeze, kill and stop. `read_ledger` reads back what a run left
(renewal invoices, their payments and charges, the processor call journal, the events),
and each `Ledger` check lists its problems in words, so a test asserts the list is empty.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Table, func, insert, select

from seikyu.db.base import Base
from seikyu.db.models import Event
from seikyu.db.models.charges import Charge
from seikyu.db.models.invoice_payments import InvoicePayment
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.processor_calls import ProcessorCall
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import Actor, Database

CYCLE = "subscription_cycle"
# What every renewal invoice emits once, and its payment and charge once each.
INVOICE_EVENTS = (
    "invoice.created",
    "invoice.finalized",
    "invoice.paid",
    "invoice.payment_succeeded",
)
INTENT_EVENTS = ("payment_intent.created", "payment_intent.succeeded")
CHARGE_EVENTS = ("charge.succeeded",)
# In the order they are written, each row's references before it.
CLONED_TABLES = ("customers", "payment_methods", "subscriptions", "subscription_items")
# Clones' invoice prefixes; its letters are not hexadecimal digits, so it is never the
# start of one the services chose.
PREFIX = "FLEET"
# Long enough for a COMMIT a frozen worker had already sent to be applied: a journaled call
# still open after it belongs to a transaction that will never commit.
COMMIT_LANDS = 0.5
# The kinds of object a renewal run writes, by their events' prefix.
RUN_OBJECTS = ("invoice.", "payment_intent.", "charge.", "customer.subscription.")


# --- subscriptions -------------------------------------------------------------------


def months_behind(now: datetime, months: int) -> datetime:
    """A start `months` whole periods in the past, on a day of the month every month has,
    so that exactly `months` monthly renewals fall due at `now` and none in the next weeks."""
    shifted = now - timedelta(days=1)
    year, month = divmod(shifted.year * 12 + shifted.month - 1 - months, 12)
    return shifted.replace(year=year, month=month + 1, day=min(shifted.day, 28))


def clone_subscriptions(db: Database, account_id: str, template_id: str, copies: int) -> list[str]:
    """`copies` subscriptions like the template, each with a customer and card of its own.

    Every column is copied from the template's rows, so all the worker reads is as the
    services wrote it; only ids, the links between them and the invoice prefix (unique per
    account) differ. The template's first invoice stays the template's: a clone has none,
    so its invoice numbers start at 1.
    """
    tables = Base.metadata.tables
    with db.unit(Actor(account_id)) as uow:
        conn = uow.session.connection()
        template = _Template.read(conn, template_id)
        first = _prefixes_taken(conn, account_id)
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        made = []
        for index in range(first, first + copies):
            ids = template.new_ids(uow.new_id)
            for table, copied in template.copy(ids, _prefix(index)).items():
                rows[table] += copied
            made.append(str(ids[template_id]))
        for table in CLONED_TABLES:
            conn.execute(insert(tables[table]), rows[table])
    return made


@dataclass(frozen=True)
class _Template:
    subscription: dict[str, Any]
    customer: dict[str, Any]
    card: dict[str, Any]
    items: list[dict[str, Any]]

    @classmethod
    def read(cls, conn: Connection, subscription_id: str) -> _Template:
        tables = Base.metadata.tables
        subscription = _row(conn, tables["subscriptions"], "id", subscription_id)
        return cls(
            subscription,
            _row(conn, tables["customers"], "id", subscription["customer_id"]),
            _row(conn, tables["payment_methods"], "id", subscription["default_payment_method_id"]),
            _rows(conn, tables["subscription_items"], "subscription_id", subscription_id),
        )

    def new_ids(self, new_id: Callable[[str], str]) -> dict[str, str | None]:
        """Each of the template's ids, and what it is in a new copy."""
        ids: dict[str, str | None] = {
            self.subscription["id"]: new_id("sub"),
            self.customer["id"]: new_id("cus"),
            self.card["id"]: new_id("pm"),
            self.subscription["latest_invoice_id"]: None,
        }
        ids.update({item["id"]: new_id("si") for item in self.items})
        return ids

    def copy(self, ids: Mapping[str, str | None], prefix: str) -> dict[str, list[dict[str, Any]]]:
        customer = {**_cloned(self.customer, ids), "invoice_prefix": prefix}
        return {
            "customers": [{**customer, "next_invoice_sequence": 1}],
            "payment_methods": [_cloned(self.card, ids)],
            "subscriptions": [_cloned(self.subscription, ids)],
            "subscription_items": [_cloned(item, ids) for item in self.items],
        }


def _row(conn: Connection, table: Table, column: str, value: Any) -> dict[str, Any]:
    [row] = _rows(conn, table, column, value)
    return row


def _rows(conn: Connection, table: Table, column: str, value: Any) -> list[dict[str, Any]]:
    found = conn.execute(select(table).where(table.c[column] == value))
    return [dict(row._mapping) for row in found]


def _cloned(row: Mapping[str, Any], ids: Mapping[str, str | None]) -> dict[str, Any]:
    copy = {
        name: ids.get(value, value) if isinstance(value, str) else value
        for name, value in row.items()
    }
    # An id kept inside a JSON column would tie the clone to the template's objects.
    shared = [old for old in ids if old is not None and old in repr(copy)]
    if shared:
        raise AssertionError(f"cloned row still names {shared}: {copy}")
    return copy


def _prefix(index: int) -> str:
    return f"{PREFIX}{index:05d}"


def _prefixes_taken(conn: Connection, account_id: str) -> int:
    customers = Base.metadata.tables["customers"]
    stmt = select(func.count()).where(
        customers.c.account_id == account_id, customers.c.invoice_prefix.startswith(PREFIX)
    )
    return conn.scalar(stmt) or 0


# --- worker processes ------------------------------------------------------------------


@dataclass
class Worker:
    """A `seikyu worker` process for one account, its output in `log_path`."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes]

    @classmethod
    def start(cls, name: str, database_url: str, account_id: str, workdir: Path) -> Worker:
        log_path = workdir / f"worker-{name}.log"
        log = log_path.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "seikyu", "worker", "--interval", "0.2",
             "--account", account_id, "--database-url", database_url],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return cls(name, process, log_path, log)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL: no handler runs and no transaction commits, as in a crash."""
        self.process.kill()
        self.process.wait()
        self._log.close()

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, as an orderly shutdown; returns the exit code."""
        self.thaw()
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._log.close()

    def ensure_gone(self) -> None:
        if self.process.poll() is None:
            self.thaw()
            self.kill()

    def log(self) -> str:
        text = self.log_path.read_text(errors="replace")
        return f"--- worker {self.name} (pid {self.process.pid}) ---\n{text}"


def freeze_mid_charge(
    workers: Iterable[Worker], conn: Connection, account_id: str, *, timeout: float
) -> list[str]:
    """Freeze the workers (SIGSTOP) at a moment when an authorization is journaled, so the
    processor has been asked, and the transaction that records it has not committed.
    Returns the journal keys left open, the workers still frozen; or [] when no such moment
    came within `timeout`, the workers running."""
    running = list(workers)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # No pause between looks: the window between the journal row and the commit is a
        # few milliseconds.
        if not open_authorizations(conn, account_id):
            continue
        for worker in running:
            worker.freeze()
        time.sleep(COMMIT_LANDS)
        caught = open_authorizations(conn, account_id)
        if caught:
            return caught
        for worker in running:
            worker.thaw()
    return []


# --- progress --------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    invoices: int  # renewal invoices cut
    paid: int  # of which paid
    behind: int  # subscriptions whose current period has ended: renewals not yet run
    due: int  # subscriptions and invoices whose next_action_at has come

    @property
    def idle(self) -> bool:
        return self.behind == 0 and self.due == 0


def progress(conn: Connection, account_id: str, now: datetime) -> Progress:
    mine_invoice = (Invoice.account_id == account_id, Invoice.billing_reason == CYCLE)
    invoices = conn.scalar(select(func.count()).where(*mine_invoice)) or 0
    paid = conn.scalar(select(func.count()).where(*mine_invoice, Invoice.status == "paid")) or 0
    behind = conn.scalar(
        select(func.count()).where(
            Subscription.account_id == account_id, Subscription.current_period_end <= now
        )
    )
    due_subscriptions = conn.scalar(
        select(func.count()).where(
            Subscription.account_id == account_id, Subscription.next_action_at <= now
        )
    )
    due_invoices = conn.scalar(
        select(func.count()).where(Invoice.account_id == account_id, Invoice.next_action_at <= now)
    )
    return Progress(invoices, paid, behind or 0, (due_subscriptions or 0) + (due_invoices or 0))


def open_authorizations(conn: Connection, account_id: str) -> list[str]:
    """Keys of authorizations journaled (so the processor may have acted) whose outcome no
    committed transaction has recorded yet."""
    stmt = select(ProcessorCall.idempotency_key).where(
        ProcessorCall.account_id == account_id,
        ProcessorCall.operation == "authorize",
        ProcessorCall.settled.is_(False),
    )
    return list(conn.scalars(stmt))


def wait_for(condition: Callable[[], bool], *, timeout: float, poll: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return False


# --- the audit -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True)
class RenewalInvoice:
    id: str
    subscription_id: str
    period: Period  # the period it looks back on (Stripe's invoice period)
    status: str


@dataclass(frozen=True)
class RenewedSubscription:
    id: str
    start_date: datetime
    current_period: Period


@dataclass(frozen=True)
class JournaledCall:
    key: str
    operation: str
    subject_id: str
    settled: bool
    resolution: str | None


@dataclass(frozen=True)
class Ledger:
    """What a renewal run left in the database, for one account."""

    subscriptions: list[RenewedSubscription]
    invoices: list[RenewalInvoice]
    intents_of_invoice: dict[str, list[str]]
    succeeded_charges_of_intent: dict[str, list[str]]
    # Every object of the account, renewals or not, by id: what an event may be about.
    existing: set[str]
    # Every charge the account recorded, succeeded or failed.
    charge_count: int
    journal: list[JournaledCall]
    events: Counter[tuple[str | None, str]]

    def periods_not_invoiced_once(self, expected: Mapping[str, int], now: datetime) -> list[str]:
        """Each subscription's renewal invoices cover its periods from its start to its
        current period back to back, one each, `expected` of them; and the current period
        is the one `now` is in."""
        problems = []
        of_subscription: dict[str, list[RenewalInvoice]] = defaultdict(list)
        for invoice in self.invoices:
            of_subscription[invoice.subscription_id].append(invoice)
        for subscription in self.subscriptions:
            found = sorted(of_subscription.pop(subscription.id, []), key=lambda i: i.period.start)
            periods = [invoice.period for invoice in found]
            chained = [p.start for p in periods] + [subscription.current_period.start]
            if chained != [subscription.start_date] + [p.end for p in periods]:
                shown = [str(period) for period in periods]
                problems.append(f"{subscription.id}: periods not back to back: {shown}")
            if len(found) != expected[subscription.id]:
                problems.append(
                    f"{subscription.id}: {len(found)} renewal invoices for "
                    f"{expected[subscription.id]} periods"
                )
            current = subscription.current_period
            if not current.start <= now < current.end:
                problems.append(f"{subscription.id}: still in {current} at {now}")
        problems += [f"renewal invoices of unknown subscription {s}" for s in of_subscription]
        return problems

    def invoices_not_paid(self) -> list[str]:
        return [f"{i.id} is {i.status}" for i in self.invoices if i.status != "paid"]

    def invoices_not_charged_once(self) -> list[str]:
        """Each renewal invoice was put to exactly one PaymentIntent, which has exactly one
        succeeded charge."""
        problems = []
        for invoice in self.invoices:
            intents = self.intents_of_invoice.get(invoice.id, [])
            charges = [c for pi in intents for c in self.succeeded_charges_of_intent.get(pi, [])]
            if len(intents) != 1 or len(charges) != 1:
                problems.append(f"{invoice.id}: intents {intents}, succeeded charges {charges}")
        return problems

    def authorizations_not_recorded(self) -> list[str]:
        """Every authorization the processor was asked for is a charge Seikyu recorded. A
        journaled call left unsettled, or one for an intent that was never committed, is
        money the processor may have moved for nothing Seikyu shows: on a retry with a new
        key, the customer's second charge for the same invoice."""
        problems = []
        authorizations = [call for call in self.journal if call.operation == "authorize"]
        for call in authorizations:
            if not call.settled:
                problems.append(f"{call.key}: sent to the processor, outcome never recorded")
            if call.subject_id not in self.existing:
                problems.append(f"{call.key}: for intent {call.subject_id}, never committed")
        if len(authorizations) != self.charge_count:
            problems.append(
                f"the processor was asked for {len(authorizations)} authorizations; "
                f"Seikyu recorded {self.charge_count} charges"
            )
        return problems

    def events_not_exactly_once(self) -> list[str]:
        """One event of each kind per renewal invoice, its intent and its charge; none about
        an object that does not exist (an event of a transaction rolled back)."""
        expected: set[tuple[str | None, str]] = set()
        for invoice in self.invoices:
            expected |= {(invoice.id, kind) for kind in INVOICE_EVENTS}
            for intent in self.intents_of_invoice.get(invoice.id, []):
                expected |= {(intent, kind) for kind in INTENT_EVENTS}
                for charge in self.succeeded_charges_of_intent.get(intent, []):
                    expected |= {(charge, kind) for kind in CHARGE_EVENTS}
        problems = [
            f"{kind} for {object_id}: {self.events[object_id, kind]} events"
            for object_id, kind in sorted(expected, key=str)
            if self.events[object_id, kind] != 1
        ]
        problems += [
            f"{count} {kind} for {object_id}, which does not exist"
            for (object_id, kind), count in self.events.items()
            if kind.startswith(RUN_OBJECTS) and object_id not in self.existing
        ]
        return problems


def read_ledger(db: Database, account_id: str) -> Ledger:
    with db.engine.connect() as conn:
        invoices = _renewal_invoices(conn, account_id)
        intents_of_invoice = _intents_of_invoices(conn, account_id, {i.id for i in invoices})
        charges = _charges(conn, account_id)
        succeeded: dict[str, list[str]] = defaultdict(list)
        for charge_id, intent_id, status in charges:
            if status == "succeeded" and intent_id is not None:
                succeeded[intent_id].append(charge_id)
        return Ledger(
            subscriptions=_subscriptions(conn, account_id),
            invoices=invoices,
            intents_of_invoice=intents_of_invoice,
            succeeded_charges_of_intent=dict(succeeded),
            existing=_existing(conn, account_id),
            charge_count=len(charges),
            journal=_journal(conn, account_id),
            events=_events(conn, account_id),
        )


def _subscriptions(conn: Connection, account_id: str) -> list[RenewedSubscription]:
    stmt = select(
        Subscription.id,
        Subscription.start_date,
        Subscription.current_period_start,
        Subscription.current_period_end,
    ).where(Subscription.account_id == account_id)
    return [
        RenewedSubscription(row.id, row.start_date, Period(row[2], row[3]))
        for row in conn.execute(stmt)
    ]


def _renewal_invoices(conn: Connection, account_id: str) -> list[RenewalInvoice]:
    stmt = select(
        Invoice.id,
        Invoice.subscription_id,
        Invoice.period_start,
        Invoice.period_end,
        Invoice.status,
    ).where(Invoice.account_id == account_id, Invoice.billing_reason == CYCLE)
    return [
        RenewalInvoice(row.id, str(row.subscription_id), Period(row[2], row[3]), row.status)
        for row in conn.execute(stmt)
    ]


def _intents_of_invoices(
    conn: Connection, account_id: str, invoice_ids: set[str]
) -> dict[str, list[str]]:
    """Every PaymentIntent put towards each invoice: by its payments, or as its own."""
    payments = select(InvoicePayment.invoice_id, InvoicePayment.payment_intent_id).where(
        InvoicePayment.account_id == account_id, InvoicePayment.payment_intent_id.is_not(None)
    )
    own = select(Invoice.id, Invoice.payment_intent_id).where(
        Invoice.account_id == account_id, Invoice.payment_intent_id.is_not(None)
    )
    found: dict[str, set[str]] = defaultdict(set)
    for invoice_id, intent_id in [*conn.execute(payments), *conn.execute(own)]:
        if invoice_id in invoice_ids:
            found[invoice_id].add(intent_id)
    return {invoice_id: sorted(intents) for invoice_id, intents in found.items()}


def _charges(conn: Connection, account_id: str) -> list[tuple[str, str | None, str]]:
    stmt = select(Charge.id, Charge.payment_intent_id, Charge.status).where(
        Charge.account_id == account_id
    )
    return [(row[0], row[1], row[2]) for row in conn.execute(stmt)]


def _existing(conn: Connection, account_id: str) -> set[str]:
    found: set[str] = set()
    for model in (Invoice, PaymentIntent, Charge, Subscription):
        found.update(conn.scalars(select(model.id).where(model.account_id == account_id)))
    return found


def _journal(conn: Connection, account_id: str) -> list[JournaledCall]:
    stmt = select(
        ProcessorCall.idempotency_key,
        ProcessorCall.operation,
        ProcessorCall.subject_id,
        ProcessorCall.settled,
        ProcessorCall.resolution,
    ).where(ProcessorCall.account_id == account_id)
    return [JournaledCall(*row) for row in conn.execute(stmt)]


def _events(conn: Connection, account_id: str) -> Counter[tuple[str | None, str]]:
    stmt = (
        select(Event.object_id, Event.type, func.count())
        .where(Event.account_id == account_id)
        .group_by(Event.object_id, Event.type)
    )
    return Counter({(object_id, kind): count for object_id, kind, count in conn.execute(stmt)})
