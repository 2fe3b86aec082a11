"""Review statuses, and the table that closes a review.

A review opens once, by a rule or by hand (`opening`), and closes once: approved, refunded,
refunded as fraud, disputed or redacted. Nothing reopens it. A review's `reason` is why it is
open while it is, and why it closed once it has (Stripe's single field for both).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from seikyu.core.errors import SeikyuError

REVIEW_OPENED_EVENT = "review.opened"
REVIEW_CLOSED_EVENT = "review.closed"


class ReviewStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class OpenedReason(StrEnum):
    RULE = "rule"
    MANUAL = "manual"


class ClosedReason(StrEnum):
    APPROVED = "approved"
    REFUNDED = "refunded"
    REFUNDED_AS_FRAUD = "refunded_as_fraud"
    DISPUTED = "disputed"
    REDACTED = "redacted"


@dataclass(frozen=True, slots=True)
class ReviewMove:
    """Where a move leaves a review: open or not, its reason, and the event to emit."""

    status: ReviewStatus
    reason: str
    closed_reason: ClosedReason | None
    event: str

    @property
    def open(self) -> bool:
        return self.status is ReviewStatus.OPEN


REVIEW_TRANSITIONS: Mapping[tuple[ReviewStatus, ClosedReason], ReviewMove] = MappingProxyType(
    {
        (ReviewStatus.OPEN, reason): ReviewMove(
            ReviewStatus.CLOSED, reason.value, reason, REVIEW_CLOSED_EVENT
        )
        for reason in ClosedReason
    }
)


def status_of(is_open: bool) -> ReviewStatus:
    return ReviewStatus.OPEN if is_open else ReviewStatus.CLOSED


def opening(reason: OpenedReason | str) -> ReviewMove:
    """How a new review starts; raises `ValueError` for a reason Stripe does not have."""
    opened = OpenedReason(reason)
    return ReviewMove(ReviewStatus.OPEN, opened.value, None, REVIEW_OPENED_EVENT)


def review_transition(status: ReviewStatus, reason: ClosedReason) -> ReviewMove:
    """The move that closes a review for `reason`.

    Raises `SeikyuError` (`invalid_request_error`, no code, no param) for a review that is
    already closed: a closed review keeps the reason it closed for.
    """
    move = REVIEW_TRANSITIONS.get((status, reason))
    if move is None:
        # Stripe documents no wording for this refusal; this one says what happened.
        raise SeikyuError("This review is already closed and cannot be changed.")
    return move


def is_closable(status: ReviewStatus) -> bool:
    return any(key[0] is status for key in REVIEW_TRANSITIONS)
