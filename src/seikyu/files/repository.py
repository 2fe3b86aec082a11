"""SQL for uploaded files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session, undefer

from seikyu.db.models.files import StoredFile
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, stored: StoredFile) -> None:
    session.add(stored)


def _scoped(account_id: str, livemode: bool) -> Select[StoredFile]:
    return select(StoredFile).where(
        StoredFile.account_id == account_id, StoredFile.livemode == livemode
    )


def get(
    session: Session, account_id: str, livemode: bool, file_id: str, *, content: bool = False
) -> StoredFile | None:
    stmt = _scoped(account_id, livemode).where(StoredFile.id == file_id)
    if content:
        stmt = stmt.options(undefer(StoredFile.content))
    return session.scalar(stmt)


def page(
    session: Session, account_id: str, livemode: bool, window: Window, *, purpose: str | None
) -> Page[StoredFile]:
    stmt = _scoped(account_id, livemode)
    if purpose is not None:
        stmt = stmt.where(StoredFile.purpose == purpose)
    return paginate(session, stmt, StoredFile.id, StoredFile.created, window)


def delete_expired(session: Session, now: datetime, limit: int) -> int:
    """Delete up to `limit` files past their expiry, bytes and all; returns how many."""
    ids = list(
        session.scalars(
            select(StoredFile.id)
            .where(StoredFile.expires_at.is_not(None), StoredFile.expires_at <= now)
            .order_by(StoredFile.expires_at)
            .limit(limit)
        )
    )
    if ids:
        session.execute(delete(StoredFile).where(StoredFile.id.in_(ids)))
    return len(ids)
