"""A dispute's evidence, its deadline, and how test mode decides a submitted dispute.

Evidence is Stripe's flat hash of text fields and file fields. Each update merges into what
is staged; submitting sends all of it. In test mode the issuer's decision is read from
`uncategorized_text` (Stripe's convention): `winning_evidence` wins, `losing_evidence`
loses, anything else leaves the dispute under review.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta

from seikyu.risk.domain.dispute_status import DisputeAction

# Text fields Stripe lets run to 20,000 characters; the others are short strings.
LONG_TEXT_FIELDS = (
    "access_activity_log",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "duplicate_charge_explanation",
    "product_description",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "uncategorized_text",
)
SHORT_TEXT_FIELDS = (
    "billing_address",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "duplicate_charge_id",
    "service_date",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_tracking_number",
)
# Fields that hold the id of an uploaded file.
FILE_FIELDS = (
    "cancellation_policy",
    "customer_communication",
    "customer_signature",
    "duplicate_charge_documentation",
    "receipt",
    "refund_policy",
    "service_documentation",
    "shipping_documentation",
    "uncategorized_file",
)
EVIDENCE_FIELDS = tuple(sorted(LONG_TEXT_FIELDS + SHORT_TEXT_FIELDS + FILE_FIELDS))
LONG_TEXT_MAX = 20_000
SHORT_TEXT_MAX = 5_000
# Stripe's ceiling on all the text of one dispute's evidence together.
COMBINED_TEXT_MAX = 150_000

WINNING_EVIDENCE = "winning_evidence"
LOSING_EVIDENCE = "losing_evidence"

# Stripe's window to answer runs 7 to 21 days depending on the network; Seikyu gives every
# dispute the longest, ending at the last second of that UTC day as Stripe's deadlines do.
RESPONSE_DAYS = 21


def empty_evidence() -> dict[str, str | None]:
    return dict.fromkeys(EVIDENCE_FIELDS)


def merge(
    staged: Mapping[str, str | None], given: Mapping[str, str | None]
) -> dict[str, str | None]:
    """The evidence after an update: given fields replace staged ones, an empty string
    clears one, the rest stay."""
    merged = {name: staged.get(name) for name in EVIDENCE_FIELDS}
    for name, value in given.items():
        merged[name] = value or None
    return merged


def combined_length(evidence: Mapping[str, str | None]) -> int:
    return sum(len(evidence.get(name) or "") for name in LONG_TEXT_FIELDS + SHORT_TEXT_FIELDS)


def has_evidence(evidence: Mapping[str, str | None]) -> bool:
    return any(evidence.get(name) for name in EVIDENCE_FIELDS)


def decision_in_test_mode(evidence: Mapping[str, str | None]) -> DisputeAction | None:
    """The issuer's decision on submitted evidence in test mode; None: still reviewing."""
    text = evidence.get("uncategorized_text")
    if text == WINNING_EVIDENCE:
        return DisputeAction.WIN
    if text == LOSING_EVIDENCE:
        return DisputeAction.LOSE
    return None


def due_by(opened: datetime) -> datetime:
    """The last moment to submit evidence for a dispute opened at `opened` (aware UTC)."""
    last_day = (opened + timedelta(days=RESPONSE_DAYS)).date()
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=opened.tzinfo)
