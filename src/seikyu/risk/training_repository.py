"""SQL for training the fraud model on an account's own payments: its screened attempts and
every record that says a charge was fraudulent, with when it was made."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seikyu.db.models.charges import Charge
from seikyu.db.models.disputes import Dispute
from seikyu.db.models.early_fraud_warnings import EarlyFraudWarning
from seikyu.db.models.refunds import Refund
from seikyu.db.models.reviews import Review
from seikyu.db.models.risk_assessments import RiskAssessment

REFUNDED_AS_FRAUD = "refunded_as_fraud"
FRAUDULENT = "fraudulent"
_BATCH = 2_000


@dataclass(frozen=True, slots=True)
class AssessedAttempt:
    id: str
    created: datetime
    charge_id: str | None
    outcome: str
    is_setup: bool
    signals: dict[str, Any]


def assessments(
    session: Session, account_id: str, livemode: bool, created_until: datetime
) -> Iterator[AssessedAttempt]:
    """The account's screened attempts created at or before `created_until`, oldest first,
    read in batches so a large history is never held twice."""
    stmt = (
        select(
            RiskAssessment.id,
            RiskAssessment.created,
            RiskAssessment.charge_id,
            RiskAssessment.outcome,
            RiskAssessment.is_setup,
            RiskAssessment.signals,
        )
        .where(
            RiskAssessment.account_id == account_id,
            RiskAssessment.livemode == livemode,
            RiskAssessment.created <= created_until,
        )
        .order_by(RiskAssessment.created, RiskAssessment.id)
        .execution_options(yield_per=_BATCH)
    )
    for row in session.execute(stmt):
        yield AssessedAttempt(
            row.id, row.created, row.charge_id, row.outcome, row.is_setup, row.signals or {}
        )


def early_fraud_warnings(
    session: Session, account_id: str, livemode: bool, known_by: datetime
) -> list[tuple[str, datetime]]:
    """`(charge_id, created)` of each charge's first early fraud warning made by `known_by`."""
    stmt = (
        select(EarlyFraudWarning.charge_id, func.min(EarlyFraudWarning.created))
        .where(
            EarlyFraudWarning.account_id == account_id,
            EarlyFraudWarning.livemode == livemode,
            EarlyFraudWarning.created <= known_by,
        )
        .group_by(EarlyFraudWarning.charge_id)
    )
    return [(charge_id, created) for charge_id, created in session.execute(stmt)]


def fraudulent_disputes(
    session: Session, account_id: str, livemode: bool, known_by: datetime
) -> list[tuple[str, datetime]]:
    """`(charge_id, created)` of each charge's first dispute for fraud opened by `known_by`,
    whatever became of it: the cardholder's claim, known when it opens, is the label."""
    stmt = (
        select(Dispute.charge_id, func.min(Dispute.created))
        .where(
            Dispute.account_id == account_id,
            Dispute.livemode == livemode,
            Dispute.reason == FRAUDULENT,
            Dispute.created <= known_by,
        )
        .group_by(Dispute.charge_id)
    )
    return [(charge_id, created) for charge_id, created in session.execute(stmt)]


def reviews_refunded_as_fraud(
    session: Session, account_id: str, livemode: bool, known_by: datetime
) -> list[tuple[str, datetime]]:
    """`(charge_id, updated)` of reviews closed as refunded as fraud by `known_by`."""
    stmt = select(Review.charge_id, func.min(Review.updated)).where(
        Review.account_id == account_id,
        Review.livemode == livemode,
        Review.closed_reason == REFUNDED_AS_FRAUD,
        Review.charge_id.is_not(None),
        Review.updated <= known_by,
    )
    stmt = stmt.group_by(Review.charge_id)
    return [(charge_id, updated) for charge_id, updated in session.execute(stmt) if charge_id]


@dataclass(frozen=True, slots=True)
class ReportedCharge:
    charge_id: str
    charge_created: datetime
    fraud_details: dict[str, Any] | None
    first_fraudulent_refund: datetime | None


def charges_with_fraud_details(
    session: Session, account_id: str, livemode: bool
) -> list[ReportedCharge]:
    """Charges carrying `fraud_details`, with the first refund made for fraud on each.

    The JSON is read in Python: `user_report` inside JSON is queried differently on each
    database, and charges with any report are few.
    """
    first_refund = (
        select(Refund.charge_id, func.min(Refund.created).label("first_created"))
        .where(
            Refund.account_id == account_id,
            Refund.livemode == livemode,
            Refund.reason == FRAUDULENT,
        )
        .group_by(Refund.charge_id)
        .subquery()
    )
    stmt = (
        select(Charge.id, Charge.created, Charge.fraud_details, first_refund.c.first_created)
        .outerjoin(first_refund, first_refund.c.charge_id == Charge.id)
        .where(
            Charge.account_id == account_id,
            Charge.livemode == livemode,
            Charge.fraud_details.is_not(None),
        )
    )
    return [
        ReportedCharge(charge_id, created, details, refunded)
        for charge_id, created, details, refunded in session.execute(stmt)
    ]
