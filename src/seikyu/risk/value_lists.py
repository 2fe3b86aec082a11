"""Radar value lists (`/v1/radar/value_lists`, `/v1/radar/value_list_items`): lists of
card fingerprints, emails, IP addresses and the like that rules read as `@alias`, the
default allow and block lists every account has, and the membership lookups screening
and refunds use.

Stripe records no events for value lists or their items, so neither does Seikyu.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from seikyu.accounts import service as accounts
from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, no_such
from seikyu.db.models.radar_value_list_items import RadarValueListItem
from seikyu.db.models.radar_value_lists import RadarValueList
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.risk import rules as account_rules
from seikyu.risk import value_list_repository as repository
from seikyu.risk.domain import value_list_rules as rules

OBJECT = "value list"
ITEM_OBJECT = "value list item"
PREFIX = "rsl"
ITEM_PREFIX = "rsli"

# `created_by` is "the name or email address of the user" in Stripe; a request made with a
# secret key has no user, so it says that it came through the API.
CREATED_BY_API = "API"
# The default lists, and items Seikyu adds itself (a refund as fraud).
CREATED_BY_SEIKYU = "Seikyu"


@dataclass(frozen=True, slots=True)
class ValueListView:
    """A value list with the first of its items, newest first: what the API shows."""

    value_list: RadarValueList
    items: list[RadarValueListItem] = field(default_factory=list)
    has_more: bool = False


@dataclass(frozen=True, slots=True)
class NewValueList:
    alias: str
    name: str
    item_type: str = rules.DEFAULT_ITEM_TYPE
    metadata: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ValueListChanges:
    alias: str | None = None
    name: str | None = None
    # `metadata=` clears every key, so "not given" needs its own flag.
    metadata_given: bool = False
    metadata: Mapping[str, str] | None = None


# --- default lists ------------------------------------------------------------------------


def ensure_default_lists(uow: UnitOfWork) -> None:
    """Make the account's default allow and block lists (`rules.DEFAULT_LISTS`) if any is
    missing. Cheap when they exist: one count.

    Runs on reads too. The lists are written by one INSERT that skips aliases already
    present, so two requests racing here both succeed, and on SQLite, where a read has no
    transaction and the statement commits on its own, it is still all or nothing.
    """
    aliases = rules.DEFAULT_ALIASES
    if repository.count_aliases(uow.session, uow.account_id, uow.livemode, aliases) == len(aliases):
        return
    rows = [
        {
            "id": uow.new_id(PREFIX),
            "account_id": uow.account_id,
            "livemode": uow.livemode,
            "created": uow.now,
            "alias": default.alias,
            "name": default.name,
            "item_type": default.item_type,
            "created_by": CREATED_BY_SEIKYU,
            "metadata": {},
        }
        for default in rules.DEFAULT_LISTS
    ]
    repository.insert_lists_if_absent(uow.session, rows)


def add_to_default_block_list(
    uow: UnitOfWork, item_type: str, value: str, *, created_by: str = CREATED_BY_SEIKYU
) -> RadarValueListItem | None:
    """Put `value` on the default block list for `item_type` (e.g. a card fingerprint and an
    email refunded as fraud), or find it already there.

    Returns None instead of failing when the value is not one such a list can hold or the
    list is full: the refund that asks for this must not fail because of its block list.
    """
    default = rules.default_block_list(item_type)
    ensure_default_lists(uow)
    value_list = repository.list_by_alias(
        uow.session, uow.account_id, uow.livemode, default.alias, for_update=True
    )
    if value_list is None:  # pragma: no cover - ensure_default_lists just made it
        raise no_such(OBJECT, default.alias, param=None)
    canonical = rules.normalized_or_none(value_list.item_type, value)
    if canonical is None:
        return None
    present = repository.item_with_value(
        uow.session, uow.account_id, uow.livemode, value_list.id, canonical
    )
    if present is not None:
        return present
    if _count(uow, value_list) >= rules.MAX_ITEMS_PER_LIST:
        return None
    return _add_item(uow, value_list, canonical, created_by)


def contains(uow: UnitOfWork, alias: str, value: str) -> bool:
    """Whether the list `@alias` holds `value`, compared in the list's canonical form."""
    forms = rules.forms_by_type(value)
    values_by_type = {t: [value] for types in forms.values() for t in types}
    return (alias, value) in memberships(uow, [alias], values_by_type)


