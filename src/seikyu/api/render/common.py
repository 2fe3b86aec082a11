"""Small helpers shared by renderers."""

from __future__ import annotations

from datetime import datetime


def ts(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp())


def deleted_stub(object_id: str, object_name: str) -> dict[str, object]:
    return {"id": object_id, "object": object_name, "deleted": True}
