"""Errors: Stripe's envelope and status codes, the SDK's exception classes, no 500 for any
input, and nothing half-written when a request fails."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from stripe._api_requestor import _APIRequestor

from seikyu.api.errors import envelope, internal_error, not_found_route, status_for
from seikyu.core.errors import ErrorType, Kind, SeikyuError, no_such
from seikyu.db.models import Event
from seikyu.db.uow import Database
from tests.conftest import TestAccount as Account


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["type"] in {
        "api_error",
        "card_error",
        "idempotency_error",
        "invalid_request_error",
    }
    assert isinstance(error["message"], str)
    assert error["message"]
    return error


def events_of(db: Database, account: Account) -> int:
    with db.unit(readonly=True) as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(Event).where(Event.account_id == account.id)
            )
            or 0
        )


# --- the status code picks the SDK's exception class ---------------------------------------

SDK_CLASSES = [
    (SeikyuError("bad", code="parameter_unknown", param="x"), 400, stripe.InvalidRequestError),
    (no_such("customer", "cus_x"), 404, stripe.InvalidRequestError),
    (SeikyuError("no key", kind=Kind.AUTHENTICATION), 401, stripe.AuthenticationError),
    (
        SeikyuError(
            "declined", type=ErrorType.CARD, kind=Kind.REQUEST_FAILED, code="card_declined"
        ),
        402,
        stripe.CardError,
    ),
    (SeikyuError("not allowed", kind=Kind.PERMISSION), 403, stripe.PermissionError),
    (
        SeikyuError("other params", type=ErrorType.IDEMPOTENCY),
        400,
        stripe.IdempotencyError,
    ),
    (
        SeikyuError("in flight", type=ErrorType.IDEMPOTENCY, kind=Kind.CONFLICT),
        409,
        stripe.APIError,
    ),
    (
        SeikyuError("slow down", kind=Kind.RATE_LIMITED, code="rate_limit"),
        429,
        stripe.RateLimitError,
    ),
    (internal_error(), 500, stripe.APIError),
]


@pytest.mark.parametrize(("error", "status", "sdk_class"), SDK_CLASSES)
def test_each_kind_of_error_reaches_the_sdk_as_stripes_class(
    error: SeikyuError, status: int, sdk_class: type[stripe.StripeError]
) -> None:
    assert status_for(error) == status
    body = envelope(error, "req_123")
    raw = json.dumps(body)
    raised = _APIRequestor().specific_v1_api_error(raw, status, body, {}, body["error"])
    assert type(raised) is sdk_class
    assert raised.http_status == status
    assert raised.user_message == error.message


def test_a_500_points_at_the_request_log_and_says_nothing_was_saved() -> None:
    body = envelope(internal_error(), "req_abc")["error"]
    assert isinstance(body, dict)
    assert body["type"] == "api_error"
    assert body["request_log_url"] == "/v1/request_logs/req_abc"
    assert "nothing was saved" in body["message"]


def test_error_codes_link_to_stripes_docs() -> None:
    body = SeikyuError("x", code="parameter_missing", param="p").body()
    assert body["doc_url"] == "https://stripe.com/docs/error-codes/parameter-missing"


def test_unknown_route_message() -> None:
    error = not_found_route("GET", "/v1/nope")
    assert (status_for(error), error.message) == (404, "Unrecognized request URL (GET: /v1/nope).")


# --- parameter errors over HTTP, through the SDK ---------------------------------------------


def test_unknown_parameter(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.create(params={"colour": "red"})  # type: ignore[typeddict-unknown-key]
    assert caught.value.http_status == 400
    assert (caught.value.code, caught.value.param) == ("parameter_unknown", "colour")
    assert caught.value.user_message == "Received unknown parameter: colour"


def test_unknown_nested_parameter_names_its_full_path(http: httpx.Client) -> None:
    response = http.get("/v1/customers", params={"created[after]": "1"})
    assert response.status_code == 400
    assert error_of(response)["param"] == "created[after]"


def test_wrongly_typed_parameters(http: httpx.Client) -> None:
    cases = {
        ("GET", "limit=abc"): ("parameter_invalid_integer", "limit"),
        ("GET", "created=yesterday"): ("parameter_invalid_integer", "created"),
        ("GET", "expand=customer"): ("parameter_invalid_array", "expand"),
        ("POST", "name[first]=Ann"): ("parameter_invalid_string", "name"),
        ("POST", "metadata=abc"): ("parameter_invalid_hash", "metadata"),
        ("POST", "metadata[a][b]=c"): ("parameter_invalid_string", "metadata[a]"),
    }
    for (method, query), (code, param) in cases.items():
        if method == "GET":
            response = http.get(f"/v1/customers?{query}")
        else:
            response = http.post(
                "/v1/customers",
                content=query,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        assert response.status_code == 400, query
        error = error_of(response)
        assert (error.get("code"), error.get("param")) == (code, param), query


def test_out_of_range_parameters(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.create(params={"metadata": {f"k{i}": "v" for i in range(51)}})
    assert caught.value.param == "metadata"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.create(params={"name": "x" * 257})
    assert (caught.value.code, caught.value.param) == ("parameter_invalid_string_too_long", "name")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.list(params={"limit": 101})
    assert caught.value.user_message == "This value must be less than or equal to 100."


def test_an_empty_string_clears_a_field(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"email": "a@example.com", "description": "vip", "metadata": {"a": "1", "b": "2"}}
    )
    updated = client.v1.customers.update(
        customer.id, params={"description": "", "metadata": {"a": ""}}
    )
    assert updated.description is None
    assert updated.email == "a@example.com"
    assert updated.metadata.to_dict() == {"b": "2"}
    cleared = client.v1.customers.update(customer.id, params={"metadata": ""})
    assert cleared.metadata.to_dict() == {}


def test_a_missing_object_is_404_resource_missing_naming_the_id(
    client: stripe.StripeClient,
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve("cus_nothere")
    assert caught.value.http_status == 404
    assert (caught.value.code, caught.value.param) == ("resource_missing", "id")
    assert caught.value.user_message == "No such customer: 'cus_nothere'"


# --- routes -------------------------------------------------------------------------------


def test_an_unknown_route_is_404_for_the_sdk(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.raw_request("get", "/v1/teleporters")
    assert caught.value.http_status == 404
    assert caught.value.user_message == "Unrecognized request URL (GET: /v1/teleporters)."


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/v1/customers"),
        ("PATCH", "/v1/customers/cus_x"),
        ("DELETE", "/v1/customers"),
        ("POST", "/v1/events"),
        ("GET", "/v2/customers"),
        ("GET", "/"),
    ],
)
def test_a_method_or_path_without_an_operation_is_a_json_404(
    http: httpx.Client, method: str, path: str
) -> None:
    response = http.request(method, path)
    assert response.status_code == 404
    assert error_of(response)["message"] == f"Unrecognized request URL ({method}: {path})."
    assert response.headers["Request-Id"].startswith("req_")


# --- bodies no client should send ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "json@example.com"}',
        b"\xff\xfe\x00garbage",
        b"name=a%00b",
        b"a[b=1",
        b"metadata=x&metadata[k]=v",
        b"items[][]=1",
        ("a" + "[b]" * 40 + "=1").encode(),
        b"&".join(b"metadata[k%d]=v" % i for i in range(10_001)),
        b"%",
        b"name=%ZZ",
    ],
)
def test_malformed_bodies_are_400_with_an_envelope(http: httpx.Client, body: bytes) -> None:
    response = http.post(
        "/v1/customers", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        error_of(response)


def test_a_json_body_is_read_as_a_form_and_refused_by_name(http: httpx.Client) -> None:
    response = http.post("/v1/customers", json={"email": "json@example.com"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "parameter_unknown"


_field = st.sampled_from(
    ["email", "name", "description", "metadata", "expand", "limit", "created", "colour", ""]
)
_suffix = st.lists(
    st.one_of(st.just("[]"), st.integers(0, 3).map(lambda i: f"[{i}]"), st.just("[k]")),
    max_size=3,
).map("".join)
_key = st.tuples(_field, _suffix).map("".join)
_value = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "0", "-1", "101", "1.5", "true", "data.customer", "a.b.c.d.e"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
_pairs = st.lists(st.tuples(_key, _value), max_size=8)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pairs=_pairs, raw=st.binary(max_size=60))
def test_no_input_gives_a_500(http: httpx.Client, pairs: list[tuple[str, str]], raw: bytes) -> None:
    form = urlencode(pairs)
    responses = [
        http.post(
            "/v1/customers",
            content=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        http.post(
            "/v1/customers", content=raw, headers={"Content-Type": "application/octet-stream"}
        ),
        http.get(f"/v1/customers?{form}"),
        http.get(f"/v1/events?{form}"),
        http.delete(f"/v1/customers/cus_nothere?{form}"),
    ]
    for response in responses:
        assert response.status_code < 500, (response.request.url, response.text)
        assert response.headers["Request-Id"].startswith("req_")
        if response.status_code >= 400:
            error_of(response)


# --- nothing half-written -----------------------------------------------------------------------


def test_a_request_that_fails_midway_leaves_no_trace(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create(
        params={"email": "before@example.com", "metadata": {f"old{i}": "v" for i in range(30)}}
    )
    events_before = events_of(db, account)
    # The email is applied before the merged metadata turns out to exceed 50 keys.
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.update(
            customer.id,
            params={
                "email": "after@example.com",
                "metadata": {f"new{i}": "v" for i in range(21)},
            },
        )
    assert caught.value.param == "metadata"
    after = client.v1.customers.retrieve(customer.id)
    assert after.email == "before@example.com"
    assert len(after.metadata.to_dict()) == 30
    assert events_of(db, account) == events_before


def test_a_create_whose_expand_fails_creates_nothing(
    http: httpx.Client, db: Database, account: Account
) -> None:
    events_before = events_of(db, account)
    response = http.post("/v1/customers", data={"email": "ghost@example.com", "expand[]": "email"})
    assert response.status_code == 400
    assert error_of(response)["message"] == "This property cannot be expanded (email)."
    assert http.get("/v1/customers", params={"email": "ghost@example.com"}).json()["data"] == []
    assert events_of(db, account) == events_before
