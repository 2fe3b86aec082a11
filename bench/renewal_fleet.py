"""A fleet of active monthly subscriptions whose periods all end at the same moment.

A few distinct templates are made through Seikyu's own services (so every row is what the
product writes), then each template's rows are cloned in bulk (COPY on PostgreSQL,
executemany on SQLite) with fresh ids. A clone is its template with every id the template
owns replaced, wherever it appears (foreign keys, JSON, client secrets), and its own
invoice prefix. Shared catalogue objects (prices, coupons, tax rates) are not cloned, so a
clone points at the same ones; coupon redemption counts are then brought up to date.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy import ColumnElement, Engine, FromClause, and_, func, inspect, select

# The composition root first, as the server and worker import it: importing a billing
# service module on its own first can hit an import cycle inside seikyu.billing.
import seikyu.app
import seikyu.db.models  # noqa: F401  (registers every table on the metadata)
from seikyu.accounts import service as accounts
from seikyu.accounts import settings
from seikyu.accounts.settings import BillingSettings
from seikyu.api.resources import all_routers
from seikyu.billing import subscription_create
from seikyu.billing.discounts import DiscountRequest
from seikyu.billing.subscription_create import ItemRequest, NewSubscription
from seikyu.catalog import coupons, prices, products, tax_rates
from seikyu.catalog.price_rules import PriceInput, Recurring, TierInput
from seikyu.catalog.prices import NewPrice
from seikyu.core.clock import FrozenClock
from seikyu.core.ids import IdGenerator
from seikyu.customers import service as customers
from seikyu.db.base import Base
from seikyu.db.models.coupons import Coupon
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import Actor, Database, UnitOfWork
from seikyu.payments import payment_methods
from seikyu.payments.payment_intents import Redirect
from seikyu.payments.test_processor import TestProcessor

# How far back the templates are created: their first period (one month) has ended a few
# days ago and the next one ends weeks from now, so each is due exactly one renewal.
START_AGO = timedelta(days=35)
# Clones written per transaction while seeding.
CHUNK = 5_000
TEMPLATE_PREFIX = "T"
CLONE_PREFIX = "R"


@dataclass(frozen=True)
class Item:
    price: str  # a key of the catalogue's prices
    quantity: int
    tax_rates: tuple[str, ...] | None = None  # None: the subscription's defaults apply
    coupon: str | None = None  # an item-level discount


@dataclass(frozen=True)
class Template:
    name: str
    items: tuple[Item, ...]
    coupon: str | None = None
    tax_rates: tuple[str, ...] = ()


# Mixed prices (flat, per seat, graduated and volume tiers), five of eight with a coupon
# (percent or amount off, forever or repeating; on the subscription or on one item), six
# with tax rates (exclusive and inclusive; default or per item).
TEMPLATES: tuple[Template, ...] = (
    Template("basic, flat", (Item("basic", 1),)),
    Template("pro, flat, 8% tax", (Item("pro", 1),), tax_rates=("vat",)),
    Template("7 seats, 20% off forever", (Item("seat", 7),), coupon="pct20"),
    Template(
        "graduated tiers x12, $5 off, two taxes",
        (Item("graduated", 12),),
        coupon="off500",
        tax_rates=("vat", "city"),
    ),
    Template(
        "volume tiers x30 + storage x4 (item tax)",
        (Item("volume", 30), Item("storage", 4, tax_rates=("city",))),
    ),
    Template(
        "3 seats (item coupon) + storage x2, 8% tax",
        (Item("seat", 3, coupon="pct20"), Item("storage", 2)),
        tax_rates=("vat",),
    ),
    Template("pro, 10% off for 12 months, inclusive tax", (Item("pro", 1),), "rep10", ("gst",)),
    Template(
        "graduated x3 + 2 seats + storage x10, 20% off, city tax",
        (Item("graduated", 3), Item("seat", 2), Item("storage", 10)),
        coupon="pct20",
        tax_rates=("city",),
    ),
)


@dataclass
class Fleet:
    account_id: str
    subscriptions: int
    due_at: datetime  # every subscription's current period ends here
    templates: list[str] = field(default_factory=list)
    rows_seeded: int = 0
    seed_seconds: float = 0.0


# --- templates through the services --------------------------------------------------------


def _catalogue(uow: UnitOfWork) -> dict[str, str]:
    monthly = Recurring("month")
    ids: dict[str, str] = {}
    for key, name, terms in (
        ("basic", "Basic", {"unit_amount": 1500}),
        ("pro", "Pro", {"unit_amount": 4900}),
        ("seat", "Team seat", {"unit_amount": 1200}),
        ("storage", "Storage block", {"unit_amount": 250}),
        (
            "graduated",
            "API calls",
            {
                "billing_scheme": "tiered",
                "tiers_mode": "graduated",
                "tiers": (
                    TierInput(5, unit_amount=1000),
                    TierInput(10, unit_amount=800, flat_amount=300),
                    TierInput(None, unit_amount=600),
                ),
            },
        ),
        (
            "volume",
            "Devices",
            {
                "billing_scheme": "tiered",
                "tiers_mode": "volume",
                "tiers": (
                    TierInput(10, unit_amount=500),
                    TierInput(50, unit_amount=400),
                    TierInput(None, unit_amount=300),
                ),
            },
        ),
    ):
        product = products.create(uow, {"name": name})
        ids[key] = prices.create(
            uow,
            NewPrice(
                terms=PriceInput(currency="usd", recurring=monthly, **terms), product=product.id
            ),
        ).id
    ids["pct20"] = coupons.create(uow, {"percent_off": Decimal(20), "duration": "forever"}).id
    ids["off500"] = coupons.create(
        uow, {"amount_off": 500, "currency": "usd", "duration": "forever"}
    ).id
    ids["rep10"] = coupons.create(
        uow, {"percent_off": Decimal(10), "duration": "repeating", "duration_in_months": 12}
    ).id
    for key, name, percentage, inclusive in (
        ("vat", "Sales tax", Decimal(8), False),
        ("city", "City tax", Decimal("2.5"), False),
        ("gst", "GST", Decimal(10), True),
    ):
        ids[key] = tax_rates.create(
            uow, {"display_name": name, "percentage": percentage, "inclusive": inclusive}
        ).id
    return ids


def _subscribe(
    uow: UnitOfWork,
    processor: TestProcessor,
    catalogue: dict[str, str],
    template: Template,
    prefix: str,
) -> str:
    """The template's customer (with a card that succeeds) and its paid subscription."""
    # The invoice prefix in the email: each clone, which gets a prefix of its own, gets an
    # email of its own with it.
    email = f"renewals.{prefix}@example.com"
    customer = customers.create(
        uow, {"email": email, "name": template.name, "invoice_prefix": prefix}
    )
    card = payment_methods.attach(uow, processor, "pm_card_visa", customer.id)
    items = [
        ItemRequest(
            price=catalogue[item.price],
            quantity=item.quantity,
            tax_rates=None if item.tax_rates is None else [catalogue[t] for t in item.tax_rates],
            discounts=None if item.coupon is None else [DiscountRequest(catalogue[item.coupon])],
        )
        for item in template.items
    ]
    coupon = None if template.coupon is None else [DiscountRequest(catalogue[template.coupon])]
    subscription = subscription_create.create(
        uow,
        processor,
        NewSubscription(
            customer=customer.id,
            items=items,
            default_payment_method=card.id,
            default_tax_rates=[catalogue[t] for t in template.tax_rates],
            discounts=coupon,
        ),
        redirect=Redirect("http://127.0.0.1"),
    )
    if subscription.status != "active":
        raise RuntimeError(f"template {template.name!r} is {subscription.status}, not active")
    return customer.id


