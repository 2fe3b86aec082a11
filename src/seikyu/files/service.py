"""Uploading, reading and downloading files.

A file is checked against its purpose before anything is stored: its type, read from its
bytes, and its size. Its bytes stay in the database with it, so a backup holds the evidence
a dispute was answered with; they are read only for a download.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from seikyu.core.errors import invalid, no_such
from seikyu.core.periods import add_months
from seikyu.db.models.files import StoredFile
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.files import repository
from seikyu.files.domain.file_kinds import (
    MEDIA_TYPES,
    PURPOSES,
    Purpose,
    accepts,
    allowed_types,
    sniff,
)
from seikyu.files.domain.upload import Upload

OBJECT = "file"
PREFIX = "file"
CREATED_EVENT = "file.created"


@dataclass(frozen=True, slots=True)
class Download:
    media_type: str
    filename: str
    data: bytes


def create(uow: UnitOfWork, upload: Upload, purpose_name: str, *, base_url: str) -> StoredFile:
    """Store the file; `base_url`: the address the uploader reached, for its download URL."""
    purpose = purpose_of(purpose_name)
    kind = sniff(upload.data)
    if not upload.data:
        raise invalid("The file is empty.", param="file")
    if not accepts(purpose, kind):
        raise invalid(
            f"Files for purpose {purpose.name} must be {allowed_types(purpose)}; this one is not.",
            param="file",
            code="file_invalid",
        )
    assert kind is not None  # accepts() takes no file of unknown type
    if len(upload.data) > purpose.max_size:
        raise invalid(
            f"Files for purpose {purpose.name} may be at most {purpose.max_size:,} bytes; "
            f"this one is {len(upload.data):,}.",
            param="file",
            code="file_too_large",
        )
    file_id = uow.new_id(PREFIX)
    stored = StoredFile(
        id=file_id,
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        purpose=purpose.name,
        filename=_filename(upload.filename, kind),
        title=None,
        type=kind,
        size=len(upload.data),
        expires_at=_expiry(uow, purpose),
        url=f"{base_url}/v1/files/{file_id}/contents",
        content=upload.data,
    )
    repository.add(uow.session, stored)
    uow.emit(CREATED_EVENT, stored)
    return stored


def purpose_of(name: str) -> Purpose:
    purpose = PURPOSES.get(name)
    if purpose is None:
        raise invalid(
            f"Invalid purpose: must be one of {', '.join(sorted(PURPOSES))}. Seikyu takes "
            "no files for Connect, Identity, Issuing or Terminal.",
            param="purpose",
        )
    return purpose


def get(uow: UnitOfWork, file_id: str, *, param: str | None = "id") -> StoredFile:
    stored = find(uow, file_id)
    if stored is None:
        raise no_such(OBJECT, file_id, param=param)
    return stored


def find(uow: UnitOfWork, file_id: str) -> StoredFile | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, file_id)


def page(uow: UnitOfWork, window: Window, *, purpose: str | None) -> Page[StoredFile]:
    return repository.page(uow.session, uow.account_id, uow.livemode, window, purpose=purpose)


def usable(uow: UnitOfWork, file_id: str, purpose_name: str, *, param: str) -> StoredFile:
    """A file another object may name: this account's, of the purpose it needs, not expired."""
    stored = get(uow, file_id, param=param)
    if stored.purpose != purpose_name:
        raise invalid(
            f"The file {file_id} was uploaded with purpose {stored.purpose}; "
            f"{purpose_name} is needed here.",
            param=param,
        )
    if expired(uow, stored):
        raise invalid(f"The file {file_id} has expired.", param=param)
    return stored


def download(uow: UnitOfWork, file_id: str) -> Download:
    stored = repository.get(uow.session, uow.account_id, uow.livemode, file_id, content=True)
    if stored is None or expired(uow, stored):
        raise no_such(OBJECT, file_id)
    return Download(MEDIA_TYPES[stored.type], stored.filename or stored.id, stored.content)


def expired(uow: UnitOfWork, stored: StoredFile) -> bool:
    return stored.expires_at is not None and stored.expires_at <= uow.now


def _expiry(uow: UnitOfWork, purpose: Purpose) -> datetime | None:
    # On the whole second: the moment the API shows as `expires_at` is the one that counts.
    now = uow.now.replace(microsecond=0)
    if purpose.kept_months is not None:
        return add_months(now, purpose.kept_months)
    if purpose.kept_days is not None:
        return now + timedelta(days=purpose.kept_days)
    return None


def _filename(given: str | None, kind: str) -> str:
    """The client's name without its directories, or one made from the type."""
    name = (given or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] if name else f"file.{kind}"
