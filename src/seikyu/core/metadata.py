"""Stripe's metadata rules: set keys, unset a key with "", clear all with an empty field."""

from __future__ import annotations

from collections.abc import Mapping

from seikyu.core.errors import SeikyuError

MAX_KEYS = 50
MAX_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 500


def merge(current: Mapping[str, str], change: Mapping[str, str] | None) -> dict[str, str]:
    """Apply an update's `metadata` to the stored one. `None` means `metadata=` (clear)."""
    if change is None:
        return {}
    merged = dict(current)
    for key, value in change.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > MAX_KEYS:
        raise SeikyuError(
            f"Metadata can have up to {MAX_KEYS} keys, but you've set {len(merged)}.",
            param="metadata",
        )
    return merged


def initial(given: Mapping[str, str] | None) -> dict[str, str]:
    """Metadata for a new object: keys given as "" are simply not set."""
    return merge({}, given or {})
