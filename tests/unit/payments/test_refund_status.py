"""The refund transition table: where each action leads, its events, what holds money, and
Stripe-worded refusals for every move outside the table."""

from __future__ import annotations

import itertools

import pytest

from seikyu.core.errors import ErrorType, SeikyuError
from seikyu.payments.domain.processor import OutcomeStatus
from seikyu.payments.domain.refund_status import (
    REFUND_CREATED_EVENT,
    REFUND_TRANSITIONS,
    RefundAction,
    RefundStatus,
    holds_amount,
    initial_status,
    is_terminal,
    refund_transition,
    settlement_action,
)

S = RefundStatus
A = RefundAction
UPDATED = ("refund.updated", "charge.refund.updated")
FAILED_EVENTS = ("refund.updated", "refund.failed", "charge.refund.updated")

# The whole table, written out: (from, action) -> (to, events).
EXPECTED = {
    (S.PENDING, A.SUCCEED): (S.SUCCEEDED, UPDATED),
    (S.PENDING, A.FAIL): (S.FAILED, FAILED_EVENTS),
    (S.PENDING, A.CANCEL): (S.CANCELED, UPDATED),
    (S.REQUIRES_ACTION, A.SUCCEED): (S.SUCCEEDED, UPDATED),
    (S.REQUIRES_ACTION, A.FAIL): (S.FAILED, FAILED_EVENTS),
    (S.REQUIRES_ACTION, A.CANCEL): (S.CANCELED, UPDATED),
    (S.SUCCEEDED, A.FAIL): (S.FAILED, FAILED_EVENTS),
}


@pytest.mark.parametrize(("start", "action"), list(EXPECTED))
def test_each_allowed_move_lands_where_stripe_says_with_its_events(
    start: RefundStatus, action: RefundAction
) -> None:
    moved = refund_transition(start, action)
    assert (moved.status, moved.events) == EXPECTED[(start, action)]


def test_the_table_has_no_move_beyond_those() -> None:
    assert {key: (t.status, t.events) for key, t in REFUND_TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(
    ("start", "action"),
    [pair for pair in itertools.product(S, A) if pair not in EXPECTED],
)
def test_every_other_move_is_refused_as_an_invalid_request(
    start: RefundStatus, action: RefundAction
) -> None:
    with pytest.raises(SeikyuError) as refused:
        refund_transition(start, action)
    assert refused.value.type is ErrorType.INVALID_REQUEST
    assert (refused.value.code, refused.value.param) == (None, None)
    assert f"because it has a status of {start}" in refused.value.message


def test_a_succeeded_refund_cannot_be_canceled_in_these_words() -> None:
    with pytest.raises(SeikyuError) as refused:
        refund_transition("succeeded", A.CANCEL)
    assert refused.value.message == (
        "You cannot cancel this refund because it has a status of succeeded. Only a refund "
        "with a status of pending or requires_action can be canceled."
    )


def test_a_processor_answer_the_status_cannot_take_lists_the_statuses_that_can() -> None:
    with pytest.raises(SeikyuError) as refused:
        refund_transition(S.CANCELED, A.FAIL)
    assert refused.value.message == (
        "This refund could not be marked as failed because it has a status of canceled. Only "
        "a refund with a status of pending, requires_action, or succeeded can be marked as "
        "failed."
    )


def test_a_stored_status_string_is_read_and_a_foreign_one_refused() -> None:
    assert refund_transition("pending", A.SUCCEED).status is S.SUCCEEDED
    with pytest.raises(ValueError, match="not a RefundStatus"):
        refund_transition("requires_capture", A.CANCEL)


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (OutcomeStatus.SUCCEEDED, S.SUCCEEDED),
        (OutcomeStatus.PENDING, S.PENDING),
        (OutcomeStatus.REQUIRES_ACTION, S.REQUIRES_ACTION),
        (OutcomeStatus.FAILED, S.FAILED),
    ],
)
def test_a_new_refund_takes_the_status_of_the_processors_first_answer(
    answer: OutcomeStatus, status: RefundStatus
) -> None:
    assert initial_status(answer) is status


def test_the_creation_event_is_stripes() -> None:
    assert REFUND_CREATED_EVENT == "refund.created"


@pytest.mark.parametrize(
    ("status", "holds"),
    [
        (S.PENDING, True),
        (S.REQUIRES_ACTION, True),
        (S.SUCCEEDED, True),
        (S.FAILED, False),
        (S.CANCELED, False),
    ],
)
def test_only_live_refunds_hold_their_amount(status: RefundStatus, holds: bool) -> None:
    assert holds_amount(status) is holds
    assert holds_amount(status.value) is holds


@pytest.mark.parametrize(
    ("status", "terminal"),
    [(S.PENDING, False), (S.REQUIRES_ACTION, False), (S.SUCCEEDED, False), (S.FAILED, True),
     (S.CANCELED, True)],
)  # fmt: skip
def test_failed_and_canceled_refunds_are_final(status: RefundStatus, terminal: bool) -> None:
    assert is_terminal(status) is terminal


@pytest.mark.parametrize(
    ("status", "answer", "action"),
    [
        # The answers that change something.
        (S.PENDING, OutcomeStatus.SUCCEEDED, A.SUCCEED),
        (S.PENDING, OutcomeStatus.FAILED, A.FAIL),
        (S.REQUIRES_ACTION, OutcomeStatus.SUCCEEDED, A.SUCCEED),
        (S.SUCCEEDED, OutcomeStatus.FAILED, A.FAIL),
        # Still waiting, or told what the refund already is.
        (S.PENDING, OutcomeStatus.PENDING, None),
        (S.REQUIRES_ACTION, OutcomeStatus.REQUIRES_ACTION, None),
        (S.SUCCEEDED, OutcomeStatus.SUCCEEDED, None),
        (S.FAILED, OutcomeStatus.FAILED, None),
        # A final status keeps what it is, whatever the processor says now.
        (S.CANCELED, OutcomeStatus.SUCCEEDED, None),
        (S.CANCELED, OutcomeStatus.FAILED, None),
        (S.FAILED, OutcomeStatus.SUCCEEDED, None),
        (S.SUCCEEDED, OutcomeStatus.PENDING, None),
    ],
)
def test_settlement_moves_only_on_an_answer_that_changes_something(
    status: RefundStatus, answer: OutcomeStatus, action: RefundAction | None
) -> None:
    assert settlement_action(status, answer) is action
    assert settlement_action(status.value, answer) is action
