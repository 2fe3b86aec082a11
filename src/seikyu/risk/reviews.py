"""Reviews (`/v1/reviews`): payments held for someone to look at, opened by a review rule
or by hand, closed by approving, refunding or a dispute.

Screening opens a review on the charge it lets through (`open_review`); refunds and disputes
close it (`close_for_refund`, `close_for_dispute`); the API approves it. A review is locked
before it is closed, so an approval racing a refund closes it once, and the loser sees it
closed: an approval is refused, a refund leaves it as it is.
"""

from __future__ import annotations

from seikyu.core.errors import no_such
from seikyu.db.models.charges import Charge
from seikyu.db.models.reviews import Review
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.risk import review_repository as repository
from seikyu.risk.domain.review_status import (
    ClosedReason,
    OpenedReason,
    is_closable,
    opening,
    review_transition,
    status_of,
)

OBJECT = "review"
PREFIX = "prv"


def open_review(
    uow: UnitOfWork,
    charge: Charge,
    *,
    reason: OpenedReason | str,
    rule_id: str | None,
    ip_address: str | None,
) -> Review:
    """Open a review of `charge` (`reason` is `rule` or `manual`) and show it on the charge.

    A charge has at most one open review: asked again, this returns the open one unchanged,
    so screening that runs twice for one payment opens one review.
    """
    current = _of_charge(uow, charge)
    if current is not None and current.open:
        return current
    move = opening(reason)
    review = Review(
        id=uow.new_id(PREFIX),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        updated=uow.now,
        charge_id=charge.id,
        payment_intent_id=charge.payment_intent_id,
        open=move.open,
        opened_reason=move.reason,
        reason=move.reason,
        closed_reason=None,
        ip_address=ip_address,
        rule_id=rule_id,
    )
    repository.add(uow.session, review)
    charge.review_id = review.id
    intent = (
        repository.payment_intent(uow.session, charge.payment_intent_id)
        if charge.payment_intent_id
        else None
    )
    if intent is not None and intent.latest_charge_id == charge.id:
        # Stripe shows the review of an intent's latest charge on the intent too.
        intent.review_id = review.id
    uow.emit(move.event, review)
    return review


def close_for_refund(uow: UnitOfWork, charge: Charge, *, fraudulent: bool) -> Review | None:
    """Close the charge's open review as `refunded`, or `refunded_as_fraud` for a refund
    given as fraudulent; None when the charge has no open review."""
    reason = ClosedReason.REFUNDED_AS_FRAUD if fraudulent else ClosedReason.REFUNDED
    return _close_open(uow, charge, reason)


def close_for_dispute(uow: UnitOfWork, charge: Charge) -> Review | None:
    """Close the charge's open review as `disputed`; None when it has no open review."""
    return _close_open(uow, charge, ClosedReason.DISPUTED)


def approve(uow: UnitOfWork, review_id: str) -> Review:
    """Close an open review as approved: the payment stands. A closed review is refused."""
    review = repository.get(uow.session, uow.account_id, uow.livemode, review_id, for_update=True)
    if review is None:
        raise no_such(OBJECT, review_id)
    _close(uow, review, ClosedReason.APPROVED)
    return review


def get(uow: UnitOfWork, review_id: str, *, param: str | None = "id") -> Review:
    review = find(uow, review_id)
    if review is None:
        raise no_such(OBJECT, review_id, param=param)
    return review


def find(uow: UnitOfWork, review_id: str) -> Review | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, review_id)


def page_open(uow: UnitOfWork, window: Window) -> Page[Review]:
    """The open reviews, newest first: Stripe lists only those."""
    return repository.open_page(uow.session, uow.account_id, uow.livemode, window)


def _close_open(uow: UnitOfWork, charge: Charge, reason: ClosedReason) -> Review | None:
    review = _of_charge(uow, charge)
    if review is None or not is_closable(status_of(review.open)):
        return None
    _close(uow, review, reason)
    return review


def _close(uow: UnitOfWork, review: Review, reason: ClosedReason) -> None:
    """Close only through the transition table, emitting its event."""
    move = review_transition(status_of(review.open), reason)
    review.open = move.open
    review.reason = move.reason
    review.closed_reason = None if move.closed_reason is None else move.closed_reason.value
    review.updated = uow.now
    uow.emit(move.event, review)


def _of_charge(uow: UnitOfWork, charge: Charge) -> Review | None:
    """The charge's latest review, locked."""
    if charge.review_id is None:
        return None
    return repository.get(
        uow.session, uow.account_id, uow.livemode, charge.review_id, for_update=True
    )
