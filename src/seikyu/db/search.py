"""Turn a parsed search query into one SQLAlchemy WHERE condition, same on SQLite and Postgres.

A resource describes its searchable fields once, as a mapping of query field name to
`SearchColumn`; the API layer validates the parsed query against it, then asks for the
condition::

    COLUMNS = {
        "email": SearchColumn(FieldKind.STRING, Customer.email),
        "created": SearchColumn(FieldKind.NUMBER, Customer.created, as_datetime=True),
        "metadata": SearchColumn(FieldKind.METADATA, Customer.metadata_),
    }
    query = validate(parse(text), field_kinds(COLUMNS))      # seikyu.api.search_query
    stmt = select(Customer).where(to_condition(query, COLUMNS))

Semantics follow Stripe: text matching is case-insensitive, metadata matching is exact,
and a negated clause also matches rows where the field is missing (SQL NULL).

`seikyu.db` may not import `seikyu.api` (import-linter contract), so the query is taken
structurally (`SearchQueryLike`), and kinds, operators and connectives are compared by
their string values; `seikyu.api.search_query`'s StrEnums have exactly these values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    and_,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

# The values of seikyu.api.search_query.FieldKind.
STRING, TOKEN, NUMBER, BOOLEAN = "string", "token", "number", "boolean"
METADATA = "metadata"
KINDS = frozenset({STRING, TOKEN, NUMBER, BOOLEAN, METADATA})

_LIKE_ESCAPE = "/"
# datetime's range in whole seconds (exact integer arithmetic: float timestamps round up
# into year 10000), so that absurd `created` bounds clamp instead of failing.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_MIN_SECONDS = (datetime.min.replace(tzinfo=UTC) - _EPOCH) // _SECOND
_MAX_SECONDS = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // _SECOND

K = TypeVar("K", bound=str)


class SearchClauseLike(Protocol):
    """What `to_condition` reads from a clause (`seikyu.api.search_query.Clause` fits)."""

    @property
    def field(self) -> str: ...
    @property
    def operator(self) -> str: ...  # ":" "~" ">" "<" ">=" "<="
    @property
    def value(self) -> str | None: ...  # None: the keyword null
    @property
    def key(self) -> str | None: ...  # the metadata key
    @property
    def negated(self) -> bool: ...


class SearchQueryLike(Protocol):
    """What `to_condition` reads from a query (`seikyu.api.search_query.SearchQuery` fits)."""

    @property
    def clauses(self) -> Sequence[SearchClauseLike]: ...
    @property
    def connective(self) -> str: ...  # "AND" or "OR"


@dataclass(frozen=True)
class SearchColumn(Generic[K]):
    """How one query field maps onto SQL.

    `kind` is a `FieldKind` (any str with one of its values). `column` is a Core column or
    ORM attribute; for METADATA it is a JSON column holding a flat object of strings.
    `as_datetime` (NUMBER only) says the column stores an aware UTC datetime while the
    query speaks unix seconds, like Stripe's `created`. `nullable=False` drops the
    `OR column IS NULL` that negated clauses otherwise need.
    """

    kind: K
    column: SQLColumnExpression[Any]
    as_datetime: bool = False
    nullable: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown search field kind {self.kind!r}")
        if self.as_datetime and self.kind != NUMBER:
            raise ValueError("as_datetime only applies to NUMBER search columns")


def field_kinds(columns: Mapping[str, SearchColumn[K]]) -> dict[str, K]:
    """The `allowed` mapping `validate` wants, derived from a resource's column spec."""
    return {name: spec.kind for name, spec in columns.items()}


