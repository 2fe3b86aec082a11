"""Stripe's search query language: parse, validate and print `query`, plus `page` tokens.

Grammar (positions in error messages are 0-based character offsets into the query)::

    query      := clause ( WS+ ("AND" | "OR") WS+ clause )*    -- at most 10 clauses
    clause     := ["-"] field operator value
    field      := NAME [ "[" STRING "]" ]                       -- metadata["key"]
    operator   := ":" | "~" | ">=" | "<=" | ">" | "<"
    value      := STRING | NUMBER | "null"
    STRING     := '"' ( '\\"' | '\\\\' | any other character )* '"'
    NUMBER     := ["-"] DIGITS [ "." DIGITS ]

Stripe's rules kept here: AND and OR may not be mixed, there are no parentheses, `~`
(substring) needs at least 3 characters, and `null` only goes with `:`.  Which fields exist
and which operators they accept is per resource: see `validate`.

Standard library only: the database layer (`seikyu.db.search`) turns the AST into SQL.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

MAX_CLAUSES = 10
MAX_QUERY_LENGTH = 5000  # Stripe's limit on the `query` and `page` parameters
MIN_SUBSTRING_LENGTH = 3
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # NUMBER values must fit a BIGINT

_PREFIX = "Search query is invalid: "
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_BARE = re.compile(r"[^\s\"]+")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_INTEGER = re.compile(r"-?[0-9]+")
_TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
_PAGE_TOKEN_MAGIC = "seikyu.search.v1:"  # noqa: S105 (a format marker, not a secret)


class SearchQueryError(Exception):
    """A `query` (or `page`) Stripe would reject; `param` names the request parameter."""

    def __init__(self, message: str, *, param: str = "query") -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class Operator(StrEnum):
    """How a clause compares its field to its value; the enum value is the query syntax."""

    EQ = ":"
    CONTAINS = "~"
    GT = ">"
    LT = "<"
    GTE = ">="
    LTE = "<="

    @property
    def is_comparison(self) -> bool:
        """True for the numeric range operators > < >= <=."""
        return self in (Operator.GT, Operator.LT, Operator.GTE, Operator.LTE)


class Connective(StrEnum):
    """The one keyword that joins all clauses of a query."""

    AND = "AND"
    OR = "OR"


class FieldKind(StrEnum):
    """What a searchable field holds, which decides the operators and values it accepts."""

    STRING = "string"  # ':' case-insensitive exact match, '~' substring
    # ':' only, exact and case-sensitive (ids, enums like status)
    TOKEN = "token"  # noqa: S105 (not a secret)
    NUMBER = "number"  # ':' and > < >= <=, integer values
    BOOLEAN = "boolean"  # ':' with "true" or "false"
    METADATA = "metadata"  # written field["key"], ':' only, case-sensitive


@dataclass(frozen=True)
class Clause:
    """One `[-]field[["key"]]<op>value` term.

    `value` is None for the keyword `null` (field missing); a quoted "null" is the string.
    `position` is where the clause starts in the query text; it is excluded from equality
    so that ASTs compare by meaning.
    """

    field: str
    operator: Operator
    value: str | None
    key: str | None = None
    negated: bool = False
    position: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class SearchQuery:
    """All clauses of a query, joined by one connective (AND when there is a single clause)."""

    clauses: tuple[Clause, ...]
    connective: Connective = Connective.AND

    def __post_init__(self) -> None:
        # One clause has no connective to speak of; normalizing keeps equality semantic.
        if len(self.clauses) < 2:
            object.__setattr__(self, "connective", Connective.AND)


# ---------------------------------------------------------------------------- parsing


def parse(text: str) -> SearchQuery:
    """Parse a `query` parameter into a `SearchQuery`, or raise `SearchQueryError`.

    Only syntax is checked here; call `validate` with the resource's fields afterwards.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchQueryError(
            f"{_PREFIX}the query is {len(text)} characters long; the maximum is {MAX_QUERY_LENGTH}."
        )
    if not text.strip():
        raise SearchQueryError(
            f'{_PREFIX}the query is empty; expected a clause such as email:"jenny@example.com".'
        )
    return _Parser(text).query()


def _describe(text: str, pos: int) -> str:
    """'at position N (near ...)' for error messages."""
    if pos >= len(text):
        return f"at position {pos} (end of query)"
    excerpt = text[pos : pos + 20]
    return f"at position {pos} (near {excerpt!r})"