def _redemptions(uow: UnitOfWork, account_id: str) -> dict[str, int]:
    stmt = select(Coupon.internal_id, Coupon.times_redeemed).where(Coupon.account_id == account_id)
    return {row.internal_id: row.times_redeemed for row in uow.session.execute(stmt)}


@dataclass
class _Made:
    customer_id: str
    prefix: str
    redeemed: dict[str, int]  # coupon internal id -> redemptions the template made


def make_templates(db: Database, now: datetime) -> tuple[str, list[_Made], datetime]:
    """The account (renewals finalized and charged at once), its catalogue and one paid
    subscription per template, all started at `now - START_AGO`; returns the account, the
    templates and the moment their periods end."""
    all_routers()  # events render their objects at commit: the renderers must be registered
    started = now - START_AGO
    with db.unit(now=started) as uow:
        account_id = accounts.create_account(uow, name="renewals bench").id
    processor = TestProcessor()
    with db.unit(Actor(account_id), now=started) as uow:
        settings.set_billing_settings(
            uow, account_id, BillingSettings(finalization_delay_seconds=0)
        )
        catalogue = _catalogue(uow)
    made = []
    for index, template in enumerate(TEMPLATES):
        prefix = f"{TEMPLATE_PREFIX}{index:07X}"
        with db.unit(Actor(account_id), now=started) as uow:
            before = _redemptions(uow, account_id)
            customer_id = _subscribe(uow, processor, catalogue, template, prefix)
            uow.session.flush()
            after = _redemptions(uow, account_id)
        redeemed = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
        made.append(_Made(customer_id, prefix, redeemed))
    due_at = _common_period_end(db, account_id)
    if not now - START_AGO < due_at <= now:
        raise RuntimeError(f"templates end their period at {due_at}, not between start and now")
    return account_id, made, due_at


