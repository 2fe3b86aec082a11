"""Promotion code use cases: create, update, look up, list.

A promotion code is a customer-facing string for a coupon, with its own limits. Among the
codes that can be redeemed now, a string names one code for any given customer.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TypedDict

from seikyu.catalog import coupons
from seikyu.catalog import discount_rules as rules
from seikyu.catalog import promotion_code_repository as repository
from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, no_such
from seikyu.customers import service as customers
from seikyu.db.models.promotion_codes import PromotionCode
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_CODE_LENGTH = 8


class PromotionCodeFields(TypedDict, total=False):
    """Fields a request may set; None means not given."""

    coupon: str
    code: str | None
    customer: str | None
    active: bool
    expires_at: datetime | None
    max_redemptions: int | None
    first_time_transaction: bool
    minimum_amount: int | None
    minimum_amount_currency: str | None
    currency_options: dict[str, int] | None  # restrictions' minimum_amount by currency
    metadata: dict[str, str] | None


def create(uow: UnitOfWork, fields: PromotionCodeFields) -> PromotionCode:
    coupon = coupons.get(uow, fields["coupon"], param="promotion[coupon]")
    customer = fields.get("customer")
    if customer is not None:
        customers.get_active(uow, customer, param="customer")
    terms = rules.check_promotion_code_terms(
        rules.PromotionCodeTerms(
            code=fields.get("code"),
            customer=customer,
            expires_at=fields.get("expires_at"),
            max_redemptions=fields.get("max_redemptions"),
            restrictions=rules.Restrictions(
                first_time_transaction=fields.get("first_time_transaction", False),
                minimum_amount=fields.get("minimum_amount"),
                minimum_amount_currency=fields.get("minimum_amount_currency"),
                currency_options=fields.get("currency_options") or {},
            ),
        ),
        coupons.state(coupon),
        uow.now,
    )
    code = terms.code or _new_code(uow)
    active = fields.get("active", True)
    if active:
        _claim(uow, code, customer, param="code")
    restrictions = terms.restrictions
    promotion_code = PromotionCode(
        id=uow.new_id("promo"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        code=code,
        code_folded=rules.fold_code(code),
        coupon_internal_id=coupon.internal_id,
        coupon_id=coupon.id,
        coupon=coupon,
        customer=customer,
        active=active,
        expires_at=terms.expires_at,
        max_redemptions=terms.max_redemptions,
        times_redeemed=0,
        first_time_transaction=restrictions.first_time_transaction,
        minimum_amount=restrictions.minimum_amount,
        minimum_amount_currency=restrictions.minimum_amount_currency,
        currency_options=dict(restrictions.currency_options),
        metadata_=metadata.initial(fields.get("metadata")),
    )
    repository.add(uow.session, promotion_code)
    uow.emit("promotion_code.created", promotion_code)
    return promotion_code


def update(uow: UnitOfWork, promotion_code_id: str, fields: PromotionCodeFields) -> PromotionCode:
    promotion_code = get(uow, promotion_code_id)
    options = None
    if fields.get("currency_options"):
        added = rules.check_minimum_amount_options(
            fields.get("currency_options") or {}, promotion_code.minimum_amount_currency
        )
        options = {**promotion_code.currency_options, **added}
    if fields.get("active") and not promotion_code.active:
        reason = _lapse_reason(uow, promotion_code)
        if reason is not None:
            raise rules.refuse_reactivation(promotion_code.code, reason)
        _claim(uow, promotion_code.code, promotion_code.customer, param="active")
    uow.before_update("promotion_code.updated", promotion_code)
    if "active" in fields:
        promotion_code.active = fields["active"]
    if options is not None:
        promotion_code.currency_options = options
    if "metadata" in fields:
        promotion_code.metadata_ = metadata.merge(promotion_code.metadata_, fields["metadata"])
    return promotion_code


def get(uow: UnitOfWork, promotion_code_id: str, *, param: str | None = "id") -> PromotionCode:
    promotion_code = find(uow, promotion_code_id)
    if promotion_code is None:
        raise no_such("promotion_code", promotion_code_id, param=param)
    return promotion_code


def find(uow: UnitOfWork, promotion_code_id: str) -> PromotionCode | None:
    promotion_code = repository.get(uow.session, uow.account_id, uow.livemode, promotion_code_id)
    if promotion_code is not None:
        observe(uow, promotion_code)
    return promotion_code


def page(
    uow: UnitOfWork,
    window: Window,
    *,
    active: bool | None = None,
    code: str | None = None,
    coupon: str | None = None,
    customer: str | None = None,
) -> Page[PromotionCode]:
    result = repository.page(
        uow.session,
        uow.account_id,
        uow.livemode,
        window,
        now=uow.now,
        active=active,
        code_folded=None if code is None else rules.fold_code(code),
        coupon_id=coupon,
        customer=customer,
    )
    for promotion_code in result.items:
        observe(uow, promotion_code)
    return result


def observe(uow: UnitOfWork, promotion_code: PromotionCode) -> None:
    """Show the loaded code as it stands at the unit's "now": inactive once it has lapsed
    (expired, exhausted, or its coupon no longer valid), whatever its switch says.

    Only the loaded object changes, never the row, so reads stay read-only; a lapse is
    permanent, so the switch can never turn such a code back on (see `update`).
    """
    coupons.observe(uow, promotion_code.coupon)
    if promotion_code.active and _lapse_reason(uow, promotion_code) is not None:
        repository.show_inactive(promotion_code)


def _lapse_reason(uow: UnitOfWork, promotion_code: PromotionCode) -> str | None:
    return rules.lapse_reason(
        expires_at=promotion_code.expires_at,
        max_redemptions=promotion_code.max_redemptions,
        times_redeemed=promotion_code.times_redeemed,
        coupon_is_valid=rules.coupon_valid(coupons.state(promotion_code.coupon), uow.now),
        now=uow.now,
    )


def _claim(uow: UnitOfWork, code: str, customer: str | None, *, param: str) -> None:
    """Refuse a code string that an active code for the same customers already uses.

    The lock is held to the end of the transaction, so a concurrent claim of the same
    string waits and then sees this one.
    """
    folded = rules.fold_code(code)
    repository.lock_code(uow.session, uow.account_id, uow.livemode, folded)
    others = repository.redeemable_with_code(
        uow.session, uow.account_id, uow.livemode, folded, uow.now
    )
    if any(rules.codes_clash(customer, other.customer) for other in others):
        raise SeikyuError(
            f"An active promotion code with code {code} already exists"
            + (" for this customer." if customer else "."),
            param=param,
            code="resource_already_exists",
        )


def _new_code(uow: UnitOfWork) -> str:
    for _ in range(20):
        candidate = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
        if not repository.code_in_use(
            uow.session, uow.account_id, uow.livemode, rules.fold_code(candidate)
        ):
            return candidate
    raise SeikyuError("Could not generate a promotion code; retry the request.")
