"""Coupon use cases: create, update, delete, look up, list.

Only a coupon's name, metadata and extra currencies change after creation: what it takes
off and for how long are fixed, because discounts already made from it must keep meaning
the same thing. Deleting a coupon stops new redemptions and leaves existing discounts be.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import TypedDict

from seikyu.catalog import coupon_repository as repository
from seikyu.catalog import discount_rules as rules
from seikyu.catalog import products
from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, no_such
from seikyu.db.models.coupons import Coupon
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ID_LENGTH = 8


class CouponFields(TypedDict, total=False):
    """Fields a request may set; None means not given (create) or clear (update)."""

    id: str | None
    name: str | None
    percent_off: Decimal | None
    amount_off: int | None
    currency: str | None
    currency_options: dict[str, int] | None  # amount_off by currency
    duration: str | None
    duration_in_months: int | None
    max_redemptions: int | None
    redeem_by: datetime | None
    applies_to_products: list[str] | None
    metadata: dict[str, str] | None


def create(uow: UnitOfWork, fields: CouponFields) -> Coupon:
    chosen_id = fields.get("id")
    if chosen_id is not None:
        rules.check_coupon_id(chosen_id)
    terms = rules.check_coupon_terms(
        rules.CouponTerms(
            percent_off=fields.get("percent_off"),
            amount_off=fields.get("amount_off"),
            currency=fields.get("currency"),
            duration=fields.get("duration") or "once",
            duration_in_months=fields.get("duration_in_months"),
            max_redemptions=fields.get("max_redemptions"),
            redeem_by=fields.get("redeem_by"),
            currency_options=fields.get("currency_options") or {},
        ),
        uow.now,
    )
    product_ids = _check_products(uow, fields.get("applies_to_products"))
    coupon = Coupon(
        internal_id=uow.new_id("coupon"),
        id=chosen_id or _new_id(uow),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        name=fields.get("name"),
        percent_off=terms.percent_off,
        amount_off=terms.amount_off,
        currency=terms.currency,
        currency_options=dict(terms.currency_options),
        duration=terms.duration,
        duration_in_months=terms.duration_in_months,
        max_redemptions=terms.max_redemptions,
        times_redeemed=0,
        redeem_by=terms.redeem_by,
        applies_to_products=product_ids,
        valid=True,
        metadata_=metadata.initial(fields.get("metadata")),
        deleted_at=None,
    )
    if not repository.add_unless_taken(uow.session, coupon):
        raise SeikyuError("Coupon already exists.", param="id", code="resource_already_exists")
    uow.emit("coupon.created", coupon)
    return coupon


def update(uow: UnitOfWork, coupon_id: str, fields: CouponFields) -> Coupon:
    coupon = get(uow, coupon_id)
    options = None
    if fields.get("currency_options"):
        added = rules.check_coupon_currency_options(
            fields.get("currency_options") or {},
            amount_off=coupon.amount_off,
            currency=coupon.currency,
        )
        options = {**coupon.currency_options, **added}
    uow.before_update("coupon.updated", coupon)
    if "name" in fields:
        coupon.name = fields["name"]
    if options is not None:
        coupon.currency_options = options
    if "metadata" in fields:
        coupon.metadata_ = metadata.merge(coupon.metadata_, fields["metadata"])
    return coupon


def delete(uow: UnitOfWork, coupon_id: str) -> Coupon:
    coupon = get(uow, coupon_id)
    uow.emit_now("coupon.deleted", coupon)
    coupon.deleted_at = uow.now
    coupon.valid = False
    return coupon


def get(uow: UnitOfWork, coupon_id: str, *, param: str | None = "id") -> Coupon:
    """A live coupon; a deleted one is gone as far as the API is concerned."""
    coupon = find(uow, coupon_id)
    if coupon is None:
        raise no_such("coupon", coupon_id, param=param)
    return coupon


def find(uow: UnitOfWork, coupon_id: str) -> Coupon | None:
    coupon = repository.get_live(uow.session, uow.account_id, uow.livemode, coupon_id)
    if coupon is not None:
        observe(uow, coupon)
    return coupon


def page(uow: UnitOfWork, window: Window) -> Page[Coupon]:
    window = replace(
        window,
        starting_after=_cursor(uow, window.starting_after, "starting_after"),
        ending_before=_cursor(uow, window.ending_before, "ending_before"),
    )
    result = repository.page(uow.session, uow.account_id, uow.livemode, window)
    for coupon in result.items:
        observe(uow, coupon)
    return result


def state(coupon: Coupon) -> rules.CouponState:
    return rules.CouponState(
        deleted=coupon.deleted_at is not None,
        redeem_by=coupon.redeem_by,
        max_redemptions=coupon.max_redemptions,
        times_redeemed=coupon.times_redeemed,
    )


def observe(uow: UnitOfWork, coupon: Coupon) -> None:
    """Show the loaded coupon as it stands at the unit's "now": invalid past its redeem_by.

    Only the loaded object changes, never the row: time passing is not a change anyone
    made (no event, as on Stripe), and reads must not write. Deletion and exhaustion are
    real changes and are stored by the writes that cause them.
    """
    if coupon.valid and not rules.coupon_valid(state(coupon), uow.now):
        repository.show_invalid(coupon)


def _check_products(uow: UnitOfWork, product_ids: list[str] | None) -> list[str] | None:
    if product_ids is None:
        return None
    unique = list(dict.fromkeys(product_ids))
    for index, product_id in enumerate(product_ids):
        if products.find(uow, product_id) is None:
            raise no_such("product", product_id, param=f"applies_to[products][{index}]")
    return unique


def _cursor(uow: UnitOfWork, coupon_id: str | None, param: str) -> str | None:
    if coupon_id is None:
        return None
    internal_id = repository.internal_id_of(uow.session, uow.account_id, uow.livemode, coupon_id)
    if internal_id is None:
        raise no_such("coupon", coupon_id, param=param)
    return internal_id


def _new_id(uow: UnitOfWork) -> str:
    for _ in range(20):
        candidate = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
        if repository.get_live(uow.session, uow.account_id, uow.livemode, candidate) is None:
            return candidate
    raise SeikyuError("Could not allocate a coupon id; retry the request.")
