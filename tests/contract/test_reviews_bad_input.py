"""Every reviews endpoint refuses bad input with Stripe's 400 naming the parameter: unknown,
of the wrong type or out of range (none of them has a required parameter); a refused
approval leaves the review open."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from seikyu.db.uow import Database
from tests.conftest import TestAccount
from tests.contract.test_reviews import reviewed_payment


@pytest.fixture
def review_id(client: stripe.StripeClient, db: Database, account: TestAccount) -> str:
    return reviewed_payment(client, db, account)[1]


def _code_and_param(response: httpx.Response) -> tuple[int, str | None, str | None]:
    error: dict[str, Any] = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    return response.status_code, error.get("code"), error.get("param")


EXPAND_ERRORS = [
    ({"colour": "red"}, "parameter_unknown", "colour"),
    ({"expand": "charge"}, "parameter_invalid_array", "expand"),
    ({"expand[]": "reason"}, None, "expand"),
    ({"expand[]": "charge.a.b.c.d"}, None, "expand[0]"),
    ({"expand[]": "c" * 501}, "parameter_invalid_string_too_long", "expand[0]"),
]


# --- GET /v1/reviews/{id} ------------------------------------------------------------------


@pytest.mark.parametrize(("query", "code", "param"), EXPAND_ERRORS)
def test_retrieve_refuses_bad_input(
    http: httpx.Client, review_id: str, query: dict[str, str], code: str | None, param: str
) -> None:
    response = http.get(f"/v1/reviews/{review_id}", params=query)

    assert _code_and_param(response) == (400, code, param)


# --- POST /v1/reviews/{id}/approve ---------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "code", "param"),
    [
        *EXPAND_ERRORS,
        ({"open": "false"}, "parameter_unknown", "open"),
        ({"closed_reason": "refunded"}, "parameter_unknown", "closed_reason"),
        ({"expand[a]": "charge"}, "parameter_invalid_array", "expand"),
    ],
)
def test_approve_refuses_bad_input_and_leaves_the_review_open(
    http: httpx.Client,
    client: stripe.StripeClient,
    review_id: str,
    form: dict[str, str],
    code: str | None,
    param: str,
) -> None:
    response = http.post(f"/v1/reviews/{review_id}/approve", data=form)

    assert _code_and_param(response) == (400, code, param)
    review = client.v1.reviews.retrieve(review_id)
    assert (review.open, review.closed_reason) == (True, None)


# --- GET /v1/reviews -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        # unknown
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"open": "false"}, "parameter_unknown", "open"),
        ({"charge": "ch_1"}, "parameter_unknown", "charge"),
        ({"created[since]": "1"}, "parameter_unknown", "created[since]"),
        # wrongly typed
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"limit": "1.5"}, "parameter_invalid_integer", "limit"),
        ({"created": "yesterday"}, "parameter_invalid_integer", "created"),
        ({"created[gte]": "soon"}, "parameter_invalid_integer", "created[gte]"),
        ({"starting_after[]": "prv_1"}, "parameter_invalid_string", "starting_after"),
        ({"ending_before[a]": "prv_1"}, "parameter_invalid_string", "ending_before"),
        ({"expand": "data.charge"}, "parameter_invalid_array", "expand"),
        # out of range
        ({"limit": "0"}, "parameter_invalid_integer", "limit"),
        ({"limit": "101"}, "parameter_invalid_integer", "limit"),
        ({"limit": "-1"}, "parameter_invalid_integer", "limit"),
        ({"created[lt]": "1" * 30}, "parameter_invalid_integer", "created[lt]"),
        ({"created[lte]": "999999999999999"}, "parameter_invalid_integer", "created[lte]"),
        ({"starting_after": "p" * 501}, "parameter_invalid_string_too_long", "starting_after"),
        ({"ending_before": "p" * 501}, "parameter_invalid_string_too_long", "ending_before"),
        ({"limit": ""}, "parameter_invalid_empty", "limit"),
    ],
)
def test_list_refuses_bad_input(
    http: httpx.Client, query: dict[str, str], code: str | None, param: str
) -> None:
    response = http.get("/v1/reviews", params=query)

    assert _code_and_param(response) == (400, code, param)


def test_list_refuses_to_expand_what_is_not_expandable(http: httpx.Client, review_id: str) -> None:
    response = http.get("/v1/reviews", params={"expand[]": "data.reason"})

    assert _code_and_param(response) == (400, None, "expand")


def test_list_refuses_both_cursors(http: httpx.Client) -> None:
    response = http.get("/v1/reviews", params={"starting_after": "prv_a", "ending_before": "prv_b"})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Received both starting_after and ending_before parameters. Please pass in only one."
    )
