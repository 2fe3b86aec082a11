"""SQL for the request log and stored idempotent responses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, insert, select, text
from sqlalchemy.orm import Session

from seikyu.db.models import IdempotencyKey, RequestLog
from seikyu.db.pagination import Page, Window, paginate


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


@dataclass(frozen=True)
class LogFilter:
    """Which log lines to list; every field left None matches everything."""

    status: int | None = None
    status_class: int | None = None  # 4 matches 400 to 499
    method: str | None = None
    path_prefix: str | None = None
    idempotency_key: str | None = None
    error_type: str | None = None


def find_log(
    session: Session, account_id: str, livemode: bool, request_id: str
) -> RequestLog | None:
    return session.scalar(
        select(RequestLog).where(
            RequestLog.id == request_id,
            RequestLog.account_id == account_id,
            RequestLog.livemode == livemode,
        )
    )


def page_logs(
    session: Session, account_id: str, livemode: bool, window: Window, where: LogFilter
) -> Page[RequestLog]:
    stmt = _filtered(
        select(RequestLog).where(
            RequestLog.account_id == account_id, RequestLog.livemode == livemode
        ),
        where,
    )
    return paginate(session, stmt, RequestLog.id, RequestLog.created, window)


def _filtered(stmt: Select[Any], where: LogFilter) -> Select[Any]:
    if where.status is not None:
        stmt = stmt.where(RequestLog.status == where.status)
    if where.status_class is not None:
        low = where.status_class * 100
        stmt = stmt.where(RequestLog.status >= low, RequestLog.status < low + 100)
    if where.method is not None:
        stmt = stmt.where(RequestLog.method == where.method)
    if where.path_prefix is not None:
        # Not LIKE: SQLite's LIKE ignores case, and a path prefix is exact.
        prefix = where.path_prefix
        stmt = stmt.where(func.substr(RequestLog.path, 1, len(prefix)) == prefix)
    if where.idempotency_key is not None:
        stmt = stmt.where(RequestLog.idempotency_key == where.idempotency_key)
    if where.error_type is not None:
        stmt = stmt.where(RequestLog.error_type == where.error_type)
    return stmt


def oldest_log_ids(session: Session, older_than: datetime, limit: int) -> list[str]:
    stmt = (
        select(RequestLog.id)
        .where(RequestLog.created < older_than)
        .order_by(RequestLog.created)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def delete_logs(session: Session, ids: list[str]) -> int:
    if not ids:
        return 0
    session.execute(
        delete(RequestLog)
        .where(RequestLog.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return len(ids)
