"""The subscription status machine: Stripe's section 4 lifecycle, and every move it refuses."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.billing.domain.subscription_status import (
    TRANSITIONS,
    SubscriptionAction,
    SubscriptionStatus,
    Transition,
    check_update,
    initial_status,
    is_terminal,
    refused_update_field,
    start,
    transition,
)
from seikyu.core.errors import ErrorType, Kind, SeikyuError

A = SubscriptionAction
INCOMPLETE = SubscriptionStatus.INCOMPLETE
EXPIRED = SubscriptionStatus.INCOMPLETE_EXPIRED
TRIALING = SubscriptionStatus.TRIALING
ACTIVE = SubscriptionStatus.ACTIVE
PAST_DUE = SubscriptionStatus.PAST_DUE
UNPAID = SubscriptionStatus.UNPAID
CANCELED = SubscriptionStatus.CANCELED
PAUSED = SubscriptionStatus.PAUSED

UPDATED = ("customer.subscription.updated",)
DELETED = ("customer.subscription.deleted",)
PAUSED_EVENTS = ("customer.subscription.paused", "customer.subscription.updated")
RESUMED_EVENTS = ("customer.subscription.resumed", "customer.subscription.updated")
NOTHING: tuple[str, ...] = ()

# Sections 3 and 4 of the Stripe behaviour reference (and the pause endpoint of API
# 2026-09-30.endive), written out by hand so the module's table is checked against them
# rather than against itself.
LIFECYCLE = {
    (INCOMPLETE, A.FIRST_PAYMENT_SUCCEEDED): Transition(ACTIVE, UPDATED),
    (INCOMPLETE, A.FIRST_PAYMENT_SUCCEEDED_IN_TRIAL): Transition(TRIALING, UPDATED),
    (INCOMPLETE, A.FIRST_PAYMENT_EXPIRED): Transition(EXPIRED, UPDATED),
    (INCOMPLETE, A.CANCEL): Transition(CANCELED, DELETED),
    (TRIALING, A.TRIAL_ENDED_PAID): Transition(ACTIVE, UPDATED),
    (TRIALING, A.TRIAL_ENDED_UNPAID): Transition(PAST_DUE, UPDATED),
    (TRIALING, A.TRIAL_ENDED_PAUSE): Transition(PAUSED, PAUSED_EVENTS),
    (TRIALING, A.END_TRIAL_NOW): Transition(ACTIVE, UPDATED),
    (TRIALING, A.PAYMENT_SUCCEEDED): Transition(TRIALING, NOTHING),
    (TRIALING, A.PAUSE): Transition(PAUSED, PAUSED_EVENTS),
    (TRIALING, A.CANCEL): Transition(CANCELED, DELETED),
    (ACTIVE, A.START_TRIAL): Transition(TRIALING, UPDATED),
    (ACTIVE, A.PAYMENT_FAILED): Transition(PAST_DUE, UPDATED),
    (ACTIVE, A.OVERDUE): Transition(PAST_DUE, UPDATED),
    (ACTIVE, A.PAYMENT_SUCCEEDED): Transition(ACTIVE, NOTHING),
    (ACTIVE, A.PAUSE): Transition(PAUSED, PAUSED_EVENTS),
    (ACTIVE, A.CANCEL): Transition(CANCELED, DELETED),
    (PAST_DUE, A.PAYMENT_SUCCEEDED): Transition(ACTIVE, UPDATED),
    (PAST_DUE, A.PAYMENT_FAILED): Transition(PAST_DUE, NOTHING),
    (PAST_DUE, A.OVERDUE): Transition(PAST_DUE, NOTHING),
    (PAST_DUE, A.RETRIES_EXHAUSTED_UNPAID): Transition(UNPAID, UPDATED),
    (PAST_DUE, A.PAUSE): Transition(PAUSED, PAUSED_EVENTS),
    (PAST_DUE, A.CANCEL): Transition(CANCELED, DELETED),
    (UNPAID, A.PAYMENT_SUCCEEDED): Transition(ACTIVE, UPDATED),
    (UNPAID, A.PAYMENT_FAILED): Transition(UNPAID, NOTHING),
    (UNPAID, A.CANCEL): Transition(CANCELED, DELETED),
    (PAUSED, A.RESUME): Transition(ACTIVE, RESUMED_EVENTS),
    (PAUSED, A.PAYMENT_SUCCEEDED): Transition(PAUSED, NOTHING),
    (PAUSED, A.CANCEL): Transition(CANCELED, DELETED),
}

REFUSED = [pair for pair in product(SubscriptionStatus, A) if pair not in LIFECYCLE]


def _id(pair: tuple[SubscriptionStatus, SubscriptionAction]) -> str:
    return f"{pair[0]}-{pair[1]}"


def test_the_table_has_exactly_the_rows_of_the_lifecycle() -> None:
    assert dict(TRANSITIONS) == LIFECYCLE


@pytest.mark.parametrize(("move", "expected"), LIFECYCLE.items(), ids=[_id(m) for m in LIFECYCLE])
def test_each_allowed_move_gives_the_status_and_events_of_the_lifecycle(
    move: tuple[SubscriptionStatus, SubscriptionAction], expected: Transition
) -> None:
    status, action = move
    assert transition(status, action) == expected


@pytest.mark.parametrize("move", REFUSED, ids=_id)
def test_each_move_outside_the_table_is_refused_as_an_invalid_request(
    move: tuple[SubscriptionStatus, SubscriptionAction],
) -> None:
    status, action = move
    with pytest.raises(SeikyuError) as raised:
        transition(status, action)
    assert raised.value.type is ErrorType.INVALID_REQUEST
    assert raised.value.kind is Kind.INVALID
    assert raised.value.code == "status_transition_invalid"
    assert raised.value.param is None


def test_every_move_that_changes_the_status_emits_an_event_and_no_other_move_does() -> None:
    for (status, _), move in TRANSITIONS.items():
        assert bool(move.events) == (move.status is not status)


def test_every_change_but_an_end_is_reported_as_an_update() -> None:
    for (status, _), move in TRANSITIONS.items():
        if move.status is CANCELED:
            assert move.events == DELETED
        elif move.status is not status:
            assert "customer.subscription.updated" in move.events


def test_resuming_an_active_subscription_names_the_one_status_that_can_be_resumed() -> None:
    with pytest.raises(SeikyuError) as raised:
        transition(ACTIVE, A.RESUME)
    assert raised.value.message == (
        "You can only resume a subscription that is paused. This subscription is active."
    )


def test_canceling_a_canceled_subscription_lists_every_status_that_can_be_canceled() -> None:
    with pytest.raises(SeikyuError) as raised:
        transition(CANCELED, A.CANCEL)
    assert raised.value.message == (
        "You can only cancel a subscription that is incomplete, trialing, active, past_due, "
        "unpaid or paused. This subscription is canceled."
    )


def test_pausing_an_incomplete_subscription_is_refused() -> None:
    with pytest.raises(SeikyuError) as raised:
        transition(INCOMPLETE, A.PAUSE)
    assert raised.value.message == (
        "You can only pause a subscription that is trialing, active or past_due. "
        "This subscription is incomplete."
    )


@pytest.mark.parametrize("status", [CANCELED, EXPIRED])
def test_canceled_and_incomplete_expired_are_terminal(status: SubscriptionStatus) -> None:
    assert is_terminal(status)
    assert not [action for (s, action) in TRANSITIONS if s is status]


@pytest.mark.parametrize("status", [INCOMPLETE, TRIALING, ACTIVE, PAST_DUE, UNPAID, PAUSED])
def test_every_other_status_is_not_terminal_and_can_be_canceled(
    status: SubscriptionStatus,
) -> None:
    assert not is_terminal(status)
    assert transition(status, A.CANCEL) == Transition(CANCELED, DELETED)


# --- initial status -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trialing", "collection_method", "payment_required", "paid", "expected"),
    [
        (True, "charge_automatically", False, False, TRIALING),
        (True, "send_invoice", False, False, TRIALING),
        (False, "send_invoice", True, False, ACTIVE),
        (False, "charge_automatically", False, False, ACTIVE),
        (False, "charge_automatically", True, True, ACTIVE),
        (False, "charge_automatically", True, False, INCOMPLETE),
        # A trial that starts by charging one-time items waits for that payment too.
        (True, "charge_automatically", True, False, INCOMPLETE),
        (True, "charge_automatically", True, True, TRIALING),
        (True, "send_invoice", True, False, TRIALING),
    ],
)
def test_initial_status(
    trialing: bool,
    collection_method: str,
    payment_required: bool,
    paid: bool,
    expected: SubscriptionStatus,
) -> None:
    status = initial_status(
        trialing=trialing,
        collection_method=collection_method,
        payment_required=payment_required,
        paid=paid,
    )
    assert status is expected


def test_starting_a_subscription_emits_created() -> None:
    started = start(
        trialing=False, collection_method="charge_automatically", payment_required=True, paid=True
    )
    assert started == Transition(ACTIVE, ("customer.subscription.created",))


# --- golden scenarios ------------------------------------------------------------------


def test_g_4_1_an_unpaid_first_invoice_leaves_it_incomplete_then_expired_after_23_hours() -> None:
    created = start(
        trialing=False, collection_method="charge_automatically", payment_required=True, paid=False
    )
    assert created.status is INCOMPLETE
    expired = transition(created.status, A.FIRST_PAYMENT_EXPIRED)
    assert expired == Transition(EXPIRED, UPDATED)
    assert is_terminal(expired.status)


def test_g_4_3_confirming_the_first_payment_activates_an_incomplete_subscription() -> None:
    assert transition(INCOMPLETE, A.FIRST_PAYMENT_SUCCEEDED) == Transition(ACTIVE, UPDATED)


def test_g_4_4_an_active_subscription_canceled_at_period_end_is_deleted() -> None:
    assert transition(ACTIVE, A.CANCEL) == Transition(CANCELED, DELETED)


def test_g_3_1_a_trial_ends_paid_and_the_subscription_becomes_active() -> None:
    created = start(
        trialing=True, collection_method="charge_automatically", payment_required=False, paid=False
    )
    assert created.status is TRIALING
    assert transition(created.status, A.TRIAL_ENDED_PAID) == Transition(ACTIVE, UPDATED)


def test_g_3_3_a_trial_without_payment_method_set_to_cancel_is_deleted() -> None:
    assert transition(TRIALING, A.CANCEL) == Transition(CANCELED, DELETED)


def test_g_3_4_a_trial_without_payment_method_set_to_pause_is_paused_then_resumed() -> None:
    paused = transition(TRIALING, A.TRIAL_ENDED_PAUSE)
    assert paused == Transition(PAUSED, PAUSED_EVENTS)
    assert transition(paused.status, A.RESUME) == Transition(ACTIVE, RESUMED_EVENTS)


def test_g_3_5_a_trial_whose_invoice_cannot_be_charged_goes_past_due() -> None:
    assert transition(TRIALING, A.TRIAL_ENDED_UNPAID) == Transition(PAST_DUE, UPDATED)


def test_g_3_6_ending_the_trial_now_activates_the_subscription() -> None:
    assert transition(TRIALING, A.END_TRIAL_NOW) == Transition(ACTIVE, UPDATED)


def test_dunning_past_due_then_unpaid_then_paid_is_active_again() -> None:
    failed = transition(ACTIVE, A.PAYMENT_FAILED)
    retried = transition(failed.status, A.PAYMENT_FAILED)
    exhausted = transition(retried.status, A.RETRIES_EXHAUSTED_UNPAID)
    paid = transition(exhausted.status, A.PAYMENT_SUCCEEDED)
    assert [failed.status, retried.status, exhausted.status, paid.status] == [
        PAST_DUE,
        PAST_DUE,
        UNPAID,
        ACTIVE,
    ]
    assert retried.events == ()


def test_a_send_invoice_subscription_past_its_due_date_goes_past_due() -> None:
    created = start(
        trialing=False, collection_method="send_invoice", payment_required=True, paid=False
    )
    assert created.status is ACTIVE
    assert transition(created.status, A.OVERDUE) == Transition(PAST_DUE, UPDATED)


def test_a_future_trial_end_on_an_active_subscription_starts_a_trial() -> None:
    assert transition(ACTIVE, A.START_TRIAL) == Transition(TRIALING, UPDATED)


# --- what a status leaves updatable ----------------------------------------------------


def test_an_incomplete_subscription_accepts_metadata_and_default_source() -> None:
    assert refused_update_field(INCOMPLETE, ["metadata", "default_source", "expand"]) is None


def test_an_incomplete_subscription_refuses_the_first_other_field() -> None:
    fields = ["metadata", "cancel_at_period_end", "items"]
    assert refused_update_field(INCOMPLETE, fields) == "cancel_at_period_end"
    with pytest.raises(SeikyuError) as raised:
        check_update(INCOMPLETE, fields)
    assert raised.value.type is ErrorType.INVALID_REQUEST
    assert raised.value.param == "cancel_at_period_end"
    assert raised.value.message == (
        "An incomplete subscription can only update its metadata and default_source."
    )


@pytest.mark.parametrize("status", [CANCELED, EXPIRED])
def test_a_canceled_or_expired_subscription_only_updates_cancellation_details_and_metadata(
    status: SubscriptionStatus,
) -> None:
    assert refused_update_field(status, ["cancellation_details", "metadata"]) is None
    with pytest.raises(SeikyuError) as raised:
        check_update(status, ["metadata", "default_payment_method"])
    assert raised.value.param == "default_payment_method"
    assert raised.value.message == (
        "A canceled subscription can only update its cancellation_details and metadata."
    )


@pytest.mark.parametrize("status", [TRIALING, ACTIVE, PAST_DUE, UNPAID, PAUSED])
def test_other_statuses_refuse_no_field(status: SubscriptionStatus) -> None:
    assert refused_update_field(status, ["items", "cancel_at", "metadata"]) is None
    check_update(status, ["items", "cancel_at", "metadata"])


@given(
    st.lists(st.sampled_from(SubscriptionAction), max_size=30), st.sampled_from(SubscriptionStatus)
)
def test_no_sequence_of_actions_leaves_a_terminal_status(
    actions: list[SubscriptionAction], first: SubscriptionStatus
) -> None:
    # Given any status, when any actions are tried in turn (refused ones change nothing),
    # then a terminal status, once reached, is never left.
    status = first
    for action in actions:
        try:
            status_after = transition(status, action).status
        except SeikyuError:
            status_after = status
        if is_terminal(status):
            assert status_after is status
        status = status_after
