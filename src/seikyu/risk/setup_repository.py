"""SQL for what screening reads besides the signals: the account's Radar settings, its
active rules and the payment's memberships in the account's value lists, in one statement.

One statement rather than three: each round trip to the database is a wait that a busy
host stretches, and screening sits in the path of every card payment. The three parts are
rows of one UNION ALL told apart by their first column. Memberships are found from the
payment's values (an index on the account, the mode and the value), not from the lists
the rules name: those are only known once the rules are parsed. Lists the rules do not
name cost nothing unless they hold one of the payment's values.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import CompoundSelect, bindparam, cast, literal_column, null, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from seikyu.db.core_reads import core_rows
from seikyu.db.models.accounts import Account
from seikyu.db.models.radar_rules import RadarRule
from seikyu.db.models.radar_value_list_items import RadarValueListItem as Item
from seikyu.db.models.radar_value_lists import RadarValueList as ValueList
from seikyu.db.types import JsonType
from seikyu.risk.value_list_repository import padded

_SETTINGS, _RULE, _MEMBER = "settings", "rule", "member"


@dataclass(frozen=True, slots=True)
class ScreeningSetup:
    """The account's settings (the stored JSON), its active rules as (id, action,
    predicate) in the order they were made, and (alias, item type, stored value) for each
    list item equal to one of the values asked about."""

    settings: dict[str, Any] = field(default_factory=dict)
    rules: list[tuple[str, str, str]] = field(default_factory=list)
    members: list[tuple[str, str, str]] = field(default_factory=list)


# The models whose tables `read` reads.
READS: tuple[type, ...] = (Account, RadarRule, ValueList, Item)


def read(
    session: Session, account_id: str, livemode: bool, values: Collection[str]
) -> ScreeningSetup:
    rows = core_rows(
        session,
        _statement(),
        {
            "account_id": account_id,
            "livemode": livemode,
            "values": padded(values),
        },
        READS,
    )
    settings: dict[str, Any] = {}
    rules: list[tuple[str, str, str]] = []
    members: list[tuple[str, str, str]] = []
    for kind, first, second, third, stored in rows:
        if kind == _SETTINGS:
            settings = stored or {}
        elif kind == _RULE:
            rules.append((first, second, third))
        else:
            members.append((first, second, third))
    # Ids grow with time: sorted, they give the order the rules were made in.
    rules.sort()
    return ScreeningSetup(settings, rules, members)


@lru_cache(maxsize=1)
def _statement() -> CompoundSelect[Any]:
    # Built once, with bound parameters: its compiled form is cached, and the values are
    # expanded into it at each execution.
    no_json = cast(null(), JsonType())
    account = select(
        _word(_SETTINGS), null(), null(), null(), Account.settings.label("stored")
    ).where(Account.id == bindparam("account_id"))
    rules = select(
        _word(_RULE), RadarRule.id, RadarRule.action, RadarRule.predicate, no_json
    ).where(
        RadarRule.account_id == bindparam("account_id"),
        RadarRule.livemode == bindparam("livemode"),
        RadarRule.status == _word("active"),
    )
    members = (
        select(_word(_MEMBER), ValueList.alias, ValueList.item_type, Item.value, no_json)
        .join(ValueList, ValueList.id == Item.value_list_id)
        .where(
            Item.account_id == bindparam("account_id"),
            Item.livemode == bindparam("livemode"),
            Item.value.in_(bindparam("values", expanding=True)),
        )
    )
    return union_all(account, rules, members)


def _word(value: str) -> Any:
    """One of this module's own words written into the statement, not bound."""
    assert value.isalpha()  # never a value from outside
    return literal_column(f"'{value}'", String())
