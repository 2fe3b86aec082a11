"""Webhook deliveries driven in-process on a frozen clock: signatures, retries and their
schedule, timeouts, a hanging receiver, giving up, disabling an endpoint, resends, and
claims that lapse. Every test runs on SQLite and PostgreSQL.

The clock stands years ahead of real time, so a server of the same test session, which
delivers what is due in real time, never takes these deliveries; each worker here is
limited to its test's account."""

from __future__ import annotations

import itertools
import logging
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import stripe
from sqlalchemy import func, select

from seikyu.api.resources import all_routers
from seikyu.app import build_database
from seikyu.core.clock import FrozenClock, to_unix
from seikyu.db.models import Event
from seikyu.db.models.webhook_attempts import WebhookAttempt
from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.db.models.webhook_endpoints import WebhookEndpoint
from seikyu.db.uow import Actor, Database
from seikyu.events import deliveries
from seikyu.events.payload import payload, render_event
from seikyu.events.signature import new_secret
from seikyu.worker.webhooks import USER_AGENT, WebhookWorker
from tests.conftest import TestAccount
from tests.support.receivers import Received, Receiver

START = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
SEED = 20310301


@pytest.fixture(autouse=True)
def _renderers() -> None:
    all_routers()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@dataclass
class Hooks:
    """One account's endpoints, events and deliveries, written directly, and workers on a
    frozen clock."""

    db: Database
    clock: FrozenClock
    account: TestAccount

    def endpoint(
        self,
        url: str,
        *,
        status: str = "enabled",
        secret: str | None = None,
        previous_secret: str | None = None,
        previous_expires_at: datetime | None = None,
        deleted: bool = False,
    ) -> WebhookEndpoint:
        with self.db.unit(Actor(self.account.id)) as uow:
            endpoint = WebhookEndpoint(
                id=uow.new_id("we"),
                account_id=self.account.id,
                livemode=False,
                created=uow.now,
                url=url,
                description=None,
                enabled_events=["*"],
                api_version=None,
                metadata_={},
                status=status,
                secret=secret or new_secret(),
                previous_secret=previous_secret,
                previous_secret_expires_at=previous_expires_at,
                failing_since=None,
                disabled_reason=None,
                deleted_at=uow.now if deleted else None,
            )
            uow.session.add(endpoint)
        return endpoint

    def event(self, *endpoints: WebhookEndpoint, type: str = "customer.created") -> Event:
        """An event owed to each endpoint, due now."""
        with self.db.unit(Actor(self.account.id)) as uow:
            event = Event(
                id=uow.new_id("evt"),
                account_id=self.account.id,
                livemode=False,
                created=uow.now,
                type=type,
                api_version="2026-10-28.endive",
                object_id="cus_test",
                data={"object": {"id": "cus_test", "object": "customer", "name": "Ada"}},
                request_id=None,
                idempotency_key=None,
                pending_webhooks=len(endpoints),
            )
            uow.session.add(event)
            for endpoint in endpoints:
                uow.session.add(
                    WebhookDelivery(
                        id=uow.new_id("whdel"),
                        account_id=self.account.id,
                        livemode=False,
                        created=uow.now,
                        event_id=event.id,
                        endpoint_id=endpoint.id,
                        status="pending",
                        attempts=0,
                        next_attempt_at=uow.now,
                        claimed_until=None,
                        last_attempt_at=None,
                        last_status_code=None,
                    )
                )
        return event

    def worker(self, **options: Any) -> WebhookWorker:
        settings: dict[str, Any] = {"timeout": 5.0, "interval": 0.05}
        settings.update(options)
        return WebhookWorker(
            self.db,
            rng=random.Random(SEED),
            account_id=self.account.id,
            **settings,
        )

    def delivery(self, event: Event, endpoint: WebhookEndpoint) -> WebhookDelivery:
        with self.db.unit(readonly=True) as uow:
            found = uow.session.scalar(
                select(WebhookDelivery).where(
                    WebhookDelivery.event_id == event.id,
                    WebhookDelivery.endpoint_id == endpoint.id,
                )
            )
        assert found is not None
        return found

    def reload(self, model: type[Any], row_id: str) -> Any:
        with self.db.unit(readonly=True) as uow:
            return uow.session.get(model, row_id)

    def attempts(self, event: Event) -> list[WebhookAttempt]:
        with self.db.unit(readonly=True) as uow:
            stmt = (
                select(WebhookAttempt)
                .where(WebhookAttempt.event_id == event.id)
                .order_by(WebhookAttempt.created, WebhookAttempt.id)
            )
            return list(uow.session.scalars(stmt))

    def events_of_type(self, type: str) -> list[Event]:
        with self.db.unit(readonly=True) as uow:
            stmt = select(Event).where(Event.account_id == self.account.id, Event.type == type)
            return list(uow.session.scalars(stmt))

    def retry_until_settled(self, event: Event, endpoint: WebhookEndpoint) -> WebhookDelivery:
        """Move the clock to each retry and run the worker, until the delivery settles."""
        worker = self.worker()
        for _ in range(100):
            worker.run_until_idle()
            delivery = self.delivery(event, endpoint)
            if delivery.status != "pending":
                return delivery
            assert delivery.next_attempt_at is not None
            self.clock.set(delivery.next_attempt_at)
        raise AssertionError("the delivery never settled")