def memberships(
    uow: UnitOfWork, aliases: Collection[str], values_by_type: Mapping[str, Collection[str]]
) -> frozenset[tuple[str, str]]:
    """Every (alias, value) such that list `@alias` holds `value`, in one query.

    `values_by_type` gives the candidate values for lists of each item type (a `string`
    list is matched only by the values given under "string"). Values come back as given,
    so a rule can ask `(alias, value) in found`; values no list of their type could hold,
    and aliases no list has, simply match nothing.
    """
    wanted = wanted_forms(values_by_type)
    if not wanted or not aliases:
        return frozenset()
    canonical_values = {canonical for _, canonical in wanted}
    rows = repository.members(
        uow.session, uow.account_id, uow.livemode, set(aliases), canonical_values
    )
    return matched(wanted, rows)


WantedForms = dict[tuple[str, str], set[str]]


def wanted_forms(values_by_type: Mapping[str, Collection[str]]) -> WantedForms:
    """For values looked up on lists of each item type: (item type, the form a list of that
    type stores the value in) -> the values as given. Values no list of their type could
    hold are left out."""
    wanted: WantedForms = {}
    for item_type, values in values_by_type.items():
        for value in values:
            canonical = rules.normalized_or_none(item_type, value)
            if canonical is not None:
                wanted.setdefault((item_type, canonical), set()).add(value)
    return wanted


def matched(
    wanted: WantedForms, rows: Iterable[tuple[str, str, str]]
) -> frozenset[tuple[str, str]]:
    """(alias, value as given) for each stored (alias, item type, value) that was wanted."""
    return frozenset(
        (alias, given)
        for alias, item_type, stored in rows
        for given in wanted.get((item_type, stored), ())
    )


# --- value lists --------------------------------------------------------------------------


def create(uow: UnitOfWork, new: NewValueList) -> ValueListView:
    """A new empty list; its alias must be free in the account (the default lists' too)."""
    alias = rules.check_alias(new.alias)
    name = rules.check_name(new.name)
    item_type = rules.check_item_type(new.item_type)
    # Aliases are unique per account: creations and renames take turns on the account row,
    # so the second of two racing for one alias gets the error instead of a conflict.
    accounts.lock(uow, uow.account_id)
    ensure_default_lists(uow)
    _check_alias_free(uow, alias)
    value_list = RadarValueList(
        id=uow.new_id(PREFIX),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        alias=alias,
        name=name,
        item_type=item_type,
        created_by=CREATED_BY_API,
        metadata_=metadata.initial(new.metadata),
    )
    repository.add_list(uow.session, value_list)
    return ValueListView(value_list)


def get(uow: UnitOfWork, list_id: str, *, param: str | None = "id") -> ValueListView:
    view = find(uow, list_id)
    if view is None:
        raise no_such(OBJECT, list_id, param=param)
    return view


def find(uow: UnitOfWork, list_id: str) -> ValueListView | None:
    ensure_default_lists(uow)
    value_list = repository.get_list(uow.session, uow.account_id, uow.livemode, list_id)
    return None if value_list is None else _views(uow, [value_list])[0]


def page(
    uow: UnitOfWork, window: Window, *, alias: str | None = None, contains: str | None = None
) -> Page[ValueListView]:
    """Newest first. `contains` keeps the lists holding that value, each compared in the
    form its own item type stores values."""
    ensure_default_lists(uow)
    forms = None if contains is None else rules.forms_by_type(contains)
    found = repository.page_lists(
        uow.session, uow.account_id, uow.livemode, window, alias=alias, forms=forms
    )
    return Page(_views(uow, found.items), found.has_more)


def update(uow: UnitOfWork, list_id: str, changes: ValueListChanges) -> ValueListView:
    """Alias, name and metadata can change; the item type cannot (Stripe's rule), and the
    default lists cannot change at all."""
    ensure_default_lists(uow)
    alias = None if changes.alias is None else rules.check_alias(changes.alias)
    name = None if changes.name is None else rules.check_name(changes.name)
    if alias is not None:
        accounts.lock(uow, uow.account_id)
    value_list = _locked(uow, list_id)
    if rules.is_default(value_list.alias):
        raise SeikyuError(
            f"The value list {value_list.id} (@{value_list.alias}) is a default list: its "
            "items can be added and removed, but the list itself cannot be changed."
        )
    if alias is not None and alias != value_list.alias:
        _check_alias_free(uow, alias)
        value_list.alias = alias
    if name is not None:
        value_list.name = name
    if changes.metadata_given:
        value_list.metadata_ = metadata.merge(value_list.metadata_, changes.metadata)
    return _views(uow, [value_list])[0]


