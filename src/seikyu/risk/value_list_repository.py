"""SQL for Radar value lists and their items."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, delete, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from seikyu.db.models.radar_value_list_items import RadarValueListItem
from seikyu.db.models.radar_value_lists import RadarValueList
from seikyu.db.pagination import Page, Window, paginate

ValueList = RadarValueList
ListItem = RadarValueListItem


def add_list(session: Session, value_list: RadarValueList) -> None:
    session.add(value_list)


def add_item(session: Session, item: RadarValueListItem) -> None:
    session.add(item)


def _lists(account_id: str, livemode: bool) -> Select[RadarValueList]:
    return select(ValueList).where(
        ValueList.account_id == account_id, ValueList.livemode == livemode
    )


def _items(account_id: str, livemode: bool) -> Select[RadarValueListItem]:
    return select(ListItem).where(ListItem.account_id == account_id, ListItem.livemode == livemode)


def get_list(
    session: Session, account_id: str, livemode: bool, list_id: str, *, for_update: bool = False
) -> RadarValueList | None:
    stmt = _lists(account_id, livemode).where(ValueList.id == list_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def list_by_alias(
    session: Session, account_id: str, livemode: bool, alias: str, *, for_update: bool = False
) -> RadarValueList | None:
    stmt = _lists(account_id, livemode).where(ValueList.alias == alias)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def count_aliases(
    session: Session, account_id: str, livemode: bool, aliases: Collection[str]
) -> int:
    stmt = (
        select(func.count())
        .select_from(ValueList)
        .where(
            ValueList.account_id == account_id,
            ValueList.livemode == livemode,
            ValueList.alias.in_(aliases),
        )
    )
    return int(session.scalar(stmt) or 0)


def insert_lists_if_absent(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """One multi-row INSERT that skips aliases already taken, by this transaction or a
    concurrent one: it is atomic even where the statement commits on its own."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, RadarValueList.__table__)
    stmt = make(table).on_conflict_do_nothing(index_elements=["account_id", "livemode", "alias"])
    session.execute(stmt.values([dict(row) for row in rows]))


def page_lists(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    alias: str | None,
    forms: Mapping[str, Collection[str]] | None,
) -> Page[RadarValueList]:
    """`forms`, when given, keeps the lists holding the value: each canonical form of it
    with the item types whose lists store it in that form."""
    stmt = _lists(account_id, livemode)
    if alias is not None:
        stmt = stmt.where(ValueList.alias == alias)
    if forms is not None:
        stmt = stmt.where(_holds_any(forms))
    return paginate(session, stmt, ValueList.id, ValueList.created, window)


def _holds_any(forms: Mapping[str, Collection[str]]) -> ColumnElement[bool]:
    if not forms:
        return ValueList.id.is_(None)
    matches = [
        and_(ValueList.item_type.in_(item_types), ListItem.value == form)
        for form, item_types in forms.items()
    ]
    return exists(
        select(ListItem.id)
        .where(ListItem.value_list_id == ValueList.id, or_(*matches))
        .correlate(ValueList)
    )


def get_item(
    session: Session, account_id: str, livemode: bool, item_id: str
) -> RadarValueListItem | None:
    return session.scalar(_items(account_id, livemode).where(ListItem.id == item_id))


def item_with_value(
    session: Session, account_id: str, livemode: bool, list_id: str, value: str
) -> RadarValueListItem | None:
    stmt = _items(account_id, livemode).where(
        ListItem.value_list_id == list_id, ListItem.value == value
    )
    return session.scalar(stmt)


def count_items(session: Session, account_id: str, livemode: bool, list_id: str) -> int:
    stmt = (
        select(func.count())
        .select_from(ListItem)
        .where(
            ListItem.account_id == account_id,
            ListItem.livemode == livemode,
            ListItem.value_list_id == list_id,
        )
    )
    return int(session.scalar(stmt) or 0)


def page_items(
    session: Session,
    account_id: str,
    livemode: bool,
    list_id: str,
    window: Window,
    *,
    value: str | None,
) -> Page[RadarValueListItem]:
    stmt = _items(account_id, livemode).where(ListItem.value_list_id == list_id)
    if value is not None:
        stmt = stmt.where(ListItem.value == value)
    return paginate(session, stmt, ListItem.id, ListItem.created, window)


def first_items(
    session: Session, list_ids: Collection[str], count: int
) -> dict[str, list[RadarValueListItem]]:
    """Up to `count` newest items of each list, in one query whatever the number of lists."""
    if not list_ids:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=ListItem.value_list_id, order_by=ListItem.id.desc())
        .label("rank")
    )
    ranked = select(ListItem.id, rank).where(ListItem.value_list_id.in_(list_ids)).subquery()
    stmt = (
        select(ListItem)
        .join(ranked, ranked.c.id == ListItem.id)
        .where(ranked.c.rank <= count)
        .order_by(ListItem.value_list_id, ListItem.id.desc())
    )
    found: dict[str, list[RadarValueListItem]] = {list_id: [] for list_id in list_ids}
    for item in session.scalars(stmt):
        found[item.value_list_id].append(item)
    return found


def delete_items_of(session: Session, list_id: str) -> None:
    session.execute(
        delete(ListItem)
        .where(ListItem.value_list_id == list_id)
        .execution_options(synchronize_session=False)
    )


def delete_list(session: Session, value_list: RadarValueList) -> None:
    session.delete(value_list)


def delete_item(session: Session, item: RadarValueListItem) -> None:
    session.delete(item)


def members(
    session: Session,
    account_id: str,
    livemode: bool,
    aliases: Collection[str],
    values: Collection[str],
) -> list[tuple[str, str, str]]:
    """(alias, item type, value) of each item among `values` on a list among `aliases`."""
    if not aliases or not values:
        return []
    stmt = (
        select(ValueList.alias, ValueList.item_type, ListItem.value)
        .join(ListItem, ListItem.value_list_id == ValueList.id)
        .where(
            ValueList.account_id == account_id,
            ValueList.livemode == livemode,
            ValueList.alias.in_(padded(aliases)),
            ListItem.value.in_(padded(values)),
        )
    )
    return [(alias, item_type, value) for alias, item_type, value in session.execute(stmt)]


def padded(values: Collection[str]) -> list[str]:
    """`values` and empty strings up to a power of two: screening asks this for every
    payment with a few more or fewer values, and a few fixed lengths keep the statement's
    text, and so its compiled and prepared forms, the same. No alias or value is empty."""
    out = sorted(values)
    size = 1
    while size < len(out):
        size *= 2
    return out + [""] * (size - len(out))
