"""/v1/events"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, bad
from seikyu.api.render.event import render_event
from seikyu.api.routing import Call, Router
from seikyu.db.models import Event
from seikyu.events import deliveries, service

router = Router()

EventType = Annotated[str, Field(min_length=1, max_length=100)]


class EventRetry(Expandable):
    # The endpoint to send the event to again (what `stripe events resend` sends).
    webhook_endpoint: Annotated[str, Field(min_length=1, max_length=500)]


class EventList(ListParams):
    type: EventType | None = None
    types: Annotated[list[EventType], Field(max_length=20)] | None = None
    delivery_success: bool | None = None

    @model_validator(mode="after")
    def _type_or_types(self) -> Self:
        if self.type is not None and self.types is not None:
            raise bad(
                "You may only specify one of these parameters: type, types.",
                "parameters_exclusive",
            )
        return self


@router.get("/v1/events/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_event(service.get(call.uow, call.path["id"]))


@router.get("/v1/events", EventList)
def list_events(call: Call[EventList]) -> dict[str, Any]:
    params = call.params
    patterns = [params.type] if params.type is not None else params.types
    page = service.page(
        call.uow,
        lists.window(params),
        types=patterns or None,
        delivery_success=params.delivery_success,
    )
    return lists.envelope(call.url, page, render_event)


@router.post("/v1/events/{id}/retry", EventRetry)
def retry(call: Call[EventRetry]) -> dict[str, Any]:
    event = deliveries.resend(call.uow, call.path["id"], call.params.webhook_endpoint)
    return render_event(event)


registry.register(
    registry.ObjectSpec(
        name="event", prefix="evt", model=Event, render=render_event, load=service.find
    )
)
