from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import IdString


class ApiKey(Base):
    """A secret key, kept only as a hash: the secret itself is shown once, at creation."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(IdString(), primary_key=True)
    account_id: Mapped[str] = mapped_column(IdString(), ForeignKey("accounts.id"), index=True)
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime]
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    redacted: Mapped[str] = mapped_column(String(64))  # sk_test_...abcd, for listing
    revoked_at: Mapped[datetime | None]