def delete(uow: UnitOfWork, list_id: str) -> str:
    """Deletes the list and every item on it; the default lists cannot be deleted."""
    ensure_default_lists(uow)
    value_list = _locked(uow, list_id)
    if rules.is_default(value_list.alias):
        raise SeikyuError(
            f"The value list {value_list.id} (@{value_list.alias}) is a default list and "
            "cannot be deleted; remove its items instead."
        )
    using = account_rules.referencing(uow, value_list.alias)
    if using:
        raise SeikyuError(
            f"The value list {value_list.id} (@{value_list.alias}) is used by the rule "
            f"{using[0]}. Change or delete the rules that use it first."
        )
    repository.delete_items_of(uow.session, value_list.id)
    repository.delete_list(uow.session, value_list)
    return value_list.id


# --- items --------------------------------------------------------------------------------


def create_item(uow: UnitOfWork, list_id: str, value: str) -> RadarValueListItem:
    """`value` in its list's canonical form; the same value twice is refused, as is a value
    on a full list."""
    value_list = _locked(uow, list_id, param="value_list")
    canonical = rules.normalize(value_list.item_type, value)
    if (
        repository.item_with_value(
            uow.session, uow.account_id, uow.livemode, value_list.id, canonical
        )
        is not None
    ):
        raise SeikyuError(
            f"The value list {value_list.id} already contains the value '{canonical}'.",
            param="value",
            code="resource_already_exists",
        )
    rules.check_room(_count(uow, value_list), limit=rules.MAX_ITEMS_PER_LIST)
    return _add_item(uow, value_list, canonical, CREATED_BY_API)


def get_item(uow: UnitOfWork, item_id: str) -> RadarValueListItem:
    item = find_item(uow, item_id)
    if item is None:
        raise no_such(ITEM_OBJECT, item_id)
    return item


def find_item(uow: UnitOfWork, item_id: str) -> RadarValueListItem | None:
    return repository.get_item(uow.session, uow.account_id, uow.livemode, item_id)


def delete_item(uow: UnitOfWork, item_id: str) -> str:
    item = get_item(uow, item_id)
    repository.delete_item(uow.session, item)
    return item.id


def page_items(
    uow: UnitOfWork, list_id: str, window: Window, *, value: str | None = None
) -> Page[RadarValueListItem]:
    """A list's items, newest first. `value` is compared in the list's canonical form, so
    it finds `Jenny@Example.com` on an email list holding `jenny@example.com`; a value the
    list could not hold finds nothing."""
    value_list = repository.get_list(uow.session, uow.account_id, uow.livemode, list_id)
    if value_list is None:
        raise no_such(OBJECT, list_id, param="value_list")
    canonical = None
    if value is not None:
        canonical = rules.normalized_or_none(value_list.item_type, value)
        if canonical is None:
            return Page([], False)
    return repository.page_items(
        uow.session, uow.account_id, uow.livemode, value_list.id, window, value=canonical
    )


# --- helpers ------------------------------------------------------------------------------


def _add_item(
    uow: UnitOfWork, value_list: RadarValueList, canonical: str, created_by: str
) -> RadarValueListItem:
    item = RadarValueListItem(
        id=uow.new_id(ITEM_PREFIX),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        value_list_id=value_list.id,
        value=canonical,
        created_by=created_by,
    )
    repository.add_item(uow.session, item)
    return item


def _count(uow: UnitOfWork, value_list: RadarValueList) -> int:
    return repository.count_items(uow.session, uow.account_id, uow.livemode, value_list.id)


def _views(uow: UnitOfWork, value_lists: list[RadarValueList]) -> list[ValueListView]:
    shown = rules.SHOWN_ITEMS
    firsts = repository.first_items(uow.session, [v.id for v in value_lists], shown + 1)
    return [ValueListView(v, firsts[v.id][:shown], len(firsts[v.id]) > shown) for v in value_lists]


def _check_alias_free(uow: UnitOfWork, alias: str) -> None:
    holder = repository.list_by_alias(uow.session, uow.account_id, uow.livemode, alias)
    if holder is not None:
        raise SeikyuError(
            f"A value list with the alias '{alias}' already exists ({holder.id}). "
            "Aliases must be unique within an account.",
            param="alias",
            code="resource_already_exists",
        )


def _locked(uow: UnitOfWork, list_id: str, *, param: str | None = "id") -> RadarValueList:
    """The list, locked: items are added one at a time per list, so the size limit and the
    duplicate check see every item committed before."""
    value_list = repository.get_list(
        uow.session, uow.account_id, uow.livemode, list_id, for_update=True
    )
    if value_list is None:
        raise no_such(OBJECT, list_id, param=param)
    return value_list
