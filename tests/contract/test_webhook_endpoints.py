"""Webhook endpoints through the official SDK: create (the only answer with the secret),
retrieve, list, update, delete, Stripe's limit of 16, Seikyu's roll_secret, and bad input
named by its parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import select, update

from seikyu.core.api_version import API_VERSION
from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.db.models.webhook_endpoints import WebhookEndpoint
from seikyu.db.uow import Database
from seikyu.events.endpoints import MAX_ENDPOINTS
from tests.support.errors import assert_error, invalid_request

URL = "https://hooks.example.com/seikyu"
DAY = 86400


def endpoint_at(
    client: stripe.StripeClient, url: str = URL, **params: Any
) -> stripe.WebhookEndpoint:
    params.setdefault("enabled_events", ["invoice.paid"])
    return client.v1.webhook_endpoints.create(params={"url": url, **params})  # type: ignore[typeddict-item]


def stored(db: Database, endpoint_id: str) -> WebhookEndpoint:
    with db.unit() as uow:
        found = uow.session.get(WebhookEndpoint, endpoint_id)
        assert found is not None
        return found


def ids(client: stripe.StripeClient, **params: Any) -> list[str]:
    return [e.id for e in client.v1.webhook_endpoints.list(params=params).data]  # type: ignore[arg-type]


# --- create, retrieve, list ------------------------------------------------------------


def test_create_returns_the_endpoint_with_its_secret(client: stripe.StripeClient) -> None:
    endpoint = endpoint_at(
        client,
        enabled_events=["invoice.paid", "customer.created"],
        description="Billing sync",
        metadata={"team": "finance"},
        api_version=API_VERSION,
        connect=False,
    )
    assert endpoint.id.startswith("we_")
    assert endpoint.object == "webhook_endpoint"
    assert endpoint.secret is not None
    assert endpoint.secret.startswith("whsec_")
    assert (endpoint.url, endpoint.status, endpoint.description) == (URL, "enabled", "Billing sync")
    assert endpoint.enabled_events == ["invoice.paid", "customer.created"]
    assert endpoint.api_version == API_VERSION
    assert endpoint.metadata.to_dict() == {"team": "finance"}
    assert (endpoint.livemode, endpoint.application) == (False, None)


def test_the_secret_is_shown_only_by_create(client: stripe.StripeClient) -> None:
    endpoint = endpoint_at(client)
    retrieved = client.v1.webhook_endpoints.retrieve(endpoint.id)
    assert "secret" not in retrieved.to_dict()
    assert {**retrieved.to_dict(), "secret": endpoint.secret} == endpoint.to_dict()
    listed = client.v1.webhook_endpoints.list().data
    assert ["secret" in e.to_dict() for e in listed] == [False]
    updated = client.v1.webhook_endpoints.update(endpoint.id, params={"description": "x"})
    assert "secret" not in updated.to_dict()


def test_defaults_when_only_url_and_events_are_given(client: stripe.StripeClient) -> None:
    endpoint = endpoint_at(client, enabled_events=["*"])
    assert endpoint.enabled_events == ["*"]
    assert (endpoint.description, endpoint.api_version) == (None, None)
    assert endpoint.metadata.to_dict() == {}


def test_repeated_event_types_are_kept_once(client: stripe.StripeClient) -> None:
    endpoint = endpoint_at(client, enabled_events=["invoice.paid", "*", "invoice.paid"])
    assert endpoint.enabled_events == ["invoice.paid", "*"]


def test_seikyu_event_types_can_be_enabled(client: stripe.StripeClient) -> None:
    endpoint = endpoint_at(client, enabled_events=["webhook_endpoint.disabled"])
    assert endpoint.enabled_events == ["webhook_endpoint.disabled"]


def test_list_pages_newest_first(client: stripe.StripeClient) -> None:
    made = [endpoint_at(client, f"{URL}/{n}").id for n in range(3)]
    page = client.v1.webhook_endpoints.list(params={"limit": 2})
    assert ([e.id for e in page.data], page.has_more) == ([made[2], made[1]], True)
    assert ids(client, starting_after=made[1]) == [made[0]]
    assert ids(client, ending_before=made[0]) == [made[2], made[1]]


def test_another_accounts_endpoint_is_not_found(
    client: stripe.StripeClient, db: Database, http: httpx.Client
) -> None:
    from seikyu.accounts import service as accounts

    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, other.id)
    theirs = stripe.StripeClient(
        key.secret, base_addresses={"api": str(http.base_url)}, max_network_retries=0
    )
    endpoint = endpoint_at(theirs)
    error = invalid_request(lambda: client.v1.webhook_endpoints.retrieve(endpoint.id))
    assert_error(error, status=404, code="resource_missing", param="id")
    assert ids(client) == []


# --- update ------------------------------------------------------------------------------


def test_update_changes_what_is_given(client: stripe.StripeClient) -> None:
    endpoint = endpoint_at(client, description="old", metadata={"a": "1", "b": "2"})
    updated = client.v1.webhook_endpoints.update(
        endpoint.id,
        params={
            "url": "http://localhost:4242/hooks",
            "enabled_events": ["customer.created", "customer.deleted"],
            "metadata": {"a": "", "c": "3"},
        },
    )
    assert updated.url == "http://localhost:4242/hooks"
    assert updated.enabled_events == ["customer.created", "customer.deleted"]
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    assert updated.description == "old"
    assert client.v1.webhook_endpoints.retrieve(endpoint.id).to_dict() == updated.to_dict()


def test_update_clears_description_and_metadata_with_empty_values(
    client: stripe.StripeClient,
) -> None:
    endpoint = endpoint_at(client, description="old", metadata={"a": "1"})
    updated = client.v1.webhook_endpoints.update(
        endpoint.id, params={"description": "", "metadata": ""}
    )
    assert (updated.description, updated.metadata.to_dict()) == (None, {})


def test_disabled_turns_the_endpoint_off_and_on(client: stripe.StripeClient) -> None:
    endpoint = endpoint_at(client)
    off = client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
    assert off.status == "disabled"
    again = client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
    assert again.status == "disabled"
    on = client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": False})
    assert on.status == "enabled"


def test_re_enabling_forgets_earlier_failures(client: stripe.StripeClient, db: Database) -> None:
    endpoint = endpoint_at(client)
    client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
    with db.unit() as uow:
        uow.session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint.id)
            .values(failing_since=datetime(2030, 1, 1, tzinfo=UTC), disabled_reason="timeouts")
        )
    client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": False})
    row = stored(db, endpoint.id)
    assert (row.status, row.failing_since, row.disabled_reason) == ("enabled", None, None)


def test_an_update_of_an_enabled_endpoint_keeps_its_failure_record(
    client: stripe.StripeClient, db: Database
) -> None:
    endpoint = endpoint_at(client)
    since = datetime(2030, 1, 1, tzinfo=UTC)
    with db.unit() as uow:
        uow.session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint.id)
            .values(failing_since=since)
        )
    client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": False})
    assert stored(db, endpoint.id).failing_since == since


# --- delete ------------------------------------------------------------------------------


def test_delete_removes_the_endpoint(client: stripe.StripeClient) -> None:
    endpoint = endpoint_at(client)
    deleted = client.v1.webhook_endpoints.delete(endpoint.id)
    assert deleted.to_dict() == {"id": endpoint.id, "object": "webhook_endpoint", "deleted": True}
    error = invalid_request(lambda: client.v1.webhook_endpoints.retrieve(endpoint.id))
    assert_error(error, status=404, code="resource_missing", param="id")
    assert ids(client) == []
    again = invalid_request(lambda: client.v1.webhook_endpoints.delete(endpoint.id))
    assert_error(again, status=404, code="resource_missing", param="id")


def test_delete_cancels_what_the_endpoint_was_still_owed(
    client: stripe.StripeClient, db: Database
) -> None:
    endpoint = endpoint_at(client, enabled_events=["customer.created"])
    kept = endpoint_at(client, enabled_events=["customer.created"])
    client.v1.customers.create(params={"email": "a@example.com"})
    client.v1.webhook_endpoints.delete(endpoint.id)
    with db.unit() as uow:
        rows = uow.session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.endpoint_id.in_([endpoint.id, kept.id]))
        ).all()
        found = {(row.endpoint_id, row.status, row.next_attempt_at is None) for row in rows}
    assert found == {(endpoint.id, "canceled", True), (kept.id, "pending", False)}


# --- limits ------------------------------------------------------------------------------


def test_at_most_16_endpoints_per_account_and_mode(client: stripe.StripeClient) -> None:
    made = [endpoint_at(client, f"{URL}/{n}") for n in range(MAX_ENDPOINTS)]
    error = invalid_request(lambda: endpoint_at(client, f"{URL}/extra"))
    assert_error(error, code="webhook_endpoint_limit_reached", param=None)
    assert "maximum of 16 test mode webhook endpoints" in str(error.user_message)
    assert len(client.v1.webhook_endpoints.list(params={"limit": 100}).data) == MAX_ENDPOINTS
    client.v1.webhook_endpoints.delete(made[0].id)
    assert endpoint_at(client, f"{URL}/extra").url == f"{URL}/extra"


# --- roll_secret (Seikyu's extension) -----------------------------------------------------


def roll(http: httpx.Client, endpoint_id: str, **params: Any) -> httpx.Response:
    return http.post(f"/v1/webhook_endpoints/{endpoint_id}/roll_secret", data=params)


def test_roll_secret_returns_a_new_secret_once_and_keeps_the_old_one_a_while(
    client: stripe.StripeClient, http: httpx.Client, db: Database
) -> None:
    endpoint = endpoint_at(client)
    before = datetime.now(UTC)
    response = roll(http, endpoint.id, expires_in=3600)
    after = datetime.now(UTC)
    assert response.status_code == 200, response.text
    rolled = response.json()
    assert rolled["secret"].startswith("whsec_")
    assert rolled["secret"] != endpoint.secret
    assert {
        k: v for k, v in rolled.items() if k != "secret"
    } == client.v1.webhook_endpoints.retrieve(endpoint.id).to_dict()
    row = stored(db, endpoint.id)
    assert (row.secret, row.previous_secret) == (rolled["secret"], endpoint.secret)
    assert row.previous_secret_expires_at is not None
    expires = row.previous_secret_expires_at
    assert before + timedelta(seconds=3600) <= expires + timedelta(seconds=1)
    assert expires <= after + timedelta(seconds=3601)


def test_roll_secret_keeps_the_old_secret_a_day_by_default(
    client: stripe.StripeClient, http: httpx.Client, db: Database
) -> None:
    endpoint = endpoint_at(client)
    start = datetime.now(UTC)
    assert roll(http, endpoint.id).status_code == 200
    expires = stored(db, endpoint.id).previous_secret_expires_at
    assert expires is not None
    assert abs((expires - start - timedelta(days=1)).total_seconds()) < 60


def test_roll_secret_with_no_grace_drops_the_old_secret_at_once(
    client: stripe.StripeClient, http: httpx.Client, db: Database
) -> None:
    endpoint = endpoint_at(client)
    rolled = roll(http, endpoint.id, expires_in=0).json()
    row = stored(db, endpoint.id)
    assert (row.secret, row.previous_secret, row.previous_secret_expires_at) == (
        rolled["secret"],
        None,
        None,
    )


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"expires_in": -1}, "expires_in", "parameter_invalid_integer"),
        ({"expires_in": 7 * DAY + 1}, "expires_in", "parameter_invalid_integer"),
        ({"expires_in": "soon"}, "expires_in", "parameter_invalid_integer"),
        ({"expires_in": ""}, "expires_in", "parameter_invalid_empty"),
        ({"grace": 10}, "grace", "parameter_unknown"),
    ],
)
def test_roll_secret_refuses_bad_input_by_name(
    client: stripe.StripeClient,
    http: httpx.Client,
    db: Database,
    params: dict[str, Any],
    param: str,
    code: str,
) -> None:
    endpoint = endpoint_at(client)
    response = roll(http, endpoint.id, **params)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", param, code)
    assert stored(db, endpoint.id).secret == endpoint.secret


def test_roll_secret_of_an_unknown_endpoint_is_404(http: httpx.Client) -> None:
    response = roll(http, "we_nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_missing"


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"enabled_events": ["*"]}, "url", "parameter_missing"),
        ({"url": URL}, "enabled_events", "parameter_missing"),
        ({"url": "", "enabled_events": ["*"]}, "url", "parameter_invalid_empty"),
        ({"url": "ftp://example.com/x", "enabled_events": ["*"]}, "url", "url_invalid"),
        ({"url": "/hooks", "enabled_events": ["*"]}, "url", "url_invalid"),
        ({"url": "https://", "enabled_events": ["*"]}, "url", "url_invalid"),
        ({"url": "https://a b.example/x", "enabled_events": ["*"]}, "url", "url_invalid"),
        ({"url": "https://example.com:99999/", "enabled_events": ["*"]}, "url", "url_invalid"),
        (
            {"url": "https://example.com/" + "x" * 2048, "enabled_events": ["*"]},
            "url",
            "parameter_invalid_string_too_long",
        ),
        ({"url": URL, "enabled_events": ""}, "enabled_events", "parameter_invalid_empty"),
        ({"url": URL, "enabled_events": ["nope"]}, "enabled_events[0]", "parameter_invalid_enum"),
        (
            {"url": URL, "enabled_events": ["invoice.paid", "invoice.*"]},
            "enabled_events[1]",
            "parameter_invalid_enum",
        ),
        (
            {"url": URL, "enabled_events": {"a": "invoice.paid"}},
            "enabled_events",
            "parameter_invalid_array",
        ),
        (
            {"url": URL, "enabled_events": ["*"], "description": "x" * 5001},
            "description",
            "parameter_invalid_string_too_long",
        ),
        ({"url": URL, "enabled_events": ["*"], "api_version": "latest"}, "api_version", None),
        ({"url": URL, "enabled_events": ["*"], "api_version": "2024-06-20"}, "api_version", None),
        ({"url": URL, "enabled_events": ["*"], "connect": True}, "connect", None),
        (
            {"url": URL, "enabled_events": ["*"], "connect": "maybe"},
            "connect",
            "parameter_invalid_boolean",
        ),
        (
            {"url": URL, "enabled_events": ["*"], "metadata": "x"},
            "metadata",
            "parameter_invalid_hash",
        ),
        (
            {"url": URL, "enabled_events": ["*"], "metadata": {"k" * 41: "v"}},
            "metadata",
            None,
        ),
        ({"url": URL, "enabled_events": ["*"], "colour": "red"}, "colour", "parameter_unknown"),
    ],
)
def test_create_refuses_bad_input_by_name(
    client: stripe.StripeClient, params: dict[str, Any], param: str, code: str | None
) -> None:
    error = invalid_request(
        lambda: client.v1.webhook_endpoints.create(params=params)  # type: ignore[arg-type]
    )
    assert_error(error, code=code, param=param)
    assert ids(client) == []


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"url": ""}, "url", "parameter_invalid_empty"),
        ({"url": "mailto:a@example.com"}, "url", "url_invalid"),
        ({"enabled_events": ""}, "enabled_events", "parameter_invalid_empty"),
        ({"enabled_events": ["*", "nope"]}, "enabled_events[1]", "parameter_invalid_enum"),
        ({"description": "x" * 5001}, "description", "parameter_invalid_string_too_long"),
        ({"disabled": "maybe"}, "disabled", "parameter_invalid_boolean"),
        ({"disabled": ""}, "disabled", "parameter_invalid_empty"),
        ({"metadata": {"k": "v" * 501}}, "metadata", None),
        ({"api_version": API_VERSION}, "api_version", "parameter_unknown"),
        ({"url": URL, "secret": "whsec_mine"}, "secret", "parameter_unknown"),
    ],
)
def test_update_refuses_bad_input_by_name_and_changes_nothing(
    client: stripe.StripeClient, params: dict[str, Any], param: str, code: str | None
) -> None:
    endpoint = endpoint_at(client, description="kept")
    error = invalid_request(
        lambda: client.v1.webhook_endpoints.update(endpoint.id, params=params)  # type: ignore[arg-type]
    )
    assert_error(error, code=code, param=param)
    after = client.v1.webhook_endpoints.retrieve(endpoint.id).to_dict()
    assert after == {k: v for k, v in endpoint.to_dict().items() if k != "secret"}


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"limit": 0}, "limit", "parameter_invalid_integer"),
        ({"limit": 101}, "limit", "parameter_invalid_integer"),
        ({"limit": "ten"}, "limit", "parameter_invalid_integer"),
        ({"status": "enabled"}, "status", "parameter_unknown"),
    ],
)
def test_list_refuses_bad_input_by_name(
    client: stripe.StripeClient, params: dict[str, Any], param: str, code: str
) -> None:
    error = invalid_request(
        lambda: client.v1.webhook_endpoints.list(params=params)  # type: ignore[arg-type]
    )
    assert_error(error, code=code, param=param)


def test_unknown_endpoints_are_404(client: stripe.StripeClient) -> None:
    for call in (
        lambda: client.v1.webhook_endpoints.retrieve("we_nope"),
        lambda: client.v1.webhook_endpoints.update("we_nope", params={"description": "x"}),
        lambda: client.v1.webhook_endpoints.delete("we_nope"),
    ):
        assert_error(invalid_request(call), status=404, code="resource_missing", param="id")
