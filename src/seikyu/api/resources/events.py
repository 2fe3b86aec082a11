"""/v1/events"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams
from seikyu.api.render.event import render_event
from seikyu.api.routing import Call, Router
from seikyu.db.models import Event
from seikyu.events import service

router = Router()


class EventList(ListParams):
    type: Annotated[str, Field(max_length=100)] | None = None
    types: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=20)] | None = (
        None
    )
    delivery_success: bool | None = None


@router.get("/v1/events/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_event(service.get(call.uow, call.path["id"]))


@router.get("/v1/events", EventList)
def list_events(call: Call[EventList]) -> dict[str, Any]:
    params = call.params
    types = list(params.types or [])
    if params.type:
        types.append(params.type)
    page = service.page(call.uow, lists.window(params), types=types or None)
    return lists.envelope(call.url, page, render_event)


registry.register(
    registry.ObjectSpec(
        name="event", prefix="evt", model=Event, render=render_event, load=service.find
    )
)
