"""SQL for the signals of a payment being screened: counts over earlier assessments.

Windows follow `seikyu.risk.domain.signals` exactly: in whole unix seconds, an attempt
`created` in second `c` is in the window of span `w` around second `now` when
`now - w < c <= now`, that is `from_unix(now - w + 1) <= created < from_unix(now + 1)`.
Every count runs on an index that starts with the account, the mode and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import String

from seikyu.core.clock import from_unix
from seikyu.db.core_reads import core_rows
from seikyu.db.models.risk_assessments import RiskAssessment as Row
from seikyu.db.types import UTCDateTime
from seikyu.risk.domain.signals import (
    CARD_TESTING_DECLINE_CODES,
    DAILY_SECONDS,
    HOURLY_SECONDS,
    WEEKLY_SECONDS,
    KeyVelocity,
    WindowCounts,
)

KEY_COLUMNS: dict[str, InstrumentedAttribute[str | None]] = {
    "card": Row.card_fingerprint,
    "ip": Row.ip_address,
    "email": Row.email,
    "customer": Row.customer_id,
    "bin": Row.card_bin,
}
_OUTCOMES = ("authorized", "declined", "blocked")


@dataclass(frozen=True, slots=True)
class KeyCounts:
    """One key's counts: by window, all time, distinct cards, card-testing declines."""

    velocity: KeyVelocity
    all_time: WindowCounts
    distinct_cards_hourly: int
    distinct_cards_daily: int
    card_testing_declines_daily: int
    # All time: the first attempt (the card's first sighting, for the card key); for the
    # customer key, its authorized payments (setups aside), their total, and whether this
    # card had an authorized attempt of theirs.
    first_seen: datetime | None
    paid: int
    paid_total: int
    used_card: bool


def key_counts(
    session: Session,
    account_id: str,
    livemode: bool,
    values: dict[str, str | None],
    now: int,
) -> dict[str, KeyCounts]:
    """Counts of earlier attempts for each key's value (`card`, `ip`, `email`, `customer`,
    `bin`), in one statement. Rule keys are also counted beyond the weekly window (rules
    can ask for all time); the BIN, shared by many cards, only within it."""
    params: dict[str, object] = {
        "account_id": account_id,
        "livemode": livemode,
        "upper": from_unix(now + 1),
        **{f"since_{span}": from_unix(now - span + 1) for span in _SPANS},
        **{f"value_{key}": values.get(key) for key in KEY_COLUMNS},
    }
    found: dict[str, KeyCounts] = {}
    for row in core_rows(session, _counts_statement(), params, READS):
        key = row[0]
        if values.get(key) is None:
            continue
        counts = [int(n or 0) for n in row[1:16]]
        windows = [_window(counts[i * 3 : i * 3 + 3]) for i in range(4)]
        first_seen, paid, paid_total, used_card = row[16:20]
        found[key] = KeyCounts(
            velocity=KeyVelocity(*windows[:3]),
            all_time=windows[3],
            distinct_cards_hourly=counts[12],
            distinct_cards_daily=counts[13],
            card_testing_declines_daily=counts[14],
            first_seen=first_seen,
            paid=int(paid or 0),
            paid_total=int(paid_total or 0),
            used_card=bool(used_card),
        )
    return found


@lru_cache(maxsize=1)
def _counts_statement() -> CompoundSelect[Any]:
    # Built once, with bound parameters: building the expression is most of the cost of a
    # statement this size, and the compiled form is then cached too.
    return union_all(*(_key_select(key) for key in KEY_COLUMNS))


# The models whose tables `key_counts` reads.
READS: tuple[type, ...] = (Row,)


def _key_select(key: str) -> Select[Any]:
    since = {span: bindparam(f"since_{span}", type_=UTCDateTime()) for span in _SPANS}
    sums = []
    for span in _SPANS:
        for outcome in _OUTCOMES:
            sums.append(_count(and_(Row.created >= since[span], Row.outcome == _const(outcome))))
    for outcome in _OUTCOMES:
        # All time: what rules may ask of a card, an IP, an email or a customer.
        every = _count(Row.outcome == _const(outcome))
        sums.append(every if key != "bin" else cast(null(), every.type))
    paid = and_(Row.outcome == _const("authorized"), Row.is_setup.is_(False))
    testing = and_(
        Row.created >= since[DAILY_SECONDS],
        Row.outcome == _const("declined"),
        Row.decline_code.in_([_const(code) for code in sorted(CARD_TESTING_DECLINE_CODES)]),
    )

    # Each key computes only what its signals need; the others are NULL. The BIN is shared
    # by many cards, so its rows are many: it gets the windowed velocity sums alone.
    def only(keys: tuple[str, ...], column: ColumnElement[Any]) -> ColumnElement[Any]:
        # A typed NULL: PostgreSQL types a bare NULL in a UNION's first branch as text.
        return column if key in keys else cast(null(), column.type)

    used = and_(
        Row.outcome == _const("authorized"), Row.card_fingerprint == bindparam("value_card")
    )
    stmt: Select[Any] = select(  # type: ignore[assignment]
        _const(key).label("key"),
        *sums,
        only(_DISTINCT_CARD_KEYS, _distinct_cards(since[HOURLY_SECONDS])),
        only(_DISTINCT_CARD_KEYS, _distinct_cards(since[DAILY_SECONDS])),
        only(("ip",), _count(testing)),
        only(("card",), func.min(Row.created)),
        only(("customer",), _count(paid)),
        only(("customer",), func.sum(Row.amount).filter(paid)),
        only(("customer",), _count(used)),
    ).where(
        Row.account_id == bindparam("account_id"),
        Row.livemode == bindparam("livemode"),
        KEY_COLUMNS[key] == bindparam(f"value_{key}"),
        Row.created < bindparam("upper", type_=UTCDateTime()),
    )
    if key == "bin":
        stmt = stmt.where(Row.created >= since[WEEKLY_SECONDS])
    return stmt


def add(session: Session, row: Row) -> None:
    session.add(row)


_SPANS = (HOURLY_SECONDS, DAILY_SECONDS, WEEKLY_SECONDS)
_DISTINCT_CARD_KEYS = ("ip", "email", "customer")


def _const(value: str) -> ColumnElement[str]:
    """One of this module's own words written into the statement, not bound: a statement
    with fewer parameters is cheaper for the driver to send, every time."""
    assert value.replace("_", "").isalnum()  # never a value from outside
    return literal_column(f"'{value}'", String())


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    # FILTER rather than SUM(CASE ...): both databases skip the row at once, and no
    # per-row constants travel as bound parameters.
    return func.count().filter(condition)


def _distinct_cards(since: ColumnElement[datetime]) -> ColumnElement[int]:
    return func.count(func.distinct(Row.card_fingerprint)).filter(Row.created >= since)


def _window(counts: list[int]) -> WindowCounts:
    authorized, declined, blocked = counts
    return WindowCounts(authorized + declined + blocked, authorized, declined, blocked)
