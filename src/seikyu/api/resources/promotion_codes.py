"""/v1/promotion_codes"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params, Timestamp
from seikyu.api.render.coupon import render_coupon
from seikyu.api.render.promotion_code import render_minimum_amounts, render_promotion_code
from seikyu.api.routing import Call, Router
from seikyu.catalog import promotion_codes as service
from seikyu.catalog.promotion_codes import PromotionCodeFields
from seikyu.core.clock import from_unix
from seikyu.core.errors import missing
from seikyu.db.models.promotion_codes import PromotionCode
from seikyu.db.uow import UnitOfWork

router = Router()

Label = Annotated[str, Field(max_length=500)]


class Promotion(Params):
    type: Literal["coupon"]
    coupon: Label | None = None


class MinimumAmount(Params):
    minimum_amount: int


class RestrictionsCreate(Params):
    currency_options: dict[str, MinimumAmount] | None = None
    first_time_transaction: bool = False
    minimum_amount: int | None = None
    minimum_amount_currency: Label | None = None


class RestrictionsUpdate(Params):
    # Currencies can be added or re-priced but not removed: `currency_options=` is refused.
    currency_options: dict[str, MinimumAmount] = Field(default_factory=dict)


def _minimums(options: dict[str, MinimumAmount] | None) -> dict[str, int]:
    return {code: option.minimum_amount for code, option in (options or {}).items()}


class PromotionCodeCreate(Expandable):
    promotion: Promotion
    active: bool = True
    code: Label | None = None
    customer: Label | None = None
    expires_at: Timestamp | None = None
    max_redemptions: int | None = None
    metadata: Metadata | None = None
    restrictions: RestrictionsCreate | None = None

    def fields(self) -> PromotionCodeFields:
        if self.promotion.coupon is None:
            raise missing("promotion[coupon]")
        restrictions = self.restrictions or RestrictionsCreate()
        return PromotionCodeFields(
            coupon=self.promotion.coupon,
            code=self.code,
            customer=self.customer,
            active=self.active,
            expires_at=None if self.expires_at is None else from_unix(self.expires_at),
            max_redemptions=self.max_redemptions,
            first_time_transaction=restrictions.first_time_transaction,
            minimum_amount=restrictions.minimum_amount,
            minimum_amount_currency=restrictions.minimum_amount_currency,
            currency_options=_minimums(restrictions.currency_options),
            metadata=self.metadata,
        )


class PromotionCodeUpdate(Expandable):
    active: bool = True
    metadata: Metadata | None = None
    restrictions: RestrictionsUpdate | None = None

    def fields(self) -> PromotionCodeFields:
        out = PromotionCodeFields()
        if self.given("active"):
            out["active"] = self.active
        if self.given("metadata"):
            out["metadata"] = self.metadata
        if self.restrictions is not None and self.restrictions.currency_options:
            out["currency_options"] = _minimums(self.restrictions.currency_options)
        return out


class PromotionCodeList(ListParams):
    active: bool | None = None
    code: Label | None = None
    coupon: Label | None = None
    customer: Label | None = None


@router.post("/v1/promotion_codes", PromotionCodeCreate)
def create(call: Call[PromotionCodeCreate]) -> dict[str, Any]:
    return render_promotion_code(service.create(call.uow, call.params.fields()))


@router.get("/v1/promotion_codes/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_promotion_code(service.get(call.uow, call.path["id"]))


@router.post("/v1/promotion_codes/{id}", PromotionCodeUpdate)
def update(call: Call[PromotionCodeUpdate]) -> dict[str, Any]:
    return render_promotion_code(service.update(call.uow, call.path["id"], call.params.fields()))


@router.get("/v1/promotion_codes", PromotionCodeList)
def list_promotion_codes(call: Call[PromotionCodeList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow,
        lists.window(params),
        active=params.active,
        code=params.code,
        coupon=params.coupon,
        customer=params.customer,
    )
    return lists.envelope(call.url, page, render_promotion_code)


def _coupon(uow: UnitOfWork, rendered: dict[str, Any]) -> Any:
    # Coupon ids have no prefix to look them up by, so the code's own coupon row is used;
    # after a deletion that is the deleted coupon's stub, not a newer coupon with its id.
    promotion_code = service.find(uow, rendered["id"])
    return None if promotion_code is None else render_coupon(promotion_code.coupon)


def _minimum_amounts(uow: UnitOfWork, rendered: dict[str, Any]) -> Any:
    promotion_code = service.find(uow, rendered["id"])
    return None if promotion_code is None else render_minimum_amounts(promotion_code)


registry.register(
    registry.ObjectSpec(
        name="promotion_code",
        prefix="promo",
        model=PromotionCode,
        render=render_promotion_code,
        load=service.find,
        expandable=frozenset({"customer"}),
        includable={
            "promotion.coupon": _coupon,
            "restrictions.currency_options": _minimum_amounts,
        },
    )
)
