"""/v1/radar/value_list_items"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Params
from seikyu.api.render.radar_value_list_item import (
    OBJECT,
    render_deleted_item,
    render_value_list_item,
)
from seikyu.api.routing import Call, Router
from seikyu.db.models.radar_value_list_items import RadarValueListItem
from seikyu.risk import value_lists as service
from seikyu.risk.domain.value_list_rules import MAX_VALUE

router = Router()

Value = Annotated[str, Field(max_length=MAX_VALUE)]
ListId = Annotated[str, Field(max_length=5000)]


class ValueListItemCreate(Expandable):
    value: Value
    value_list: ListId


class ValueListItemList(ListParams):
    value_list: ListId
    value: Value | None = None


@router.post("/v1/radar/value_list_items", ValueListItemCreate)
def create(call: Call[ValueListItemCreate]) -> dict[str, Any]:
    params = call.params
    return render_value_list_item(service.create_item(call.uow, params.value_list, params.value))


@router.get("/v1/radar/value_list_items/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_value_list_item(service.get_item(call.uow, call.path["id"]))


@router.delete("/v1/radar/value_list_items/{id}", Params)
def delete(call: Call[Params]) -> dict[str, Any]:
    return render_deleted_item(service.delete_item(call.uow, call.path["id"]))


@router.get("/v1/radar/value_list_items", ValueListItemList)
def list_value_list_items(call: Call[ValueListItemList]) -> dict[str, Any]:
    params = call.params
    page = service.page_items(call.uow, params.value_list, lists.window(params), value=params.value)
    return lists.envelope(call.url, page, render_value_list_item)


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix=service.ITEM_PREFIX,
        model=RadarValueListItem,
        render=render_value_list_item,
        load=service.find_item,
    )
)
