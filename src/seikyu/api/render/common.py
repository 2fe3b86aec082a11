"""Small helpers shared by renderers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal


def ts(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp())


def deleted_stub(object_id: str, object_name: str) -> dict[str, object]:
    return {"id": object_id, "object": object_name, "deleted": True}


def json_number(value: Decimal) -> float:
    """A stored Decimal as the JSON number Stripe shows (12.5, 10.0).

    Only the wire needs a float; every value shown here has at most a few decimal places,
    so the conversion is exact to the digits stored and no arithmetic is done on it.
    """
    return float(value)
