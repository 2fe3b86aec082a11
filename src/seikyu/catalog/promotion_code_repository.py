"""SQL for promotion codes. Every query loads the code's coupon with it, in one join."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from seikyu.db.models.coupons import Coupon
from seikyu.db.models.promotion_codes import PromotionCode
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, promotion_code: PromotionCode) -> None:
    session.add(promotion_code)


def _scoped(account_id: str, livemode: bool) -> Select[PromotionCode]:
    return (
        select(PromotionCode)
        .join(PromotionCode.coupon)
        .options(contains_eager(PromotionCode.coupon))
        .where(PromotionCode.account_id == account_id, PromotionCode.livemode == livemode)
    )


def show_inactive(promotion_code: PromotionCode) -> None:
    """Mark the loaded code inactive without writing anything: the row keeps its value and
    nothing is flushed, so read-only transactions stay read-only."""
    set_committed_value(promotion_code, "active", False)


def redeemable(now: datetime) -> ColumnElement[bool]:
    """In SQL, what `promotion_codes.observe` shows: the merchant's switch, and no lapse
    (`discount_rules.lapse_reason`) of the code or its coupon at `now`."""
    return and_(
        PromotionCode.active.is_(True),
        or_(PromotionCode.expires_at.is_(None), PromotionCode.expires_at > now),
        or_(
            PromotionCode.max_redemptions.is_(None),
            PromotionCode.times_redeemed < PromotionCode.max_redemptions,
        ),
        Coupon.valid.is_(True),
        Coupon.deleted_at.is_(None),
        or_(Coupon.redeem_by.is_(None), Coupon.redeem_by > now),
        or_(Coupon.max_redemptions.is_(None), Coupon.times_redeemed < Coupon.max_redemptions),
    )


def get(
    session: Session, account_id: str, livemode: bool, promotion_code_id: str
) -> PromotionCode | None:
    stmt = _scoped(account_id, livemode).where(PromotionCode.id == promotion_code_id)
    return session.scalar(stmt)


def redeemable_with_code(
    session: Session, account_id: str, livemode: bool, code_folded: str, now: datetime
) -> list[PromotionCode]:
    """Codes spelled the same (regardless of case) that could be redeemed now."""
    stmt = _scoped(account_id, livemode).where(
        PromotionCode.code_folded == code_folded, redeemable(now)
    )
    return list(session.scalars(stmt))


def code_in_use(session: Session, account_id: str, livemode: bool, code_folded: str) -> bool:
    """Whether any code, active or not, is spelled this way: generated codes avoid them all."""
    stmt = (
        select(func.count())
        .select_from(PromotionCode)
        .where(
            PromotionCode.account_id == account_id,
            PromotionCode.livemode == livemode,
            PromotionCode.code_folded == code_folded,
        )
    )
    return bool(session.scalar(stmt))


def lock_code(session: Session, account_id: str, livemode: bool, code_folded: str) -> None:
    """Serialise transactions that claim one code string until they commit.

    Uniqueness among *active* codes depends on time and on other rows, so no unique index
    can express it. PostgreSQL takes a transaction-scoped advisory lock on the string;
    SQLite needs nothing, as it runs one writing transaction at a time.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    key = f"promotion_code:{account_id}:{int(livemode)}:{code_folded}"
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    now: datetime,
    active: bool | None = None,
    code_folded: str | None = None,
    coupon_id: str | None = None,
    customer: str | None = None,
) -> Page[PromotionCode]:
    stmt = _scoped(account_id, livemode)
    if active is not None:
        stmt = stmt.where(redeemable(now) if active else not_(redeemable(now)))
    if code_folded is not None:
        stmt = stmt.where(PromotionCode.code_folded == code_folded)
    if coupon_id is not None:
        stmt = stmt.where(PromotionCode.coupon_id == coupon_id)
    if customer is not None:
        stmt = stmt.where(PromotionCode.customer == customer)
    return paginate(session, stmt, PromotionCode.id, PromotionCode.created, window)