def _common_period_end(db: Database, account_id: str) -> datetime:
    with db.unit(readonly=True) as uow:
        stmt = select(Subscription.current_period_end).where(Subscription.account_id == account_id)
        ends = set(uow.session.scalars(stmt))
    if len(ends) != 1:
        raise RuntimeError(f"templates end their periods at different moments: {sorted(ends)}")
    return ends.pop()


# --- cloning -----------------------------------------------------------------------------

Row = list[Any]


@dataclass
class _Compiled:
    """A template row ready to clone: its values, and for each value holding tokens (ids
    and the invoice prefix the template owns) the text split around them, tokens at odd
    positions."""

    values: Row
    parts: list[tuple[int, list[str]]]

    def clone(self, mapping: dict[str, str]) -> Row:
        row = list(self.values)
        for index, split in self.parts:
            pieces = list(split)
            for j in range(1, len(pieces), 2):
                pieces[j] = mapping[pieces[j]]
            row[index] = "".join(pieces)
        return row


@dataclass
class _TemplateRows:
    prefix: str
    redeemed: dict[str, int]
    tokens: list[str]
    rows: dict[str, list[_Compiled]]  # table -> rows, tables in insertion (foreign key) order
    fingerprint: str  # the template card's, replaced by one of each clone's own
    card_bin: str  # likewise, by one of BINS


# Each clone pays with a card of its own, as each customer of a real fleet does, from one of
# a hundred issuers: fraud screening counts a card's, an email's and a BIN's earlier attempts,
# and one card shared by the whole fleet would make each renewal count all the others.
BINS = tuple(f"4{n:05d}" for n in range(100))


