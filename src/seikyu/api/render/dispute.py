"""dispute -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.disputes import Dispute
from seikyu.risk.domain import dispute_evidence
from seikyu.risk.domain.dispute_status import charge_refundable

OBJECT = "dispute"


def render_dispute(dispute: Dispute) -> dict[str, Any]:
    evidence = dispute.evidence or {}
    return {
        "id": dispute.id,
        "object": OBJECT,
        "amount": dispute.amount,
        # Seikyu keeps no balance transactions for charges, so none for their disputes.
        "balance_transactions": [],
        "charge": dispute.charge_id,
        "created": ts(dispute.created),
        "currency": dispute.currency,
        "enhanced_eligibility_types": [],
        "evidence": {
            **{name: evidence.get(name) for name in dispute_evidence.EVIDENCE_FIELDS},
            "enhanced_evidence": {},
        },
        "evidence_details": {
            "due_by": ts(dispute.due_by),
            "enhanced_eligibility": {},
            "has_evidence": dispute_evidence.has_evidence(evidence),
            "past_due": dispute.past_due,
            "submission_count": dispute.submission_count,
            "submission_method": "manual" if dispute.submission_count else "not_submitted",
        },
        "intended_submission_method": dispute.intended_submission_method,
        "is_charge_refundable": charge_refundable(dispute.status),
        "livemode": dispute.livemode,
        "metadata": dict(dispute.metadata_),
        "network_reason_code": dispute.network_reason_code,
        "payment_intent": dispute.payment_intent_id,
        "payment_method_details": {
            "type": "card",
            "card": {
                "brand": dispute.card_brand,
                "case_type": dispute.case_type,
                "network": dispute.card_brand,
                "network_reason_code": dispute.network_reason_code,
            },
        },
        "reason": dispute.reason,
        "status": dispute.status,
    }
