"""The request log API (a Seikyu extension): an account reads its own request log lines,
filtered and paged like any Stripe list, with the events each request caused."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import stripe

from seikyu.db.uow import Database
from tests.conftest import TestAccount
from tests.support.server import ServerProcess


def request_id(response: httpx.Response) -> str:
    return response.headers["Request-Id"]


def log_of(http: httpx.Client, req_id: str, timeout: float = 5.0) -> dict[str, Any]:
    """A request's log line; read requests are logged in batches, so wait a little."""
    deadline = time.monotonic() + timeout
    while True:
        response = http.get(f"/v1/request_logs/{req_id}")
        if response.status_code == 200:
            return dict(response.json())
        assert response.status_code == 404, response.text
        assert time.monotonic() < deadline, f"no request log line for {req_id}"
        time.sleep(0.05)


def listed(http: httpx.Client, **params: Any) -> list[str]:
    response = http.get("/v1/request_logs", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "list"
    assert body["url"] == "/v1/request_logs"
    return [line["id"] for line in body["data"]]


def refused(http: httpx.Client, path: str, params: dict[str, Any]) -> dict[str, Any]:
    response = http.get(path, params=params)
    assert response.status_code == 400, response.text
    error = dict(response.json()["error"])
    assert error["type"] == "invalid_request_error"
    return error


def customer(http: httpx.Client, **data: str) -> httpx.Response:
    response = http.post("/v1/customers", data=data)
    assert response.status_code == 200, response.text
    return response


def declined_payment(http: httpx.Client) -> httpx.Response:
    response = http.post(
        "/v1/payment_intents",
        data={
            "amount": "2000",
            "currency": "usd",
            "payment_method": "pm_card_chargeDeclined",
            "confirm": "true",
        },
    )
    assert response.status_code == 402, response.text
    return response


# --- one line per kind of outcome ----------------------------------------------------------


def test_a_success_shows_its_request_and_the_events_it_caused(http: httpx.Client) -> None:
    created = http.post(
        "/v1/customers",
        data={"email": "ann@example.com", "metadata[plan]": "gold"},
        headers={
            "Idempotency-Key": "rl-1",
            "Stripe-Version": "2026-10-28.endive",
            "User-Agent": "rl-test",
        },
    )
    line = log_of(http, request_id(created))

    assert line["object"] == "request_log"
    assert line["id"] == request_id(created)
    assert (line["method"], line["path"], line["status"]) == ("POST", "/v1/customers", 200)
    assert line["livemode"] is False
    assert line["idempotency_key"] == "rl-1"
    assert line["api_version"] == "2026-10-28.endive"
    assert line["user_agent"] == "rl-test"
    assert line["source_ip"] == "127.0.0.1"
    assert line["request_params"] == {"email": "ann@example.com", "metadata": {"plan": "gold"}}
    assert line["error"] is None
    assert line["related_object"] == created.json()["id"]
    assert line["api_key"].startswith("key_")
    assert isinstance(line["duration_us"], int)
    assert line["duration_us"] > 0
    assert abs(line["created"] - created.json()["created"]) <= 1
    [event] = line["events"]
    assert event["type"] == "customer.created"
    assert event["object"] == "event"
    assert event["request"] == {"id": line["id"], "idempotency_key": "rl-1"}
    # The same event as the events API shows it.
    assert http.get(f"/v1/events/{event['id']}").json() == event


def test_a_card_error_shows_the_error_and_what_the_decline_recorded(http: httpx.Client) -> None:
    response = declined_payment(http)
    line = log_of(http, request_id(response))

    assert line["status"] == 402
    assert line["error"]["type"] == "card_error"
    assert line["error"]["code"] == "card_declined"
    assert line["related_object"] is None
    types = {event["type"] for event in line["events"]}
    assert {"payment_intent.created", "payment_intent.payment_failed"} <= types


def test_a_validation_error_shows_the_error_and_no_events(http: httpx.Client) -> None:
    response = http.post("/v1/customers", data={"colour": "red"})
    assert response.status_code == 400
    line = log_of(http, request_id(response))

    assert line["status"] == 400
    assert line["error"] == response.json()["error"]
    assert line["error"]["type"] == "invalid_request_error"
    assert line["request_params"] == {"colour": "red"}
    assert line["events"] == []


def test_an_idempotent_replay_is_its_own_line_without_new_events(http: httpx.Client) -> None:
    first = http.post("/v1/customers", data={"name": "Ann"}, headers={"Idempotency-Key": "rl-r"})
    again = http.post("/v1/customers", data={"name": "Ann"}, headers={"Idempotency-Key": "rl-r"})
    assert again.headers["Idempotent-Replayed"] == "true"

    original, replay = log_of(http, request_id(first)), log_of(http, request_id(again))
    assert replay["id"] != original["id"]
    assert (replay["status"], replay["idempotency_key"]) == (200, "rl-r")
    assert [e["type"] for e in original["events"]] == ["customer.created"]
    assert replay["events"] == []
    assert listed(http, idempotency_key="rl-r") == [replay["id"], original["id"]]


def test_a_read_request_is_logged_too(http: httpx.Client) -> None:
    response = http.get("/v1/customers", params={"limit": "3"})
    line = log_of(http, request_id(response))
    assert (line["method"], line["status"], line["request_params"]) == ("GET", 200, {"limit": "3"})


def test_the_sdk_reads_the_log_with_its_raw_requests(client: stripe.StripeClient) -> None:
    made = client.v1.customers.create(params={"name": "Ann"})
    assert made.last_response is not None
    req_id = str(made.last_response.request_id)

    fetched = client.raw_request("get", f"/v1/request_logs/{req_id}")
    line = client.deserialize(fetched, api_mode="V1")
    assert (line["object"], line["related_object"]) == ("request_log", made.id)
    assert line["user_agent"].startswith("Stripe/v1 PythonBindings")
    page = client.deserialize(
        client.raw_request("get", "/v1/request_logs", method="POST", limit=1), api_mode="V1"
    )
    assert [item["id"] for item in page["data"]] == [req_id]


# --- filters -------------------------------------------------------------------------------


@pytest.fixture
def outcomes(http: httpx.Client) -> dict[str, str]:
    """One request of each kind, by name: their request ids."""
    made = customer(http, name="Ann")
    deleted = http.delete(f"/v1/customers/{made.json()['id']}")
    assert deleted.status_code == 200
    missing = http.get("/v1/customers/cus_nothere")
    assert missing.status_code == 404
    invalid = http.post("/v1/customers", data={"colour": "red"})
    declined = declined_payment(http)
    ids = {
        "created": request_id(made),
        "deleted": request_id(deleted),
        "missing": request_id(missing),
        "invalid": request_id(invalid),
        "declined": request_id(declined),
    }
    log_of(http, ids["missing"])  # the read is written a little later
    return ids


def test_status_filters_by_exact_code(http: httpx.Client, outcomes: dict[str, str]) -> None:
    assert listed(http, status="404", path="/v1/customers") == [outcomes["missing"]]
    assert listed(http, status="402") == [outcomes["declined"]]
    assert listed(http, status="500") == []


def test_status_filters_by_class(http: httpx.Client, outcomes: dict[str, str]) -> None:
    four = listed(http, status="4xx", path="/v1/customers")
    assert four == [outcomes["invalid"], outcomes["missing"]]
    assert listed(http, status="4xx", method="POST") == [outcomes["declined"], outcomes["invalid"]]
    assert listed(http, status="2xx", method="POST") == [outcomes["created"]]
    assert listed(http, status="5xx") == []


def test_method_filter_takes_either_case(http: httpx.Client, outcomes: dict[str, str]) -> None:
    assert listed(http, method="DELETE") == [outcomes["deleted"]]
    assert listed(http, method="delete") == [outcomes["deleted"]]


def test_path_filter_is_an_exact_prefix(http: httpx.Client, outcomes: dict[str, str]) -> None:
    assert listed(http, path="/v1/payment_intents") == [outcomes["declined"]]
    assert listed(http, path="/v1/payment_int") == [outcomes["declined"]]
    assert listed(http, path="/V1/PAYMENT_INTENTS") == []
    assert listed(http, path="/v1/customers/cus_nothere") == [outcomes["missing"]]
    # LIKE's wildcards are ordinary characters in a prefix.
    assert listed(http, path="/v1/cus%") == []
    assert listed(http, path="/v1/_ustomers") == []


def test_error_type_filter(http: httpx.Client, outcomes: dict[str, str]) -> None:
    assert listed(http, error_type="card_error") == [outcomes["declined"]]
    invalid = listed(http, error_type="invalid_request_error", path="/v1/customers")
    assert invalid == [outcomes["invalid"], outcomes["missing"]]
    assert listed(http, error_type="idempotency_error") == []


def test_idempotency_key_filter(http: httpx.Client) -> None:
    keyed = http.post("/v1/customers", data={"name": "A"}, headers={"Idempotency-Key": "k-1"})
    http.post("/v1/customers", data={"name": "B"}, headers={"Idempotency-Key": "k-2"})
    assert listed(http, idempotency_key="k-1") == [request_id(keyed)]
    assert listed(http, idempotency_key="k-3") == []


def test_created_filter(http: httpx.Client) -> None:
    first = customer(http)
    first_line = log_of(http, request_id(first))
    second = customer(http)
    second_line = log_of(http, request_id(second))
    both = [request_id(second), request_id(first)]
    at = first_line["created"]
    later = second_line["created"]

    assert listed(http, method="POST", **{"created[gte]": at}) == both
    assert listed(http, method="POST", **{"created[lte]": later}) == both
    assert listed(http, method="POST", **{"created[gt]": later}) == []
    assert listed(http, method="POST", **{"created[lt]": at}) == []
    assert listed(http, method="POST", created=at)[-1] == request_id(first)


def test_filters_combine(http: httpx.Client, outcomes: dict[str, str]) -> None:
    got = listed(http, method="POST", status="400", path="/v1/customers")
    assert got == [outcomes["invalid"]]
    assert listed(http, method="GET", status="402") == []


# --- pagination ----------------------------------------------------------------------------


def test_pages_newest_first_in_both_directions(http: httpx.Client) -> None:
    made = [request_id(customer(http)) for _ in range(5)]
    newest_first = list(reversed(made))

    page = http.get("/v1/request_logs", params={"limit": 2, "method": "POST"}).json()
    assert [line["id"] for line in page["data"]] == newest_first[:2]
    assert page["has_more"] is True
    rest = listed(http, method="POST", starting_after=newest_first[1])
    assert rest == newest_first[2:]
    back = http.get(
        "/v1/request_logs",
        params={"limit": 2, "method": "POST", "ending_before": newest_first[4]},
    ).json()
    assert [line["id"] for line in back["data"]] == newest_first[2:4]
    assert back["has_more"] is True


def test_listed_lines_include_their_events_only_when_expanded(http: httpx.Client) -> None:
    made = customer(http)
    plain = http.get("/v1/request_logs", params={"method": "POST"}).json()["data"][0]
    assert "events" not in plain
    expanded = http.get(
        "/v1/request_logs", params={"method": "POST", "expand[]": "data.events"}
    ).json()["data"][0]
    assert expanded["id"] == request_id(made)
    assert [event["type"] for event in expanded["events"]] == ["customer.created"]


# --- tenancy -------------------------------------------------------------------------------


def test_another_accounts_log_is_invisible(
    http: httpx.Client, db: Database, server: ServerProcess
) -> None:
    from seikyu.accounts import service as accounts

    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        other_key = accounts.create_key(uow, other.id)
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {other_key.secret}"}
    ) as theirs:
        their_request = request_id(customer(theirs))
        assert log_of(theirs, their_request)["related_object"]

    mine = request_id(customer(http))
    assert listed(http, method="POST") == [mine]
    missing = http.get(f"/v1/request_logs/{their_request}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "resource_missing"
    assert listed(http, idempotency_key="x", path="/v1/customers") == []


def test_an_unknown_request_id_is_404(http: httpx.Client) -> None:
    response = http.get("/v1/request_logs/req_nothere")
    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("resource_missing", "id")
    assert "No such request_log: 'req_nothere'" in error["message"]


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"colour": "red"}, "colour", "parameter_unknown"),
        ({"status": "abc"}, "status", None),
        ({"status": "4x"}, "status", None),
        ({"status": "6xx"}, "status", None),
        ({"status": "4040"}, "status", None),
        ({"status": "99"}, "status", None),
        ({"status[]": "404"}, "status", "parameter_invalid_string"),
        ({"method": "PATCH"}, "method", "parameter_invalid_enum"),
        ({"method[x]": "GET"}, "method", "parameter_invalid_enum"),
        ({"path": "v1/customers"}, "path", None),
        ({"path": "/" + "x" * 500}, "path", "parameter_invalid_string_too_long"),
        ({"path[]": "/v1"}, "path", "parameter_invalid_string"),
        ({"idempotency_key": "k" * 256}, "idempotency_key", "parameter_invalid_string_too_long"),
        ({"idempotency_key[]": "k"}, "idempotency_key", "parameter_invalid_string"),
        ({"error_type": "card"}, "error_type", "parameter_invalid_enum"),
        ({"error_type[]": "card_error"}, "error_type", "parameter_invalid_enum"),
        ({"created": "soon"}, "created", "parameter_invalid_integer"),
        ({"created[gt]": "soon"}, "created[gt]", "parameter_invalid_integer"),
        ({"created[gte]": "1.5"}, "created[gte]", "parameter_invalid_integer"),
        ({"created[lt]": "-99999999999999"}, "created[lt]", "parameter_invalid_integer"),
        ({"created[after]": "1"}, "created[after]", "parameter_unknown"),
        ({"limit": "0"}, "limit", "parameter_invalid_integer"),
        ({"limit": "101"}, "limit", "parameter_invalid_integer"),
        ({"limit": "ten"}, "limit", "parameter_invalid_integer"),
        ({"starting_after": "x" * 501}, "starting_after", "parameter_invalid_string_too_long"),
        ({"ending_before[]": "req_1"}, "ending_before", "parameter_invalid_string"),
    ],
)
def test_list_refuses_bad_input_by_name(
    http: httpx.Client, params: dict[str, Any], param: str, code: str | None
) -> None:
    error = refused(http, "/v1/request_logs", params)
    assert error.get("param") == param, error
    assert error.get("code") == code, error


