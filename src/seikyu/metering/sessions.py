"""Meter event sessions: short-lived tokens that authenticate the v2 event stream.

A token is shown once; only its SHA-256 is stored. Tokens are checked on every stream
request, so the ones found are remembered: a session cannot be revoked, only expire, and
its expiry is checked on every use, so the cache never says yes where the database would
say no.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from seikyu.core.ids import random_token
from seikyu.db.models.meter_event_sessions import MeterEventSession
from seikyu.db.uow import Database, UnitOfWork
from seikyu.metering import ingest_repository as repo

LIFETIME = timedelta(minutes=15)
MAX_CACHED = 10_000


@dataclass(frozen=True, slots=True)
class Grant:
    """What a valid token allows: reporting events for one account and mode, until then."""

    session_id: str
    account_id: str
    livemode: bool
    expires_at: datetime


def create(uow: UnitOfWork) -> dict[str, Any]:
    mode = "live" if uow.livemode else "test"
    token = f"ek_{mode}_{random_token(48)}"
    row = MeterEventSession(
        id=uow.new_id("mtres"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        token_hash=token_hash(token),
        expires_at=uow.now + LIFETIME,
    )
    uow.session.add(row)
    return {
        "id": row.id,
        "authentication_token": token,
        "created": row.created,
        "expires_at": row.expires_at,
        "livemode": row.livemode,
    }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionTokens:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def live(self, grant: Grant) -> bool:
        return self._db.clock.now() < grant.expires_at

    def cached(self, token: str) -> Grant | None:
        """The token's grant if this process has seen it (expired or not)."""
        return self._grants.get(token_hash(token))

    def find(self, token: str) -> Grant | None:
        """As `cached`, asking the database on a miss (blocking: call off the event loop);
        None for a token that was never issued."""
        grant = self.cached(token)
        if grant is not None:
            return grant
        digest = token_hash(token)
        with self._db.unit(readonly=True) as uow:
            row = repo.session_by_token_hash(uow.session, digest)
            if row is None:
                return None
            grant = Grant(row.id, row.account_id, row.livemode, row.expires_at)
        with self._lock:
            if len(self._grants) >= MAX_CACHED:
                self._grants.clear()
            self._grants[digest] = grant
        return grant
