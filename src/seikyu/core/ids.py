"""Stripe-style prefixed ids whose random part sorts by creation time.

Lists paginate as a range on the id, so ids must sort in creation order: the first
characters encode milliseconds since the epoch, the rest is random, and within one
process a new id is always greater than the previous one.
"""

from __future__ import annotations

import os
import random
import secrets
import threading
from datetime import datetime

from seikyu.core.clock import Clock, SystemClock

# ASCII order, so that byte-wise comparison (COLLATE "C", SQLite BINARY) matches numeric order.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
LENGTH = 22  # 62**22 > 2**130: 48 bits of milliseconds and 80 random bits fit
_RANDOM_BITS = 80


# Two characters at a time: half as many divisions of a 130-bit number, which is most of
# what making an id costs.
_PAIRS = [a + b for a in ALPHABET for b in ALPHABET]


def _encode(number: int) -> str:
    pairs = []
    for _ in range(LENGTH // 2):
        number, pair = divmod(number, 3844)  # 62 ** 2
        pairs.append(_PAIRS[pair])
    return "".join(reversed(pairs))


class IdGenerator:
    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._last = 0
        self._lock = threading.Lock()
        # Ids are unique, not secret: a seeded generator spares a system call per id.
        # Reseeded in forked children so that two workers never share a sequence.
        self._random = random.Random(os.urandom(16))
        os.register_at_fork(after_in_child=self._reseed)

    def _reseed(self) -> None:
        self._random.seed(os.urandom(16))

    def new(self, prefix: str) -> str:
        millis = int(self._clock.now().timestamp() * 1000)
        candidate = (millis << _RANDOM_BITS) | self._random.getrandbits(_RANDOM_BITS)
        with self._lock:
            value = max(candidate, self._last + 1)
            self._last = value
        return f"{prefix}_{_encode(value)}"


def first_id_at(prefix: str, at: datetime) -> str:
    """A bound between ids: after every id of `prefix` made before `at`, before every one
    made from `at` on. Rows can be aged by id where `created` may be a test clock's time."""
    return f"{prefix}_{_encode(int(at.timestamp() * 1000) << _RANDOM_BITS)}"


def random_token(length: int = 24) -> str:
    """A random string from the id alphabet, for secrets and codes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


_default = IdGenerator()


def new_id(prefix: str) -> str:
    return _default.new(prefix)
