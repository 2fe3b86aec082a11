"""/v1/coupons"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params, Timestamp
from seikyu.api.render.coupon import render_applies_to, render_coupon, render_currency_options
from seikyu.api.routing import Call, Router
from seikyu.catalog import coupons as service
from seikyu.catalog.coupons import CouponFields
from seikyu.core.clock import from_unix
from seikyu.db.models.coupons import Coupon
from seikyu.db.uow import UnitOfWork

router = Router()

Name = Annotated[str, Field(max_length=40)]
Label = Annotated[str, Field(max_length=500)]


class AppliesTo(Params):
    products: list[Label] | None = None


class CurrencyOption(Params):
    amount_off: int


class CouponCreate(Expandable):
    id: Label | None = None
    amount_off: int | None = None
    applies_to: AppliesTo | None = None
    currency: Label | None = None
    currency_options: dict[str, CurrencyOption] | None = None
    duration: Literal["forever", "once", "repeating"] | None = None
    duration_in_months: int | None = None
    max_redemptions: int | None = None
    metadata: Metadata | None = None
    name: Name | None = None
    percent_off: Decimal | None = None
    redeem_by: Timestamp | None = None

    def fields(self) -> CouponFields:
        options = self.currency_options or {}
        return CouponFields(
            id=self.id,
            name=self.name,
            percent_off=self.percent_off,
            amount_off=self.amount_off,
            currency=self.currency,
            currency_options={code: option.amount_off for code, option in options.items()},
            duration=self.duration,
            duration_in_months=self.duration_in_months,
            max_redemptions=self.max_redemptions,
            redeem_by=None if self.redeem_by is None else from_unix(self.redeem_by),
            applies_to_products=self.applies_to.products if self.applies_to else None,
            metadata=self.metadata,
        )


class CouponUpdate(Expandable):
    name: Name | None = None
    metadata: Metadata | None = None
    # Currencies can be added or re-priced but not removed: `currency_options=` is refused.
    currency_options: dict[str, CurrencyOption] = Field(default_factory=dict)

    def fields(self) -> CouponFields:
        out = CouponFields()
        if self.given("name"):
            out["name"] = self.name
        if self.given("metadata"):
            out["metadata"] = self.metadata
        if self.currency_options:
            out["currency_options"] = {
                code: option.amount_off for code, option in self.currency_options.items()
            }
        return out


@router.post("/v1/coupons", CouponCreate)
def create(call: Call[CouponCreate]) -> dict[str, Any]:
    return render_coupon(service.create(call.uow, call.params.fields()))


@router.get("/v1/coupons/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_coupon(service.get(call.uow, call.path["id"]))


@router.post("/v1/coupons/{id}", CouponUpdate)
def update(call: Call[CouponUpdate]) -> dict[str, Any]:
    return render_coupon(service.update(call.uow, call.path["id"], call.params.fields()))


@router.delete("/v1/coupons/{id}", Params)
def delete(call: Call[Params]) -> dict[str, Any]:
    return render_coupon(service.delete(call.uow, call.path["id"]))


@router.get("/v1/coupons", ListParams)
def list_coupons(call: Call[ListParams]) -> dict[str, Any]:
    page = service.page(call.uow, lists.window(call.params))
    return lists.envelope(call.url, page, render_coupon)


def _applies_to(uow: UnitOfWork, rendered: dict[str, Any]) -> Any:
    coupon = service.find(uow, rendered["id"])
    return None if coupon is None else render_applies_to(coupon)


def _currency_options(uow: UnitOfWork, rendered: dict[str, Any]) -> Any:
    coupon = service.find(uow, rendered["id"])
    return None if coupon is None else render_currency_options(coupon)


registry.register(
    registry.ObjectSpec(
        name="coupon",
        # Coupon ids carry no prefix (the merchant picks them), so no id is taken for one.
        prefix="",
        model=Coupon,
        render=render_coupon,
        load=service.find,
        includable={"applies_to": _applies_to, "currency_options": _currency_options},
    )
)
