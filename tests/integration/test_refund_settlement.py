"""Settling refunds against SQLite and PostgreSQL: pending refunds succeed, refunds on the
failure card fail and give their amount back, each answer is applied once however many
passes or processes run, and one refund that cannot settle does not hold up the rest."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from seikyu.api.resources import all_routers
from seikyu.db.models.charges import Charge
from seikyu.db.pagination import Window
from seikyu.db.uow import Actor, Database
from seikyu.events import service as events
from seikyu.payments import charges, refunds
from seikyu.payments.domain.processor import CardRequest, Outcome, OutcomeStatus
from seikyu.payments.refund_settlement import FAILURE_WINDOW, settle_refunds
from seikyu.payments.test_processor import TestProcessor

if TYPE_CHECKING:
    from seikyu.db.models.refunds import Refund
    from tests.conftest import TestAccount

# Event rows are rendered through the API's registry, filled by importing the resources.
all_routers()


class FlakyProcessor(TestProcessor):
    """The test processor, unreachable for one refund."""

    def __init__(self, unreachable: str) -> None:
        self.unreachable = unreachable

    def refund_status(self, reference: str) -> Outcome:
        if reference == self.unreachable:
            raise ConnectionError("the processor did not answer")
        return super().refund_status(reference)


def paid_charge(db: Database, account: TestAccount, card_key: str) -> str:
    """A captured charge of 2000 usd on the test card `card_key`."""
    with db.unit(Actor(account.id)) as uow:
        charge_id = uow.new_id("ch")
        outcome = TestProcessor().authorize(
            CardRequest(card_key, 2000, "usd", idempotency_key=f"{charge_id}:attempt:1")
        )
        uow.session.add(
            Charge(
                id=charge_id,
                account_id=account.id,
                livemode=False,
                created=uow.now,
                amount=2000,
                amount_captured=2000,
                amount_refunded=0,
                captured=True,
                currency="usd",
                status="succeeded",
                outcome={},
                payment_method_details={"type": "card", "card": {}},
                billing_details={},
                processor_reference=outcome.reference,
                metadata_={},
            )
        )
    return charge_id


def refund_of(
    db: Database, account: TestAccount, charge_id: str, amount: int, *, days_ago: int = 0
) -> str:
    with db.unit(Actor(account.id), now=db.clock.now() - timedelta(days=days_ago)) as uow:
        created = refunds.create(uow, TestProcessor(), {"charge": charge_id, "amount": amount})
        return created.id


def refund_and_charge(db: Database, account: TestAccount, refund_id: str) -> tuple[Refund, Charge]:
    with db.unit(Actor(account.id)) as uow:
        refund = refunds.get(uow, refund_id)
        return refund, charges.get(uow, refund.charge_id)


def event_types(db: Database, account: TestAccount, object_id: str) -> list[str]:
    with db.unit(Actor(account.id)) as uow:
        page = events.page(uow, Window(limit=100), types=None, object_id=object_id)
        return [e.type for e in reversed(page.items)]


def test_a_pending_refund_succeeds_on_the_next_pass(db: Database, account: TestAccount) -> None:
    charge_id = paid_charge(db, account, "pending_refund")
    refund_id = refund_of(db, account, charge_id, 1500)

    assert settle_refunds(db, TestProcessor()) >= 1

    refund, charge = refund_and_charge(db, account, refund_id)
    assert (refund.status, refund.failure_reason) == ("succeeded", None)
    assert (charge.amount_refunded, charges.refundable(charge)) == (1500, 500)
    assert event_types(db, account, refund_id) == [
        "refund.created",
        "refund.updated",
        "charge.refund.updated",
    ]
    with db.unit(Actor(account.id)) as uow:
        updated = events.page(uow, Window(limit=1), types=["refund.updated"], object_id=refund_id)
        assert updated.items[0].data["previous_attributes"] == {
            "status": "pending",
            "pending_reason": "processing",
        }


def test_a_refund_on_the_failure_card_fails_and_gives_its_amount_back(
    db: Database, account: TestAccount
) -> None:
    charge_id = paid_charge(db, account, "refund_fail")
    refund_id = refund_of(db, account, charge_id, 1100)
    assert refund_and_charge(db, account, refund_id)[1].amount_refunded == 1100

    settle_refunds(db, TestProcessor())

    refund, charge = refund_and_charge(db, account, refund_id)
    assert (refund.status, refund.failure_reason) == ("failed", "expired_or_canceled_card")
    assert (charge.amount_refunded, charges.refundable(charge)) == (0, 2000)
    assert event_types(db, account, refund_id) == [
        "refund.created",
        "refund.updated",
        "refund.failed",
        "charge.refund.updated",
    ]
    # What the failed refund held can be refunded again.
    assert refund_and_charge(db, account, refund_of(db, account, charge_id, 2000))[0].amount == 2000


def test_a_second_pass_changes_nothing(db: Database, account: TestAccount) -> None:
    pending = refund_of(db, account, paid_charge(db, account, "pending_refund"), 700)
    failing = refund_of(db, account, paid_charge(db, account, "refund_fail"), 700)
    settle_refunds(db, TestProcessor())

    assert settle_refunds(db, TestProcessor()) == 0

    assert len(event_types(db, account, pending)) == 3
    assert len(event_types(db, account, failing)) == 4
    failed_charge = refund_and_charge(db, account, failing)[1]
    assert failed_charge.amount_refunded == 0


def test_an_ordinary_refund_is_left_as_it_is(db: Database, account: TestAccount) -> None:
    refund_id = refund_of(db, account, paid_charge(db, account, "visa"), 900)

    settle_refunds(db, TestProcessor())

    refund, charge = refund_and_charge(db, account, refund_id)
    assert (refund.status, charge.amount_refunded) == ("succeeded", 900)
    assert event_types(db, account, refund_id) == ["refund.created"]


def test_a_refund_that_succeeded_long_ago_is_no_longer_asked_about(
    db: Database, account: TestAccount
) -> None:
    charge_id = paid_charge(db, account, "refund_fail")
    refund_id = refund_of(db, account, charge_id, 800, days_ago=FAILURE_WINDOW.days + 1)

    settle_refunds(db, TestProcessor())
    assert refund_and_charge(db, account, refund_id)[0].status == "succeeded"

    settle_refunds(db, TestProcessor(), failure_window=FAILURE_WINDOW * 2)
    assert refund_and_charge(db, account, refund_id)[0].status == "failed"


def test_two_processes_settling_at_once_apply_each_answer_once(
    db: Database, account: TestAccount
) -> None:
    refund_ids = [
        refund_of(db, account, paid_charge(db, account, card), 600)
        for card in ("pending_refund", "pending_refund", "refund_fail", "refund_fail")
    ]
    start = threading.Barrier(2)
    changed: list[int] = []

    def one_process() -> None:
        start.wait(timeout=10)
        changed.append(settle_refunds(db, TestProcessor()))

    threads = [threading.Thread(target=one_process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(changed) == 2
    assert sum(changed) >= len(refund_ids)
    outcomes = [refund_and_charge(db, account, r) for r in refund_ids]
    assert [r.status for r, _ in outcomes] == ["succeeded", "succeeded", "failed", "failed"]
    assert [c.amount_refunded for _, c in outcomes] == [600, 600, 0, 0]
    assert [len(event_types(db, account, r)) for r in refund_ids] == [3, 3, 4, 4]


def test_a_refund_the_processor_cannot_answer_about_waits_for_the_next_pass(
    db: Database, account: TestAccount
) -> None:
    stuck = refund_of(db, account, paid_charge(db, account, "pending_refund"), 500)
    other = refund_of(db, account, paid_charge(db, account, "pending_refund"), 500)
    unreachable = refund_and_charge(db, account, stuck)[0].processor_reference
    assert unreachable is not None

    settle_refunds(db, FlakyProcessor(unreachable))

    assert refund_and_charge(db, account, stuck)[0].status == "pending"
    assert refund_and_charge(db, account, other)[0].status == "succeeded"
    settle_refunds(db, TestProcessor())
    assert refund_and_charge(db, account, stuck)[0].status == "succeeded"


def test_an_answer_about_a_refund_canceled_meanwhile_changes_nothing(
    db: Database, account: TestAccount
) -> None:
    refund_id = refund_of(db, account, paid_charge(db, account, "pending_refund"), 500)
    with db.unit(Actor(account.id)) as uow:
        refunds.cancel(uow, TestProcessor(), refund_id)

    with db.unit(Actor(account.id)) as uow:
        applied = refunds.settle(uow, refund_id, Outcome(OutcomeStatus.SUCCEEDED))

    assert applied is False
    refund, charge = refund_and_charge(db, account, refund_id)
    assert (refund.status, charge.amount_refunded) == ("canceled", 0)
