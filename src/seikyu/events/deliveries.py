"""Webhook deliveries: claiming what is due, recording what each attempt got back, the
retry schedule, manual resends and the attempts log.

The worker (worker/webhooks.py) claims due deliveries in one transaction, posts them outside
any transaction, then records the outcomes in another. A claim is a lease: a worker that dies
holding one lets it lapse, and the delivery is taken again, so every delivery is sent at
least once. An outcome is only applied by the holder of the claim it was sent under.

Retry schedule, from the first attempt (of the delivery, or since it was last resent): after
the n-th failed attempt the next waits 1 minute x 2^(n-1), at most 6 hours, each wait
spread by +/-25% so that deliveries failing together do not retry together. No attempt is
scheduled past 3 days after the first: the last one is made at 3 days, and when it fails
too the delivery has failed. An endpoint whose every attempt has failed for 3 days
(`failing_since`) is disabled, with Seikyu's `webhook_endpoint.disabled` event.
"""

from __future__ import annotations

import logging
import random
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from seikyu.core.errors import SeikyuError, no_such
from seikyu.db.models import Event
from seikyu.db.models.webhook_attempts import WebhookAttempt
from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.db.models.webhook_endpoints import WebhookEndpoint
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.events import delivery_repository as repository
from seikyu.events import delivery_status, endpoints
from seikyu.events import repository as event_repository
from seikyu.events.delivery_status import DeliveryAction, DeliveryStatus, Move, transition
from seikyu.events.payload import payload

log = logging.getLogger("seikyu.webhooks")

ATTEMPT_PREFIX = "whatt"
ATTEMPT_OBJECT = "webhook_attempt"

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
JITTER = 0.25
RETRY_FOR = timedelta(days=3)
DISABLE_AFTER = timedelta(days=3)
# A claim's candidates are read a few times over, so that the share of an endpoint that
# already has all the deliveries it may have in flight does not starve the others.
_CANDIDATES_PER_SLOT = 4
_MAX_CANDIDATES = 1000
EXCERPT_CHARS = 2000
ERROR_CHARS = 500


# --- the retry schedule --------------------------------------------------------------


def retry_delay(failures: int, rng: random.Random) -> timedelta:
    """The wait after the `failures`-th failed attempt in a row."""
    doublings = min(max(failures - 1, 0), 20)
    base = min(FIRST_RETRY * (2**doublings), LONGEST_WAIT)
    return timedelta(seconds=base.total_seconds() * rng.uniform(1 - JITTER, 1 + JITTER))


def next_attempt_at(
    first_attempt: datetime, now: datetime, failures: int, rng: random.Random
) -> datetime | None:
    """When to try again after a failure at `now`, or None: retries are over."""
    deadline = first_attempt + RETRY_FOR
    if now >= deadline:
        return None
    return min(now + retry_delay(failures, rng), deadline)


# --- claiming --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """One claimed delivery, with all the worker needs to send it and nothing to load."""

    delivery_id: str
    event_id: str
    endpoint_id: str
    account_id: str
    livemode: bool
    url: str
    secrets: tuple[str, ...]
    payload: bytes
    claimed_until: datetime  # the claim's token: outcomes are applied under it only


@dataclass(frozen=True, slots=True)
class Claimed:
    jobs: list[Job]
    canceled: int  # claimed but not to be sent: their endpoint is deleted or disabled

    @property
    def taken(self) -> int:
        return len(self.jobs) + self.canceled


def claim(
    uow: UnitOfWork,
    *,
    limit: int,
    lease: timedelta,
    in_flight: Mapping[str, int],
    per_endpoint: int,
    account_id: str | None = None,
) -> Claimed:
    """Claim up to `limit` due deliveries until `uow.now + lease`, no endpoint getting more
    than `per_endpoint` in flight counting `in_flight` (this worker's, by endpoint).
    Deliveries whose endpoint is deleted or disabled are canceled instead: they are not
    sent."""
    if limit <= 0:
        return Claimed([], 0)
    session, now = uow.session, uow.now
    full = [endpoint for endpoint, count in in_flight.items() if count >= per_endpoint]
    candidates = repository.lock_due(
        session,
        now,
        min(limit * _CANDIDATES_PER_SLOT, _MAX_CANDIDATES),
        skip_endpoints=full,
        account_id=account_id,
    )
    taken: Counter[str] = Counter(in_flight)
    picked: list[str] = []
    for candidate in candidates:
        if len(picked) == limit:
            break
        if taken[candidate.endpoint_id] < per_endpoint:
            taken[candidate.endpoint_id] += 1
            picked.append(candidate.id)
    until = now + lease
    claimed = repository.mark_claimed(session, picked, now, until)
    targets = repository.endpoints_by_id(session, {d.endpoint_id for d in claimed})
    events = repository.events_by_id(session, {d.event_id for d in claimed})
    bodies: dict[str, bytes] = {}
    jobs = []
    canceled = 0
    for delivery in sorted(claimed, key=lambda d: (d.next_attempt_at, d.id)):
        endpoint = targets.get(delivery.endpoint_id)
        event = events.get(delivery.event_id)
        if event is None or endpoint is None or not _owed(endpoint):
            _finish(uow, delivery, DeliveryAction.CANCEL)
            canceled += 1
            continue
        body = bodies.get(event.id)
        if body is None:
            body = bodies[event.id] = payload(event)
        jobs.append(
            Job(
                delivery_id=delivery.id,
                event_id=delivery.event_id,
                endpoint_id=delivery.endpoint_id,
                account_id=delivery.account_id,
                livemode=delivery.livemode,
                url=endpoint.url,
                secrets=tuple(endpoints.signing_secrets(endpoint, now)),
                payload=body,
                claimed_until=until,
            )
        )
    return Claimed(jobs, canceled)


