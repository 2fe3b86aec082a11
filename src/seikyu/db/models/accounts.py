from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import IdString, JsonType


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(IdString(), primary_key=True)
    created: Mapped[datetime]
    name: Mapped[str | None] = mapped_column(String(255))
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType(), default=dict)