class _Store:
    """Raw reads and bulk writes, with values in the database's own text form so that a
    value is copied byte for byte whatever its column type."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")

    @contextmanager
    def connect(self) -> Iterator[Any]:
        if self.is_sqlite:
            local = sqlite3.connect(sqlite_path(self.url), isolation_level=None)
            local.execute("PRAGMA foreign_keys=ON")
            try:
                yield local
            finally:
                local.close()
        else:
            with psycopg.connect(libpq_url(self.url)) as server:
                yield server

    def select(
        self, conn: Any, table: str, columns: Sequence[str], where: str, ids: Sequence[str]
    ) -> list[Row]:
        cols = ", ".join(quote(c) for c in columns)
        if self.is_sqlite:
            marks = ", ".join("?" for _ in ids)
            sql = f"SELECT {cols} FROM {quote(table)} WHERE {quote(where)} IN ({marks})"
            return [list(r) for r in conn.execute(sql, list(ids))]
        literal = ", ".join("'" + i.replace("'", "''") + "'" for i in ids)
        query = f"SELECT {cols} FROM {quote(table)} WHERE {quote(where)} IN ({literal})"
        sql = f"COPY ({query}) TO STDOUT"
        with conn.cursor().copy(sql) as copy:
            return [list(r) for r in copy.rows()]

    def insert(self, conn: Any, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        cols = ", ".join(quote(c) for c in columns)
        if self.is_sqlite:
            marks = ", ".join("?" for _ in columns)
            conn.executemany(f"INSERT INTO {quote(table)} ({cols}) VALUES ({marks})", rows)
            return
        with conn.cursor().copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def begin(self, conn: Any) -> None:
        if self.is_sqlite:
            conn.execute("BEGIN IMMEDIATE")

    def commit(self, conn: Any) -> None:
        if self.is_sqlite:
            conn.execute("COMMIT")
        else:
            conn.commit()


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_path(url: str) -> str:
    return url.split("sqlite:///", 1)[1]


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL without its driver, for psycopg itself."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def _owner_column(table: str, columns: Sequence[str]) -> str | None:
    """The column that ties a table's rows to a template: the customer, or the invoice or
    subscription of one; None for tables that hold no customer's rows."""
    if table == "customers":
        return "id"
    for column in ("customer_id", "invoice_id", "subscription_id"):
        if column in columns:
            return column
    return None


def _read_templates(
    store: _Store, engine: Engine, made: list[_Made]
) -> tuple[list[tuple[str, list[str]]], list[_TemplateRows]]:
    inspector = inspect(engine)
    tables = []
    for table in Base.metadata.sorted_tables:
        columns = [c["name"] for c in inspector.get_columns(table.name)]
        owner = _owner_column(table.name, columns)
        if owner is not None and "id" in columns:
            tables.append((table.name, columns, owner))
    templates = []
    with store.connect() as conn:
        for template in made:
            owned = {"id": [template.customer_id], "customer_id": [template.customer_id]}
            raw: dict[str, list[Row]] = {}
            position = {name: columns.index("id") for name, columns, _ in tables}
            for name, columns, owner in tables:
                if owner in ("invoice_id", "subscription_id"):
                    parent = "invoices" if owner == "invoice_id" else "subscriptions"
                    owned[owner] = [row[position[parent]] for row in raw.get(parent, [])]
                ids = owned[owner]
                rows = store.select(conn, name, columns, owner, ids) if ids else []
                if rows:
                    raw[name] = rows
            templates.append(_compile(template, raw, {n: c for n, c, _ in tables}))
    return [(n, c) for n, c, _ in tables], templates


def _compile(made: _Made, raw: dict[str, Any], columns: dict[str, list[str]]) -> _TemplateRows:
    tokens = [str(row[columns[name].index("id")]) for name, rows in raw.items() for row in rows]
    tokens.append(made.prefix)
    (card,) = raw["payment_methods"]
    fingerprint = str(card[columns["payment_methods"].index("card_fingerprint")])
    card_bin = str(card[columns["payment_methods"].index("card_bin")])
    tokens += [fingerprint, card_bin]
    alternation = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    # Whole tokens only: "pi_X" inside "pi_X_secret_Y" is one, inside "pi_XY" it is not.
    pattern = re.compile(f"(?<![0-9A-Za-z])({alternation})(?![0-9A-Za-z])")
    rows: dict[str, list[_Compiled]] = {}
    for name, table_rows in raw.items():
        compiled = []
        for values in table_rows:
            parts = []
            for index, value in enumerate(values):
                if isinstance(value, str):
                    split = pattern.split(value)
                    if len(split) > 1:
                        parts.append((index, split))
            compiled.append(_Compiled(values, parts))
        rows[name] = compiled
    return _TemplateRows(made.prefix, made.redeemed, tokens, rows, fingerprint, card_bin)