def _owed(endpoint: WebhookEndpoint) -> bool:
    return endpoint.deleted_at is None and endpoint.status == "enabled"


# --- recording outcomes ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt got: a status code, or an error (timeout, refused connection)."""

    job: Job
    sent_at: datetime
    duration_ms: int
    status_code: int | None
    response_excerpt: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def record(uow: UnitOfWork, outcomes: list[Outcome], rng: random.Random) -> None:
    """Write each attempt and apply its outcome, in one transaction for all of them.

    Rows are locked in one order in every transaction (deliveries, then events, then
    endpoints, each by id), so that workers recording at once never deadlock."""
    session = uow.session
    by_delivery = {outcome.job.delivery_id: outcome for outcome in outcomes}
    held = repository.lock_deliveries(session, by_delivery)
    for outcome in outcomes:
        repository.add_attempt(session, _attempt(uow, outcome))
    pending_changes: Counter[str] = Counter()
    endpoint_results: dict[str, list[Outcome]] = defaultdict(list)
    for delivery_id, outcome in sorted(by_delivery.items()):
        delivery = held.get(delivery_id)
        endpoint_results[outcome.job.endpoint_id].append(outcome)
        if (
            delivery is None
            or delivery.status != DeliveryStatus.PENDING.value
            or delivery.claimed_until != outcome.job.claimed_until
        ):
            # Resent or taken again after the claim lapsed: the attempt stands, but what
            # comes next is for the newer claim to decide.
            continue
        move = _apply(uow, delivery, outcome, rng)
        pending_changes[delivery.event_id] += move.pending_webhooks
    repository.adjust_pending_webhooks(session, pending_changes)
    for endpoint_id in sorted(endpoint_results):
        _update_endpoint(uow, endpoint_id, endpoint_results[endpoint_id])


def _attempt(uow: UnitOfWork, outcome: Outcome) -> WebhookAttempt:
    job = outcome.job
    return WebhookAttempt(
        id=uow.new_id(ATTEMPT_PREFIX),
        account_id=job.account_id,
        livemode=job.livemode,
        created=outcome.sent_at,
        delivery_id=job.delivery_id,
        event_id=job.event_id,
        endpoint_id=job.endpoint_id,
        succeeded=outcome.succeeded,
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        response_excerpt=_clip(outcome.response_excerpt, EXCERPT_CHARS),
        error=_clip(outcome.error, ERROR_CHARS),
    )


def _apply(
    uow: UnitOfWork, delivery: WebhookDelivery, outcome: Outcome, rng: random.Random
) -> Move:
    delivery.attempts += 1
    delivery.last_attempt_at = outcome.sent_at
    delivery.last_status_code = outcome.status_code
    delivery.claimed_until = None
    if outcome.succeeded:
        return _finish(uow, delivery, DeliveryAction.SUCCEED, adjust=False)
    first = outcome.sent_at
    if delivery.attempts > 1:
        # The attempts since the delivery was created or last resent: the newest
        # `attempts` rows, this one included.
        first = repository.nth_latest_attempt_at(uow.session, delivery, delivery.attempts) or first
    retry_at = next_attempt_at(first, uow.now, delivery.attempts, rng)
    if retry_at is None:
        return _finish(uow, delivery, DeliveryAction.GIVE_UP, adjust=False)
    move = transition(DeliveryStatus(delivery.status), DeliveryAction.RETRY)
    delivery.status = move.status.value
    delivery.next_attempt_at = retry_at
    return move


def _finish(
    uow: UnitOfWork, delivery: WebhookDelivery, action: DeliveryAction, *, adjust: bool = True
) -> Move:
    move = transition(DeliveryStatus(delivery.status), action)
    delivery.status = move.status.value
    delivery.next_attempt_at = None
    delivery.claimed_until = None
    if adjust:
        repository.adjust_pending_webhooks(uow.session, {delivery.event_id: move.pending_webhooks})
    return move


