"""SQL for reviews."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.reviews import Review
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, review: Review) -> None:
    session.add(review)


def _scoped(account_id: str, livemode: bool) -> Select[Review]:
    return select(Review).where(Review.account_id == account_id, Review.livemode == livemode)


def get(
    session: Session, account_id: str, livemode: bool, review_id: str, *, for_update: bool = False
) -> Review | None:
    stmt = _scoped(account_id, livemode).where(Review.id == review_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def open_page(session: Session, account_id: str, livemode: bool, window: Window) -> Page[Review]:
    """Open reviews only: Stripe's list is the queue of reviews that need action."""
    stmt = _scoped(account_id, livemode).where(Review.open.is_(True))
    return paginate(session, stmt, Review.id, Review.created, window)


def payment_intent(session: Session, intent_id: str) -> PaymentIntent | None:
    """The charge's payment intent, from the unit's identity map when it is loaded."""
    return session.get(PaymentIntent, intent_id)
