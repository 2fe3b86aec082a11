"""The test processor's refunds: Stripe's asynchronous refund cards, answered from the
references alone, the same way by any process."""

from __future__ import annotations

import pytest

from seikyu.payments.domain.processor import CardRequest, Outcome, OutcomeStatus, Processor
from seikyu.payments.domain.test_cards import CARDS, RefundBehaviour, card_for_test_id
from seikyu.payments.test_processor import ASYNC_REFUND_FAILURE_REASON, TestProcessor

SUCCEEDED = OutcomeStatus.SUCCEEDED
PENDING = OutcomeStatus.PENDING
FAILED = OutcomeStatus.FAILED


def charge(card_key: str, *, key: str = "pi_1:attempt:1", capture: bool = True) -> str:
    outcome = TestProcessor().authorize(
        CardRequest(card_key=card_key, amount=2000, currency="usd", idempotency_key=key,
                    capture=capture)
    )  # fmt: skip
    assert outcome.status is SUCCEEDED
    assert outcome.reference is not None
    return outcome.reference


def reference_of(outcome: Outcome) -> str:
    assert outcome.reference is not None
    return outcome.reference


def test_the_test_processor_speaks_the_whole_protocol() -> None:
    processor: Processor = TestProcessor()
    assert callable(processor.refund_status)
    assert callable(processor.cancel_refund)


# The cards


@pytest.mark.parametrize(
    ("test_id", "number", "behaviour"),
    [
        ("pm_card_pendingRefund", "4000000000007726", RefundBehaviour.ASYNC_SUCCESS),
        ("tok_pendingRefund", "4000000000007726", RefundBehaviour.ASYNC_SUCCESS),
        ("pm_card_refundFail", "4000000000005126", RefundBehaviour.ASYNC_FAILURE),
        ("tok_refundFail", "4000000000005126", RefundBehaviour.ASYNC_FAILURE),
    ],
)
def test_stripes_asynchronous_refund_cards_are_in_the_catalogue(
    test_id: str, number: str, behaviour: RefundBehaviour
) -> None:
    card = card_for_test_id(test_id)
    assert card is not None
    assert (card.number, card.brand, card.refunds) == (number, "visa", behaviour)
    assert not card.declines


def test_every_other_card_refunds_at_once() -> None:
    others = {c.key for c in CARDS.values() if c.refunds is RefundBehaviour.IMMEDIATE}
    assert set(CARDS) - others == {"pending_refund", "refund_fail"}


# Ordinary refunds


def test_an_ordinary_refund_succeeds_at_once_and_stays_succeeded() -> None:
    processor = TestProcessor()
    refund = processor.refund(charge("visa"), 500, "re_1:refund")

    assert refund.status is SUCCEEDED
    assert reference_of(refund).startswith("tp_re_")
    assert processor.refund_status(reference_of(refund)) == Outcome(SUCCEEDED, refund.reference)


def test_an_ordinary_refund_cannot_be_withdrawn() -> None:
    processor = TestProcessor()
    refund = reference_of(processor.refund(charge("visa"), 500, "re_1:refund"))
    assert processor.cancel_refund(refund, "re_1:cancel").status is FAILED


def test_an_ordinary_charge_keeps_its_plain_reference() -> None:
    assert (
        charge("visa", key="k")
        == TestProcessor()
        .authorize(
            CardRequest(card_key="mastercard", amount=1, currency="usd", idempotency_key="k")
        )
        .reference
    )


# Asynchronous success: 4000000000007726


def test_the_pending_refund_card_starts_pending_then_succeeds() -> None:
    processor = TestProcessor()
    refund = processor.refund(charge("pending_refund"), 2000, "re_2:refund")

    assert refund.status is PENDING
    later = processor.refund_status(reference_of(refund))
    assert (later.status, later.reference, later.failure_reason) == (
        SUCCEEDED,
        refund.reference,
        None,
    )


def test_a_pending_refund_can_be_withdrawn() -> None:
    processor = TestProcessor()
    refund = reference_of(processor.refund(charge("pending_refund"), 2000, "re_2:refund"))
    assert processor.cancel_refund(refund, "re_2:cancel") == Outcome(SUCCEEDED, refund)


def test_a_charge_captured_later_keeps_its_cards_refund_behaviour() -> None:
    processor = TestProcessor()
    authorized = charge("pending_refund", capture=False)
    captured = reference_of(processor.capture(authorized, 2000, "pi_1:capture"))
    assert processor.refund(captured, 2000, "re_3:refund").status is PENDING


# Asynchronous failure: 4000000000005126


def test_the_refund_fail_card_starts_succeeded_then_fails() -> None:
    processor = TestProcessor()
    refund = processor.refund(charge("refund_fail"), 1100, "re_4:refund")

    assert refund.status is SUCCEEDED
    later = processor.refund_status(reference_of(refund))
    assert (later.status, later.failure_reason) == (FAILED, ASYNC_REFUND_FAILURE_REASON)
    assert ASYNC_REFUND_FAILURE_REASON == "expired_or_canceled_card"


# No memory


def test_any_process_answers_about_a_refund_the_same_way() -> None:
    reference = charge("refund_fail")
    first = TestProcessor().refund(reference, 700, "re_5:refund")
    assert TestProcessor().refund(reference, 700, "re_5:refund") == first
    assert TestProcessor().refund_status(reference_of(first)) == TestProcessor().refund_status(
        reference_of(first)
    )


def test_refunds_under_different_keys_are_different_refunds() -> None:
    reference = charge("pending_refund")
    processor = TestProcessor()
    assert processor.refund(reference, 700, "re_6:refund") != processor.refund(
        reference, 700, "re_7:refund"
    )


@pytest.mark.parametrize(
    "reference",
    ["re_elsewhere", "tp_ch_" + "0" * 24, "tp_re_short", "tp_re_" + "0" * 24 + "_sometimes"],
)
def test_a_refund_reference_the_processor_never_issued_is_refused(reference: str) -> None:
    processor = TestProcessor()
    with pytest.raises(ValueError, match="issued no"):
        processor.refund_status(reference)
    with pytest.raises(ValueError, match="issued no"):
        processor.cancel_refund(reference, "re_1:cancel")


def test_a_charge_reference_with_an_unknown_behaviour_is_refused() -> None:
    with pytest.raises(ValueError, match="issued no"):
        TestProcessor().refund("tp_ch_" + "0" * 24 + "_sometimes", 100, "re_1:refund")
