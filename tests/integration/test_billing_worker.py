"""The billing worker on a real database, the clock moved by each pass: renewals finalized
after the account's delay and charged, catching up on missed periods, trial notices and
trial ends, dunning with the account's retry policy and its final outcome, send_invoice
invoices going overdue, collection pauses, and two workers sharing one due set."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from seikyu.accounts import settings
from seikyu.accounts.settings import BillingSettings
from seikyu.billing import invoice_collection
from seikyu.billing import invoices as invoice_service
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import Actor, Database
from seikyu.payments import payment_methods
from seikyu.payments.payment_intents import Redirect
from seikyu.payments.test_processor import TestProcessor
from seikyu.worker.billing import BillingWorker
from tests.conftest import TestAccount
from tests.integration.test_subscription_cycle import Shop, at, shop  # noqa: F401

SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def worker(shop: Shop) -> BillingWorker:  # noqa: F811
    return BillingWorker(
        shop.db, TestProcessor(), Redirect("http://localhost"), account_id=shop.account.id
    )


def run(shop: Shop, now: datetime) -> int:  # noqa: F811
    return worker(shop).run_until_idle(now=now)


def subscribed_on_postgres(
    db: Database, account: TestAccount, count: int, needs: str
) -> tuple[Shop, list[str]]:
    """A shop with `count` monthly subscriptions from 2025-03-01, for a test that `needs`
    PostgreSQL (skipped on SQLite)."""
    if db.is_sqlite:
        pytest.skip(f"{needs} need PostgreSQL")
    shop_ = Shop(db, account)
    return shop_, [shop_.subscribe(at(2025, 3, 1)) for _ in range(count)]


def invoices_of(shop: Shop, subscription_id: str) -> list[dict[str, Any]]:  # noqa: F811
    with shop.unit(at(2020, 1, 1)) as uow:
        stmt = (
            select(Invoice)
            .where(
                Invoice.subscription_id == subscription_id,
                Invoice.billing_reason == "subscription_cycle",
            )
            .order_by(Invoice.period_start)
        )
        return [
            {
                "id": found.id,
                "status": found.status,
                "attempt_count": found.attempt_count,
                "next_payment_attempt": found.next_payment_attempt,
                "amount_paid": found.amount_paid,
                "due_date": found.due_date,
            }
            for found in uow.session.scalars(stmt)
        ]


def status_of(shop: Shop, subscription_id: str) -> str:  # noqa: F811
    with shop.unit(at(2020, 1, 1)) as uow:
        found = uow.session.get(Subscription, subscription_id)
        assert found is not None
        return found.status


def configure(shop: Shop, **changes: Any) -> None:  # noqa: F811
    with shop.unit(at(2020, 1, 1)) as uow:
        settings.set_billing_settings(uow, shop.account.id, BillingSettings(**changes))


def pay_with(shop: Shop, subscription_id: str, card: str, now: datetime) -> None:  # noqa: F811
    """From now on the subscription is charged to `card`."""
    with shop.unit(now) as uow:
        subscription = uow.session.get(Subscription, subscription_id)
        assert subscription is not None
        method = payment_methods.attach(uow, TestProcessor(), card, subscription.customer_id)
        subscription.default_payment_method_id = method.id


def first_attempt_fails(shop: Shop, subscription_id: str) -> datetime:  # noqa: F811
    """Renew on Apr 1, finalize and charge an hour later: the attempt fails, the retry is
    due two days on and the subscription is past_due. Returns when it was finalized."""
    finalized = at(2025, 4, 1) + HOUR
    run(shop, at(2025, 4, 1))
    run(shop, finalized)
    [renewal] = invoices_of(shop, subscription_id)
    assert (renewal["status"], renewal["attempt_count"]) == ("open", 1)
    assert renewal["next_payment_attempt"] == finalized + 2 * DAY
    assert status_of(shop, subscription_id) == "past_due"
    return finalized


def test_a_renewal_is_finalized_an_hour_later_and_charged(shop: Shop) -> None:  # noqa: F811
    subscription_id = shop.subscribe(at(2025, 3, 1), amount=3000)
    assert run(shop, at(2025, 3, 31)) == 0

    assert run(shop, at(2025, 4, 1) + SECOND) == 1
    [renewal] = invoices_of(shop, subscription_id)
    assert renewal["status"] == "draft"
    assert shop.subscription(subscription_id)["current_period_end"] == at(2025, 5, 1)

    assert run(shop, at(2025, 4, 1) + HOUR - SECOND) == 0
    # Finalized in one transaction, charged in the next (see due_work._finalize).
    assert run(shop, at(2025, 4, 1) + HOUR + SECOND) == 2
    [renewal] = invoices_of(shop, subscription_id)
    assert (renewal["status"], renewal["attempt_count"], renewal["amount_paid"]) == (
        "paid",
        1,
        3000,
    )
    assert status_of(shop, subscription_id) == "active"
    assert len(shop.events("invoice.paid")) == 2  # the first invoice and the renewal


def test_missed_periods_are_caught_up_once_each(shop: Shop) -> None:  # noqa: F811
    subscription_id = shop.subscribe(at(2025, 3, 1))
    run(shop, at(2025, 6, 15))
    assert [i["status"] for i in invoices_of(shop, subscription_id)] == ["draft"] * 3
    run(shop, at(2025, 6, 15) + 2 * HOUR)
    run(shop, at(2025, 6, 15) + 2 * HOUR)
    assert [i["status"] for i in invoices_of(shop, subscription_id)] == ["paid"] * 3
    assert shop.subscription(subscription_id)["current_period_end"] == at(2025, 7, 1)


def test_a_zero_finalization_delay_charges_in_the_same_pass(shop: Shop) -> None:  # noqa: F811
    configure(shop, finalization_delay_seconds=0)
    subscription_id = shop.subscribe(at(2025, 3, 1))
    run(shop, at(2025, 4, 1))
    assert [i["status"] for i in invoices_of(shop, subscription_id)] == ["paid"]


def test_a_declining_card_is_retried_then_the_subscription_canceled(
    shop: Shop,  # noqa: F811
) -> None:
    configure(
        shop,
        retries=2,
        retry_window_days=4,
        subscription_after_retries="cancel",
        invoice_after_retries="uncollectible",
    )
    subscription_id = shop.subscribe(at(2025, 3, 1))
    pay_with(shop, subscription_id, "pm_card_chargeCustomerFail", at(2025, 3, 2))
    finalized = first_attempt_fails(shop, subscription_id)

    run(shop, finalized + 2 * DAY)
    [renewal] = invoices_of(shop, subscription_id)
    assert renewal["attempt_count"] == 2
    assert renewal["next_payment_attempt"] == finalized + 4 * DAY

    run(shop, finalized + 4 * DAY)
    [renewal] = invoices_of(shop, subscription_id)
    assert (renewal["status"], renewal["attempt_count"]) == ("uncollectible", 3)
    assert renewal["next_payment_attempt"] is None
    assert status_of(shop, subscription_id) == "canceled"
    failed = shop.events("invoice.payment_failed")
    assert [event["object"]["attempt_count"] for event in failed] == [1, 2, 3]
    assert failed[0]["object"]["next_payment_attempt"] == int((finalized + 2 * DAY).timestamp())
    deleted = shop.events("customer.subscription.deleted")
    assert deleted[0]["object"]["cancellation_details"]["reason"] == "payment_failed"


def test_a_card_detached_since_fails_its_attempt_once_and_dunning_goes_on(
    shop: Shop,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The card the subscription charges is detached: the attempt fails like a decline
    # (counted once, `invoice.payment_failed`, a retry scheduled), instead of the run
    # failing on every pass and the invoice never being attempted.
    configure(shop, retries=2, retry_window_days=4)
    subscription_id = shop.subscribe(at(2025, 3, 1))
    with shop.unit(at(2025, 3, 2)) as uow:
        subscription = uow.session.get(Subscription, subscription_id)
        assert subscription is not None
        assert subscription.default_payment_method_id is not None
        payment_methods.detach(uow, subscription.default_payment_method_id)
    first_attempt_fails(shop, subscription_id)
    failed = shop.events("invoice.payment_failed")
    assert [event["object"]["attempt_count"] for event in failed] == [1]
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


def test_a_retry_that_succeeds_makes_it_active_again(shop: Shop) -> None:  # noqa: F811
    configure(shop, retries=3, retry_window_days=3)
    subscription_id = shop.subscribe(at(2025, 3, 1))
    pay_with(shop, subscription_id, "pm_card_chargeCustomerFail", at(2025, 3, 2))
    run(shop, at(2025, 4, 1))
    run(shop, at(2025, 4, 1) + HOUR)
    assert status_of(shop, subscription_id) == "past_due"
    pay_with(shop, subscription_id, "pm_card_visa", at(2025, 4, 2))
    run(shop, at(2025, 4, 2) + HOUR)
    [renewal] = invoices_of(shop, subscription_id)
    assert (renewal["status"], renewal["attempt_count"]) == ("paid", 2)
    assert status_of(shop, subscription_id) == "active"


def test_exhausted_retries_can_leave_it_unpaid_and_its_invoices_unattempted(
    shop: Shop,  # noqa: F811
) -> None:
    configure(shop, retries=0, subscription_after_retries="unpaid")
    subscription_id = shop.subscribe(at(2025, 3, 1))
    pay_with(shop, subscription_id, "pm_card_chargeCustomerFail", at(2025, 3, 2))
    run(shop, at(2025, 4, 1))
    run(shop, at(2025, 4, 1) + HOUR)
    assert status_of(shop, subscription_id) == "unpaid"
    run(shop, at(2025, 5, 1))
    run(shop, at(2025, 5, 1) + HOUR)
    first, second = invoices_of(shop, subscription_id)
    assert (first["status"], first["attempt_count"]) == ("open", 1)
    assert (second["status"], second["attempt_count"]) == ("open", 0)
    assert status_of(shop, subscription_id) == "unpaid"


def test_a_trial_is_announced_three_days_ahead_then_ends(shop: Shop) -> None:  # noqa: F811
    start = at(2025, 3, 1)
    subscription_id = shop.subscribe(start, trial_period_days=14, status="trialing")
    run(shop, start + 11 * DAY - SECOND)
    assert shop.events("customer.subscription.trial_will_end") == []
    run(shop, start + 11 * DAY)
    run(shop, start + 12 * DAY)
    assert len(shop.events("customer.subscription.trial_will_end")) == 1

    run(shop, start + 14 * DAY)
    assert status_of(shop, subscription_id) == "active"
    run(shop, start + 14 * DAY + HOUR)
    [first] = invoices_of(shop, subscription_id)
    assert (first["status"], first["amount_paid"]) == ("paid", 3000)
    assert shop.subscription(subscription_id)["current_period_end"] == at(2025, 4, 15)


def test_a_sent_invoice_past_its_due_date_makes_the_subscription_past_due(
    shop: Shop,  # noqa: F811
) -> None:
    subscription_id = shop.subscribe(
        at(2025, 3, 1), collection_method="send_invoice", days_until_due=7
    )
    first = shop.subscription(subscription_id)["latest_invoice"]
    run(shop, at(2025, 3, 1) + HOUR)  # the first invoice is finalized and sent
    with shop.unit(at(2025, 3, 2)) as uow:
        # It is settled, so only the renewal can fall overdue.
        invoice_collection.pay(
            uow, TestProcessor(), first, paid_out_of_band=True, redirect=Redirect("http://x")
        )
    run(shop, at(2025, 4, 1))
    run(shop, at(2025, 4, 1) + HOUR)
    [renewal] = invoices_of(shop, subscription_id)
    assert (renewal["status"], renewal["attempt_count"]) == ("open", 0)
    assert renewal["id"] in [e["object"]["id"] for e in shop.events("invoice.sent")]
    run(shop, renewal["due_date"] - SECOND)
    assert status_of(shop, subscription_id) == "active"
    run(shop, renewal["due_date"] + SECOND)
    assert [e["object"]["id"] for e in shop.events("invoice.overdue")] == [renewal["id"]]
    assert status_of(shop, subscription_id) == "past_due"


def test_a_collection_pause_voids_new_invoices_until_it_resumes(
    shop: Shop,  # noqa: F811
) -> None:
    subscription_id = shop.subscribe(at(2025, 3, 1))
    resumes = int(at(2025, 4, 20).timestamp())
    with shop.unit(at(2025, 3, 5)) as uow:
        uow.session.execute(
            update(Subscription)
            .where(Subscription.id == subscription_id)
            .values(pause_collection={"behavior": "void", "resumes_at": resumes})
        )
    run(shop, at(2025, 4, 1))
    run(shop, at(2025, 4, 1) + HOUR)
    assert [i["status"] for i in invoices_of(shop, subscription_id)] == ["void"]
    run(shop, at(2025, 4, 20))
    run(shop, at(2025, 5, 1))
    run(shop, at(2025, 5, 1) + HOUR)
    assert [i["status"] for i in invoices_of(shop, subscription_id)] == ["void", "paid"]


def test_a_second_run_of_the_same_moment_does_nothing(shop: Shop) -> None:  # noqa: F811
    subscription_id = shop.subscribe(at(2025, 3, 1))
    run(shop, at(2025, 4, 1) + HOUR)
    events = len(shop.events("invoice.created"))
    assert run(shop, at(2025, 4, 1) + HOUR) == 0
    assert len(shop.events("invoice.created")) == events
    assert len(invoices_of(shop, subscription_id)) == 1


def test_two_workers_split_one_due_set_without_duplicates(
    db: Database, account: TestAccount
) -> None:
    shop_, ids = subscribed_on_postgres(
        db, account, 30, "two concurrent workers (SQLite has one writer)"
    )
    now = at(2025, 4, 1) + SECOND
    counts: list[int] = []

    def one() -> None:
        counts.append(worker(shop_).run_until_idle(now=now))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 30
    assert all(count > 0 for count in counts), counts
    for subscription_id in ids:
        assert len(invoices_of(shop_, subscription_id)) == 1


def test_invoice_service_still_sees_the_draft(shop: Shop) -> None:  # noqa: F811
    subscription_id = shop.subscribe(at(2025, 3, 1))
    run(shop, at(2025, 4, 1))
    [renewal] = invoices_of(shop, subscription_id)
    with shop.db.unit(Actor(shop.account.id), now=at(2025, 4, 1)) as uow:
        draft = invoice_service.get(uow, renewal["id"])
        assert draft.next_action_at == at(2025, 4, 1) + HOUR


def test_the_worker_command_runs_what_is_due_until_stopped(
    db: Database, account: TestAccount, database_url: str, tmp_path: Any
) -> None:
    """`seikyu worker`, a real process on the real clock: a subscription started in
    March 2025 has every period since renewed and paid (no finalization delay), once."""
    shop_ = Shop(db, account)
    configure(shop_, finalization_delay_seconds=0)
    subscription_id = shop_.subscribe(at(2025, 3, 1))
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "seikyu", "worker", "--interval", "0.2",
         "--account", account.id, "--database-url", database_url],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            renewed = invoices_of(shop_, subscription_id)
            end = shop_.subscription(subscription_id)["current_period_end"]
            if renewed and end > datetime.now(UTC) and renewed[-1]["status"] == "paid":
                break
            time.sleep(0.2)
        else:
            pytest.fail((tmp_path / "worker.log").read_text())
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        log.close()
    renewed = invoices_of(shop_, subscription_id)
    assert {invoice["status"] for invoice in renewed} == {"paid"}
    months = (end.year - 2025) * 12 + end.month - 4
    assert len(renewed) == months
