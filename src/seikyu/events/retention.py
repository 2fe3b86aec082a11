"""How long events, and the webhook deliveries and attempts made for them, are kept.

Stripe keeps events for 30 days; Seikyu does the same by default. Age is read from the id,
not from `created`: an event on a test clock is created at its simulated time (possibly
years ago), but its id encodes when it was really written, which is what storage cares
about.

Deletion goes oldest first in bounded batches, one short transaction each, so a first run
over a large backlog never holds the write lock (SQLite) or a long transaction
(PostgreSQL) for long. An event with a delivery still pending is kept until the delivery
finishes, and a pending delivery keeps its attempts: a retry or resend in progress must not
lose what it works on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from seikyu.db.uow import UnitOfWork
from seikyu.events import retention_repository as repository

DEFAULT_RETENTION = timedelta(days=30)
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 3650


def prune_attempts(uow: UnitOfWork, older_than: datetime, limit: int) -> int:
    """Delete up to `limit` attempts made before `older_than` whose delivery is over."""
    return repository.prune_attempts(uow.session, older_than, limit)


def prune_deliveries(uow: UnitOfWork, older_than: datetime, limit: int) -> int:
    """Delete up to `limit` finished deliveries created before `older_than`."""
    return repository.prune_deliveries(uow.session, older_than, limit)


def prune_events(uow: UnitOfWork, older_than: datetime, limit: int) -> int:
    """Delete up to `limit` events written before `older_than`, none still being delivered."""
    return repository.prune_events(uow.session, older_than, limit)
