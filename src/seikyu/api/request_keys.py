"""What identifies a request's caller and its parameters: the secret in its Authorization
header, and the fingerprint an Idempotency-Key is held to."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import orjson


def secret_from(header: str) -> str:
    """The key from `Bearer <key>`, or the user of `Basic` auth (as Stripe's curl examples
    send it); "" when there is none."""
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return value.strip()
    if scheme == "basic":
        try:
            user, _, _password = base64.b64decode(value.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return ""
        return user
    return ""


def fingerprint(method: str, path: str, params: Any) -> str:
    """Same method, path and parameters give the same fingerprint, whatever their order."""
    canonical = orjson.dumps({"m": method, "p": path, "b": params}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()
