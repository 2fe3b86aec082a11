"""radar.value_list_item -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import deleted_stub, ts
from seikyu.db.models.radar_value_list_items import RadarValueListItem

OBJECT = "radar.value_list_item"


def render_value_list_item(item: RadarValueListItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "object": OBJECT,
        "created": ts(item.created),
        "created_by": item.created_by,
        "livemode": item.livemode,
        "value": item.value,
        "value_list": item.value_list_id,
    }


def render_deleted_item(item_id: str) -> dict[str, Any]:
    return deleted_stub(item_id, OBJECT)
