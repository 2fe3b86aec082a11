"""The request log: one row per request, failed ones too, with card data redacted."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.db.models import RequestLog
from seikyu.db.uow import Database
from seikyu.requests import repository as store
from tests.conftest import TestAccount as Account
from tests.support.server import ServerProcess

CARD = "4242424242424242"


def logged(db: Database, response: httpx.Response, timeout: float = 5.0) -> RequestLog:
    """The log row of `response`; read requests are logged in batches, so wait a little."""
    request_id = response.headers["Request-Id"]
    deadline = time.monotonic() + timeout
    while True:
        with db.unit(readonly=True) as uow:
            row = store.get_log(uow.session, request_id)
            if row is not None:
                uow.session.expunge(row)
                return row
        if time.monotonic() > deadline:
            raise AssertionError(f"no request log row for {request_id}")
        time.sleep(0.05)


def key_id(db: Database, account: Account) -> str:
    with db.unit(readonly=True) as uow:
        return accounts.authenticate(uow, account.secret).key_id


def test_a_successful_write_is_logged_with_its_object(
    db: Database, account: Account, http: httpx.Client
) -> None:
    response = http.post(
        "/v1/customers",
        data={"email": "ann@example.com", "metadata[plan]": "gold"},
        headers={"Idempotency-Key": "log-1", "Stripe-Version": "2026-10-28.endive"},
    )
    row = logged(db, response)
    assert (row.method, row.path, row.status) == ("POST", "/v1/customers", 200)
    assert row.account_id == account.id
    assert row.livemode is False
    assert row.api_key_id == key_id(db, account)
    assert row.idempotency_key == "log-1"
    assert row.stripe_version == "2026-10-28.endive"
    assert row.params == {"email": "ann@example.com", "metadata": {"plan": "gold"}}
    assert row.error is None
    assert row.object_id == response.json()["id"]
    assert row.duration_us > 0
    assert row.created is not None
    assert row.source_ip == "127.0.0.1"


def test_a_successful_read_is_logged(db: Database, account: Account, http: httpx.Client) -> None:
    response = http.get("/v1/customers", params={"limit": "3", "email": "x@example.com"})
    row = logged(db, response)
    assert (row.method, row.status, row.account_id) == ("GET", 200, account.id)
    assert row.params == {"limit": "3", "email": "x@example.com"}


def test_a_refused_request_is_logged_with_its_error(
    db: Database, account: Account, http: httpx.Client
) -> None:
    response = http.post("/v1/customers", data={"colour": "red"})
    row = logged(db, response)
    assert row.status == 400
    assert row.account_id == account.id
    assert row.error is not None
    assert row.error["code"] == "parameter_unknown"
    assert row.error == response.json()["error"]
    assert row.params == {"colour": "red"}


def test_a_failed_read_is_logged(db: Database, http: httpx.Client) -> None:
    row = logged(db, http.get("/v1/customers/cus_nothere"))
    assert row.status == 404
    assert row.error is not None
    assert row.error["code"] == "resource_missing"


def test_an_authentication_failure_is_logged_without_an_account(
    db: Database, server: ServerProcess
) -> None:
    response = httpx.post(
        f"{server.url}/v1/customers",
        data={"name": "x"},
        headers={"Authorization": "Bearer sk_test_wrongwrongwrongwrong"},
    )
    row = logged(db, response)
    assert row.status == 401
    assert (row.account_id, row.api_key_id) == (None, None)
    assert row.error is not None
    assert row.error["message"].startswith("Invalid API Key provided")
    assert "sk_test_wrongwrongwrongwrong" not in json.dumps(row.error)


def test_an_unknown_route_is_logged(db: Database, http: httpx.Client) -> None:
    row = logged(db, http.post("/v1/teleporters", data={"to": "mars"}))
    assert (row.status, row.path) == (404, "/v1/teleporters")


def test_a_replay_is_logged_as_its_own_request(db: Database, http: httpx.Client) -> None:
    first = http.post("/v1/customers", data={"name": "Ann"}, headers={"Idempotency-Key": "log-r"})
    again = http.post("/v1/customers", data={"name": "Ann"}, headers={"Idempotency-Key": "log-r"})
    first_row, again_row = logged(db, first), logged(db, again)
    assert first_row.id != again_row.id
    assert again_row.status == 200
    assert again_row.idempotency_key == "log-r"


@pytest.mark.parametrize(
    "data",
    [
        {"card[number]": CARD, "card[cvc]": "123", "card[exp_month]": "12"},
        {"payment_method_data[card][number]": CARD, "payment_method_data[card][cvc]": "999"},
        {"source[0][number]": CARD, "source[0][cvc]": "123"},
    ],
)
def test_card_numbers_and_cvcs_never_reach_the_log(
    db: Database, http: httpx.Client, data: dict[str, str]
) -> None:
    response = http.post("/v1/customers", data=data)
    assert response.status_code == 400  # no customer endpoint takes card data
    row = logged(db, response)
    stored = json.dumps({"params": row.params, "error": row.error})
    assert CARD not in stored
    assert '"123"' not in stored
    assert '"999"' not in stored
    assert "[REDACTED]" in stored


def test_card_numbers_in_a_query_string_are_redacted_too(db: Database, http: httpx.Client) -> None:
    response = http.get("/v1/customers", params={"card[number]": CARD, "card[cvc]": "123"})
    row = logged(db, response)
    assert row.params == {"card": {"number": "[REDACTED]", "cvc": "[REDACTED]"}}


def test_a_409_in_flight_is_logged(
    db: Database, backend: str, database_url: str, account: Account, http: httpx.Client
) -> None:
    if backend != "postgresql":
        pytest.skip("holds the PostgreSQL advisory lock that marks a key in flight")
    from sqlalchemy import create_engine, text

    from seikyu.db.engine import normalize_url

    engine = create_engine(normalize_url(database_url))
    lock = {"k": f"{account.id}:0:log-409"}
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 0))"), lock)
        response = http.post(
            "/v1/customers", data={"name": "Ann"}, headers={"Idempotency-Key": "log-409"}
        )
        connection.execute(text("SELECT pg_advisory_unlock(hashtextextended(:k, 0))"), lock)
        connection.commit()
    engine.dispose()
    row = logged(db, response)
    assert row.status == 409
    assert row.idempotency_key == "log-409"


def test_sdk_requests_are_logged_with_the_sdks_idempotency_key(
    db: Database, client: stripe.StripeClient
) -> None:
    customer = client.v1.customers.create(params={"name": "Ann"})
    assert customer.last_response is not None
    request_id = str(customer.last_response.request_id)
    with db.unit(readonly=True) as uow:
        row = store.get_log(uow.session, request_id)
        assert row is not None
        assert row.idempotency_key  # the SDK sends one with every POST
        assert row.user_agent is not None
        assert row.user_agent.startswith("Stripe/v1 PythonBindings")
