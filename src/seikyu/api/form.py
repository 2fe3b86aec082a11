"""Stripe's form encoding: `a[b][0][c]=v`, `expand[]=x`, values always strings.

Decoding yields nested dicts, lists and strings; an empty string is kept as "" because on
Stripe's wire it means "clear this field".
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from seikyu.core.errors import invalid

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")

Decoded = dict[str, Any]


def decode(raw: str | bytes) -> Decoded:
    """Decode a query string or form body into nested params."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        _insert(root, key, value)
    return _listify(root)  # type: ignore[no-any-return]


def _insert(root: dict[str, Any], key: str, value: str) -> None:
    match = _KEY.match(key)
    if match is None:
        raise invalid(f"Invalid parameter name: {key}", param=key)
    path = [match.group(1), *_PART.findall(match.group(2))]
    node: Any = root
    for index, part in enumerate(path[:-1]):
        following = path[index + 1]
        child = _child(node, part, key)
        if child is None:
            child = [] if following == "" else {}
            _put(node, part, child, key)
        elif not isinstance(child, (dict, list)):
            raise invalid(f"Invalid parameter name: {key} (conflicts with a value)", param=key)
        node = child
    _put(node, path[-1], value, key)


def _child(node: Any, part: str, key: str) -> Any:
    if isinstance(node, list):
        if part != "":
            raise invalid(f"Invalid array: {key}", param=key)
        return None
    return node.get(part)


def _put(node: Any, part: str, value: Any, key: str) -> None:
    if isinstance(node, list):
        node.append(value)
        return
    if part == "":
        raise invalid(f"Invalid parameter name: {key}", param=key)
    if isinstance(node.get(part), (dict, list)) and not isinstance(value, (dict, list)):
        raise invalid(f"Invalid parameter name: {key} (conflicts with a hash)", param=key)
    node[part] = value


def _listify(node: Any) -> Any:
    """Turn `{"0": a, "1": b}` into `[a, b]`: the SDK sends arrays with explicit indexes."""
    if isinstance(node, list):
        return [_listify(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
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
    """A copy safe to log: card numbers and CVCs are replaced wherever they appear."""
    if isinstance(params, dict):
        return {
            key: ("[REDACTED]" if key in SENSITIVE else redact(value))
            for key, value in params.items()
        }
    if isinstance(params, list):
        return [redact(item) for item in params]
    return params
