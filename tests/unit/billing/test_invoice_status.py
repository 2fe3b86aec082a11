"""The invoice status machine: Stripe's section 5.1 table, and every move it refuses."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.billing.domain.invoice_status import (
    TRANSITIONS,
    InvoiceAction,
    InvoiceStatus,
    Transition,
    is_terminal,
    transition,
)
from seikyu.core.errors import ErrorType, Kind, SeikyuError

DRAFT = InvoiceStatus.DRAFT
OPEN = InvoiceStatus.OPEN
PAID = InvoiceStatus.PAID
UNCOLLECTIBLE = InvoiceStatus.UNCOLLECTIBLE
VOID = InvoiceStatus.VOID
DELETED = InvoiceStatus.DELETED

PAID_EVENTS = ("invoice.paid", "invoice.payment_succeeded")

# Section 5.1 of the Stripe behaviour reference, written out by hand so the module's table
# is checked against the reference rather than against itself.
SECTION_5_1 = {
    (DRAFT, InvoiceAction.DELETE): Transition(DELETED, ("invoice.deleted",)),
    (DRAFT, InvoiceAction.FINALIZE): Transition(OPEN, ("invoice.finalized",)),
    (OPEN, InvoiceAction.PAY_SUCCEEDED): Transition(PAID, PAID_EVENTS),
    (OPEN, InvoiceAction.PAY_FAILED): Transition(OPEN, ("invoice.payment_failed",)),
    (OPEN, InvoiceAction.SEND): Transition(OPEN, ("invoice.sent",)),
    (OPEN, InvoiceAction.VOID): Transition(VOID, ("invoice.voided",)),
    (OPEN, InvoiceAction.MARK_UNCOLLECTIBLE): Transition(
        UNCOLLECTIBLE, ("invoice.marked_uncollectible",)
    ),
    (UNCOLLECTIBLE, InvoiceAction.PAY_SUCCEEDED): Transition(PAID, PAID_EVENTS),
    (UNCOLLECTIBLE, InvoiceAction.PAY_FAILED): Transition(
        UNCOLLECTIBLE, ("invoice.payment_failed",)
    ),
    (UNCOLLECTIBLE, InvoiceAction.VOID): Transition(VOID, ("invoice.voided",)),
}

REFUSED = [pair for pair in product(InvoiceStatus, InvoiceAction) if pair not in SECTION_5_1]


def _id(pair: tuple[InvoiceStatus, InvoiceAction]) -> str:
    return f"{pair[0]}-{pair[1]}"


def test_the_table_has_exactly_the_rows_of_section_5_1() -> None:
    assert dict(TRANSITIONS) == SECTION_5_1


@pytest.mark.parametrize(
    ("move", "expected"), SECTION_5_1.items(), ids=[_id(move) for move in SECTION_5_1]
)
def test_each_allowed_move_gives_the_status_and_events_of_section_5_1(
    move: tuple[InvoiceStatus, InvoiceAction], expected: Transition
) -> None:
    status, action = move
    assert transition(status, action) == expected


@pytest.mark.parametrize("move", REFUSED, ids=_id)
def test_each_move_outside_the_table_is_refused_as_an_invalid_request(
    move: tuple[InvoiceStatus, InvoiceAction],
) -> None:
    status, action = move
    with pytest.raises(SeikyuError) as raised:
        transition(status, action)
    assert raised.value.type is ErrorType.INVALID_REQUEST
    assert raised.value.kind is Kind.INVALID
    assert raised.value.code == "status_transition_invalid"
    assert raised.value.param is None


def test_the_refused_moves_are_the_whole_rest_of_the_cartesian_product() -> None:
    assert len(REFUSED) == 6 * 7 - 10


def test_paying_a_void_invoice_names_the_statuses_that_can_be_paid() -> None:
    with pytest.raises(SeikyuError) as raised:
        transition(VOID, InvoiceAction.PAY_SUCCEEDED)
    assert raised.value.message == (
        "You can only pay an invoice that is open or uncollectible. This invoice is void."
    )


def test_paying_a_draft_says_it_is_a_draft() -> None:
    with pytest.raises(SeikyuError) as raised:
        transition(DRAFT, InvoiceAction.PAY_FAILED)
    assert raised.value.message == (
        "You can only pay an invoice that is open or uncollectible. This invoice is a draft."
    )


def test_finalizing_an_open_invoice_says_only_drafts_can_be_finalized() -> None:
    with pytest.raises(SeikyuError) as raised:
        transition(OPEN, InvoiceAction.FINALIZE)
    assert raised.value.message == (
        "You can only finalize an invoice that is a draft. This invoice is open."
    )


def test_marking_an_uncollectible_invoice_again_is_refused() -> None:
    with pytest.raises(SeikyuError) as raised:
        transition(UNCOLLECTIBLE, InvoiceAction.MARK_UNCOLLECTIBLE)
    assert raised.value.message == (
        "You can only mark as uncollectible an invoice that is open. This invoice is uncollectible."
    )


def test_g_5_6_a_voided_invoice_cannot_then_be_paid() -> None:
    """G-5.6: open, void -> void; then pay -> error (void is terminal)."""
    voided = transition(OPEN, InvoiceAction.VOID)
    assert voided == Transition(VOID, ("invoice.voided",))
    with pytest.raises(SeikyuError):
        transition(voided.status, InvoiceAction.PAY_SUCCEEDED)


def test_g_5_6_an_uncollectible_invoice_can_still_be_paid() -> None:
    """G-5.6: open, mark_uncollectible -> uncollectible; pay succeeds -> paid."""
    written_off = transition(OPEN, InvoiceAction.MARK_UNCOLLECTIBLE)
    assert written_off.status is UNCOLLECTIBLE
    paid = transition(written_off.status, InvoiceAction.PAY_SUCCEEDED)
    assert paid == Transition(PAID, PAID_EVENTS)


def test_g_5_6_a_paid_invoice_cannot_be_voided() -> None:
    """G-5.6: paid, void -> error."""
    with pytest.raises(SeikyuError) as raised:
        transition(PAID, InvoiceAction.VOID)
    assert raised.value.message == (
        "You can only void an invoice that is open or uncollectible. This invoice is paid."
    )


def test_g_5_6_a_one_off_draft_is_deleted() -> None:
    """G-5.6: one-off draft, DELETE -> deleted, with invoice.deleted."""
    deleted = transition(DRAFT, InvoiceAction.DELETE, from_subscription=False)
    assert deleted == Transition(DELETED, ("invoice.deleted",))


def test_g_5_6_a_subscription_draft_cannot_be_deleted() -> None:
    """G-5.6: subscription draft, DELETE -> error; it is finalized and voided instead."""
    with pytest.raises(SeikyuError) as raised:
        transition(DRAFT, InvoiceAction.DELETE, from_subscription=True)
    assert raised.value.type is ErrorType.INVALID_REQUEST
    assert raised.value.code == "status_transition_invalid"
    assert raised.value.message == (
        "You can't delete an invoice created by a subscription. Finalize it and void it instead."
    )


def test_a_subscription_draft_takes_the_finalize_then_void_path() -> None:
    opened = transition(DRAFT, InvoiceAction.FINALIZE, from_subscription=True)
    voided = transition(opened.status, InvoiceAction.VOID, from_subscription=True)
    assert (opened.status, voided.status) == (OPEN, VOID)


def test_deleting_a_finalized_invoice_is_refused_whoever_created_it() -> None:
    with pytest.raises(SeikyuError) as raised:
        transition(OPEN, InvoiceAction.DELETE, from_subscription=False)
    assert raised.value.message == (
        "You can only delete an invoice that is a draft. This invoice is open."
    )


@pytest.mark.parametrize("status", [PAID, VOID, DELETED])
def test_paid_void_and_deleted_are_terminal(status: InvoiceStatus) -> None:
    assert is_terminal(status)


@pytest.mark.parametrize("status", [DRAFT, OPEN, UNCOLLECTIBLE])
def test_draft_open_and_uncollectible_are_not_terminal(status: InvoiceStatus) -> None:
    assert not is_terminal(status)


@given(st.lists(st.tuples(st.sampled_from(InvoiceAction), st.booleans()), max_size=30))
def test_no_sequence_of_actions_from_draft_leaves_a_terminal_status(
    steps: list[tuple[InvoiceAction, bool]],
) -> None:
    # Given a draft, when any actions are tried in turn (refused ones change nothing),
    # then every status reached is one the table knows, and a terminal one is never left.
    known = {status for status, _ in TRANSITIONS} | {t.status for t in TRANSITIONS.values()}
    status = DRAFT
    for action, from_subscription in steps:
        try:
            status_after = transition(status, action, from_subscription=from_subscription).status
        except SeikyuError:
            status_after = status
        assert status_after in known
        if is_terminal(status):
            assert status_after is status
        status = status_after
