"""Search queries run as SQL on SQLite and, when configured, PostgreSQL, with the same results.

PostgreSQL runs when SEIKYU_TEST_DATABASE_URL names a server (e.g.
postgresql://postgres@127.0.0.1:5432/test); the rows live in a uniquely named schema that
is dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.schema import CreateSchema, DropSchema

from seikyu.api.search_query import FieldKind, SearchQueryError, parse, validate
from seikyu.db.engine import normalize_url
from seikyu.db.search import (
    KINDS,
    SearchColumn,
    escape_like,
    field_kinds,
    json_key_text,
    to_condition,
)
from seikyu.db.types import UTCDateTime
from tests.support.databases import POSTGRES_ENV, postgres_url

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BASE = 1609459200  # 2021-01-01T00:00:00Z
ALL = ["cus_a", "cus_b", "cus_c", "cus_d", "cus_e"]

METADATA_A = {
    "order_id": "6735",
    "case": "Abc",
    "a.b": "dot",
    'q"x': "quote",
    "back\\": "bs",
    "café": "uni",
    "a": "plain",
}
ROWS: list[dict[str, Any]] = [
    {
        "id": "cus_a",
        "email": "Jenny.Rosen@Example.com",
        "name": "Jenny Rosen",
        "seconds": BASE,
        "amount": 100,
        "active": True,
        "metadata": METADATA_A,
    },
    {
        "id": "cus_b",
        "email": "john@example.org",
        "name": "John 100% Smith_Jr",
        "seconds": BASE + 0.5,  # sub-second: still "created" BASE for the API
        "amount": 250,
        "active": False,
        "metadata": {"order_id": "9999", "case": "abc"},
    },
    {
        "id": "cus_c",
        "email": None,
        "name": None,
        "seconds": BASE + 1,
        "amount": None,
        "active": None,
        "metadata": {},
    },
    {
        "id": "cus_d",
        "email": "a/b%c_d@x.io",
        "name": "SmithXJr",  # would match name~"h_j" if '_' stayed a wildcard
        "seconds": BASE + 86400,
        "amount": 0,
        "active": True,
        "metadata": null(),  # SQL NULL column
    },
    {
        "id": "cus_e",
        "email": "UPPER@EXAMPLE.COM",
        "name": "Ünïcode Name",
        "seconds": BASE - 1,
        "amount": -5,
        "active": False,
        "metadata": None,  # JSON null
    },
]


@dataclass(frozen=True)
class Db:
    engine: Engine
    table: Table

    def specs(self) -> dict[str, dict[str, SearchColumn[FieldKind]]]:
        """Two column specs: core JSON/DateTime columns, and JSONB-variant/UTCDateTime ones."""
        c = self.table.c
        common = {
            "id": SearchColumn(FieldKind.TOKEN, c.id, nullable=False),
            "email": SearchColumn(FieldKind.STRING, c.email),
            "name": SearchColumn(FieldKind.STRING, c.name),
            "amount": SearchColumn(FieldKind.NUMBER, c.amount),
            "active": SearchColumn(FieldKind.BOOLEAN, c.active),
        }
        return {
            "json+datetime": common
            | {
                "created": SearchColumn(FieldKind.NUMBER, c.created, as_datetime=True),
                "metadata": SearchColumn(FieldKind.METADATA, c.metadata_json),
            },
            "jsonb+utcdatetime": common
            | {
                "created": SearchColumn(
                    FieldKind.NUMBER, c.created_utc, as_datetime=True, nullable=False
                ),
                "metadata": SearchColumn(FieldKind.METADATA, c.metadata),
            },
        }

    def search(self, text: str, columns: Mapping[str, SearchColumn[FieldKind]]) -> list[str]:
        query = validate(parse(text), field_kinds(columns))
        stmt = select(self.table.c.id).where(to_condition(query, columns)).order_by("id")
        with self.engine.connect() as conn:
            return list(conn.scalars(stmt))

    def search_all_specs(self, text: str) -> list[str]:
        """Results of `text`, asserting both column specs agree."""
        results = {name: self.search(text, spec) for name, spec in self.specs().items()}
        first, second = results.values()
        assert first == second, results
        return first


def _table(schema: str | None) -> Table:
    return Table(
        "search_fixture",
        MetaData(schema=schema),
        Column("id", String(32), primary_key=True),
        Column("email", String(256)),
        Column("name", String(256)),
        Column("created", DateTime(timezone=True)),
        Column("created_utc", UTCDateTime(), nullable=False),
        Column("amount", Integer),
        Column("active", Boolean),
        Column("metadata", JSON().with_variant(JSONB(), "postgresql")),
        Column("metadata_json", JSON()),
    )


def _fill(engine: Engine, table: Table) -> None:
    with engine.begin() as conn:
        table.create(conn)
        for row in ROWS:
            created = datetime.fromtimestamp(BASE, tz=UTC) + timedelta(
                seconds=row["seconds"] - BASE
            )
            values = {k: v for k, v in row.items() if k != "seconds"}
            values |= {"created": created, "created_utc": created}
            values["metadata_json"] = values["metadata"]
            conn.execute(table.insert().values(**values))


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(
                    postgres_url() is None,
                    reason=f"PostgreSQL variant skipped: {POSTGRES_ENV} is not set "
                    "(e.g. postgresql://postgres@127.0.0.1:5432/test)",
                ),
            ],
        ),
    ],
)
def search_db(request: pytest.FixtureRequest) -> Iterator[Db]:
    """The fixture rows in a throwaway table: in-memory SQLite, or a temporary PG schema."""
    if request.param == "sqlite":
        engine = create_engine("sqlite://")
        table = _table(None)
        _fill(engine, table)
        yield Db(engine, table)
        engine.dispose()
        return
    url = postgres_url()
    assert url is not None
    engine = create_engine(normalize_url(url))
    schema = f"seikyu_search_test_{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:
        conn.execute(CreateSchema(schema))
    try:
        table = _table(schema)
        _fill(engine, table)
        yield Db(engine, table)
    finally:
        with engine.begin() as conn:
            conn.execute(DropSchema(schema, cascade=True))
        engine.dispose()


CASES = [
    # STRING: exact match ignores case, negation includes NULL
    ('email:"jenny.rosen@example.com"', ["cus_a"]),
    ('email:"JENNY.ROSEN@EXAMPLE.COM"', ["cus_a"]),
    ('email:"upper@example.com"', ["cus_e"]),
    ('email:"jenny"', []),
    ('-email:"jenny.rosen@example.com"', ["cus_b", "cus_c", "cus_d", "cus_e"]),
    ("email:null", ["cus_c"]),
    ("-email:null", ["cus_a", "cus_b", "cus_d", "cus_e"]),
    # STRING: substring, case-insensitive, LIKE wildcards are literal
    ('email~"example"', ["cus_a", "cus_b", "cus_e"]),
    ('email~"EXAMPLE.C"', ["cus_a", "cus_e"]),
    ('-email~"example"', ["cus_c", "cus_d"]),
    ('name~"100%"', ["cus_b"]),
    ('name~"h_j"', ["cus_b"]),
    ('name~"%%%"', []),
    ('name~"___"', []),
    ('email~"a/b"', ["cus_d"]),
    ('email~"%c_"', ["cus_d"]),
    ('email~"//b"', []),
    ('name~"nïc"', ["cus_e"]),
    # TOKEN: exact and case-sensitive
    ('id:"cus_a"', ["cus_a"]),
    ('id:"CUS_A"', []),
    ('-id:"cus_a"', ["cus_b", "cus_c", "cus_d", "cus_e"]),
    # NUMBER
    ("amount:100", ["cus_a"]),
    ('amount:"100"', ["cus_a"]),
    ("amount>100", ["cus_b"]),
    ("amount>=100", ["cus_a", "cus_b"]),
    ("amount<100", ["cus_d", "cus_e"]),
    ("amount<=0", ["cus_d", "cus_e"]),
    ("amount:-5", ["cus_e"]),
    ("-amount:100", ["cus_b", "cus_c", "cus_d", "cus_e"]),
    ("-amount>0", ["cus_c", "cus_d", "cus_e"]),
    ("amount:null", ["cus_c"]),
    ("amount>9223372036854775807", []),
    ("amount>-9223372036854775808", ["cus_a", "cus_b", "cus_d", "cus_e"]),
    # NUMBER as unix seconds over a datetime column: whole seconds, like the API shows
    (f"created:{BASE}", ["cus_a", "cus_b"]),
    (f"created:{BASE + 1}", ["cus_c"]),
    (f"created>{BASE}", ["cus_c", "cus_d"]),
    (f"created>={BASE}", ["cus_a", "cus_b", "cus_c", "cus_d"]),
    (f"created<{BASE}", ["cus_e"]),
    (f"created<={BASE}", ["cus_a", "cus_b", "cus_e"]),
    (f"-created:{BASE}", ["cus_c", "cus_d", "cus_e"]),
    (f"created>{BASE} AND created<{BASE + 86400}", ["cus_c"]),
    ("created>99999999999999", []),
    ("created<99999999999999", ALL),
    ("created>-99999999999999", ALL),
    # BOOLEAN
    ('active:"true"', ["cus_a", "cus_d"]),
    ('active:"FALSE"', ["cus_b", "cus_e"]),
    ('-active:"true"', ["cus_b", "cus_c", "cus_e"]),
    ("active:null", ["cus_c"]),
    # METADATA: exact, case-sensitive; null means "key missing"
    ('metadata["order_id"]:"6735"', ["cus_a"]),
    ('metadata["order_id"]:"67"', []),
    ('metadata["order_id"]:null', ["cus_c", "cus_d", "cus_e"]),
    ('-metadata["order_id"]:null', ["cus_a", "cus_b"]),
    ('-metadata["order_id"]:"6735"', ["cus_b", "cus_c", "cus_d", "cus_e"]),
    ('metadata["case"]:"abc"', ["cus_b"]),
    ('metadata["case"]:"Abc"', ["cus_a"]),
    ('metadata["a.b"]:"dot"', ["cus_a"]),
    ('metadata["a"]:"plain"', ["cus_a"]),
    ('metadata["q\\"x"]:"quote"', ["cus_a"]),
    ('metadata["back\\\\"]:"bs"', ["cus_a"]),
    ('metadata["café"]:"uni"', ["cus_a"]),
    ('metadata["missing"]:null', ALL),
    ('metadata["x\'); DROP TABLE search_fixture; --"]:"1"', []),
    ("metadata[\"order_id\"]:\"6735' OR '1'='1\"", []),
    # AND / OR
    ('email~"example" AND amount>100', ["cus_b"]),
    ('email~"example" AND -metadata["order_id"]:null', ["cus_a", "cus_b"]),
    ("amount:100 OR amount:250 OR email:null", ["cus_a", "cus_b", "cus_c"]),
    ('-email:null AND -amount:null AND active:"true"', ["cus_a", "cus_d"]),
    (
        " AND ".join(["amount>-10"] * 9 + ['-metadata["order_id"]:"9999"']),
        ["cus_a", "cus_d", "cus_e"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_query_matches_expected_rows(search_db: Db, text: str, expected: list[str]) -> None:
    assert search_db.search_all_specs(text) == expected


def test_hostile_metadata_keys_left_the_table_alone(search_db: Db) -> None:
    search_db.search_all_specs('metadata["x\'); DROP TABLE search_fixture; --"]:"1"')
    with search_db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(search_db.table)) == len(ROWS)


def test_cached_statement_binds_each_metadata_key(search_db: Db) -> None:
    # Same statement shape, different key: the compiled-SQL cache must not reuse the key.
    assert search_db.search_all_specs('metadata["order_id"]:"9999"') == ["cus_b"]
    assert search_db.search_all_specs('metadata["case"]:"abc"') == ["cus_b"]
    assert search_db.search_all_specs('metadata["case"]:"9999"') == []


def test_values_and_keys_are_bound_parameters(search_db: Db) -> None:
    columns = search_db.specs()["jsonb+utcdatetime"]
    query = validate(
        parse('metadata["k\'ey"]:"va\'lue" AND email~"sub\'str" AND name:"na\'me"'),
        field_kinds(columns),
    )
    stmt = select(search_db.table.c.id).where(to_condition(query, columns))
    sql = str(stmt.compile(search_db.engine))
    assert "'" not in sql.replace("ESCAPE '/'", "")


def test_json_key_text_reads_one_key(search_db: Db) -> None:
    expr = json_key_text(search_db.table.c.metadata, "order_id")
    with search_db.engine.connect() as conn:
        rows = conn.execute(select(search_db.table.c.id, expr).order_by(search_db.table.c.id)).all()
    assert [value for _, value in rows] == ["6735", "9999", None, None, None]


# ------------------------------------------------------------------ without a database


def test_kinds_match_the_api_field_kinds() -> None:
    assert {kind.value for kind in FieldKind} == KINDS


def test_search_column_rejects_nonsense() -> None:
    table = _table(None)
    with pytest.raises(ValueError, match="as_datetime"):
        SearchColumn(FieldKind.STRING, table.c.email, as_datetime=True)
    with pytest.raises(ValueError, match="unknown search field kind"):
        SearchColumn("text", table.c.email)


def test_unvalidated_query_is_a_programming_error() -> None:
    columns = {"email": SearchColumn(FieldKind.STRING, _table(None).c.email)}
    with pytest.raises(ValueError, match="validate"):
        to_condition(parse('phone:"1"'), columns)
    with pytest.raises(SearchQueryError, match="unknown field 'phone'"):
        validate(parse('phone:"1"'), field_kinds(columns))


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("plain", "plain"), ("100%", "100/%"), ("a_b", "a/_b"), ("a/b", "a//b"), ("/%_", "///%/_")],
)
def test_escape_like(raw: str, escaped: str) -> None:
    assert escape_like(raw) == escaped
