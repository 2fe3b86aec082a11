"""What identifies a request's caller and its parameters: the secret in its Authorization
header, and the fingerprint an Idempotency-Key is held to."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import orjson

from seikyu.files.domain.upload import Upload


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
    canonical = orjson.dumps(
        {"m": method, "p": path, "b": params},
        option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS,
        default=_file,
    )
    return hashlib.sha256(canonical).hexdigest()


def _file(value: Any) -> Any:
    """An uploaded file counts by its name and the digest of its bytes."""
    if isinstance(value, Upload):
        return {"filename": value.filename, "sha256": hashlib.sha256(value.data).hexdigest()}
    raise TypeError(f"{type(value).__name__} is not a request parameter")
