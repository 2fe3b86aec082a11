"""SQL for the request log and stored idempotent responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from seikyu.db.models import IdempotencyKey, RequestLog


def add_log(session: Session, row: dict[str, Any]) -> None:
    session.execute(insert(RequestLog), [row])


def add_logs(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(RequestLog), rows)


def find_key(session: Session, account_id: str, livemode: bool, key: str) -> IdempotencyKey | None:
    return session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.account_id == account_id,
            IdempotencyKey.livemode == livemode,
            IdempotencyKey.key == key,
        )
    )


def add_key(session: Session, row: IdempotencyKey) -> None:
    session.add(row)


def delete_key(session: Session, row: IdempotencyKey) -> None:
    session.delete(row)


def try_lock_key(session: Session, account_id: str, livemode: bool, key: str) -> bool:
    """Claim the key for this transaction across processes (PostgreSQL advisory lock).

    On SQLite the database admits one writer at a time, so there is nothing to claim.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    claimed = session.scalar(
        text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"{account_id}:{int(livemode)}:{key}"},
    )
    return bool(claimed)


def prune_keys(session: Session, older_than: datetime) -> int:
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created < older_than))
    return int(getattr(result, "rowcount", 0) or 0)


def get_log(session: Session, request_id: str) -> RequestLog | None:
    return session.get(RequestLog, request_id)
