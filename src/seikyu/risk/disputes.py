"""Disputes (`/v1/disputes`): a cardholder challenging a charge through the issuer.

The test processor's dispute cards open one as soon as money is taken: with the payment,
or with the capture of an authorization held for later (`open_dispute`, in the charge's
or the capture's own transaction). Opening marks the charge `disputed`,
closes its open review as `disputed` and leaves its early fraud warnings nothing to act on.
The account then stages and submits evidence (`update`) or accepts the loss (`close`); in
test mode the issuer decides at once from the evidence (see `domain.dispute_evidence`).

Every move locks the charge first, then the dispute, as refunds do: a refund racing the
acceptance of an inquiry either refunds before the money is taken back or is refused after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, invalid, no_such
from seikyu.db.models.charges import Charge
from seikyu.db.models.disputes import Dispute
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.files import service as files
from seikyu.risk import dispute_repository as repository
from seikyu.risk import early_fraud_warnings, reviews
from seikyu.risk.domain import dispute_evidence as evidence_rules
from seikyu.risk.domain.dispute_status import (
    UPDATED_EVENT,
    DisputeAction,
    charge_refundable,
    dispute_transition,
    is_closed,
    opening,
    refusal,
    takes_evidence,
)

OBJECT = "dispute"
PREFIX = "dp"
EVIDENCE_PURPOSE = "dispute_evidence"
# Visa's codes for the reasons its test cards dispute with; other brands' are not known.
_VISA_REASON_CODES = {"fraudulent": "10.4", "product_not_received": "13.1"}


class DisputeFields(TypedDict, total=False):
    evidence: dict[str, str | None] | None
    metadata: dict[str, str] | None
    submit: bool | None
    intended_submission_method: str | None


def open_dispute(uow: UnitOfWork, charge: Charge, *, reason: str, inquiry: bool) -> Dispute:
    """The cardholder disputes all of `charge`: an inquiry, or a chargeback that takes the
    money back at once."""
    move = opening(inquiry=inquiry)
    card = (charge.payment_method_details or {}).get("card") or {}
    brand = str(card.get("brand") or "unknown")
    dispute = Dispute(
        id=uow.new_id(PREFIX),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        charge_id=charge.id,
        payment_intent_id=charge.payment_intent_id,
        # What was taken: a partly captured authorization is disputed for its capture.
        amount=charge.amount_captured or charge.amount,
        currency=charge.currency,
        reason=reason,
        status=move.status.value,
        case_type="inquiry" if inquiry else "chargeback",
        card_brand=brand,
        network_reason_code=_VISA_REASON_CODES.get(reason) if brand == "visa" else None,
        evidence=evidence_rules.empty_evidence(),
        due_by=evidence_rules.due_by(uow.now),
        submission_count=0,
        past_due=False,
        intended_submission_method=None,
        metadata_={},
    )
    repository.add(uow.session, dispute)
    charge.disputed = True
    for event in move.events:
        uow.emit(event, dispute)
    reviews.close_for_dispute(uow, charge)
    # Stripe's rule: a warning about a disputed charge has nothing left to act on.
    early_fraud_warnings.mark_not_actionable(uow, charge)
    return dispute


def update(uow: UnitOfWork, dispute_id: str, fields: DisputeFields) -> Dispute:
    """Stage evidence and metadata and, unless `submit` is false, submit the evidence.

    A dispute past its response is refused: once closed nothing changes, and once
    submitted only metadata does.
    """
    dispute = _locked(uow, dispute_id)
    given = fields.get("evidence") or {}
    submitting = fields.get("submit")
    if submitting is None:
        submitting = "evidence" in fields  # Stripe submits unless told to stage
    if is_closed(dispute.status) or (
        (given or submitting or "intended_submission_method" in fields)
        and not takes_evidence(dispute.status)
    ):
        raise refusal(dispute.status)
    staged = evidence_rules.merge(dispute.evidence, given)
    _check_evidence(uow, given, staged)
    uow.before_update(UPDATED_EVENT, dispute)
    dispute.evidence = staged
    if "metadata" in fields:
        dispute.metadata_ = metadata.merge(dispute.metadata_, fields["metadata"])
    if "intended_submission_method" in fields:
        dispute.intended_submission_method = fields["intended_submission_method"]
    if submitting:
        dispute.submission_count += 1
        dispute.past_due = uow.now > dispute.due_by
        _move(uow, dispute, DisputeAction.SUBMIT)
        decision = evidence_rules.decision_in_test_mode(staged)
        if decision is not None and not uow.livemode:
            _move(uow, dispute, decision)
    return dispute


def close(uow: UnitOfWork, dispute_id: str) -> Dispute:
    """Accept the dispute as lost: the account has nothing to answer with."""
    dispute = _locked(uow, dispute_id)
    _move(uow, dispute, DisputeAction.ACCEPT)
    return dispute


def refuse_refund_if_charged_back(uow: UnitOfWork, charge: Charge) -> None:
    """Refuse a refund of a charge whose dispute holds the money: the cardholder already
    has it back (Stripe's `charge_disputed`)."""
    if not charge.disputed:
        return
    for dispute in repository.of_charge(uow.session, uow.account_id, uow.livemode, charge.id):
        if not charge_refundable(dispute.status):
            raise SeikyuError(
                f"Charge {charge.id} has been charged back; cannot issue a refund.",
                code="charge_disputed",
            )


def get(uow: UnitOfWork, dispute_id: str, *, param: str | None = "id") -> Dispute:
    dispute = find(uow, dispute_id)
    if dispute is None:
        raise no_such(OBJECT, dispute_id, param=param)
    return dispute


def find(uow: UnitOfWork, dispute_id: str) -> Dispute | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, dispute_id)


def page(
    uow: UnitOfWork, window: Window, *, charge_id: str | None, payment_intent_id: str | None
) -> Page[Dispute]:
    return repository.page(
        uow.session,
        uow.account_id,
        uow.livemode,
        window,
        charge_id=charge_id,
        payment_intent_id=payment_intent_id,
    )


def _locked(uow: UnitOfWork, dispute_id: str) -> Dispute:
    """The dispute, locked after its charge."""
    charge_id = get(uow, dispute_id).charge_id
    repository.lock_charge(uow.session, uow.account_id, uow.livemode, charge_id)
    dispute = repository.get(uow.session, uow.account_id, uow.livemode, dispute_id, for_update=True)
    assert dispute is not None  # disputes are never deleted
    return dispute


def _move(uow: UnitOfWork, dispute: Dispute, action: DisputeAction) -> None:
    """Change the status only through the transition table, emitting its events."""
    move = dispute_transition(dispute.status, action)
    for event in move.events:
        if event == UPDATED_EVENT:
            uow.before_update(event, dispute)
        else:
            uow.emit(event, dispute)
    dispute.status = move.status.value


def _check_evidence(
    uow: UnitOfWork, given: Mapping[str, str | None], staged: Mapping[str, str | None]
) -> None:
    for name in evidence_rules.FILE_FIELDS:
        file_id = given.get(name)
        if file_id:
            files.usable(uow, file_id, EVIDENCE_PURPOSE, param=f"evidence[{name}]")
    if evidence_rules.combined_length(staged) > evidence_rules.COMBINED_TEXT_MAX:
        raise invalid(
            "The evidence's text fields together must be at most "
            f"{evidence_rules.COMBINED_TEXT_MAX:,} characters.",
            param="evidence",
        )
