"""/v1/reviews: list the open reviews, retrieve one, approve one."""

from __future__ import annotations

from typing import Any

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams
from seikyu.api.render.review import OBJECT, render_review
from seikyu.api.routing import Call, Router
from seikyu.db.models.reviews import Review
from seikyu.risk import reviews as service

router = Router()


@router.get("/v1/reviews", ListParams)
def list_reviews(call: Call[ListParams]) -> dict[str, Any]:
    page = service.page_open(call.uow, lists.window(call.params))
    return lists.envelope(call.url, page, render_review)


@router.get("/v1/reviews/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_review(service.get(call.uow, call.path["id"]))


@router.post("/v1/reviews/{id}/approve", Expandable)
def approve(call: Call[Expandable]) -> dict[str, Any]:
    return render_review(service.approve(call.uow, call.path["id"]))


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix=service.PREFIX,
        model=Review,
        render=render_review,
        load=service.find,
        expandable=frozenset({"charge", "payment_intent"}),
    )
)