@pytest.fixture
def hooks(database_url: str, account: TestAccount) -> Iterator[Hooks]:
    clock = FrozenClock(START)
    database = build_database(database_url, clock=clock, pool_size=4)
    yield Hooks(database, clock, account)
    database.dispose()


def verified(received: Received, secret: str, at: datetime) -> stripe.Event:
    """The event as `stripe.Webhook.construct_event` reads it, verified at time `at` (the
    SDK checks the signature's age against the wall clock)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.time", at.timestamp)
        return stripe.Webhook.construct_event(
            received.body.decode(), received.headers["Stripe-Signature"], secret
        )


# --- sending ----------------------------------------------------------------------------


def test_a_delivery_carries_the_event_as_the_api_renders_it_signed_with_the_secret(
    hooks: Hooks, receiver: Receiver
) -> None:
    # Given an endpoint owed one event
    secret = new_secret()
    endpoint = hooks.endpoint(receiver.url("/hook"), secret=secret)
    event = hooks.event(endpoint)

    # When the worker runs
    assert hooks.worker().run_until_idle() == 1

    # Then the receiver got the event's API rendering, signed, and the SDK accepts it
    [got] = receiver.to("/hook")
    assert orjson.loads(got.body) == render_event(event)
    stored = hooks.reload(Event, event.id)
    stored.pending_webhooks = 1  # as it stood when sent
    assert got.body == payload(stored)
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.headers["User-Agent"] == USER_AGENT
    assert got.headers["User-Agent"].startswith("Seikyu/")
    assert got.headers["Stripe-Signature"].startswith(f"t={to_unix(START)},v1=")
    assert got.headers["Stripe-Signature"].count("v1=") == 1
    assert verified(got, secret, START).id == event.id
    with pytest.raises(stripe.SignatureVerificationError):
        verified(got, new_secret(), START)
    # And the delivery succeeded, the event has nothing pending, the attempt is kept
    delivery = hooks.delivery(event, endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.next_attempt_at is None
    assert delivery.claimed_until is None
    assert hooks.reload(Event, event.id).pending_webhooks == 0
    [attempt] = hooks.attempts(event)
    assert attempt.succeeded
    assert attempt.status_code == 200
    assert attempt.created == START
    assert attempt.response_excerpt == '{"received": true}'
    assert attempt.error is None


def test_while_a_secret_is_rolled_each_delivery_is_signed_with_both(
    hooks: Hooks, receiver: Receiver
) -> None:
    old, new = new_secret(), new_secret()
    endpoint = hooks.endpoint(
        receiver.url("/rolled"),
        secret=new,
        previous_secret=old,
        previous_expires_at=START + timedelta(hours=1),
    )
    first = hooks.event(endpoint)
    hooks.worker().run_until_idle()
    [got] = receiver.to("/rolled")
    assert got.headers["Stripe-Signature"].count("v1=") == 2
    assert verified(got, old, START).id == first.id
    assert verified(got, new, START).id == first.id

    # Once the old secret has expired, only the new one signs
    hooks.clock.set(START + timedelta(hours=1))
    later = hooks.event(endpoint)
    hooks.worker().run_until_idle()
    got = receiver.to("/rolled")[-1]
    assert got.event_id == later.id
    assert got.headers["Stripe-Signature"].count("v1=") == 1
    verified(got, new, START + timedelta(hours=1))
    with pytest.raises(stripe.SignatureVerificationError):
        verified(got, old, START + timedelta(hours=1))


# --- retries ---------------------------------------------------------------------------


def test_a_receiver_failing_three_times_gets_the_event_on_the_fourth_attempt(
    hooks: Hooks, receiver: Receiver
) -> None:
    # Given a receiver that fails three times, then accepts
    receiver.answer("/flaky", 500, 503, 404, 200)
    endpoint = hooks.endpoint(receiver.url("/flaky"))
    event = hooks.event(endpoint)
    expected_rng = random.Random(SEED)
    worker = hooks.worker()

    # When the worker runs at each scheduled retry
    moments = []
    for failures in (1, 2, 3):
        worker.run_until_idle()
        delivery = hooks.delivery(event, endpoint)
        assert (delivery.status, delivery.attempts) == ("pending", failures)
        # Then each retry waits 1 minute x 2^(n-1), spread by the seeded jitter
        wait = deliveries.retry_delay(failures, expected_rng)
        assert delivery.next_attempt_at == hooks.clock.now() + wait
        base = timedelta(minutes=2 ** (failures - 1))
        assert base * 0.75 <= wait <= base * 1.25
        # And nothing is sent before the retry is due
        assert worker.run_until_idle() == 0
        moments.append(hooks.clock.now())
        assert delivery.next_attempt_at is not None
        hooks.clock.set(delivery.next_attempt_at)
    worker.run_until_idle()

    # Then the fourth attempt succeeded, and all four are kept
    delivery = hooks.delivery(event, endpoint)
    assert (delivery.status, delivery.attempts) == ("succeeded", 4)
    assert hooks.reload(Event, event.id).pending_webhooks == 0
    attempts = hooks.attempts(event)
    assert [a.status_code for a in attempts] == [500, 503, 404, 200]
    assert [a.succeeded for a in attempts] == [False, False, False, True]
    assert [a.created for a in attempts[:3]] == moments
    assert attempts[0].response_excerpt == '{"error": "scripted"}'
    assert len({r.event_id for r in receiver.to("/flaky")}) == 1
    # And the endpoint, failing from the first attempt, is failing no more
    assert hooks.reload(WebhookEndpoint, endpoint.id).failing_since is None


def test_failing_marks_the_endpoint_failing_since_the_first_failure(
    hooks: Hooks, receiver: Receiver
) -> None:
    receiver.answer("/down", 500)
    endpoint = hooks.endpoint(receiver.url("/down"))
    hooks.event(endpoint)
    hooks.worker().run_until_idle()
    assert hooks.reload(WebhookEndpoint, endpoint.id).failing_since == START


def test_a_receiver_that_does_not_answer_in_time_fails_the_attempt(
    hooks: Hooks, receiver: Receiver
) -> None:
    receiver.hang("/slow")
    endpoint = hooks.endpoint(receiver.url("/slow"))
    event = hooks.event(endpoint)
    hooks.worker(timeout=0.3).run_until_idle()
    [attempt] = hooks.attempts(event)
    assert not attempt.succeeded
    assert attempt.status_code is None
    assert attempt.error == "No complete answer within 0.3 s."
    assert 250 <= attempt.duration_ms < 3000
    assert hooks.delivery(event, endpoint).status == "pending"


def test_a_refused_connection_fails_the_attempt(hooks: Hooks) -> None:
    endpoint = hooks.endpoint("http://127.0.0.1:9/nobody-listens")
    event = hooks.event(endpoint)
    hooks.worker().run_until_idle()
    [attempt] = hooks.attempts(event)
    assert not attempt.succeeded
    assert attempt.error is not None
    assert attempt.error.startswith("ConnectError")
    delivery = hooks.delivery(event, endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)


def test_a_redirect_is_a_failure_and_is_not_followed(hooks: Hooks, receiver: Receiver) -> None:
    receiver.answer("/moved", 302)
    endpoint = hooks.endpoint(receiver.url("/moved"))
    event = hooks.event(endpoint)
    hooks.worker().run_until_idle()
    assert len(receiver.received) == 1
    assert hooks.delivery(event, endpoint).status == "pending"


def test_a_hanging_receiver_does_not_hold_back_another_endpoint(
    hooks: Hooks, receiver: Receiver
) -> None:
    # Given one receiver that hangs and one that answers, each owed six events
    released = receiver.hang("/hangs")
    hanging = hooks.endpoint(receiver.url("/hangs"))
    answering = hooks.endpoint(receiver.url("/answers"))
    for _ in range(6):
        hooks.event(hanging, answering)
    worker = hooks.worker(per_endpoint=2, concurrency=4, timeout=20.0)

    # When the worker runs
    run = threading.Thread(target=worker.run_until_idle)
    run.start()
    try:
        # Then all six reach the answering endpoint while the other still hangs, with no
        # more than its share in flight
        assert receiver.wait_for(6, "/answers", timeout=10)
        assert receiver.wait_for(2, "/hangs", timeout=5)
        assert len(receiver.to("/hangs")) == 2
    finally:
        released.set()
        run.join(30)
    assert not run.is_alive()
    # And once it answers, the hanging endpoint gets its six too
    assert len({r.event_id for r in receiver.to("/hangs")}) == 6
    first_answer = min(r.at for r in receiver.to("/answers"))
    last_answer = max(r.at for r in receiver.to("/answers"))
    assert last_answer - first_answer < 5


def test_a_deleted_or_disabled_endpoint_is_sent_nothing(hooks: Hooks, receiver: Receiver) -> None:
    disabled = hooks.endpoint(receiver.url("/disabled"), status="disabled")
    deleted = hooks.endpoint(receiver.url("/deleted"), deleted=True)
    event = hooks.event(disabled, deleted)
    assert hooks.worker().run_until_idle() == 0
    assert receiver.received == []
    assert hooks.delivery(event, disabled).status == "canceled"
    assert hooks.delivery(event, deleted).status == "canceled"
    # An event that was never delivered still counts them, as Stripe's does
    assert hooks.reload(Event, event.id).pending_webhooks == 2


def test_a_claim_of_only_canceled_deliveries_does_not_end_the_run(
    hooks: Hooks, receiver: Receiver
) -> None:
    disabled = hooks.endpoint(receiver.url("/off"), status="disabled")
    enabled = hooks.endpoint(receiver.url("/on"))
    for _ in range(10):
        hooks.event(disabled)
    hooks.clock.set(START + timedelta(seconds=1))
    event = hooks.event(enabled)
    assert hooks.worker(concurrency=4).run_until_idle() == 1
    assert [r.event_id for r in receiver.to("/on")] == [event.id]


# --- giving up and disabling -------------------------------------------------------------


def test_after_three_days_of_failures_the_delivery_fails_and_the_endpoint_is_disabled(
    hooks: Hooks, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a receiver that always fails
    receiver.answer("/broken", 500)
    endpoint = hooks.endpoint(receiver.url("/broken"))
    event = hooks.event(endpoint)

    # When every retry is made
    with caplog.at_level(logging.WARNING, logger="seikyu.webhooks"):
        delivery = hooks.retry_until_settled(event, endpoint)

    # Then the last attempt is made 3 days after the first, and the delivery fails
    attempts = hooks.attempts(event)
    assert delivery.status == "failed"
    assert attempts[-1].created - attempts[0].created == timedelta(days=3)
    assert 15 <= len(attempts) <= 25
    gaps = [b.created - a.created for a, b in itertools.pairwise(attempts)]
    assert max(gaps) <= timedelta(hours=6) * 1.25
    # And the event keeps counting it: it was never received
    assert hooks.reload(Event, event.id).pending_webhooks == 1
    # And the endpoint, failing throughout, is disabled with an event and a warning
    disabled = hooks.reload(WebhookEndpoint, endpoint.id)
    assert disabled.status == "disabled"
    assert disabled.disabled_reason.startswith("Every delivery attempt failed for 3 days")
    assert "HTTP 500" in disabled.disabled_reason
    [notice] = hooks.events_of_type("webhook_endpoint.disabled")
    assert notice.data["object"]["id"] == endpoint.id
    assert notice.data["object"]["status"] == "disabled"
    assert any(
        r.levelno == logging.WARNING and endpoint.id in r.getMessage() for r in caplog.records
    )


def test_a_success_in_between_keeps_a_failing_endpoint_enabled(
    hooks: Hooks, receiver: Receiver
) -> None:
    # Given an endpoint failing for two days, then answering once
    receiver.answer("/mostly-down", 500)
    endpoint = hooks.endpoint(receiver.url("/mostly-down"))
    hooks.event(endpoint)
    worker = hooks.worker()
    worker.run_until_idle()
    hooks.clock.set(START + timedelta(days=2))
    receiver.answer("/mostly-down", 200)
    hooks.event(endpoint)
    worker.run_until_idle()
    assert hooks.reload(WebhookEndpoint, endpoint.id).failing_since is None

    # When it fails again, three days after its first failure
    receiver.answer("/mostly-down", 500)
    hooks.clock.set(START + timedelta(days=3, hours=1))
    hooks.event(endpoint)
    worker.run_until_idle()

    # Then it is failing since then, and still enabled
    endpoint = hooks.reload(WebhookEndpoint, endpoint.id)
    assert endpoint.status == "enabled"
    assert endpoint.failing_since == START + timedelta(days=3, hours=1)


def test_an_endpoint_is_not_disabled_before_three_days_of_failures(
    hooks: Hooks, receiver: Receiver
) -> None:
    receiver.answer("/down-a-while", 500)
    endpoint = hooks.endpoint(receiver.url("/down-a-while"))
    hooks.event(endpoint)
    worker = hooks.worker()
    worker.run_until_idle()
    hooks.clock.set(START + timedelta(days=3) - timedelta(seconds=1))
    hooks.event(endpoint)
    worker.run_until_idle()
    assert hooks.reload(WebhookEndpoint, endpoint.id).status == "enabled"
    hooks.clock.set(START + timedelta(days=3))
    hooks.event(endpoint)
    worker.run_until_idle()
    assert hooks.reload(WebhookEndpoint, endpoint.id).status == "disabled"


# --- resending --------------------------------------------------------------------------


def test_a_delivered_event_resent_is_delivered_again(hooks: Hooks, receiver: Receiver) -> None:
    endpoint = hooks.endpoint(receiver.url("/again"))
    event = hooks.event(endpoint)
    hooks.worker().run_until_idle()
    with hooks.db.unit(Actor(hooks.account.id)) as uow:
        resent = deliveries.resend(uow, event.id, endpoint.id)
        assert resent.pending_webhooks == 1
    hooks.worker().run_until_idle()
    assert [r.event_id for r in receiver.to("/again")] == [event.id, event.id]
    assert hooks.delivery(event, endpoint).status == "succeeded"
    assert hooks.reload(Event, event.id).pending_webhooks == 0


def test_a_failed_delivery_resent_gets_a_fresh_three_days(hooks: Hooks, receiver: Receiver) -> None:
    receiver.answer("/gave-up", *([500] * 40), 200)
    endpoint = hooks.endpoint(receiver.url("/gave-up"))
    event = hooks.event(endpoint)
    assert hooks.retry_until_settled(event, endpoint).status == "failed"
    with hooks.db.unit(Actor(hooks.account.id)) as uow:
        # Disabled meanwhile, it is enabled again, as the account would through the API
        enabled = uow.session.get(WebhookEndpoint, endpoint.id)
        assert enabled is not None
        enabled.status, enabled.failing_since = "enabled", None
    failed_attempts = len(hooks.attempts(event))
    resent_at = hooks.clock.now() + timedelta(days=1)
    hooks.clock.set(resent_at)
    with hooks.db.unit(Actor(hooks.account.id), now=resent_at) as uow:
        deliveries.resend(uow, event.id, endpoint.id)
    delivery = hooks.delivery(event, endpoint)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "pending",
        0,
        resent_at,
    )
    # Its failures now count from the resend: it is retried, not given up at once
    hooks.worker().run_until_idle()
    delivery = hooks.delivery(event, endpoint)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert len(hooks.attempts(event)) == failed_attempts + 1


# --- claims ----------------------------------------------------------------------------


def test_a_claim_that_lapses_is_taken_again_and_the_late_outcome_is_ignored(
    hooks: Hooks, receiver: Receiver
) -> None:
    endpoint = hooks.endpoint(receiver.url("/lapsed"))
    event = hooks.event(endpoint)
    # Given a worker that claimed the delivery and was never heard from again
    gone = hooks.worker()
    [job] = gone._claim(10, {}).jobs
    assert hooks.worker().run_until_idle() == 0  # claimed: nobody else takes it
    # When its claim lapses, another worker sends it
    hooks.clock.set(job.claimed_until)
    assert hooks.worker().run_until_idle() == 1
    assert hooks.delivery(event, endpoint).status == "succeeded"
    # And the first worker's outcome, arriving late, is kept as an attempt only
    late = deliveries.Outcome(
        job=job,
        sent_at=START,
        duration_ms=12,
        status_code=500,
        response_excerpt=None,
        error=None,
    )
    gone._record([late])
    delivery = hooks.delivery(event, endpoint)
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert [a.status_code for a in hooks.attempts(event)] == [500, 200]
    assert hooks.reload(Event, event.id).pending_webhooks == 0


def test_workers_claiming_at_once_never_claim_the_same_delivery(
    hooks: Hooks, receiver: Receiver
) -> None:
    endpoints = [hooks.endpoint(receiver.url(f"/shared-{n}")) for n in range(5)]
    for _ in range(20):
        hooks.event(*endpoints)
    workers = [hooks.worker(per_endpoint=100) for _ in range(4)]
    claimed: list[list[str]] = [[] for _ in workers]
    start = threading.Barrier(len(workers))

    def claim(index: int) -> None:
        start.wait()
        # Until all are claimed, not a fixed number of rounds: a claim locks more
        # candidates than it takes, so on a busy machine the others' claims come back
        # short while it holds them.
        for _ in range(100):
            if sum(map(len, claimed)) >= 100:
                break
            claimed[index] += [job.delivery_id for job in workers[index]._claim(7, {}).jobs]

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [delivery for each in claimed for delivery in each]
    assert len(every) == len(set(every)) == 100


def test_no_endpoint_gets_more_than_its_share_of_a_claim(hooks: Hooks, receiver: Receiver) -> None:
    busy = hooks.endpoint(receiver.url("/busy"))
    quiet = hooks.endpoint(receiver.url("/quiet"))
    for _ in range(10):
        hooks.event(busy)
    hooks.event(quiet)
    jobs = hooks.worker(per_endpoint=3)._claim(8, {busy.id: 1}).jobs
    assert sorted(job.endpoint_id for job in jobs) == sorted([busy.id, busy.id, quiet.id])
    with hooks.db.unit(readonly=True) as uow:
        claimed = uow.session.scalar(
            select(func.count())
            .where(WebhookDelivery.claimed_until.is_not(None))
            .where(WebhookDelivery.account_id == hooks.account.id)
        )
    assert claimed == 3
