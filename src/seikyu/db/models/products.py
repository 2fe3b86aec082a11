from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import IdString, JsonType, UTCDateTime


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_account_page", "account_id", "livemode", "sort_key"),
        Index("ix_products_account_url", "account_id", "livemode", "url"),
    )

    # Callers may choose a product's id, so ids are unique per account, not globally, and
    # do not sort by creation time: `sort_key` (a generated id) orders lists instead.
    account_id: Mapped[str] = mapped_column(IdString(), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    id: Mapped[str] = mapped_column(IdString(), primary_key=True)
    sort_key: Mapped[str] = mapped_column(IdString())
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    updated: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[str] = mapped_column(String(5000))
    description: Mapped[str | None] = mapped_column(Text())
    type: Mapped[str] = mapped_column(String(16), default="service")
    default_price_id: Mapped[str | None] = mapped_column(IdString())
    images: Mapped[list[str]] = mapped_column(JsonType())
    marketing_features: Mapped[list[dict[str, Any]]] = mapped_column(JsonType())
    # Inches and ounces as decimal strings, e.g. {"height": "10.25", ...}.
    package_dimensions: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    shippable: Mapped[bool | None] = mapped_column(Boolean)
    statement_descriptor: Mapped[str | None] = mapped_column(String(22))
    tax_code: Mapped[str | None] = mapped_column(String(64))
    unit_label: Mapped[str | None] = mapped_column(String(12))
    url: Mapped[str | None] = mapped_column(String(5000))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
