"""Deliveries written with events: one per enabled endpoint of the event's account and mode
subscribed to its type, in the event's transaction, due at once in real time; and, for an
account with no endpoint, nothing but one small query per unit of work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import stripe
from sqlalchemy import event, func, select

from seikyu.accounts import service as accounts
from seikyu.api.resources import all_routers
from seikyu.app import build_database
from seikyu.core.clock import FrozenClock
from seikyu.core.errors import SeikyuError
from seikyu.customers import service as customers
from seikyu.db.models import Event
from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.db.models.webhook_endpoints import WebhookEndpoint
from seikyu.db.uow import Actor, Database
from seikyu.events import endpoints, event_types
from seikyu.events.endpoints import EndpointFields
from seikyu.events.signature import header
from tests.conftest import TestAccount
from tests.support.race import second_during_first

# Event rows are rendered through the API's registry, filled by importing the resources.
all_routers()

URL = "https://hooks.example.com/seikyu"


def endpoint(
    db: Database,
    account_id: str,
    enabled_events: list[str],
    *,
    livemode: bool = False,
    disabled: bool = False,
    deleted: bool = False,
) -> str:
    with db.unit(Actor(account_id, livemode)) as uow:
        made = endpoints.create(uow, EndpointFields(url=URL, enabled_events=enabled_events))
        if disabled:
            endpoints.update(uow, made.id, EndpointFields(disabled=True))
        if deleted:
            endpoints.delete(uow, made.id)
        return made.id


def new_customer(db: Database, account_id: str, *, livemode: bool = False) -> str:
    """Writes one `customer.created` event."""
    with db.unit(Actor(account_id, livemode)) as uow:
        return customers.create(uow, {"email": "a@example.com"}).id


def event_of(db: Database, object_id: str, event_type: str = "customer.created") -> Event:
    with db.unit() as uow:
        found = uow.session.scalar(
            select(Event).where(Event.object_id == object_id, Event.type == event_type)
        )
        assert found is not None
        return found


def deliveries_of(db: Database, event_id: str) -> list[WebhookDelivery]:
    with db.unit() as uow:
        stmt = select(WebhookDelivery).where(WebhookDelivery.event_id == event_id)
        return list(uow.session.scalars(stmt))


def owed(db: Database, object_id: str) -> set[str]:
    return {d.endpoint_id for d in deliveries_of(db, event_of(db, object_id).id)}


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


# --- who is owed an event ------------------------------------------------------------------


def test_each_subscribed_endpoint_is_owed_one_pending_delivery(
    db: Database, account: TestAccount
) -> None:
    first = endpoint(db, account.id, ["customer.created"])
    second = endpoint(db, account.id, ["invoice.paid", "customer.created"])
    endpoint(db, account.id, ["invoice.paid"])
    before = datetime.now(UTC)
    customer_id = new_customer(db, account.id)
    created = event_of(db, customer_id)
    deliveries = deliveries_of(db, created.id)
    assert {d.endpoint_id for d in deliveries} == {first, second}
    assert created.pending_webhooks == 2
    for delivery in deliveries:
        assert delivery.id.startswith("whdel_")
        assert (delivery.status, delivery.attempts) == ("pending", 0)
        assert (delivery.account_id, delivery.livemode) == (account.id, False)
        assert delivery.next_attempt_at is not None
        assert before <= delivery.next_attempt_at <= datetime.now(UTC)
        assert (delivery.claimed_until, delivery.last_attempt_at) == (None, None)


def test_the_event_api_shows_pending_webhooks(
    db: Database, account: TestAccount, client: stripe.StripeClient
) -> None:
    endpoint(db, account.id, ["customer.created"])
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    [created] = client.v1.events.list(params={"type": "customer.created"}).data
    assert (created.data.object.id, created.pending_webhooks) == (customer.id, 1)


def test_a_star_endpoint_is_owed_every_event(db: Database, account: TestAccount) -> None:
    everything = endpoint(db, account.id, ["*"])
    customer_id = new_customer(db, account.id)
    with db.unit(Actor(account.id)) as uow:
        customers.delete(uow, customer_id)
    assert owed(db, customer_id) == {everything}
    deleted = event_of(db, customer_id, "customer.deleted")
    assert {d.endpoint_id for d in deliveries_of(db, deleted.id)} == {everything}


def test_an_unmatched_type_is_owed_to_nobody(db: Database, account: TestAccount) -> None:
    endpoint(db, account.id, ["invoice.paid", "customer.deleted"])
    customer_id = new_customer(db, account.id)
    assert owed(db, customer_id) == set()
    assert event_of(db, customer_id).pending_webhooks == 0


def test_disabled_and_deleted_endpoints_are_owed_nothing(
    db: Database, account: TestAccount
) -> None:
    endpoint(db, account.id, ["*"], disabled=True)
    endpoint(db, account.id, ["*"], deleted=True)
    assert owed(db, new_customer(db, account.id)) == set()


def test_a_re_enabled_endpoint_is_owed_events_again(db: Database, account: TestAccount) -> None:
    endpoint_id = endpoint(db, account.id, ["*"], disabled=True)
    with db.unit(Actor(account.id)) as uow:
        endpoints.update(uow, endpoint_id, EndpointFields(disabled=False))
    assert owed(db, new_customer(db, account.id)) == {endpoint_id}


def test_other_modes_and_accounts_are_kept_apart(db: Database, account: TestAccount) -> None:
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other").id
    test_mode = endpoint(db, account.id, ["*"])
    live_mode = endpoint(db, account.id, ["*"], livemode=True)
    elsewhere = endpoint(db, other, ["*"])
    assert owed(db, new_customer(db, account.id)) == {test_mode}
    assert owed(db, new_customer(db, account.id, livemode=True)) == {live_mode}
    assert owed(db, new_customer(db, other)) == {elsewhere}


def test_an_endpoint_made_earlier_in_the_same_unit_is_owed_its_events(
    db: Database, account: TestAccount
) -> None:
    with db.unit(Actor(account.id)) as uow:
        assert endpoints.subscriptions(uow) == []
        made = endpoints.create(uow, EndpointFields(url=URL, enabled_events=["*"]))
        customer_id = customers.create(uow, {"email": "a@example.com"}).id
    assert owed(db, customer_id) == {made.id}


# --- when a delivery is due ---------------------------------------------------------------


def test_deliveries_are_due_in_real_time_even_under_a_test_clock(
    database_url: str, account: TestAccount
) -> None:
    real = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    db = build_database(database_url, clock=FrozenClock(real), pool_size=1)
    try:
        endpoint(db, account.id, ["customer.created"])
        simulated = datetime(2020, 1, 1, tzinfo=UTC)
        with db.unit(Actor(account.id), now=simulated) as uow:
            customer_id = customers.create(uow, {"email": "a@example.com"}).id
        created = event_of(db, customer_id)
        [delivery] = deliveries_of(db, created.id)
    finally:
        db.dispose()
    assert created.created == simulated
    assert delivery.next_attempt_at == real


# --- what it costs ---------------------------------------------------------------------


def test_without_endpoints_a_unit_costs_one_small_query_and_writes_no_delivery(
    db: Database, account: TestAccount
) -> None:
    with statements(db) as seen, db.unit(Actor(account.id)) as uow:
        customer_id = customers.create(uow, {"email": "a@example.com"}).id
        customers.update(uow, customer_id, {"name": "Ann"})
        # A second flush of the same unit's events reads nothing again.
        db.flush_events(uow)
        customers.update(uow, customer_id, {"name": "Bea"})
    [endpoint_read] = [s for s in seen if "FROM webhook_endpoints" in s]
    # Small: the two columns the matching needs, nothing else.
    assert re.match(
        r"SELECT webhook_endpoints\.id, webhook_endpoints\.enabled_events\s+FROM", endpoint_read
    )
    assert not [s for s in seen if "webhook_deliveries" in s]
    with db.unit() as uow:
        stmt = select(func.count()).where(WebhookDelivery.account_id == account.id)
        assert uow.session.scalar(stmt) == 0
    assert event_of(db, customer_id).pending_webhooks == 0


def test_many_events_write_their_deliveries_in_one_statement(
    db: Database, account: TestAccount
) -> None:
    for _ in range(3):
        endpoint(db, account.id, ["*"])
    with statements(db) as seen, db.unit(Actor(account.id)) as uow:
        made = [customers.create(uow, {"email": f"{n}@example.com"}).id for n in range(4)]
    inserts = [s for s in seen if s.startswith("INSERT INTO webhook_deliveries")]
    assert len(inserts) == 1
    assert len([s for s in seen if "FROM webhook_endpoints" in s]) == 1
    for customer_id in made:
        assert len(owed(db, customer_id)) == 3
        assert event_of(db, customer_id).pending_webhooks == 3


def test_a_failed_unit_leaves_neither_event_nor_delivery(
    db: Database, account: TestAccount
) -> None:
    endpoint(db, account.id, ["*"])

    def fail_after_writing_events() -> None:
        with db.unit(Actor(account.id)) as uow:
            customers.create(uow, {"email": "a@example.com"})
            db.flush_events(uow)
            raise RuntimeError("the request failed after its events were written")

    with pytest.raises(RuntimeError):
        fail_after_writing_events()
    with db.unit() as uow:
        stmt = select(func.count()).where(WebhookDelivery.account_id == account.id)
        assert uow.session.scalar(stmt) == 0


# --- the limit under concurrency ------------------------------------------------------------


def test_two_creations_at_once_never_pass_the_limit(db: Database, account: TestAccount) -> None:
    for _ in range(endpoints.MAX_ENDPOINTS - 1):
        endpoint(db, account.id, ["*"])

    def create(uow: Any) -> None:
        endpoints.create(uow, EndpointFields(url=URL, enabled_events=["*"]))

    refused = second_during_first(db, Actor(account.id), create, create)
    assert isinstance(refused, SeikyuError)
    assert refused.code == "webhook_endpoint_limit_reached"
    with db.unit() as uow:
        stmt = select(func.count()).where(
            WebhookEndpoint.account_id == account.id, WebhookEndpoint.deleted_at.is_(None)
        )
        assert uow.session.scalar(stmt) == endpoints.MAX_ENDPOINTS


# --- secrets and types ----------------------------------------------------------------------


def test_a_rolled_secret_signs_next_to_the_new_one_until_it_expires(
    db: Database, account: TestAccount
) -> None:
    endpoint_id = endpoint(db, account.id, ["*"])
    with db.unit(Actor(account.id)) as uow:
        old = endpoints.get(uow, endpoint_id).secret
        rolled = endpoints.roll_secret(uow, endpoint_id, timedelta(hours=1))
        expires = rolled.previous_secret_expires_at
        assert expires is not None
        both = endpoints.signing_secrets(rolled, expires - timedelta(seconds=1))
        later = endpoints.signing_secrets(rolled, expires)
    assert both == [rolled.secret, old]
    assert later == [rolled.secret]
    payload = b'{"id":"evt_1","object":"event"}'
    signed = header(payload, both, int(datetime.now(UTC).timestamp()))
    for secret in (old, rolled.secret):
        assert stripe.Webhook.construct_event(payload, signed, secret)["id"] == "evt_1"


def test_every_type_seikyu_emits_can_be_enabled() -> None:
    source = Path(__file__).parents[2] / "src" / "seikyu"
    emitted = set()
    for path in source.rglob("*.py"):
        text = path.read_text()
        emitted |= set(re.findall(r"(?:emit|emit_now|before_update)\(\s*\"([a-z_.]+)\"", text))
        emitted |= set(re.findall(r"^[A-Z_]*(?:EVENT|ED)\w* = \"([a-z_]+\.[a-z_.]+)\"", text, re.M))
    assert "customer.created" in emitted
    assert sorted(name for name in emitted if not event_types.is_known(name)) == []


def test_stored_enabled_events_are_what_the_endpoint_was_given(
    db: Database, account: TestAccount
) -> None:
    endpoint_id = endpoint(db, account.id, ["customer.created", "*"])
    with db.unit() as uow:
        row = uow.session.get(WebhookEndpoint, endpoint_id)
        assert row is not None
        assert row.enabled_events == ["customer.created", "*"]
