"""Discounts: the `discount` object, and DELETE /v1/customers/{customer}/discount and
/v1/subscriptions/{subscription}/discount.

Discounts have no endpoints of their own on Stripe: they are made by redeeming coupons and
promotion codes on customers, subscriptions and invoices, and shown (or expanded) there.
"""

from __future__ import annotations

from typing import Any

from seikyu.api import registry
from seikyu.api.params import Params
from seikyu.api.render.coupon import render_coupon
from seikyu.api.render.discount import render_discount
from seikyu.api.routing import Call, Router
from seikyu.billing import discounts as service
from seikyu.billing import subscriptions
from seikyu.billing.discounts import Owner
from seikyu.core.errors import Kind, SeikyuError
from seikyu.customers import service as customers
from seikyu.db.models.discounts import Discount
from seikyu.db.uow import UnitOfWork

router = Router()


@router.delete("/v1/customers/{id}/discount", Params)
def delete_customer_discount(call: Call[Params]) -> dict[str, Any]:
    customer = customers.get_active(call.uow, call.path["id"])
    deleted = service.delete(call.uow, Owner(customer.id))
    if deleted is None:
        raise service.no_discount(customer.id)
    return render_discount(deleted)


@router.delete("/v1/subscriptions/{id}/discount", Params)
def delete_subscription_discount(call: Call[Params]) -> dict[str, Any]:
    """Every discount of the subscription itself goes (not its items'), as Stripe's one
    `discount` did; the first is returned, deleted."""
    uow = call.uow
    subscription = subscriptions.get(uow, call.path["id"], for_update=True)
    if subscription.status in _ENDED:
        raise SeikyuError(
            "A canceled subscription can only update its cancellation_details and metadata."
        )
    uow.before_update("customer.subscription.updated", subscription)
    owner = Owner(customer_id=subscription.customer_id, subscription_id=subscription.id)
    deleted = service.delete(uow, owner)
    if deleted is None:
        raise SeikyuError(
            f"No active discount for subscription: {subscription.id}",
            kind=Kind.NOT_FOUND,
            code="resource_missing",
        )
    # The discounts loaded with the subscription are the ones it had before.
    uow.session.expire(subscription, ["discounts"])
    return render_discount(deleted)


_ENDED = frozenset({"canceled", "incomplete_expired"})


def _coupon(uow: UnitOfWork, rendered: dict[str, Any]) -> Any:
    # Coupon ids have no prefix to look them up by, and a coupon's id can be reused once
    # it is deleted: the discount's own coupon row is the one shown.
    discount = service.find(uow, rendered["id"])
    if discount is None:
        return rendered.get("source", {}).get("coupon")
    return render_coupon(service.coupon_of(uow, discount))


registry.register(
    registry.ObjectSpec(
        name="discount",
        prefix="di",
        model=Discount,
        render=render_discount,
        load=service.find,
        expandable=frozenset({"customer", "promotion_code"}),
        includable={"source.coupon": _coupon},
    )
)