def to_condition(
    query: SearchQueryLike, columns: Mapping[str, SearchColumn[Any]]
) -> ColumnElement[bool]:
    """The WHERE condition for a query that passed `validate(query, field_kinds(columns))`.

    Raises ValueError (a programming error, not a client one) when the query was not
    validated: unknown field, missing metadata key, non-integer number. Values and
    metadata keys are always bound parameters. The condition may be NULL rather than
    FALSE for non-matching rows, so use it in WHERE, not under another NOT.
    """
    conditions = [_clause_condition(clause, _spec(clause, columns)) for clause in query.clauses]
    if query.connective == "OR":
        return or_(*conditions)
    return and_(*conditions)


def _spec(clause: SearchClauseLike, columns: Mapping[str, SearchColumn[Any]]) -> SearchColumn[Any]:
    spec = columns.get(clause.field)
    if spec is None:
        raise ValueError(f"unknown search field {clause.field!r}; validate() the query first")
    return spec


def _clause_condition(clause: SearchClauseLike, spec: SearchColumn[Any]) -> ColumnElement[bool]:
    subject = _subject(clause, spec)
    if clause.value is None:
        return subject.is_not(None) if clause.negated else subject.is_(None)
    positive = _match(clause, spec, subject, clause.value)
    if not clause.negated:
        return positive
    # Stripe's "not equal" includes objects without the field; SQL's NOT(NULL) is NULL.
    if spec.nullable or spec.kind == METADATA:
        return or_(not_(positive), subject.is_(None))
    return not_(positive)


def _subject(clause: SearchClauseLike, spec: SearchColumn[Any]) -> SQLColumnExpression[Any]:
    """The SQL value a clause tests: the column, or the text at the metadata key."""
    if spec.kind != METADATA:
        return spec.column
    if clause.key is None:
        raise ValueError(f"{clause.field} needs a key; validate() the query first")
    return json_key_text(spec.column, clause.key)


def _match(
    clause: SearchClauseLike, spec: SearchColumn[Any], subject: SQLColumnExpression[Any], value: str
) -> ColumnElement[bool]:
    if spec.kind == STRING:
        return _string_match(clause.operator, subject, value)
    if spec.kind == NUMBER and spec.as_datetime:
        return _timestamp_match(clause.operator, subject, _integer(value))
    if spec.kind == NUMBER:
        # BIGINT, not the column's type: PostgreSQL would cast a large bound to INTEGER and fail.
        return _compare(clause.operator, subject, literal(_integer(value), BigInteger()))
    if spec.kind == BOOLEAN:
        return subject == (value.lower() == "true")
    return subject == literal(value, String())  # TOKEN, METADATA: exact, case-sensitive


def _string_match(
    operator: str, subject: SQLColumnExpression[Any], value: str
) -> ColumnElement[bool]:
    """Case-insensitive equality or substring match (SQLite's lower() folds ASCII only)."""
    if operator == "~":
        pattern = "%" + escape_like(value) + "%"
        return func.lower(subject).like(func.lower(literal(pattern, String())), escape=_LIKE_ESCAPE)
    return func.lower(subject) == func.lower(literal(value, String()))


def escape_like(value: str) -> str:
    """Make every character of `value` literal in a LIKE pattern used with ESCAPE '/'."""
    return (
        value.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )


def _integer(value: str) -> int:
    try:
        return int(value, 10)
    except ValueError:
        raise ValueError(f"{value!r} is not an integer; validate() the query first") from None


def _compare(
    operator: str, subject: SQLColumnExpression[Any], bound: object
) -> ColumnElement[bool]:
    match operator:
        case ">":
            return subject > bound
        case ">=":
            return subject >= bound
        case "<":
            return subject < bound
        case "<=":
            return subject <= bound
        case _:
            return subject == bound


def _timestamp_match(
    operator: str, subject: SQLColumnExpression[Any], seconds: int
) -> ColumnElement[bool]:
    """Compare a datetime column as the whole unix second the API shows for it.

    Stored datetimes may carry microseconds while Stripe's `created` is a truncated
    integer, so `created:N` means the half-open second [N, N+1), `created>N` means >= N+1,
    and `created<=N` means < N+1.
    """
    start, end = _instant(seconds), _instant(seconds + 1)
    match operator:
        case ">":
            return subject >= end
        case ">=":
            return subject >= start
        case "<":
            return subject < start
        case "<=":
            return subject < end
        case _:
            return and_(subject >= start, subject < end)


