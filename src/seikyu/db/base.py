"""Declarative base and the columns every account-owned row carries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from seikyu.db.types import IdString, JsonType, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JsonType()}


class AccountOwned:
    """Tenancy columns: every query filters on account_id and livemode."""

    id: Mapped[str] = mapped_column(IdString(), primary_key=True)
    account_id: Mapped[str] = mapped_column(IdString(), index=False)
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
