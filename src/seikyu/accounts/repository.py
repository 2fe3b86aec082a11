"""SQL for accounts and API keys."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seikyu.db.models import Account, ApiKey


def count_accounts(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Account)) or 0)


def add(session: Session, row: Account | ApiKey) -> None:
    session.add(row)


def get_account(session: Session, account_id: str) -> Account | None:
    return session.get(Account, account_id)


def lock_account(session: Session, account_id: str) -> Account:
    """The account row, locked until the transaction ends (a no-op on SQLite, where a
    writing transaction already holds the database)."""
    account = session.get(Account, account_id, with_for_update=True, populate_existing=True)
    assert account is not None
    return account


def key_by_hash(session: Session, secret_hash: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.secret_hash == secret_hash))


def get_key(session: Session, key_id: str) -> ApiKey | None:
    return session.get(ApiKey, key_id)


def list_keys(session: Session, account_id: str | None = None) -> list[ApiKey]:
    stmt = select(ApiKey).order_by(ApiKey.created, ApiKey.id)
    if account_id is not None:
        stmt = stmt.where(ApiKey.account_id == account_id)
    return list(session.scalars(stmt))


def first_account(session: Session) -> Account | None:
    return session.scalar(select(Account).order_by(Account.created, Account.id).limit(1))