def _clone_mapping(template: _TemplateRows, ids: IdGenerator, number: int) -> dict[str, str]:
    mapping = {}
    for token in template.tokens:
        if token == template.prefix:
            mapping[token] = f"{CLONE_PREFIX}{number:07X}"
        elif token == template.fingerprint:
            mapping[token] = hashlib.blake2b(b"%d" % number, digest_size=8).hexdigest()
        elif token == template.card_bin:
            mapping[token] = BINS[number % len(BINS)]
        else:
            mapping[token] = ids.new(token.rsplit("_", 1)[0])
    return mapping


def clone(
    url: str,
    engine: Engine,
    made: list[_Made],
    count: int,
    started: datetime,
    progress: Callable[[int], None],
) -> int:
    """Write `count` clones of the templates, round robin; returns the rows written."""
    store = _Store(url)
    tables, templates = _read_templates(store, engine, made)
    ids = IdGenerator(FrozenClock(started))  # clone ids date from when their rows say
    written = 0
    redeemed: dict[str, int] = {}
    with store.connect() as conn:
        for first in range(0, count, CHUNK):
            batch: dict[str, list[Row]] = {name: [] for name, _ in tables}
            for number in range(first, min(count, first + CHUNK)):
                template = templates[number % len(templates)]
                mapping = _clone_mapping(template, ids, number)
                for name, rows in template.rows.items():
                    batch[name].extend(row.clone(mapping) for row in rows)
                for coupon, times in template.redeemed.items():
                    redeemed[coupon] = redeemed.get(coupon, 0) + times
            store.begin(conn)
            for name, columns in tables:
                if batch[name]:
                    store.insert(conn, name, columns, batch[name])
                    written += len(batch[name])
            store.commit(conn)
            progress(min(count, first + CHUNK))
        store.begin(conn)
        mark = "?" if store.is_sqlite else "%s"
        for coupon, times in redeemed.items():
            conn.execute(
                f"UPDATE coupons SET times_redeemed = times_redeemed + {mark} "
                f"WHERE internal_id = {mark}",
                (times, coupon),
            )
        store.commit(conn)
    return written


def seed(
    db: Database, url: str, subscriptions: int, now: datetime, progress: Callable[[int], None]
) -> Fleet:
    """`subscriptions` active subscriptions (the templates and their clones), all due at
    the returned fleet's `due_at`."""
    if subscriptions < len(TEMPLATES):
        raise ValueError(f"at least {len(TEMPLATES)} subscriptions (one per template)")
    began = time.perf_counter()
    account_id, made, due_at = make_templates(db, now)
    fleet = Fleet(account_id, subscriptions, due_at, [t.name for t in TEMPLATES])
    fleet.rows_seeded = clone(
        url, db.engine, made, subscriptions - len(made), now - START_AGO, progress
    )
    fleet.seed_seconds = time.perf_counter() - began
    return fleet


# --- what a finished renewal run must have left ------------------------------------------

# Events each renewal writes exactly once, and the object each is about.
RENEWAL_EVENTS = {
    "invoice.created": "invoice",
    "invoice.finalized": "invoice",
    "invoice.paid": "invoice",
    "invoice.payment_succeeded": "invoice",
    "payment_intent.succeeded": "payment_intent",
    "charge.succeeded": "charge",
    "customer.subscription.updated": "subscription",
}