def test_list_refuses_expanding_a_field_that_is_not_expandable(http: httpx.Client) -> None:
    customer(http)
    error = refused(http, "/v1/request_logs", {"expand[]": "data.request_params"})
    assert error["param"] == "expand"


def test_list_refuses_both_cursors(http: httpx.Client) -> None:
    error = refused(http, "/v1/request_logs", {"starting_after": "req_a", "ending_before": "req_b"})
    assert "only one" in error["message"]


def test_empty_filters_are_refused_or_cleared_as_elsewhere(http: httpx.Client) -> None:
    made = request_id(customer(http))
    # An empty optional filter means "not given", as an empty value does on every list.
    assert listed(http, method="POST", status="") == [made]


@pytest.mark.parametrize(
    ("params", "param"),
    [({"colour": "red"}, "colour"), ({"expand[]": "error"}, "expand")],
)
def test_retrieve_refuses_bad_input_by_name(
    http: httpx.Client, params: dict[str, Any], param: str
) -> None:
    made = request_id(customer(http))
    error = refused(http, f"/v1/request_logs/{made}", params)
    assert error["param"] == param


def test_the_log_api_needs_a_key(server: ServerProcess, account: TestAccount) -> None:
    response = httpx.get(f"{server.url}/v1/request_logs")
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"
