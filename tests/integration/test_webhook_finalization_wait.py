"""A renewal invoice waits for the endpoints' acknowledgement of its `invoice.created`
before it is finalized, an hour after the last one (Stripe, section 5.2 of the reference),
and at most the account's `webhook_wait_seconds` (72 hours) for endpoints that do not
answer. Deliveries are moved by hand here; their worker is tested on its own."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from seikyu.db.models import Event
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.events import endpoints
from tests.integration.test_billing_worker import configure, invoices_of, run
from tests.integration.test_subscription_cycle import Shop, at, shop  # noqa: F401

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
RENEWAL = at(2025, 4, 1)


def listen(shop: Shop, *events: str) -> str:  # noqa: F811
    with shop.unit(at(2025, 3, 1)) as uow:
        return endpoints.create(
            uow, {"url": "https://example.com/hook", "enabled_events": list(events)}
        ).id


def acknowledge(shop: Shop, invoice_id: str, when: datetime, status: str = "succeeded") -> int:  # noqa: F811
    """Mark the deliveries of the invoice's `invoice.created` as the worker would have."""
    with shop.unit(when) as uow:
        created = select(Event.id).where(
            Event.object_id == invoice_id, Event.type == "invoice.created"
        )
        result = uow.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.event_id.in_(created))
            .values(status=status, next_attempt_at=None, last_attempt_at=when, attempts=1)
        )
        return int(getattr(result, "rowcount", 0))


def finalizes_at(shop: Shop, invoice_id: str) -> datetime | None:  # noqa: F811
    with shop.unit(at(2025, 3, 1)) as uow:
        invoice = uow.session.get(Invoice, invoice_id)
        assert invoice is not None
        return invoice.next_action_at


def test_without_endpoints_the_renewal_is_finalized_an_hour_after_creation(shop: Shop) -> None:  # noqa: F811
    listen(shop, "customer.created")  # not invoice.created: nothing to wait for
    subscription_id = shop.subscribe(at(2025, 3, 1))
    run(shop, RENEWAL + SECOND)
    run(shop, RENEWAL + HOUR + SECOND)
    assert [i["status"] for i in invoices_of(shop, subscription_id)] == ["paid"]


def test_the_renewal_waits_for_the_acknowledgement_then_an_hour(shop: Shop) -> None:  # noqa: F811
    listen(shop, "invoice.created")
    subscription_id = shop.subscribe(at(2025, 3, 1))
    run(shop, RENEWAL + SECOND)
    [renewal] = invoices_of(shop, subscription_id)

    # An hour on, the endpoint has not answered: still a draft, looked at again shortly.
    run(shop, RENEWAL + 5 * HOUR)
    assert invoices_of(shop, subscription_id)[0]["status"] == "draft"
    assert finalizes_at(shop, renewal["id"]) == RENEWAL + 5 * HOUR + MINUTE

    assert acknowledge(shop, renewal["id"], RENEWAL + 6 * HOUR) == 1
    run(shop, RENEWAL + 6 * HOUR + MINUTE)
    assert invoices_of(shop, subscription_id)[0]["status"] == "draft"
    assert finalizes_at(shop, renewal["id"]) == RENEWAL + 7 * HOUR

    run(shop, RENEWAL + 7 * HOUR + SECOND)
    assert invoices_of(shop, subscription_id)[0]["status"] == "paid"


def test_an_endpoint_that_never_answers_is_waited_for_72_hours(shop: Shop) -> None:  # noqa: F811
    listen(shop, "*")
    subscription_id = shop.subscribe(at(2025, 3, 1))
    run(shop, RENEWAL + SECOND)
    run(shop, RENEWAL + 71 * HOUR)
    assert invoices_of(shop, subscription_id)[0]["status"] == "draft"
    run(shop, RENEWAL + 72 * HOUR + SECOND)
    assert invoices_of(shop, subscription_id)[0]["status"] == "paid"


def test_the_wait_is_an_account_setting(shop: Shop) -> None:  # noqa: F811
    configure(shop, webhook_wait_seconds=2 * 3600, finalization_delay_seconds=0)
    listen(shop, "invoice.created")
    subscription_id = shop.subscribe(at(2025, 3, 1))
    # No delay, but an endpoint to wait for: the renewal is not finalized with its cut.
    run(shop, RENEWAL + SECOND)
    assert invoices_of(shop, subscription_id)[0]["status"] == "draft"
    run(shop, RENEWAL + 2 * HOUR + SECOND)
    assert invoices_of(shop, subscription_id)[0]["status"] == "paid"


def test_deliveries_that_gave_up_or_a_disabled_endpoint_are_not_waited_for(shop: Shop) -> None:  # noqa: F811
    endpoint_id = listen(shop, "invoice.created")
    first = shop.subscribe(at(2025, 3, 1))
    run(shop, RENEWAL + SECOND)
    [renewal] = invoices_of(shop, first)
    acknowledge(shop, renewal["id"], RENEWAL + 2 * HOUR, status="failed")
    run(shop, RENEWAL + 2 * HOUR)
    assert invoices_of(shop, first)[0]["status"] == "paid"

    second = shop.subscribe(at(2025, 3, 1))
    run(shop, RENEWAL + SECOND)
    with shop.unit(RENEWAL + HOUR) as uow:
        endpoints.update(uow, endpoint_id, {"disabled": True})
    run(shop, RENEWAL + HOUR + SECOND)
    assert invoices_of(shop, second)[0]["status"] == "paid"
