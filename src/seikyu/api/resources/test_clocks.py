"""/v1/test_helpers/test_clocks"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Params
from seikyu.api.render.test_clock import OBJECT, render_test_clock
from seikyu.api.routing import Call, Router
from seikyu.clocks import test_clocks as service
from seikyu.core.clock import from_unix
from seikyu.db.models.test_clocks import TestClock

router = Router()

# Any moment from 1970 to 3000: far enough that an advance's two-year reach stays in range.
FrozenTime = Annotated[int, Field(ge=0, le=32_503_680_000)]


class TestClockCreate(Expandable):
    __test__ = False
    frozen_time: FrozenTime
    name: Annotated[str, Field(max_length=300)] | None = None
    customer: Annotated[str, Field(max_length=5000)] | None = None


class TestClockAdvance(Expandable):
    __test__ = False
    frozen_time: FrozenTime


@router.post("/v1/test_helpers/test_clocks", TestClockCreate)
def create(call: Call[TestClockCreate]) -> dict[str, Any]:
    params = call.params
    clock = service.create(
        call.uow,
        frozen_time=_at(params.frozen_time),
        name=params.name,
        customer_id=params.customer,
    )
    return render_test_clock(clock)


@router.get("/v1/test_helpers/test_clocks/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_test_clock(service.get(call.uow, call.path["id"]))


@router.get("/v1/test_helpers/test_clocks", ListParams)
def list_test_clocks(call: Call[ListParams]) -> dict[str, Any]:
    page = service.page(call.uow, lists.window(call.params))
    return lists.envelope(call.url, page, render_test_clock)


@router.delete("/v1/test_helpers/test_clocks/{id}", Params)
def delete(call: Call[Params]) -> dict[str, Any]:
    return render_test_clock(service.delete(call.uow, call.path["id"]))


@router.post("/v1/test_helpers/test_clocks/{id}/advance", TestClockAdvance)
def advance(call: Call[TestClockAdvance]) -> dict[str, Any]:
    clock = service.advance(call.uow, call.path["id"], _at(call.params.frozen_time))
    return render_test_clock(clock)


def _at(seconds: int) -> datetime:
    return from_unix(seconds)


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix="clock",
        model=TestClock,
        render=render_test_clock,
        load=service.find,
    )
)