def verify(
    engine: Engine, fleet: Fleet, since: datetime, *, complete: bool
) -> list[tuple[bool, str]]:
    """Checks of the run's outcome, each (passed, what was found): every subscription
    renewed once and paid when the run is `complete`; else (cut short) every renewal paid
    so far done whole."""
    t = Base.metadata.tables
    invoices, subscriptions, events = t["invoices"], t["subscriptions"], t["events"]
    intents, charges = t["payment_intents"], t["charges"]
    first = invoices.alias("first")
    mine = invoices.c.account_id == fleet.account_id
    renewal = and_(mine, invoices.c.billing_reason == "subscription_cycle")
    paid = and_(renewal, invoices.c.status == "paid")
    checks = []

    def count(stmt: Any) -> int:
        with engine.connect() as conn:
            return int(conn.scalar(stmt) or 0)

    def check(what: str, found: int, want: int) -> None:
        checks.append((found == want, f"{what}: {found:,} (want {want:,})"))

    total = count(select(func.count()).select_from(invoices).where(renewal))
    renewed = count(select(func.count(func.distinct(invoices.c.subscription_id))).where(renewal))
    settled = count(select(func.count()).where(paid))
    check("renewal invoices beyond one per subscription", total - renewed, 0)
    if complete:
        check("renewal invoices", total, fleet.subscriptions)
        check("renewal invoices paid", settled, fleet.subscriptions)
    else:
        checks.append(
            (True, f"cut short: {total:,} renewal invoices, {settled:,} paid, "
                   f"{total - settled:,} unfinished when the workers were stopped")
        )  # fmt: skip
    expected = settled
    check(
        "paid in full, for the same total as the subscription's first invoice",
        count(
            select(func.count())
            .select_from(
                invoices.join(first, first.c.subscription_id == invoices.c.subscription_id)
            )
            .where(
                paid,
                first.c.billing_reason == "subscription_create",
                invoices.c.total == first.c.total,
                invoices.c.amount_paid == invoices.c.total,
                invoices.c.total > 0,
            )
        ),
        expected,
    )
    check(
        "subscriptions active in their next period, latest invoice the paid renewal",
        count(
            select(func.count())
            .select_from(
                subscriptions.join(invoices, invoices.c.id == subscriptions.c.latest_invoice_id)
            )
            .where(
                paid,
                subscriptions.c.status == "active",
                subscriptions.c.current_period_start == fleet.due_at,
                subscriptions.c.next_action_at > since,
            )
        ),
        expected,
    )
    check(
        "payment intents and charges succeeded for the invoice's amount",
        count(
            select(func.count())
            .select_from(
                invoices.join(intents, intents.c.id == invoices.c.payment_intent_id).join(
                    charges, charges.c.id == intents.c.latest_charge_id
                )
            )
            .where(
                paid,
                intents.c.status == "succeeded",
                intents.c.amount_received == invoices.c.amount_paid,
                charges.c.status == "succeeded",
                charges.c.amount == invoices.c.amount_paid,
            )
        ),
        expected,
    )
    about = {
        "invoice": invoices.c.id,
        "payment_intent": invoices.c.payment_intent_id,
        "subscription": invoices.c.subscription_id,
    }
    for kind, subject in RENEWAL_EVENTS.items():
        source: FromClause = invoices
        key: ColumnElement[Any]
        if subject == "charge":
            source = invoices.join(intents, intents.c.id == invoices.c.payment_intent_id)
            key = intents.c.latest_charge_id
        else:
            key = about[subject]
        # IN (subquery) rather than a join: SQLite then scans the events once against the
        # subjects' ids instead of once per paid invoice (events.object_id has no index).
        where = (
            events.c.type == kind,
            events.c.created >= since,
            events.c.object_id.in_(select(key).select_from(source).where(paid)),
        )
        found = count(select(func.count()).where(*where))
        subjects = count(select(func.count(func.distinct(events.c.object_id))).where(*where))
        check(f"{kind} events, one per renewal", found if found == subjects else -found, expected)
    return checks
