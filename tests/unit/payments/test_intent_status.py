"""The PaymentIntent and SetupIntent status machines: every move, and every move refused."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.core.errors import ErrorType, Kind, SeikyuError
from seikyu.payments.domain.intent_status import (
    PAYMENT_INTENT_CREATED_EVENT,
    PAYMENT_INTENT_TRANSITIONS,
    SETUP_INTENT_CREATED_EVENT,
    SETUP_INTENT_TRANSITIONS,
    PaymentIntentAction,
    PaymentIntentStatus,
    SetupIntentAction,
    SetupIntentStatus,
    Transition,
    is_terminal,
    payment_intent_transition,
    setup_intent_transition,
    transition,
)

P = PaymentIntentStatus
PA = PaymentIntentAction
S = SetupIntentStatus
SA = SetupIntentAction

PI_CANCELED = Transition(P.CANCELED, ("payment_intent.canceled",))
PI_SUCCEEDED = Transition(P.SUCCEEDED, ("payment_intent.succeeded",))
PI_FAILED = Transition(P.REQUIRES_PAYMENT_METHOD, ("payment_intent.payment_failed",))
PI_AUTHORIZED = Transition(P.REQUIRES_CAPTURE, ("payment_intent.amount_capturable_updated",))
PI_TO_CONFIRM = Transition(P.REQUIRES_CONFIRMATION, ())

# Written out by hand so the module's table is checked against the lifecycle in Stripe's
# "How PaymentIntents work" page, not against itself.
PAYMENT_INTENT_MOVES = {
    (P.REQUIRES_PAYMENT_METHOD, PA.ATTACH_PAYMENT_METHOD): PI_TO_CONFIRM,
    (P.REQUIRES_PAYMENT_METHOD, PA.CONFIRM): PI_TO_CONFIRM,
    (P.REQUIRES_PAYMENT_METHOD, PA.UPDATE): Transition(P.REQUIRES_PAYMENT_METHOD, ()),
    (P.REQUIRES_PAYMENT_METHOD, PA.CANCEL): PI_CANCELED,
    (P.REQUIRES_CONFIRMATION, PA.ATTACH_PAYMENT_METHOD): PI_TO_CONFIRM,
    (P.REQUIRES_CONFIRMATION, PA.CONFIRM): PI_TO_CONFIRM,
    (P.REQUIRES_CONFIRMATION, PA.UPDATE): PI_TO_CONFIRM,
    (P.REQUIRES_CONFIRMATION, PA.CANCEL): PI_CANCELED,
    (P.REQUIRES_CONFIRMATION, PA.AUTHORIZED_CAPTURE_LATER): PI_AUTHORIZED,
    (P.REQUIRES_CONFIRMATION, PA.SUCCEEDED): PI_SUCCEEDED,
    (P.REQUIRES_CONFIRMATION, PA.FAILED): PI_FAILED,
    (P.REQUIRES_CONFIRMATION, PA.REQUIRES_ACTION): Transition(
        P.REQUIRES_ACTION, ("payment_intent.requires_action",)
    ),
    (P.REQUIRES_CONFIRMATION, PA.PENDING): Transition(P.PROCESSING, ("payment_intent.processing",)),
    (P.REQUIRES_ACTION, PA.ATTACH_PAYMENT_METHOD): PI_TO_CONFIRM,
    (P.REQUIRES_ACTION, PA.CONFIRM): PI_TO_CONFIRM,
    (P.REQUIRES_ACTION, PA.AUTHENTICATE): PI_TO_CONFIRM,
    (P.REQUIRES_ACTION, PA.UPDATE): Transition(P.REQUIRES_ACTION, ()),
    (P.REQUIRES_ACTION, PA.CANCEL): PI_CANCELED,
    (P.PROCESSING, PA.AUTHORIZED_CAPTURE_LATER): PI_AUTHORIZED,
    (P.PROCESSING, PA.SUCCEEDED): PI_SUCCEEDED,
    (P.PROCESSING, PA.FAILED): PI_FAILED,
    (P.REQUIRES_CAPTURE, PA.CAPTURE): PI_SUCCEEDED,
    (P.REQUIRES_CAPTURE, PA.UPDATE): Transition(P.REQUIRES_CAPTURE, ()),
    (P.REQUIRES_CAPTURE, PA.CANCEL): PI_CANCELED,
}

SI_CANCELED = Transition(S.CANCELED, ("setup_intent.canceled",))
SI_SUCCEEDED = Transition(S.SUCCEEDED, ("setup_intent.succeeded",))
SI_FAILED = Transition(S.REQUIRES_PAYMENT_METHOD, ("setup_intent.setup_failed",))
SI_TO_CONFIRM = Transition(S.REQUIRES_CONFIRMATION, ())

SETUP_INTENT_MOVES = {
    (S.REQUIRES_PAYMENT_METHOD, SA.ATTACH_PAYMENT_METHOD): SI_TO_CONFIRM,
    (S.REQUIRES_PAYMENT_METHOD, SA.CONFIRM): SI_TO_CONFIRM,
    (S.REQUIRES_PAYMENT_METHOD, SA.UPDATE): Transition(S.REQUIRES_PAYMENT_METHOD, ()),
    (S.REQUIRES_PAYMENT_METHOD, SA.CANCEL): SI_CANCELED,
    (S.REQUIRES_CONFIRMATION, SA.ATTACH_PAYMENT_METHOD): SI_TO_CONFIRM,
    (S.REQUIRES_CONFIRMATION, SA.CONFIRM): SI_TO_CONFIRM,
    (S.REQUIRES_CONFIRMATION, SA.UPDATE): SI_TO_CONFIRM,
    (S.REQUIRES_CONFIRMATION, SA.CANCEL): SI_CANCELED,
    (S.REQUIRES_CONFIRMATION, SA.SUCCEEDED): SI_SUCCEEDED,
    (S.REQUIRES_CONFIRMATION, SA.FAILED): SI_FAILED,
    (S.REQUIRES_CONFIRMATION, SA.REQUIRES_ACTION): Transition(
        S.REQUIRES_ACTION, ("setup_intent.requires_action",)
    ),
    (S.REQUIRES_CONFIRMATION, SA.PENDING): Transition(S.PROCESSING, ()),
    (S.REQUIRES_ACTION, SA.ATTACH_PAYMENT_METHOD): SI_TO_CONFIRM,
    (S.REQUIRES_ACTION, SA.CONFIRM): SI_TO_CONFIRM,
    (S.REQUIRES_ACTION, SA.AUTHENTICATE): SI_TO_CONFIRM,
    (S.REQUIRES_ACTION, SA.UPDATE): Transition(S.REQUIRES_ACTION, ()),
    (S.REQUIRES_ACTION, SA.CANCEL): SI_CANCELED,
    (S.PROCESSING, SA.SUCCEEDED): SI_SUCCEEDED,
    (S.PROCESSING, SA.FAILED): SI_FAILED,
}

PAYMENT_INTENT_REFUSED = [
    pair
    for pair in product(PaymentIntentStatus, PaymentIntentAction)
    if pair not in PAYMENT_INTENT_MOVES
]
SETUP_INTENT_REFUSED = [
    pair for pair in product(SetupIntentStatus, SetupIntentAction) if pair not in SETUP_INTENT_MOVES
]


def _id(pair: tuple[object, object]) -> str:
    return f"{pair[0]}-{pair[1]}"


def _refusal(status: P | S, action: PA | SA, *, field: str | None = None) -> SeikyuError:
    with pytest.raises(SeikyuError) as raised:
        transition(status, action, field=field)  # type: ignore[arg-type]
    return raised.value


def _string_refusal(status: str, action: PA) -> str:
    with pytest.raises(SeikyuError) as raised:
        payment_intent_transition(status, action)
    return raised.value.message


# The tables


def test_the_payment_intent_table_has_exactly_the_lifecycle_rows() -> None:
    assert dict(PAYMENT_INTENT_TRANSITIONS) == PAYMENT_INTENT_MOVES


def test_the_setup_intent_table_has_exactly_the_lifecycle_rows() -> None:
    assert dict(SETUP_INTENT_TRANSITIONS) == SETUP_INTENT_MOVES


@pytest.mark.parametrize(
    ("move", "expected"),
    PAYMENT_INTENT_MOVES.items(),
    ids=[_id(move) for move in PAYMENT_INTENT_MOVES],
)
def test_each_allowed_payment_intent_move_gives_its_status_and_events(
    move: tuple[PaymentIntentStatus, PaymentIntentAction],
    expected: Transition[PaymentIntentStatus],
) -> None:
    status, action = move
    assert transition(status, action) == expected


@pytest.mark.parametrize(
    ("move", "expected"),
    SETUP_INTENT_MOVES.items(),
    ids=[_id(move) for move in SETUP_INTENT_MOVES],
)
def test_each_allowed_setup_intent_move_gives_its_status_and_events(
    move: tuple[SetupIntentStatus, SetupIntentAction],
    expected: Transition[SetupIntentStatus],
) -> None:
    status, action = move
    assert transition(status, action) == expected


@pytest.mark.parametrize("move", PAYMENT_INTENT_REFUSED, ids=_id)
def test_each_payment_intent_move_outside_the_table_is_an_unexpected_state(
    move: tuple[PaymentIntentStatus, PaymentIntentAction],
) -> None:
    error = _refusal(*move)
    assert error.type is ErrorType.INVALID_REQUEST
    assert error.kind is Kind.INVALID
    assert error.code == "payment_intent_unexpected_state"


@pytest.mark.parametrize("move", SETUP_INTENT_REFUSED, ids=_id)
def test_each_setup_intent_move_outside_the_table_is_an_unexpected_state(
    move: tuple[SetupIntentStatus, SetupIntentAction],
) -> None:
    error = _refusal(*move)
    assert error.type is ErrorType.INVALID_REQUEST
    assert error.kind is Kind.INVALID
    assert error.code == "setup_intent_unexpected_state"


def test_the_refused_moves_are_the_rest_of_each_cartesian_product() -> None:
    assert len(PAYMENT_INTENT_REFUSED) == 7 * 11 - 24
    assert len(SETUP_INTENT_REFUSED) == 6 * 9 - 19


def test_the_created_events_are_stripes() -> None:
    assert PAYMENT_INTENT_CREATED_EVENT == "payment_intent.created"
    assert SETUP_INTENT_CREATED_EVENT == "setup_intent.created"


# Terminal statuses


@pytest.mark.parametrize("status", [P.SUCCEEDED, P.CANCELED, S.SUCCEEDED, S.CANCELED])
def test_succeeded_and_canceled_are_terminal(status: P | S) -> None:
    assert is_terminal(status)


@pytest.mark.parametrize(
    "status", [s for s in [*P, *S] if s not in ("succeeded", "canceled")], ids=str
)
def test_every_other_status_is_not_terminal(status: P | S) -> None:
    assert not is_terminal(status)


@pytest.mark.parametrize("action", PaymentIntentAction)
def test_a_succeeded_payment_intent_refuses_every_action(action: PaymentIntentAction) -> None:
    assert _refusal(P.SUCCEEDED, action).code == "payment_intent_unexpected_state"


@pytest.mark.parametrize("action", SetupIntentAction)
def test_a_canceled_setup_intent_refuses_every_action(action: SetupIntentAction) -> None:
    assert _refusal(S.CANCELED, action).code == "setup_intent_unexpected_state"


# PaymentIntent refusals, in Stripe's words


def test_capturing_a_succeeded_payment_intent_says_it_was_already_captured() -> None:
    error = _refusal(P.SUCCEEDED, PA.CAPTURE)
    assert error.message == (
        "This PaymentIntent could not be captured because it has already been captured."
    )
    assert error.param is None


def test_capturing_a_canceled_payment_intent_names_requires_capture() -> None:
    assert _refusal(P.CANCELED, PA.CAPTURE).message == (
        "This PaymentIntent could not be captured because it has a status of canceled. Only a "
        "PaymentIntent with one of the following statuses may be captured: requires_capture."
    )


def test_confirming_a_succeeded_payment_intent_says_it_was_previously_confirmed() -> None:
    assert _refusal(P.SUCCEEDED, PA.CONFIRM).message == (
        "You cannot confirm this PaymentIntent because it has already succeeded after being "
        "previously confirmed."
    )


def test_confirming_a_canceled_payment_intent_lists_the_confirmable_statuses() -> None:
    assert _refusal(P.CANCELED, PA.CONFIRM).message == (
        "You cannot confirm this PaymentIntent because it has a status of canceled. Only a "
        "PaymentIntent with one of the following statuses may be confirmed: "
        "requires_payment_method, requires_confirmation, requires_action."
    )


def test_confirming_an_authorized_payment_intent_is_refused() -> None:
    # An authorization waits for capture or cancel; confirming again would charge twice.
    assert "a status of requires_capture" in _refusal(P.REQUIRES_CAPTURE, PA.CONFIRM).message


def test_canceling_a_succeeded_payment_intent_lists_the_cancelable_statuses_in_stripes_order() -> (
    None
):
    assert _refusal(P.SUCCEEDED, PA.CANCEL).message == (
        "You cannot cancel this PaymentIntent because it has a status of succeeded. Only a "
        "PaymentIntent with one of the following statuses may be canceled: "
        "requires_payment_method, requires_capture, requires_confirmation, requires_action."
    )


def test_a_processing_payment_intent_cannot_be_canceled() -> None:
    # Stripe allows it only for some bank debits; no processor here can withdraw a payment.
    error = _refusal(P.PROCESSING, PA.CANCEL)
    assert error.message.startswith(
        "You cannot cancel this PaymentIntent because it has a status of processing."
    )


def test_attaching_a_payment_method_to_a_canceled_payment_intent_names_payment_method() -> None:
    error = _refusal(P.CANCELED, PA.ATTACH_PAYMENT_METHOD)
    assert error.message == (
        "This PaymentIntent's payment_method could not be updated because it has a status of "
        "canceled. You may only update the payment_method of a PaymentIntent with one of the "
        "following statuses: requires_payment_method, requires_confirmation, requires_action."
    )
    assert error.param == "payment_method"


def test_updating_the_amount_of_a_succeeded_payment_intent_names_the_field() -> None:
    error = _refusal(P.SUCCEEDED, PA.UPDATE, field="amount")
    assert error.message == (
        "This PaymentIntent's amount could not be updated because it has a status of succeeded. "
        "You may only update the amount of a PaymentIntent with one of the following statuses: "
        "requires_payment_method, requires_capture, requires_confirmation, requires_action."
    )
    assert error.param == "amount"


def test_updating_a_processing_payment_intent_without_a_field_lists_the_statuses() -> None:
    error = _refusal(P.PROCESSING, PA.UPDATE)
    assert error.message == (
        "You cannot update this PaymentIntent because it has a status of processing. Only a "
        "PaymentIntent with one of the following statuses may be updated: "
        "requires_payment_method, requires_capture, requires_confirmation, requires_action."
    )
    assert error.param is None


def test_a_late_processor_answer_on_a_canceled_payment_intent_is_refused() -> None:
    assert _refusal(P.CANCELED, PA.SUCCEEDED).message == (
        "This PaymentIntent could not be marked as succeeded because it has a status of "
        "canceled. Only a PaymentIntent with one of the following statuses may be marked as "
        "succeeded: requires_confirmation, processing."
    )


def test_an_outcome_is_not_applied_to_an_intent_that_was_never_confirmed() -> None:
    assert "a status of requires_payment_method" in (
        _refusal(P.REQUIRES_PAYMENT_METHOD, PA.SUCCEEDED).message
    )


def test_authenticating_an_intent_that_needs_no_action_is_refused() -> None:
    assert _refusal(P.REQUIRES_CONFIRMATION, PA.AUTHENTICATE).message == (
        "You cannot authenticate this PaymentIntent because it has a status of "
        "requires_confirmation. Only a PaymentIntent with one of the following statuses may be "
        "authenticated: requires_action."
    )


# SetupIntent refusals, in Stripe's words


def test_confirming_a_succeeded_setup_intent_says_it_already_succeeded() -> None:
    assert _refusal(S.SUCCEEDED, SA.CONFIRM).message == (
        "You cannot confirm this SetupIntent because it has already succeeded."
    )


def test_canceling_a_succeeded_setup_intent_quotes_the_cancelable_statuses() -> None:
    assert _refusal(S.SUCCEEDED, SA.CANCEL).message == (
        "You cannot cancel this SetupIntent because it has a status of succeeded. Only a "
        "SetupIntent with one of the following statuses may be canceled: "
        "`requires_payment_method`, `requires_confirmation`, or `requires_action`."
    )


def test_canceling_a_canceled_setup_intent_says_it_is_already_canceled() -> None:
    assert _refusal(S.CANCELED, SA.CANCEL).message == (
        "You cannot cancel this SetupIntent because it is already canceled."
    )


def test_changing_the_payment_method_of_a_succeeded_setup_intent_is_refused() -> None:
    error = _refusal(S.SUCCEEDED, SA.ATTACH_PAYMENT_METHOD)
    assert error.message == "You cannot update this SetupIntent because it has already succeeded."
    assert error.param == "payment_method"


def test_two_allowed_setup_intent_statuses_are_joined_with_or() -> None:
    assert _refusal(S.REQUIRES_ACTION, SA.SUCCEEDED).message == (
        "This SetupIntent could not be marked as succeeded because it has a status of "
        "requires_action. Only a SetupIntent with one of the following statuses may be marked "
        "as succeeded: `requires_confirmation` or `processing`."
    )


def test_updating_a_canceled_setup_intent_carries_the_field_as_param() -> None:
    error = _refusal(S.CANCELED, SA.UPDATE, field="customer")
    assert error.param == "customer"
    assert error.message.startswith("You cannot update this SetupIntent because it has a status")


# Misuse


def test_a_payment_intent_action_on_a_setup_intent_status_is_a_value_error() -> None:
    # The enums share their values, so only the type tells a SetupIntent's status apart.
    with pytest.raises(ValueError, match="not an action on a SetupIntentStatus"):
        transition(S.REQUIRES_CONFIRMATION, PA.CONFIRM)  # type: ignore[call-overload]


def test_a_setup_intent_action_on_a_payment_intent_status_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not an action on a PaymentIntentStatus"):
        transition(P.REQUIRES_CONFIRMATION, SA.CONFIRM)  # type: ignore[call-overload]


def test_a_stored_status_string_is_read_as_the_intents_status() -> None:
    assert payment_intent_transition("requires_capture", PA.CAPTURE) == PI_SUCCEEDED
    assert setup_intent_transition("requires_action", SA.AUTHENTICATE) == SI_TO_CONFIRM


def test_requires_capture_is_not_a_setup_intent_status() -> None:
    with pytest.raises(ValueError, match="'requires_capture' is not a SetupIntentStatus"):
        setup_intent_transition("requires_capture", SA.CANCEL)


def test_a_stored_string_gets_the_same_refusal_as_the_status() -> None:
    assert _refusal(P.SUCCEEDED, PA.CONFIRM).message == _string_refusal("succeeded", PA.CONFIRM)


def test_a_field_with_an_action_other_than_update_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="only an update names a field"):
        transition(P.REQUIRES_CAPTURE, PA.CAPTURE, field="amount")


def test_an_allowed_update_with_a_field_keeps_the_status() -> None:
    assert transition(P.REQUIRES_CAPTURE, PA.UPDATE, field="metadata") == Transition(
        P.REQUIRES_CAPTURE, ()
    )


# Stories


def _walk(status: P, *actions: PA) -> tuple[P, list[str]]:
    events: list[str] = []
    for action in actions:
        move = transition(status, action)
        status, events = move.status, events + list(move.events)
    return status, events


def test_a_card_payment_confirmed_at_creation_succeeds() -> None:
    # Given an intent created with a card and confirm=true, when the processor approves,
    # then it has succeeded with payment_intent.succeeded as the only transition event.
    status, events = _walk(
        P.REQUIRES_PAYMENT_METHOD, PA.ATTACH_PAYMENT_METHOD, PA.CONFIRM, PA.SUCCEEDED
    )
    assert (status, events) == (P.SUCCEEDED, ["payment_intent.succeeded"])


def test_a_manual_capture_payment_is_authorized_then_captured() -> None:
    status, events = _walk(P.REQUIRES_PAYMENT_METHOD, PA.CONFIRM, PA.AUTHORIZED_CAPTURE_LATER)
    assert (status, events) == (P.REQUIRES_CAPTURE, ["payment_intent.amount_capturable_updated"])
    assert transition(status, PA.CAPTURE) == PI_SUCCEEDED


def test_a_3d_secure_payment_succeeds_after_authentication() -> None:
    status, events = _walk(
        P.REQUIRES_CONFIRMATION, PA.CONFIRM, PA.REQUIRES_ACTION, PA.AUTHENTICATE, PA.SUCCEEDED
    )
    assert (status, events) == (
        P.SUCCEEDED,
        ["payment_intent.requires_action", "payment_intent.succeeded"],
    )


def test_a_declined_payment_can_be_retried_with_another_card() -> None:
    status, events = _walk(
        P.REQUIRES_CONFIRMATION,
        PA.CONFIRM,
        PA.FAILED,
        PA.ATTACH_PAYMENT_METHOD,
        PA.CONFIRM,
        PA.SUCCEEDED,
    )
    assert (status, events) == (
        P.SUCCEEDED,
        ["payment_intent.payment_failed", "payment_intent.succeeded"],
    )


def test_a_pending_payment_settles_later() -> None:
    status, events = _walk(P.REQUIRES_CONFIRMATION, PA.CONFIRM, PA.PENDING, PA.SUCCEEDED)
    assert (status, events) == (
        P.SUCCEEDED,
        ["payment_intent.processing", "payment_intent.succeeded"],
    )


def test_a_setup_intent_needing_authentication_succeeds_after_it() -> None:
    status = S.REQUIRES_PAYMENT_METHOD
    events: list[str] = []
    for action in (SA.CONFIRM, SA.REQUIRES_ACTION, SA.AUTHENTICATE, SA.SUCCEEDED):
        move = transition(status, action)
        status, events = move.status, events + list(move.events)
    assert (status, events) == (
        S.SUCCEEDED,
        ["setup_intent.requires_action", "setup_intent.succeeded"],
    )


# Properties


@given(st.lists(st.sampled_from(PaymentIntentAction), max_size=30))
def test_no_payment_intent_action_sequence_leaves_a_terminal_status(
    actions: list[PaymentIntentAction],
) -> None:
    # Given a new intent, when any actions are tried in turn (refused ones change nothing),
    # then every status reached is a PaymentIntent status and a terminal one is never left.
    status = P.REQUIRES_PAYMENT_METHOD
    for action in actions:
        try:
            move = transition(status, action)
        except SeikyuError:
            continue
        assert isinstance(move.status, PaymentIntentStatus)
        assert all(event.startswith("payment_intent.") for event in move.events)
        assert not is_terminal(status)
        status = move.status


@given(st.lists(st.sampled_from(SetupIntentAction), max_size=30))
def test_no_setup_intent_action_sequence_leaves_a_terminal_status(
    actions: list[SetupIntentAction],
) -> None:
    status = S.REQUIRES_PAYMENT_METHOD
    for action in actions:
        try:
            move = transition(status, action)
        except SeikyuError:
            continue
        assert isinstance(move.status, SetupIntentStatus)
        assert all(event.startswith("setup_intent.") for event in move.events)
        assert not is_terminal(status)
        status = move.status
