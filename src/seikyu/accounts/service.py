"""Accounts and their secret keys: creation, bootstrap, authentication, revocation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from seikyu.accounts import repository
from seikyu.core.errors import Kind, SeikyuError
from seikyu.core.ids import random_token
from seikyu.db.models import Account, ApiKey
from seikyu.db.uow import UnitOfWork

TEST_PREFIX = "sk_test_"
LIVE_PREFIX = "sk_live_"


@dataclass(frozen=True)
class Credentials:
    account_id: str
    livemode: bool
    key_id: str


@dataclass(frozen=True)
class NewKey:
    key_id: str
    account_id: str
    secret: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    # Secrets are long random strings, so an unsalted digest cannot be brute-forced.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_account(uow: UnitOfWork, *, name: str | None = None) -> Account:
    account = Account(id=uow.new_id("acct"), created=uow.now, name=name, settings={})
    repository.add(uow.session, account)
    return account


def create_key(uow: UnitOfWork, account_id: str, *, secret: str | None = None) -> NewKey:
    if repository.get_account(uow.session, account_id) is None:
        raise SeikyuError(f"No such account: '{account_id}'", kind=Kind.NOT_FOUND)
    secret = secret or TEST_PREFIX + random_token(40)
    check_secret(secret)
    digest = hash_secret(secret)
    if repository.key_by_hash(uow.session, digest) is not None:
        raise SeikyuError("That secret key is already in use.", kind=Kind.CONFLICT)
    key = ApiKey(
        id=uow.new_id("key"),
        account_id=account_id,
        livemode=secret.startswith(LIVE_PREFIX),
        created=uow.now,
        secret_hash=digest,
        redacted=f"{secret[:8]}...{secret[-4:]}",
        revoked_at=None,
    )
    repository.add(uow.session, key)
    return NewKey(key.id, account_id, secret)


def check_secret(secret: str) -> None:
    """A secret key is `sk_test_` or `sk_live_` and 16 to 255 visible ASCII characters."""
    if (
        not secret.startswith((TEST_PREFIX, LIVE_PREFIX))
        or not 16 <= len(secret) <= 255
        or not (secret.isascii() and secret.isprintable())
        or any(char.isspace() for char in secret)
    ):
        raise SeikyuError(
            "A secret key starts with sk_test_ or sk_live_ and has 16 to 255 printable "
            "ASCII characters without spaces."
        )


def bootstrap(uow: UnitOfWork, secret: str | None) -> NewKey | None:
    """On a database with no account, make one with a test key (the given one or a new one)."""
    if repository.count_accounts(uow.session) > 0:
        return None
    account = create_account(uow, name="Default account")
    uow.session.flush()
    return create_key(uow, account.id, secret=secret)


def authenticate(uow: UnitOfWork, secret: str) -> Credentials:
    key = repository.key_by_hash(uow.session, hash_secret(secret))
    if key is None:
        raise SeikyuError(
            f"Invalid API Key provided: {redact_secret(secret)}", kind=Kind.AUTHENTICATION
        )
    if key.revoked_at is not None:
        # Stripe's answer for a key that was rolled and has since expired.
        raise SeikyuError(
            f"Expired API Key provided: {redact_secret(secret)}",
            kind=Kind.AUTHENTICATION,
            code="api_key_expired",
        )
    return Credentials(key.account_id, key.livemode, key.id)


def redact_secret(secret: str) -> str:
    """`sk_test_************************abcd`: enough to tell keys apart, not to use one."""
    secret = secret[:200]
    head = secret[:8]
    tail = secret[-4:] if len(secret) > 12 else ""
    return head + "*" * (len(secret) - len(head) - len(tail)) + tail


def list_keys(uow: UnitOfWork, account_id: str | None = None) -> list[ApiKey]:
    return repository.list_keys(uow.session, account_id)


def revoke_key(uow: UnitOfWork, key_id: str) -> ApiKey:
    key = repository.get_key(uow.session, key_id)
    if key is None:
        raise SeikyuError(f"No such key: '{key_id}'", kind=Kind.NOT_FOUND)
    if key.revoked_at is None:
        key.revoked_at = uow.now
    return key


def default_account_id(uow: UnitOfWork) -> str | None:
    account = repository.first_account(uow.session)
    return account.id if account else None


def lock(uow: UnitOfWork, account_id: str) -> Account:
    """The account row, held until the transaction ends: account-wide limits (how many
    webhook endpoints, say) are counted and raised one transaction at a time."""
    return repository.lock_account(uow.session, account_id)
