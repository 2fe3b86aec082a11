"""What a Radar value list may hold: item types, aliases, the canonical form of each value,
the default lists every account has, and the size limit.

A value is stored in the form its list compares it, so that "is this on the list" is one
index lookup and the same value added twice is a duplicate: strings and emails in lower case
(`case_sensitive_string` as given), country codes in upper case, IP addresses in their
compressed form, structured values without surrounding blanks. Fingerprints and ids keep
their case: it is part of the value (`cus_Ab` and `cus_aB` are two customers). Pure: the API
checks types and lengths first, but services are called from screening and refunds too, so
every rule is checked here again.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from seikyu.core.errors import SeikyuError

MAX_ALIAS = 100
MAX_NAME = 100
MAX_VALUE = 800
# Stripe's documented limit. Read from the module at each use, so a test can lower it.
MAX_ITEMS_PER_LIST = 50_000
# Items shown inside a value list object (`list_items`), as a list page shows by default.
SHOWN_ITEMS = 10

CASE_SENSITIVE_STRING = "case_sensitive_string"
STRING = "string"
DEFAULT_ITEM_TYPE = STRING

# Every item type the pinned SDK declares.
ITEM_TYPES = (
    "account",
    "card_bin",
    "card_fingerprint",
    "case_sensitive_string",
    "country",
    "crypto_fingerprint",
    "customer_id",
    "email",
    "ip_address",
    "sepa_debit_fingerprint",
    "string",
    "us_bank_account_fingerprint",
)
_FINGERPRINTS = frozenset(
    {
        "card_fingerprint",
        "crypto_fingerprint",
        "sepa_debit_fingerprint",
        "us_bank_account_fingerprint",
    }
)
_FREE_TEXT = frozenset({STRING, CASE_SENSITIVE_STRING})

_ALIAS = re.compile(r"[A-Za-z0-9_]+")
_FINGERPRINT = re.compile(r"[A-Za-z0-9]{1,100}")
_CARD_BIN = re.compile(r"[0-9]{6}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
# Deliberately loose, as payment forms are: one @, something on each side, a dotted domain.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_PREFIXED_ID = {"customer_id": "cus_", "account": "acct_"}
_ID_BODY = re.compile(r"[A-Za-z0-9_]+")

_DESCRIBED = {
    "account": "an account id (acct_...)",
    "card_bin": "a card BIN: the first six digits of a card number",
    "card_fingerprint": "a card fingerprint: letters and digits",
    "country": "a two-letter country code",
    "crypto_fingerprint": "a crypto wallet fingerprint: letters and digits",
    "customer_id": "a customer id (cus_...)",
    "email": "an email address",
    "ip_address": "an IPv4 or IPv6 address",
    "sepa_debit_fingerprint": "a SEPA Direct Debit fingerprint: letters and digits",
    "us_bank_account_fingerprint": "a US bank account fingerprint: letters and digits",
}


class InvalidValue(SeikyuError):
    """A value that cannot be on a list of the given type."""


def check_item_type(item_type: str) -> str:
    if item_type not in ITEM_TYPES:
        raise SeikyuError(
            f"Invalid item_type: must be one of {', '.join(ITEM_TYPES[:-1])}, or {ITEM_TYPES[-1]}",
            param="item_type",
            code="parameter_invalid_enum",
        )
    return item_type


def check_alias(alias: str, *, param: str = "alias") -> str:
    """Letters, digits and underscores, as a rule writes it after `@`."""
    if not alias or len(alias) > MAX_ALIAS or not _ALIAS.fullmatch(alias):
        raise SeikyuError(
            f"Invalid alias '{alias[:MAX_ALIAS]}': an alias is 1 to {MAX_ALIAS} letters, "
            "digits and underscores, so that rules can refer to it as @alias.",
            param=param,
        )
    return alias


def check_name(name: str, *, param: str = "name") -> str:
    if not name.strip() or len(name) > MAX_NAME:
        raise SeikyuError(
            f"Invalid name: a value list's name is 1 to {MAX_NAME} characters, not all blank.",
            param=param,
        )
    return name


def normalize(item_type: str, value: str, *, param: str = "value") -> str:
    """The canonical form of `value` on a list of `item_type`; `InvalidValue` if it cannot
    be on such a list."""
    if item_type in _FREE_TEXT:
        if not value or len(value) > MAX_VALUE:
            raise _invalid(item_type, value, param, f"1 to {MAX_VALUE} characters")
        # casefold, not lower: rules compare strings with casefold, so the list agrees.
        return value if item_type == CASE_SENSITIVE_STRING else value.casefold()
    text = value.strip()
    canonical = _structured(item_type, text)
    if canonical is None or len(canonical) > MAX_VALUE:
        raise _invalid(item_type, value, param, _DESCRIBED.get(item_type, item_type))
    return canonical


def normalized_or_none(item_type: str, value: str) -> str | None:
    """`normalize`, with None for a value no list of that type can hold (a lookup's miss)."""
    try:
        return normalize(item_type, value)
    except SeikyuError:
        return None


def forms_by_type(value: str) -> dict[str, list[str]]:
    """For a value looked up on lists of any type: each canonical form it takes, with the
    item types that give it that form. Types that cannot hold the value are left out."""
    forms: dict[str, list[str]] = {}
    for item_type in ITEM_TYPES:
        form = normalized_or_none(item_type, value)
        if form is not None:
            forms.setdefault(form, []).append(item_type)
    return forms


def _structured(item_type: str, text: str) -> str | None:
    if item_type in _FINGERPRINTS:
        return text if _FINGERPRINT.fullmatch(text) else None
    if item_type == "card_bin":
        return text if _CARD_BIN.fullmatch(text) else None
    if item_type == "country":
        return text.upper() if _COUNTRY.fullmatch(text) else None
    if item_type == "email":
        return text.lower() if _EMAIL.fullmatch(text) else None
    if item_type == "ip_address":
        return _ip(text)
    prefix = _PREFIXED_ID.get(item_type)
    if prefix is not None:
        body = text[len(prefix) :]
        ok = text.startswith(prefix) and _ID_BODY.fullmatch(body) is not None
        return text if ok else None
    return None


def _ip(text: str) -> str | None:
    # A zone index (`fe80::1%eth0`) names an interface of one host: no payment has one.
    if "%" in text:
        return None
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return None


def _invalid(item_type: str, value: str, param: str, expected: str) -> InvalidValue:
    shown = value if len(value) <= 100 else value[:100] + "..."
    return InvalidValue(
        f"Invalid value '{shown}' for a value list of item_type {item_type}: expected {expected}.",
        param=param,
    )


def check_room(count: int, *, limit: int) -> None:
    """A list holding `count` items can take one more."""
    if count >= limit:
        raise SeikyuError(
            f"This value list already holds {limit} items, the most a list can hold. "
            "Remove items or use another list.",
            param="value_list",
        )


# --- default lists ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DefaultList:
    alias: str
    name: str
    item_type: str


# What each default list is for: the attribute a rule compares with it, its item type and
# how it reads in a name. Stripe keeps one allow and one block list per kind of
# information; these are the kinds Seikyu screens on.
_DEFAULT_KINDS = (
    ("card_bin", "card_bin", "card BINs"),
    ("card_country", "country", "card countries"),
    ("card_fingerprint", "card_fingerprint", "card fingerprints"),
    ("customer_id", "customer_id", "customer IDs"),
    ("email", "email", "email addresses"),
    ("ip_address", "ip_address", "client IP addresses"),
    ("ip_country", "country", "client IP countries"),
)

DEFAULT_LISTS = tuple(
    DefaultList(f"{verb.lower()}_list_{kind}", f"{verb}ed {described}", item_type)
    for verb in ("Allow", "Block")
    for kind, item_type, described in _DEFAULT_KINDS
)
DEFAULT_ALIASES = frozenset(default.alias for default in DEFAULT_LISTS)


def default_block_list(item_type: str) -> DefaultList:
    """The default block list that takes values of `item_type` (the card list for
    countries: a refund as fraud says something about the card, not where it was used)."""
    for default in DEFAULT_LISTS:
        if default.alias.startswith("block_") and default.item_type == item_type:
            return default
    kinds = sorted({d.item_type for d in DEFAULT_LISTS})
    raise SeikyuError(
        f"There is no default block list for item_type {item_type}; "
        f"default block lists hold {', '.join(kinds)}.",
        param="item_type",
    )


def is_default(alias: str) -> bool:
    return alias in DEFAULT_ALIASES
