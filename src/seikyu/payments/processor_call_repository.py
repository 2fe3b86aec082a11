"""SQL for the processor call journal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from seikyu.db import pending
from seikyu.db.models.processor_calls import ProcessorCall

# These statements write the journal's rows alone: the payment's other changes can wait for
# the unit's next flush.
_JOURNAL: tuple[type, ...] = (ProcessorCall,)


def record_sent(session: Session, values: dict[str, Any]) -> None:
    """Journal a call; a call sent again under its key (after a rollback) keeps its row."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    with pending.autoflush_if_needed(session, _JOURNAL):
        session.execute(insert(ProcessorCall).values(**values).on_conflict_do_nothing())


def settle(session: Session, key: str, resolution: str, now: datetime) -> None:
    with pending.autoflush_if_needed(session, _JOURNAL):
        session.execute(
            update(ProcessorCall)
            .where(ProcessorCall.idempotency_key == key)
            .values(settled=True, resolution=resolution, settled_at=now)
        )


def open_keys(session: Session, sent_before: datetime, limit: int) -> list[str]:
    """Calls sent before `sent_before` whose outcome nobody recorded, oldest first."""
    return list(
        session.scalars(
            select(ProcessorCall.idempotency_key)
            .where(ProcessorCall.settled.is_(False), ProcessorCall.sent_at < sent_before)
            .order_by(ProcessorCall.sent_at)
            .limit(limit)
        )
    )


def get(session: Session, key: str, *, for_update: bool = False) -> ProcessorCall | None:
    stmt = select(ProcessorCall).where(ProcessorCall.idempotency_key == key)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)