def _instant(seconds: int) -> datetime:
    """The aware UTC datetime of a unix time, clamped to what datetime can represent."""
    clamped = min(max(seconds, _MIN_SECONDS), _MAX_SECONDS)
    return _EPOCH + clamped * _SECOND


# ------------------------------------------------------------------ metadata key lookup


class _JsonKeyText(FunctionElement[str]):
    """Text at a top-level key of a JSON object column; NULL when the key is absent.

    Not `column[key].as_string()`: on SQLite that renders json_extract(col, '$."key"'),
    and SQLite (3.40 tested) matches that path label against the raw JSON text, so keys
    containing '"', '\\' or non-ASCII characters (stored \\u-escaped) are never found.
    Both renderings below take the key as the construct's own bound parameter, which also
    keeps SQLAlchemy's compiled-statement cache correct across different keys.
    """

    name = "json_key_text"
    type = String()
    inherit_cache = True


def json_key_text(column: SQLColumnExpression[Any], key: str) -> ColumnElement[str]:
    """SQL text of `column[key]` for a JSON object column, NULL when `key` is missing."""
    return _JsonKeyText(column, literal(key, String()))


def _parts(element: _JsonKeyText, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    column, key = element.clauses.clauses
    return compiler.process(column, **kw), compiler.process(key, **kw)


@compiles(_JsonKeyText, "sqlite")
def _json_key_text_sqlite(element: _JsonKeyText, compiler: SQLCompiler, **kw: Any) -> str:
    column, key = _parts(element, compiler, **kw)
    # Both fragments are compiler output; the key is a bound parameter, never text.
    return f"(SELECT kv.value FROM json_each({column}) AS kv WHERE kv.key = {key})"  # noqa: S608


@compiles(_JsonKeyText, "postgresql")
def _json_key_text_postgresql(element: _JsonKeyText, compiler: SQLCompiler, **kw: Any) -> str:
    column, key = _parts(element, compiler, **kw)
    return f"({column} ->> {key})"


@compiles(_JsonKeyText)
def _json_key_text_other(element: _JsonKeyText, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"metadata search is not implemented for {compiler.dialect.name}")


R = TypeVar("R")


@dataclass(frozen=True)
class SearchTable(Generic[R]):
    """What a repository makes searchable: its rows, their columns, their order.

    `scope(account_id, livemode)` selects the rows a search may see (the account's, and
    not deleted ones); `order` sorts them newest first when descending.
    """

    scope: Callable[[str, bool], Select[R]]
    columns: Mapping[str, SearchColumn[Any]]
    order: SQLColumnExpression[Any]

    def fields(self) -> dict[str, str]:
        return field_kinds(self.columns)

    def page(
        self,
        session: Session,
        account_id: str,
        livemode: bool,
        query: SearchQueryLike,
        *,
        offset: int,
        limit: int,
    ) -> tuple[list[R], bool]:
        """One page of matches, newest first; the bool says whether more pages follow."""
        stmt = self._matching(account_id, livemode, query)
        stmt = stmt.order_by(self.order.desc()).offset(offset).limit(limit + 1)
        rows = list(session.scalars(stmt))
        return rows[:limit], len(rows) > limit

    def count(
        self, session: Session, account_id: str, livemode: bool, query: SearchQueryLike
    ) -> int:
        """How many rows match (for `expand[]=total_count`)."""
        matching = self._matching(account_id, livemode, query).subquery()
        return int(session.scalar(select(func.count()).select_from(matching)) or 0)

    def _matching(self, account_id: str, livemode: bool, query: SearchQueryLike) -> Select[R]:
        return self.scope(account_id, livemode).where(to_condition(query, self.columns))
