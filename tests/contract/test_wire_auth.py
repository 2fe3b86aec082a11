"""Authentication, Request-Id, Stripe-Version and tenant isolation, over real HTTP."""

from __future__ import annotations

import base64
import re

import httpx
import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.db.uow import Database
from tests.conftest import TestAccount as Account
from tests.support.server import ServerProcess

REQUEST_ID = re.compile(r"^req_[0-9A-Za-z]{22}$")
NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
)


def other_account(db: Database, *, live: bool = False) -> Account:
    with db.unit() as uow:
        created = accounts.create_account(uow, name="other")
        uow.session.flush()
        secret = None
        if live:
            secret = "sk_live_" + accounts.random_token(40)
        key = accounts.create_key(uow, created.id, secret=secret)
    return Account(created.id, key.secret)


def sdk(server: ServerProcess, secret: str) -> stripe.StripeClient:
    return stripe.StripeClient(secret, base_addresses={"api": server.url}, max_network_retries=0)


def error_of(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, object] = body["error"]
    return error


# --- ways to present a key --------------------------------------------------------------


def test_bearer_key_is_accepted(http: httpx.Client) -> None:
    response = http.get("/v1/customers")
    assert response.status_code == 200
    assert response.json()["object"] == "list"


def test_basic_auth_with_the_key_as_user_and_no_password(
    server: ServerProcess, account: Account
) -> None:
    # What `curl -u sk_test_...:` sends.
    response = httpx.get(f"{server.url}/v1/customers", auth=(account.secret, ""))
    assert response.status_code == 200


def test_basic_auth_ignores_the_password(server: ServerProcess, account: Account) -> None:
    response = httpx.get(f"{server.url}/v1/customers", auth=(account.secret, "anything"))
    assert response.status_code == 200


def test_the_bearer_scheme_is_case_insensitive(server: ServerProcess, account: Account) -> None:
    response = httpx.get(
        f"{server.url}/v1/customers", headers={"Authorization": f"bearer {account.secret}"}
    )
    assert response.status_code == 200


def test_the_sdk_authenticates_with_its_key(client: stripe.StripeClient) -> None:
    assert client.v1.customers.list().object == "list"


# --- refusals ------------------------------------------------------------------------------


def test_no_key_is_401_with_stripes_message(server: ServerProcess) -> None:
    response = httpx.get(f"{server.url}/v1/customers")
    assert response.status_code == 401
    error = error_of(response)
    assert error["type"] == "invalid_request_error"
    assert error["message"] == NO_KEY


@pytest.mark.parametrize(
    "header",
    ["Token sk_test_abc", "Bearer", "Basic !!!notbase64", "Basic Og==", ""],
)
def test_unusable_authorization_headers_are_401_as_no_key(
    server: ServerProcess, header: str
) -> None:
    response = httpx.get(f"{server.url}/v1/customers", headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["message"] == NO_KEY


def test_an_unknown_key_is_401_with_the_key_redacted(server: ServerProcess) -> None:
    secret = "sk_test_" + "x" * 30 + "WXYZ"
    with pytest.raises(stripe.AuthenticationError) as caught:
        sdk(server, secret).v1.customers.list()
    assert caught.value.http_status == 401
    message = str(caught.value.user_message)
    assert message == "Invalid API Key provided: sk_test_" + "*" * 30 + "WXYZ"
    assert "x" * 30 not in message


def test_a_short_unknown_key_is_not_echoed_back_twice(server: ServerProcess) -> None:
    response = httpx.get(f"{server.url}/v1/customers", headers={"Authorization": "Bearer abc"})
    assert response.status_code == 401
    assert error_of(response)["message"] == "Invalid API Key provided: abc"


def test_a_revoked_key_is_401_expired(db: Database, server: ServerProcess) -> None:
    revoked = other_account(db)
    with db.unit() as uow:
        key_id = accounts.authenticate(uow, revoked.secret).key_id
        accounts.revoke_key(uow, key_id)
    with pytest.raises(stripe.AuthenticationError) as caught:
        sdk(server, revoked.secret).v1.customers.list()
    assert caught.value.json_body is not None
    assert caught.value.json_body["error"]["code"] == "api_key_expired"
    assert str(caught.value.user_message).startswith("Expired API Key provided: sk_test_")


def test_a_401_touches_nothing(db: Database, server: ServerProcess, http: httpx.Client) -> None:
    response = httpx.post(
        f"{server.url}/v1/customers",
        data={"email": "intruder@example.com"},
        headers={"Authorization": "Bearer sk_test_notakeynotakeynotakey"},
    )
    assert response.status_code == 401
    assert http.get("/v1/customers", params={"email": "intruder@example.com"}).json()["data"] == []


# --- Request-Id and Stripe-Version ----------------------------------------------------------


def test_every_response_carries_a_fresh_request_id(
    server: ServerProcess, http: httpx.Client
) -> None:
    responses = [
        http.get("/v1/customers"),
        http.post("/v1/customers", data={"colour": "red"}),
        http.get("/v1/customers/cus_missing"),
        http.get("/v1/no_such_thing"),
        httpx.get(f"{server.url}/v1/customers"),
        http.post("/v1/customers", data={"name": "Ann"}, headers={"Idempotency-Key": "rid-1"}),
        http.post("/v1/customers", data={"name": "Ann"}, headers={"Idempotency-Key": "rid-1"}),
    ]
    ids = [response.headers["Request-Id"] for response in responses]
    assert all(REQUEST_ID.match(request_id) for request_id in ids)
    assert len(set(ids)) == len(ids)
    assert [r.status_code for r in responses] == [200, 400, 404, 404, 401, 200, 200]


def test_the_sdk_sees_the_request_id(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"name": "Ann"})
    response = customer.last_response
    assert response is not None
    assert REQUEST_ID.match(str(response.request_id))


