"""Stripe's form encoding: `a[b][0][c]=v`, `expand[]=x`, values always strings.

Decoding yields nested dicts, lists and strings; an empty string is kept as "" because on
Stripe's wire it means "clear this field".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from seikyu.core.errors import invalid
from seikyu.files.domain.upload import Upload

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")

# Far beyond any real parameter (Stripe's deepest are about six levels, its longest lists a
# few hundred entries), low enough that a hostile body cannot exhaust the stack or memory.
MAX_DEPTH = 32
MAX_FIELDS = 10_000

Decoded = dict[str, Any]


def decode(raw: str | bytes) -> Decoded:
    """Decode a query string or form body into nested params."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise invalid(f"Too many parameters: a request may have at most {MAX_FIELDS}.") from None
    return assemble(pairs)


def assemble(pairs: Iterable[tuple[str, Any]]) -> Decoded:
    """Nested params from `(name, value)` pairs in the order sent; a value that is not a
    string (an uploaded file) is placed as it is."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        if not key:
            continue  # `=x` or a stray `&`: nothing is named, so nothing is set
        if "\x00" in key or (isinstance(value, str) and "\x00" in value):
            # Neither database can store NUL in text, and no Stripe value contains one.
            raise invalid(f"Invalid string: {key} contains a null byte.", param=_printable(key))
        _insert(root, key, value)
    # The top level is always a hash: a parameter named `0` is a name, not an index.
    return {key: _listify(value) for key, value in root.items()}


def _printable(key: str) -> str:
    return key.replace("\x00", "")


def _insert(root: dict[str, Any], key: str, value: Any) -> None:
    if "[" not in key and "]" not in key:
        _put(root, key, value, key)  # a plain name, most of any request: no pattern needed
        return
    match = _KEY.match(key)
    if match is None:
        raise invalid(f"Invalid parameter name: {key}", param=key)
    path = [match.group(1), *_PART.findall(match.group(2))]
    if len(path) > MAX_DEPTH:
        raise invalid(
            f"Invalid parameter name: {key} is nested more than {MAX_DEPTH} levels deep.",
            param=key,
        )
    node: Any = root
    for index, part in enumerate(path[:-1]):
        following = path[index + 1]
        if isinstance(node, list):
            node = _array_slot(node, part, path[index + 1 :], key)
            continue
        child = node.get(part)
        if child is None:
            child = [] if following == "" else {}
            node[part] = child
        elif not isinstance(child, (dict, list)):
            raise invalid(f"Invalid parameter name: {key} (conflicts with a value)", param=key)
        node = child
    _put(node, path[-1], value, key)


def _array_slot(array: list[Any], part: str, rest: list[str], key: str) -> dict[str, Any]:
    """The hash an `a[][x]=...` pair writes into, the way Rack reads such arrays.

    The pair joins the last element unless that element already has `x`, in which case it
    starts a new element: `a[][p]=1&a[][q]=2&a[][p]=3` is `[{p:1, q:2}, {p:3}]`.
    """
    if part != "":
        raise invalid(f"Invalid array: {key}", param=key)
    if rest[0] == "":
        raise invalid(f"Invalid parameter name: {key} (arrays of arrays need indexes)", param=key)
    last = array[-1] if array else None
    if isinstance(last, dict) and rest[0] not in last:
        return last
    fresh: dict[str, Any] = {}
    array.append(fresh)
    return fresh


def _put(node: Any, part: str, value: Any, key: str) -> None:
    if isinstance(node, list):
        if part != "":
            raise invalid(f"Invalid array: {key}", param=key)
        node.append(value)
        return
    if part == "":
        raise invalid(f"Invalid parameter name: {key}", param=key)
    if isinstance(node.get(part), (dict, list)):
        raise invalid(f"Invalid parameter name: {key} (conflicts with a hash)", param=key)
    node[part] = value


def _listify(node: Any) -> Any:
    """Turn `{"0": a, "1": b}` into `[a, b]`: the SDK sends arrays with explicit indexes.

    Indexes only order the elements: gaps close up, as they do when Stripe reads them.
    """
    if isinstance(node, list):
        return [_listify(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isascii() and key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def bracket_path(location: tuple[str | int, ...] | list[str | int]) -> str:
    """("items", 0, "price") -> "items[0][price]", the way Stripe names params."""
    if not location:
        return ""
    head, *rest = location
    return str(head) + "".join(f"[{part}]" for part in rest)


SENSITIVE = frozenset({"number", "cvc", "card_number", "account_number", "secret"})


def redact(params: Any) -> Any:
    """A copy safe to log: card numbers and CVCs are replaced wherever they appear, and an
    uploaded file by its name and size."""
    if isinstance(params, Upload):
        return f"[file {params.filename or ''}, {len(params.data):,} bytes]"
    if isinstance(params, dict):
        return {
            key: ("[REDACTED]" if key in SENSITIVE else redact(value))
            for key, value in params.items()
        }
    if isinstance(params, list):
        return [redact(item) for item in params]
    return params