def _update_endpoint(uow: UnitOfWork, endpoint_id: str, outcomes: list[Outcome]) -> None:
    """Track the endpoint's unbroken run of failures, and disable it once that has lasted
    DISABLE_AFTER. The row is written only when something changes: most outcomes are
    successes of an endpoint that is not failing."""
    latest = max(outcomes, key=lambda outcome: outcome.sent_at)
    endpoint = uow.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return
    if any(outcome.succeeded for outcome in outcomes):
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = min(outcome.sent_at for outcome in outcomes)
        return
    if not _owed(endpoint) or latest.sent_at - endpoint.failing_since < DISABLE_AFTER:
        return
    locked = repository.lock_endpoint(uow.session, endpoint_id)
    if locked is None or not _owed(locked) or locked.failing_since is None:
        return
    days = DISABLE_AFTER.days
    reason = (
        f"Every delivery attempt failed for {days} days, since "
        f"{locked.failing_since:%Y-%m-%d %H:%M:%S} UTC; the last got "
        f"{_described(latest)}."
    )
    endpoints.disable_for_failures(uow, locked, reason[:500])
    log.warning(
        "webhook endpoint %s (%s) disabled: every attempt failed for %d days",
        locked.id,
        locked.url,
        days,
    )


def _described(outcome: Outcome) -> str:
    if outcome.status_code is not None:
        return f"HTTP {outcome.status_code}"
    return outcome.error or "no answer"


def _clip(text: str | None, length: int) -> str | None:
    return None if text is None else text[:length]


# --- manual resend -------------------------------------------------------------------


def resend(uow: UnitOfWork, event_id: str, endpoint_id: str) -> Event:
    """Owe the event to the endpoint again, due now (real time): a new delivery, or the
    existing one made pending with a fresh retry schedule, whatever became of it."""
    if event_repository.get(uow.session, uow.account_id, uow.livemode, event_id) is None:
        raise no_such("event", event_id)
    endpoint = endpoints.find(uow, endpoint_id)
    if endpoint is None:
        raise no_such("webhook_endpoint", endpoint_id, param="webhook_endpoint")
    if endpoint.status != "enabled":
        raise SeikyuError(
            f"The webhook endpoint {endpoint_id} is disabled: enable it (`disabled=false`) "
            "before resending events to it.",
            param="webhook_endpoint",
            code="webhook_endpoint_disabled",
        )
    due = uow.real_now()
    # The delivery before the event, in the order the worker locks them when it records an
    # outcome, so that the two never wait for each other.
    delivery = repository.lock_delivery_of(uow.session, event_id, endpoint_id)
    event = repository.lock_event(uow.session, uow.account_id, uow.livemode, event_id)
    if event is None:
        raise no_such("event", event_id)
    if delivery is None:
        # A resend that held the event before this one may have just created it.
        delivery = repository.lock_delivery_of(uow.session, event_id, endpoint_id)
    if delivery is None:
        repository.add_delivery(
            uow.session,
            WebhookDelivery(
                id=uow.new_id(delivery_status.DELIVERY_PREFIX),
                account_id=event.account_id,
                livemode=event.livemode,
                created=due,
                event_id=event.id,
                endpoint_id=endpoint.id,
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_at=due,
                claimed_until=None,
                last_attempt_at=None,
                last_status_code=None,
            ),
        )
        event.pending_webhooks += 1
        return event
    move = transition(DeliveryStatus(delivery.status), DeliveryAction.RESEND)
    delivery.status = move.status.value
    # A fresh schedule: its three days start at the next attempt.
    delivery.attempts = 0
    delivery.next_attempt_at = due
    delivery.claimed_until = None
    event.pending_webhooks += move.pending_webhooks
    return event


# --- the attempts log ----------------------------------------------------------------


def attempts_page(
    uow: UnitOfWork,
    window: Window,
    *,
    endpoint_id: str | None = None,
    event_id: str | None = None,
    succeeded: bool | None = None,
) -> Page[WebhookAttempt]:
    """Attempts newest first. A filter naming an endpoint or event the account does not
    have is an error, as Stripe answers for a list filtered by an unknown object."""
    session, account, livemode = uow.session, uow.account_id, uow.livemode
    if endpoint_id is not None and not repository.endpoint_exists(
        session, account, livemode, endpoint_id
    ):
        raise no_such("webhook_endpoint", endpoint_id, param="webhook_endpoint")
    if event_id is not None and event_repository.get(session, account, livemode, event_id) is None:
        raise no_such("event", event_id, param="event")
    return repository.attempts_page(
        session,
        account,
        livemode,
        window,
        endpoint_id=endpoint_id,
        event_id=event_id,
        succeeded=succeeded,
    )


def find_attempt(uow: UnitOfWork, attempt_id: str) -> WebhookAttempt | None:
    return repository.get_attempt(uow.session, uow.account_id, uow.livemode, attempt_id)


def get_attempt(uow: UnitOfWork, attempt_id: str) -> WebhookAttempt:
    attempt = find_attempt(uow, attempt_id)
    if attempt is None:
        raise no_such(ATTEMPT_OBJECT, attempt_id)
    return attempt


def any_due(uow: UnitOfWork, account_id: str | None = None) -> bool:
    return repository.any_due(uow.session, uow.now, account_id)
