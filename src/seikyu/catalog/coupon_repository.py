"""SQL for coupons.

A coupon's id is the merchant's choice and is free again once the coupon is deleted, so
"the coupon X" means the one live row with that id; deleted rows stay for the discounts
that were made from them.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from seikyu.db.models.coupons import Coupon
from seikyu.db.pagination import Page, Window, paginate


def _scoped(account_id: str, livemode: bool) -> Select[Coupon]:
    return select(Coupon).where(Coupon.account_id == account_id, Coupon.livemode == livemode)


def add_unless_taken(session: Session, coupon: Coupon) -> bool:
    """Insert the coupon; False if a live coupon already has its id.

    The unique index decides, so two requests racing for one id cannot both win.
    """
    if get_live(session, coupon.account_id, coupon.livemode, coupon.id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(coupon)
            session.flush()
    except IntegrityError:
        return False
    return True


def show_invalid(coupon: Coupon) -> None:
    """Mark the loaded coupon invalid without writing anything: the row keeps its value and
    nothing is flushed, so read-only transactions stay read-only."""
    set_committed_value(coupon, "valid", False)


def get_live(session: Session, account_id: str, livemode: bool, coupon_id: str) -> Coupon | None:
    """The coupon with this id that is not deleted."""
    stmt = _scoped(account_id, livemode).where(Coupon.id == coupon_id, Coupon.deleted_at.is_(None))
    return session.scalar(stmt)


def internal_id_of(session: Session, account_id: str, livemode: bool, coupon_id: str) -> str | None:
    """The row key for a list cursor: the newest row with that id, even a deleted one, so a
    page boundary survives the deletion of the coupon it was taken from."""
    stmt = (
        select(Coupon.internal_id)
        .where(
            Coupon.account_id == account_id,
            Coupon.livemode == livemode,
            Coupon.id == coupon_id,
        )
        .order_by(Coupon.internal_id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def page(session: Session, account_id: str, livemode: bool, window: Window) -> Page[Coupon]:
    """Live coupons, newest first; the window's cursors are internal ids."""
    stmt = _scoped(account_id, livemode).where(Coupon.deleted_at.is_(None))
    return paginate(session, stmt, Coupon.internal_id, Coupon.created, window)
