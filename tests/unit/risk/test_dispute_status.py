"""The dispute transition table: where each move leads and the events it emits, refusals
for every move outside it, what holds the money, and the evidence deadline."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from seikyu.core.errors import ErrorType, SeikyuError
from seikyu.risk.domain.dispute_evidence import (
    COMBINED_TEXT_MAX,
    LONG_TEXT_FIELDS,
    combined_length,
    decision_in_test_mode,
    due_by,
    empty_evidence,
    has_evidence,
    merge,
)
from seikyu.risk.domain.dispute_status import (
    CLOSED_EVENT,
    CREATED_EVENT,
    DISPUTE_TRANSITIONS,
    FUNDS_REINSTATED_EVENT,
    FUNDS_WITHDRAWN_EVENT,
    UPDATED_EVENT,
    DisputeAction,
    DisputeStatus,
    charge_refundable,
    dispute_transition,
    is_closed,
    opening,
    takes_evidence,
)

S = DisputeStatus
A = DisputeAction

# The whole table, written out: (from, action) -> (to, events).
EXPECTED = {
    (S.NEEDS_RESPONSE, A.SUBMIT): (S.UNDER_REVIEW, (UPDATED_EVENT,)),
    (S.NEEDS_RESPONSE, A.ACCEPT): (S.LOST, (CLOSED_EVENT,)),
    (S.UNDER_REVIEW, A.WIN): (S.WON, (CLOSED_EVENT, FUNDS_REINSTATED_EVENT)),
    (S.UNDER_REVIEW, A.LOSE): (S.LOST, (CLOSED_EVENT,)),
    (S.WARNING_NEEDS_RESPONSE, A.SUBMIT): (S.WARNING_UNDER_REVIEW, (UPDATED_EVENT,)),
    (S.WARNING_NEEDS_RESPONSE, A.ACCEPT): (S.LOST, (CLOSED_EVENT, FUNDS_WITHDRAWN_EVENT)),
    (S.WARNING_UNDER_REVIEW, A.WIN): (S.WARNING_CLOSED, (CLOSED_EVENT,)),
    (S.WARNING_UNDER_REVIEW, A.LOSE): (S.LOST, (CLOSED_EVENT, FUNDS_WITHDRAWN_EVENT)),
}


@pytest.mark.parametrize(("start", "action"), list(EXPECTED))
def test_each_allowed_move_lands_where_it_should_with_its_events(
    start: DisputeStatus, action: DisputeAction
) -> None:
    moved = dispute_transition(start, action)

    assert (moved.status, moved.events) == EXPECTED[(start, action)]


def test_the_table_has_no_move_beyond_those() -> None:
    assert {key: (m.status, m.events) for key, m in DISPUTE_TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(
    ("start", "action"),
    [pair for pair in itertools.product(S, A) if pair not in EXPECTED],
)
def test_every_other_move_is_refused_as_an_invalid_request(
    start: DisputeStatus, action: DisputeAction
) -> None:
    with pytest.raises(SeikyuError) as refused:
        dispute_transition(start, action)

    assert refused.value.type is ErrorType.INVALID_REQUEST
    assert (refused.value.code, refused.value.param) == (None, None)


@pytest.mark.parametrize("closed", [S.WON, S.LOST, S.WARNING_CLOSED])
def test_a_closed_dispute_says_so_and_never_moves(closed: DisputeStatus) -> None:
    assert is_closed(closed)
    assert not takes_evidence(closed)
    with pytest.raises(SeikyuError, match=r"^This dispute is already closed\.$"):
        dispute_transition(closed, A.ACCEPT)


def test_a_status_that_is_not_a_disputes_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="pending"):
        dispute_transition("pending", A.SUBMIT)


def test_a_chargeback_opens_taking_the_money_and_an_inquiry_opens_taking_none() -> None:
    chargeback, inquiry = opening(inquiry=False), opening(inquiry=True)

    assert (chargeback.status, chargeback.events) == (
        S.NEEDS_RESPONSE,
        (CREATED_EVENT, FUNDS_WITHDRAWN_EVENT),
    )
    assert (inquiry.status, inquiry.events) == (S.WARNING_NEEDS_RESPONSE, (CREATED_EVENT,))


def test_the_charge_is_refundable_only_while_the_issuer_does_not_hold_the_money() -> None:
    refundable = {status for status in S if charge_refundable(status)}

    assert refundable == {
        S.WARNING_NEEDS_RESPONSE,
        S.WARNING_UNDER_REVIEW,
        S.WARNING_CLOSED,
        S.WON,
    }


def test_only_a_dispute_awaiting_a_response_takes_evidence() -> None:
    assert {status for status in S if takes_evidence(status)} == {
        S.NEEDS_RESPONSE,
        S.WARNING_NEEDS_RESPONSE,
    }


# --- evidence --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        (datetime(2026, 1, 10, 8, 30, tzinfo=UTC), datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC)),
        # Across a month end and into a leap day.
        (datetime(2028, 2, 8, 0, 0, tzinfo=UTC), datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC)),
        # Opened in the last second of a day: the deadline is still 21 days on.
        (
            datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
            datetime(2027, 1, 21, 23, 59, 59, tzinfo=UTC),
        ),
    ],
)
def test_evidence_is_due_at_the_end_of_the_twenty_first_day(
    opened: datetime, due: datetime
) -> None:
    assert due_by(opened) == due


def test_an_update_replaces_given_fields_clears_empty_ones_and_keeps_the_rest() -> None:
    staged = merge(empty_evidence(), {"customer_name": "Ada", "shipping_carrier": "UPS"})

    updated = merge(staged, {"customer_name": None, "receipt": None, "service_date": "May 1"})

    assert (updated["customer_name"], updated["shipping_carrier"], updated["service_date"]) == (
        None,
        "UPS",
        "May 1",
    )
    assert set(updated) == set(empty_evidence())
    assert has_evidence(updated)
    assert not has_evidence(empty_evidence())


def test_every_text_field_counts_toward_the_combined_length_but_file_ids_do_not() -> None:
    evidence = merge(
        empty_evidence(), dict.fromkeys(LONG_TEXT_FIELDS, "x" * 1000) | {"receipt": "file_1"}
    )

    assert combined_length(evidence) == 1_000 * len(LONG_TEXT_FIELDS)
    assert COMBINED_TEXT_MAX == 150_000


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("winning_evidence", A.WIN),
        ("losing_evidence", A.LOSE),
        ("The customer signed for it.", None),
        ("winning_evidence ", None),
        (None, None),
    ],
)
def test_test_mode_decides_from_the_uncategorized_text(
    text: str | None, decision: DisputeAction | None
) -> None:
    evidence = merge(empty_evidence(), {"uncategorized_text": text})

    assert decision_in_test_mode(evidence) is decision
