"""Idempotency-Key: replays, mismatches, expiry, and duplicates that arrive while the first
request is still running."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import create_engine, text, update

from seikyu.db.engine import normalize_url
from seikyu.db.models import IdempotencyKey
from seikyu.db.uow import Database
from tests.conftest import TestAccount as Account
from tests.support.server import ServerProcess

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def post(http: httpx.Client, path: str, body: str, key: str | None) -> httpx.Response:
    headers = dict(FORM)
    if key is not None:
        headers["Idempotency-Key"] = key
    return http.post(path, content=body, headers=headers)


def customers_named(http: httpx.Client, email: str) -> list[str]:
    return [c["id"] for c in http.get("/v1/customers", params={"email": email}).json()["data"]]


def all_customers(http: httpx.Client) -> list[str]:
    return [c["id"] for c in http.get("/v1/customers").json()["data"]]


# --- replays --------------------------------------------------------------------------------


def test_a_retry_replays_the_first_response_and_creates_nothing(http: httpx.Client) -> None:
    first = post(http, "/v1/customers", "email=once%40example.com&name=Ann", "k-replay")
    again = post(http, "/v1/customers", "email=once%40example.com&name=Ann", "k-replay")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Original-Request"] == first.headers["Request-Id"]
    assert again.headers["Request-Id"] != first.headers["Request-Id"]
    assert "Idempotent-Replayed" not in first.headers
    assert customers_named(http, "once@example.com") == [first.json()["id"]]


def test_parameter_order_does_not_matter(http: httpx.Client) -> None:
    first = post(http, "/v1/customers", "email=o%40example.com&name=Ann", "k-order")
    again = post(http, "/v1/customers", "name=Ann&email=o%40example.com", "k-order")
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"


def test_the_sdk_gets_the_same_object_back(client: stripe.StripeClient) -> None:
    options: Any = {"idempotency_key": "k-sdk"}
    first = client.v1.customers.create(params={"name": "Ann"}, options=options)
    again = client.v1.customers.create(params={"name": "Ann"}, options=options)
    assert again.id == first.id
    assert len(client.v1.customers.list().data) == 1


def test_an_executed_failure_is_replayed_too(http: httpx.Client) -> None:
    first = post(http, "/v1/customers/cus_nothere", "name=Ann", "k-404")
    again = post(http, "/v1/customers/cus_nothere", "name=Ann", "k-404")
    assert first.status_code == again.status_code == 404
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_request_refused_before_executing_is_not_stored(http: httpx.Client) -> None:
    refused = post(http, "/v1/customers", "colour=red", "k-invalid")
    assert refused.status_code == 400
    fixed = post(http, "/v1/customers", "name=Ann", "k-invalid")
    assert fixed.status_code == 200
    assert "Idempotent-Replayed" not in fixed.headers


def test_keys_on_get_and_delete_have_no_effect(http: httpx.Client) -> None:
    headers = {"Idempotency-Key": "k-get"}
    before = http.get("/v1/customers", headers=headers)
    customer = post(http, "/v1/customers", "name=Ann", None).json()
    after = http.get("/v1/customers", headers=headers)
    assert "Idempotent-Replayed" not in after.headers
    assert [c["id"] for c in after.json()["data"]] == [customer["id"]]
    assert before.json()["data"] == []
    deleted = http.delete(f"/v1/customers/{customer['id']}", headers=headers)
    again = http.delete(f"/v1/customers/{customer['id']}", headers=headers)
    assert deleted.status_code == 200
    assert again.status_code == 404


# --- misuse ---------------------------------------------------------------------------------


def test_the_same_key_with_other_parameters_is_an_idempotency_error(
    client: stripe.StripeClient,
) -> None:
    options: Any = {"idempotency_key": "k-mismatch"}
    client.v1.customers.create(params={"name": "Ann"}, options=options)
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.customers.create(params={"name": "Bo"}, options=options)
    assert caught.value.http_status == 400
    assert caught.value.json_body is not None
    assert caught.value.json_body["error"]["type"] == "idempotency_error"
    assert "k-mismatch" in str(caught.value.user_message)
    assert len(client.v1.customers.list().data) == 1


def test_the_same_key_on_another_endpoint_is_an_idempotency_error(http: httpx.Client) -> None:
    customer = post(http, "/v1/customers", "name=Ann", "k-path").json()
    response = post(http, f"/v1/customers/{customer['id']}", "name=Ann", "k-path")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "idempotency_error"


def test_a_mismatch_does_not_replace_the_stored_response(http: httpx.Client) -> None:
    first = post(http, "/v1/customers", "name=Ann", "k-keep")
    post(http, "/v1/customers", "name=Bo", "k-keep")
    assert post(http, "/v1/customers", "name=Ann", "k-keep").content == first.content


def test_keys_longer_than_255_characters_are_refused(http: httpx.Client) -> None:
    assert post(http, "/v1/customers", "name=Ann", "k" * 255).status_code == 200
    response = post(http, "/v1/customers", "name=Ann", "k" * 256)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert len(all_customers(http)) == 1


# --- scope and lifetime -----------------------------------------------------------------------


def test_keys_belong_to_one_account(
    db: Database, server: ServerProcess, http: httpx.Client
) -> None:
    from seikyu.accounts import service as accounts

    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        secret = accounts.create_key(uow, other.id).secret
    mine = post(http, "/v1/customers", "name=Ann", "k-shared").json()
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {secret}"}) as them:
        theirs = post(them, "/v1/customers", "name=Ann", "k-shared")
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["id"] != mine["id"]


def test_a_key_older_than_24_hours_runs_a_new_request(
    db: Database, account: Account, http: httpx.Client
) -> None:
    first = post(http, "/v1/customers", "name=Ann", "k-old").json()
    with db.unit() as uow:
        uow.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.account_id == account.id, IdempotencyKey.key == "k-old")
            .values(created=uow.now - timedelta(hours=24, seconds=1))
        )
    second = post(http, "/v1/customers", "name=Ann", "k-old")
    assert "Idempotent-Replayed" not in second.headers
    assert second.json()["id"] != first["id"]
    third = post(http, "/v1/customers", "name=Ann", "k-old")
    assert third.content == second.content


def test_a_key_younger_than_24_hours_still_replays(
    db: Database, account: Account, http: httpx.Client
) -> None:
    first = post(http, "/v1/customers", "name=Ann", "k-young")
    with db.unit() as uow:
        uow.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.account_id == account.id, IdempotencyKey.key == "k-young")
            .values(created=uow.now - timedelta(hours=23, minutes=59))
        )
    assert post(http, "/v1/customers", "name=Ann", "k-young").content == first.content


# --- duplicates in flight -----------------------------------------------------------------------


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("holds the PostgreSQL advisory lock that marks a key in flight")


@pytest.fixture
def key_in_flight(postgres_only: None, database_url: str, account: Account) -> Iterator[str]:
    """A key whose first request is still running, as far as any server process can tell.

    The pipeline claims a key with a transaction-scoped advisory lock on
    "<account>:<livemode>:<key>"; holding that lock from here is what a slow first request
    in another process looks like.
    """
    key = "k-in-flight"
    engine = create_engine(normalize_url(database_url))
    with engine.connect() as connection:
        lock = {"k": f"{account.id}:0:{key}"}
        connection.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 0))"), lock)
        try:
            yield key
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(hashtextextended(:k, 0))"), lock)
            connection.commit()
    engine.dispose()


def test_a_duplicate_while_the_first_is_in_flight_is_409(
    key_in_flight: str, http: httpx.Client
) -> None:
    response = post(http, "/v1/customers", "name=Ann", key_in_flight)
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("idempotency_error", "idempotency_key_in_use")
    assert all_customers(http) == []


def test_the_sdk_raises_api_error_for_the_409(
    key_in_flight: str, client: stripe.StripeClient
) -> None:
    # stripe-python maps 409 to APIError whatever the error type, and retries it when
    # max_network_retries allows.
    with pytest.raises(stripe.APIError) as caught:
        client.v1.customers.create(
            params={"name": "Ann"},
            options={"idempotency_key": key_in_flight},  # type: ignore[typeddict-unknown-key]
        )
    assert caught.value.http_status == 409


def test_a_409_is_not_stored_so_the_retry_runs(
    postgres_only: None, database_url: str, account: Account, http: httpx.Client
) -> None:
    engine = create_engine(normalize_url(database_url))
    lock = {"k": f"{account.id}:0:k-later"}
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 0))"), lock)
        assert post(http, "/v1/customers", "name=Ann", "k-later").status_code == 409
        connection.execute(text("SELECT pg_advisory_unlock(hashtextextended(:k, 0))"), lock)
        connection.commit()
    engine.dispose()
    retried = post(http, "/v1/customers", "name=Ann", "k-later")
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried.headers


def test_concurrent_duplicates_create_one_object(
    server: ServerProcess, account: Account, http: httpx.Client
) -> None:
    """Every answer is the original response or a 409, and exactly one customer exists.

    Which duplicates see 409 and which see the replay depends on timing (on SQLite the
    writes queue, so most replay); what may never happen is a second object or a third
    kind of answer.
    """
    workers = 16
    barrier = threading.Barrier(workers)
    responses: list[httpx.Response] = []
    lock = threading.Lock()
    body = "email=storm%40example.com&name=Storm"

    def fire() -> None:
        with httpx.Client(
            base_url=server.url,
            headers={"Authorization": f"Bearer {account.secret}"},
            timeout=60.0,
        ) as mine:
            barrier.wait()
            response = post(mine, "/v1/customers", body, "k-storm")
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=fire) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(responses) == workers
    assert {r.status_code for r in responses} <= {200, 409}
    originals = {r.content for r in responses if r.status_code == 200}
    assert len(originals) == 1
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["error"]["code"] == "idempotency_key_in_use"
    (original,) = originals
    created = customers_named(http, "storm@example.com")
    assert len(created) == 1
    settled = post(http, "/v1/customers", body, "k-storm")
    assert settled.content == original
    assert created == [settled.json()["id"]]
