"""Every early fraud warning endpoint refuses bad input with Stripe's 400 naming the
parameter: unknown, of the wrong type or out of range (neither has a required parameter)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from seikyu.db.uow import Database
from tests.conftest import TestAccount
from tests.contract.test_early_fraud_warnings import warned_payment

ROUTE = "/v1/radar/early_fraud_warnings"


@pytest.fixture
def warning_id(client: stripe.StripeClient, db: Database, account: TestAccount) -> str:
    return warned_payment(client, db, account)[1]


def _code_and_param(response: httpx.Response) -> tuple[int, str | None, str | None]:
    error: dict[str, Any] = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    return response.status_code, error.get("code"), error.get("param")


# --- GET /v1/radar/early_fraud_warnings/{id} -----------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"actionable": "false"}, "parameter_unknown", "actionable"),
        ({"expand": "charge"}, "parameter_invalid_array", "expand"),
        ({"expand[]": "fraud_type"}, None, "expand"),
        ({"expand[]": "charge.a.b.c.d"}, None, "expand[0]"),
        ({"expand[]": "c" * 501}, "parameter_invalid_string_too_long", "expand[0]"),
    ],
)
def test_retrieve_refuses_bad_input(
    http: httpx.Client, warning_id: str, query: dict[str, str], code: str | None, param: str
) -> None:
    response = http.get(f"{ROUTE}/{warning_id}", params=query)

    assert _code_and_param(response) == (400, code, param)


def test_there_is_no_way_to_change_a_warning(http: httpx.Client, warning_id: str) -> None:
    response = http.post(f"{ROUTE}/{warning_id}", data={"actionable": "false"})

    assert response.status_code == 404


# --- GET /v1/radar/early_fraud_warnings ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        # unknown
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"actionable": "true"}, "parameter_unknown", "actionable"),
        ({"fraud_type": "misc"}, "parameter_unknown", "fraud_type"),
        ({"created[since]": "1"}, "parameter_unknown", "created[since]"),
        # wrongly typed
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"limit": "1.5"}, "parameter_invalid_integer", "limit"),
        ({"created": "yesterday"}, "parameter_invalid_integer", "created"),
        ({"created[gt]": "soon"}, "parameter_invalid_integer", "created[gt]"),
        ({"charge[]": "ch_1"}, "parameter_invalid_string", "charge"),
        ({"charge[id]": "ch_1"}, "parameter_invalid_string", "charge"),
        ({"payment_intent[]": "pi_1"}, "parameter_invalid_string", "payment_intent"),
        ({"starting_after[]": "issfr_1"}, "parameter_invalid_string", "starting_after"),
        ({"ending_before[a]": "issfr_1"}, "parameter_invalid_string", "ending_before"),
        ({"expand": "data.charge"}, "parameter_invalid_array", "expand"),
        # out of range
        ({"limit": "0"}, "parameter_invalid_integer", "limit"),
        ({"limit": "101"}, "parameter_invalid_integer", "limit"),
        ({"created[lt]": "1" * 30}, "parameter_invalid_integer", "created[lt]"),
        ({"created[gte]": "999999999999999"}, "parameter_invalid_integer", "created[gte]"),
        ({"charge": "c" * 5001}, "parameter_invalid_string_too_long", "charge"),
        ({"payment_intent": "p" * 5001}, "parameter_invalid_string_too_long", "payment_intent"),
        ({"starting_after": "i" * 501}, "parameter_invalid_string_too_long", "starting_after"),
        ({"limit": ""}, "parameter_invalid_empty", "limit"),
    ],
)
def test_list_refuses_bad_input(
    http: httpx.Client, query: dict[str, str], code: str | None, param: str
) -> None:
    response = http.get(ROUTE, params=query)

    assert _code_and_param(response) == (400, code, param)


def test_list_refuses_to_expand_what_is_not_expandable(http: httpx.Client, warning_id: str) -> None:
    response = http.get(ROUTE, params={"expand[]": "data.fraud_type"})

    assert _code_and_param(response) == (400, None, "expand")


def test_list_refuses_both_cursors(http: httpx.Client) -> None:
    response = http.get(ROUTE, params={"starting_after": "issfr_a", "ending_before": "issfr_b"})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Received both starting_after and ending_before parameters. Please pass in only one."
    )