class _Parser:
    """A hand-written recursive descent parser over the raw text, tracking the offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, problem: str, pos: int | None = None, hint: str = "") -> SearchQueryError:
        where = _describe(self.text, self.pos if pos is None else pos)
        return SearchQueryError(f"{_PREFIX}{problem} {where}.{' ' + hint if hint else ''}")

    def peek(self, length: int = 1) -> str:
        return self.text[self.pos : self.pos + length]

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_whitespace(self) -> int:
        start = self.pos
        while not self.at_end() and self.text[self.pos].isspace():
            self.pos += 1
        return self.pos - start

    def query(self) -> SearchQuery:
        self.skip_whitespace()
        clauses = [self.clause()]
        connective: tuple[Connective, int] | None = None
        while True:
            gap = self.skip_whitespace()
            if self.at_end():
                break
            if gap == 0:
                raise self.fail(
                    f"unexpected {self.peek()!r} after a value",
                    hint="Separate clauses with whitespace and AND or OR.",
                )
            keyword_pos = self.pos
            keyword = self.connective()
            if connective is not None and connective[0] is not keyword:
                raise self.fail(
                    "AND and OR cannot be combined in one query: "
                    f"{connective[0].value} at position {connective[1]}, then {keyword.value}",
                    keyword_pos,
                    hint="Run one search per alternative instead.",
                )
            connective = connective or (keyword, keyword_pos)
            clauses.append(self.clause())
            if len(clauses) > MAX_CLAUSES:
                raise self.fail(
                    f"a query may have at most {MAX_CLAUSES} clauses; clause {len(clauses)} starts",
                    clauses[-1].position,
                )
        joined_by = Connective.AND if connective is None else connective[0]
        return SearchQuery(tuple(clauses), joined_by)

    def connective(self) -> Connective:
        """Read AND/OR and the whitespace that must follow it."""
        word = _BARE.match(self.text, self.pos)
        found = word.group() if word else self.peek()
        for keyword in Connective:
            if found == keyword.value:
                self.pos += len(found)
                if self.skip_whitespace() == 0:
                    raise self.fail(f"expected a clause after {keyword.value}")
                return keyword
            if found.upper() == keyword.value:
                raise self.fail(
                    f"{found!r} must be written in uppercase", hint=f"Use {keyword.value}."
                )
        raise self.fail(
            "expected AND or OR between clauses",
            hint="Clauses cannot be separated by whitespace alone.",
        )

    def clause(self) -> Clause:
        start = self.pos
        negated = self.peek() == "-"
        if negated:
            self.pos += 1
        name, key = self.field()
        operator = self.operator(name)
        value = self.value(name, operator)
        if value is None and operator is not Operator.EQ:
            raise self.fail(f"null can only be used with ':', not {operator.value!r}", start)
        if operator is Operator.CONTAINS and value is not None:
            _check_substring(value, start)
        return Clause(name, operator, value, key, negated, start)

    def field(self) -> tuple[str, str | None]:
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.fail(
                "expected a field name",
                hint='A clause looks like field:"value", e.g. email:"jenny@example.com".',
            )
        self.pos = match.end()
        if self.peek() != "[":
            return match.group(), None
        self.pos += 1
        if self.peek() != '"':
            raise self.fail("expected a double-quoted key after '['", hint='Write metadata["key"].')
        key = self.string()
        if not key:
            raise self.fail("the key in brackets must not be empty", self.pos - 2)
        if self.peek() != "]":
            raise self.fail("expected ']' to close the key")
        self.pos += 1
        return match.group(), key

    def operator(self, name: str) -> Operator:
        for operator in (
            Operator.GTE,
            Operator.LTE,
            Operator.EQ,
            Operator.CONTAINS,
            Operator.GT,
            Operator.LT,
        ):
            if self.peek(len(operator.value)) == operator.value:
                self.pos += len(operator.value)
                return operator
        raise self.fail(
            f"expected an operator (: ~ > < >= <=) right after the field {name!r}",
            hint="Whitespace is not allowed inside a clause.",
        )

    def value(self, name: str, operator: Operator) -> str | None:
        if self.peek() == '"':
            return self.string()
        match = _BARE.match(self.text, self.pos)
        if match is None:
            raise self.fail(
                f"expected a value after '{name}{operator.value}'",
                hint='Values are double-quoted strings like "foo", numbers, or null.',
            )
        word = match.group()
        if word == "null":
            self.pos = match.end()
            return None
        if _NUMBER.fullmatch(word):
            self.pos = match.end()
            return word
        raise self.fail(
            f"unquoted value {word!r}",
            hint=f'Only numbers and null may be unquoted; write {name}{operator.value}"{word}".',
        )

    def string(self) -> str:
        """Read a double-quoted string; `\\"` and `\\\\` are escapes, other backslashes literal."""
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        while not self.at_end():
            char = self.text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(chars)
            if char == "\\" and self.peek(2)[1:] in ('"', "\\"):
                char = self.text[self.pos + 1]
                self.pos += 1
            chars.append(char)
            self.pos += 1
        raise self.fail("unterminated string starting", start, hint='Close it with ".')


def _check_substring(value: str, position: int) -> None:
    if len(value) < MIN_SUBSTRING_LENGTH:
        raise SearchQueryError(
            f"{_PREFIX}substring match (~) needs at least {MIN_SUBSTRING_LENGTH} characters, "
            f"got {value!r} in the clause at position {position}."
        )


# ---------------------------------------------------------------------------- printing


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_clause(clause: Clause) -> str:
    """The query text of one clause; `parse` reads it back to an equal clause."""
    key = "" if clause.key is None else f"[{_quote(clause.key)}]"
    value = "null" if clause.value is None else _quote(clause.value)
    return f"{'-' if clause.negated else ''}{clause.field}{key}{clause.operator.value}{value}"


def format_query(query: SearchQuery) -> str:
    """Canonical query text: every value quoted, clauses joined by ' AND ' or ' OR '."""
    return f" {query.connective.value} ".join(format_clause(c) for c in query.clauses)


# -------------------------------------------------------------------------- validation


def _field_list(allowed: Mapping[str, FieldKind]) -> str:
    names = (
        f'{name}["<key>"]' if kind is FieldKind.METADATA else name
        for name, kind in sorted(allowed.items())
    )
    return ", ".join(names)


def validate(query: SearchQuery, allowed: Mapping[str, FieldKind]) -> SearchQuery:
    """Check every clause against a resource's searchable fields; return `query` unchanged.

    Raises `SearchQueryError` for unknown fields, keys on non-metadata fields (or none on
    metadata), operators the field kind does not support, values of the wrong shape
    (non-integer numbers, booleans other than "true"/"false"), short `~` values and more
    than `MAX_CLAUSES` clauses.
    """
    if not query.clauses:
        raise SearchQueryError(f"{_PREFIX}the query has no clauses.")
    if len(query.clauses) > MAX_CLAUSES:
        raise SearchQueryError(
            f"{_PREFIX}a query may have at most {MAX_CLAUSES} clauses, got {len(query.clauses)}."
        )
    for clause in query.clauses:
        kind = allowed.get(clause.field)
        if kind is None:
            raise SearchQueryError(
                f"{_PREFIX}unknown field {clause.field!r} in the clause at position "
                f"{clause.position}. Searchable fields are: {_field_list(allowed)}."
            )
        _check_key(clause, kind)
        _check_operator(clause, kind)
        if clause.value is not None:
            _check_value(clause, kind, clause.value)
    return query


def _clause_error(clause: Clause, problem: str) -> SearchQueryError:
    return SearchQueryError(
        f"{_PREFIX}{problem} (clause {format_clause(clause)} at position {clause.position})."
    )


def _check_key(clause: Clause, kind: FieldKind) -> None:
    if kind is FieldKind.METADATA and clause.key is None:
        raise _clause_error(
            clause, f'{clause.field} needs a key in brackets, like {clause.field}["order_id"]'
        )
    if kind is not FieldKind.METADATA and clause.key is not None:
        raise _clause_error(clause, f"{clause.field!r} does not take a key in brackets")


def _check_operator(clause: Clause, kind: FieldKind) -> None:
    operator = clause.operator
    if operator is Operator.EQ:
        return
    if operator is Operator.CONTAINS and kind is not FieldKind.STRING:
        raise _clause_error(
            clause,
            f"substring match (~) is only supported on text fields, not on {clause.field!r}; "
            "use ':' for an exact match",
        )
    if operator.is_comparison and kind is not FieldKind.NUMBER:
        raise _clause_error(
            clause,
            f"{operator.value!r} is only supported on numeric fields, not on {clause.field!r}",
        )


def _check_value(clause: Clause, kind: FieldKind, value: str) -> None:
    if clause.operator is Operator.CONTAINS and len(value) < MIN_SUBSTRING_LENGTH:
        raise _clause_error(
            clause,
            f"substring match (~) needs at least {MIN_SUBSTRING_LENGTH} characters",
        )
    if kind is FieldKind.NUMBER and not _INTEGER.fullmatch(value):
        raise _clause_error(clause, f"{clause.field!r} must be compared with an integer")
    if kind is FieldKind.NUMBER and not INT64_MIN <= int(value) <= INT64_MAX:
        raise _clause_error(clause, f"{clause.field!r} is compared with a number out of range")
    if kind is FieldKind.BOOLEAN and value.lower() not in ("true", "false"):
        raise _clause_error(clause, f'{clause.field!r} must be "true" or "false"')


# ------------------------------------------------------------------------- page tokens


def encode_page_token(offset_or_cursor: str) -> str:
    """Wrap a cursor as Stripe's opaque `next_page`: url-safe base64 without padding."""
    raw = (_PAGE_TOKEN_MAGIC + offset_or_cursor).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_page_token(token: str) -> str:
    """Recover the cursor given to `encode_page_token`.

    Raises `SearchQueryError` (param "page") for anything `encode_page_token` did not make.
    """
    invalid = SearchQueryError(
        "Invalid page token: pass the next_page value of a previous search response "
        "unchanged, together with the same query.",
        param="page",
    )
    if len(token) > MAX_QUERY_LENGTH or not _TOKEN_ALPHABET.fullmatch(token):
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        text = raw.decode()
    except (binascii.Error, ValueError):
        raise invalid from None
    if not text.startswith(_PAGE_TOKEN_MAGIC):
        raise invalid
    return text[len(_PAGE_TOKEN_MAGIC) :]
