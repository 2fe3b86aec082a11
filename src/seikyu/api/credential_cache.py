"""Recently verified keys, so that a burst of requests does not look up its key each time.

A key revoked from another process stops working once its entry expires: within
`TTL_SECONDS`. Only successful look-ups are kept, so a wrong key is never cached.
"""

from __future__ import annotations

import hashlib
import threading

from seikyu.accounts.service import Credentials
from seikyu.core.clock import monotonic

TTL_SECONDS = 1.0
MAX_ENTRIES = 10_000


class CredentialCache:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self._ttl = ttl
        self._entries: dict[str, tuple[float, Credentials]] = {}
        self._lock = threading.Lock()

    def get(self, secret: str) -> Credentials | None:
        entry = self._entries.get(_digest(secret))
        if entry is None or entry[0] < monotonic():
            return None
        return entry[1]

    def put(self, secret: str, credentials: Credentials) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[_digest(secret)] = (monotonic() + self._ttl, credentials)


def _digest(secret: str) -> str:
    # Keyed by digest so that no secret sits in memory longer than its request.
    return hashlib.sha256(secret.encode()).hexdigest()
