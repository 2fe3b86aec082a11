from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import UTCDateTime


class StoredFile(AccountOwned, Base):
    """An uploaded file (`file_...`) with its bytes, which only a download reads."""

    __tablename__ = "files"
    __table_args__ = (Index("ix_files_account_page", "account_id", "livemode", "id"),)

    purpose: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where the file is downloaded, from the address the uploader reached.
    url: Mapped[str | None] = mapped_column(String(500))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
