"""radar.value_list -> Stripe JSON, with the first of its items embedded as Stripe does."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import deleted_stub, ts
from seikyu.api.render.radar_value_list_item import render_value_list_item
from seikyu.risk.value_lists import ValueListView

OBJECT = "radar.value_list"


def render_value_list(view: ValueListView) -> dict[str, Any]:
    value_list = view.value_list
    return {
        "id": value_list.id,
        "object": OBJECT,
        "alias": value_list.alias,
        "created": ts(value_list.created),
        "created_by": value_list.created_by,
        "item_type": value_list.item_type,
        "list_items": {
            "object": "list",
            "data": [render_value_list_item(item) for item in view.items],
            "has_more": view.has_more,
            "url": f"/v1/radar/value_list_items?value_list={value_list.id}",
        },
        "livemode": value_list.livemode,
        "metadata": dict(value_list.metadata_),
        "name": value_list.name,
    }


def render_deleted_list(list_id: str) -> dict[str, Any]:
    return deleted_stub(list_id, OBJECT)