def test_errors_carry_the_request_id_in_the_sdk_exception(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve("cus_missing")
    assert REQUEST_ID.match(str(caught.value.request_id))


def test_responses_are_json(http: httpx.Client) -> None:
    for response in (http.get("/v1/customers"), http.get("/v1/customers/cus_missing")):
        assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("version", ["2026-10-28.endive", "2020-08-27", "2024-06-20"])
def test_stripe_version_header_is_accepted(http: httpx.Client, version: str) -> None:
    response = http.post(
        "/v1/customers", data={"name": "Versioned"}, headers={"Stripe-Version": version}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Versioned"


def test_the_sdks_own_version_is_accepted(server: ServerProcess, account: Account) -> None:
    pinned = stripe.StripeClient(
        account.secret,
        base_addresses={"api": server.url},
        stripe_version=stripe.api_version,
        max_network_retries=0,
    )
    assert pinned.v1.customers.list().object == "list"


# --- tenants ----------------------------------------------------------------------------------


def test_a_key_sees_only_its_accounts_objects(
    db: Database, server: ServerProcess, client: stripe.StripeClient
) -> None:
    mine = client.v1.customers.create(params={"email": "mine@example.com"})
    other = sdk(server, other_account(db).secret)
    theirs = other.v1.customers.create(params={"email": "theirs@example.com"})

    assert [c.id for c in client.v1.customers.list().data] == [mine.id]
    assert [c.id for c in other.v1.customers.list().data] == [theirs.id]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        other.v1.customers.retrieve(mine.id)
    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing"
    assert str(caught.value.user_message) == f"No such customer: '{mine.id}'"


def test_another_account_can_neither_change_nor_delete_my_objects(
    db: Database, server: ServerProcess, client: stripe.StripeClient
) -> None:
    mine = client.v1.customers.create(params={"name": "Mine"})
    other = sdk(server, other_account(db).secret)
    with pytest.raises(stripe.InvalidRequestError):
        other.v1.customers.update(mine.id, params={"name": "Stolen"})
    with pytest.raises(stripe.InvalidRequestError):
        other.v1.customers.delete(mine.id)
    assert client.v1.customers.retrieve(mine.id).name == "Mine"


def test_another_account_sees_none_of_my_events(
    db: Database, server: ServerProcess, client: stripe.StripeClient
) -> None:
    client.v1.customers.create(params={"name": "Mine"})
    mine = client.v1.events.list().data
    assert mine
    other = sdk(server, other_account(db).secret)
    assert other.v1.events.list().data == []
    with pytest.raises(stripe.InvalidRequestError) as caught:
        other.v1.events.retrieve(mine[0].id)
    assert caught.value.http_status == 404


def test_live_and_test_keys_of_one_account_see_separate_data(
    db: Database, server: ServerProcess, client: stripe.StripeClient, account: Account
) -> None:
    with db.unit() as uow:
        live_secret = "sk_live_" + accounts.random_token(40)
        accounts.create_key(uow, account.id, secret=live_secret)
    live = sdk(server, live_secret)
    in_test = client.v1.customers.create(params={"name": "Test"})
    in_live = live.v1.customers.create(params={"name": "Live"})
    assert in_test.livemode is False
    assert in_live.livemode is True
    assert [c.id for c in live.v1.customers.list().data] == [in_live.id]
    assert [c.id for c in client.v1.customers.list().data] == [in_test.id]


def test_the_secret_is_stored_only_as_its_sha256(db: Database, account: Account) -> None:
    import hashlib

    from sqlalchemy import select

    from seikyu.db.models import ApiKey

    with db.unit(readonly=True) as uow:
        rows = list(uow.session.scalars(select(ApiKey).where(ApiKey.account_id == account.id)))
    assert [row.secret_hash for row in rows] == [
        hashlib.sha256(account.secret.encode()).hexdigest()
    ]
    assert all(account.secret not in (row.redacted or "") for row in rows)


def test_basic_credentials_with_the_key_as_password_only_are_refused(
    server: ServerProcess, account: Account
) -> None:
    token = base64.b64encode(f":{account.secret}".encode()).decode()
    response = httpx.get(f"{server.url}/v1/customers", headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 401
