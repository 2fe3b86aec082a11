"""/v1/subscription_items"""

from __future__ import annotations

from typing import Any, Literal

from seikyu.api import lists
from seikyu.api.params import Expandable, ListParams, Timestamp, moment
from seikyu.api.render.subscription import render_item
from seikyu.api.resources.subscription_update import ItemFields
from seikyu.api.resources.subscriptions import Id
from seikyu.api.routing import Call, Router
from seikyu.billing import subscription_items
from seikyu.payments.payment_intents import Redirect

router = Router()

ProrationBehavior = Literal["always_invoice", "create_prorations", "none"]
PaymentBehavior = Literal[
    "allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"
]


class ItemWrite(ItemFields, Expandable):
    off_session: bool = False
    payment_behavior: PaymentBehavior = "allow_incomplete"
    proration_behavior: ProrationBehavior = "create_prorations"
    proration_date: Timestamp | None = None


class ItemCreate(ItemWrite):
    subscription: Id


class ItemRemove(Expandable):
    clear_usage: bool = False
    proration_behavior: ProrationBehavior = "create_prorations"
    proration_date: Timestamp | None = None


class ItemList(ListParams):
    subscription: Id


@router.post("/v1/subscription_items", ItemCreate)
def create(call: Call[ItemCreate]) -> dict[str, Any]:
    params = call.params
    item = subscription_items.create(
        call.uow,
        call.processor,
        params.subscription,
        params.change(None),
        proration_behavior=params.proration_behavior,
        proration_date=moment(params.proration_date),
        payment_behavior=params.payment_behavior,
        redirect=Redirect(call.base_url, None),
    )
    return render_item(item)


@router.get("/v1/subscription_items/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_item(subscription_items.get(call.uow, call.path["id"]))


@router.post("/v1/subscription_items/{id}", ItemWrite)
def update(call: Call[ItemWrite]) -> dict[str, Any]:
    params = call.params
    item = subscription_items.update(
        call.uow,
        call.processor,
        call.path["id"],
        params.change(call.path["id"]),
        proration_behavior=params.proration_behavior,
        proration_date=moment(params.proration_date),
        payment_behavior=params.payment_behavior,
        redirect=Redirect(call.base_url, None),
    )
    return render_item(item)


@router.delete("/v1/subscription_items/{id}", ItemRemove)
def delete(call: Call[ItemRemove]) -> dict[str, Any]:
    params = call.params
    item = subscription_items.delete(
        call.uow,
        call.processor,
        call.path["id"],
        proration_behavior=params.proration_behavior,
        proration_date=moment(params.proration_date),
        clear_usage=params.clear_usage,
        redirect=Redirect(call.base_url, None),
    )
    return {"id": item.id, "object": "subscription_item", "deleted": True}


@router.get("/v1/subscription_items", ItemList)
def list_items(call: Call[ItemList]) -> dict[str, Any]:
    params = call.params
    page = subscription_items.page(call.uow, params.subscription, lists.window(params))
    return lists.envelope(call.url, page, render_item)
