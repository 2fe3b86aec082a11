"""Every dispute endpoint refuses bad input with Stripe's 400 naming the parameter:
unknown, empty where it cannot be cleared, of the wrong type or out of range; and a refused
update changes nothing and records no event (no endpoint has a required parameter)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.contract.test_disputes import disputed

ROUTE = "/v1/disputes"


@pytest.fixture
def dispute_id(client: stripe.StripeClient) -> str:
    return disputed(client).id


def _code_and_param(response: httpx.Response) -> tuple[int, str | None, str | None]:
    error: dict[str, Any] = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    return response.status_code, error.get("code"), error.get("param")


# --- GET /v1/disputes/{id} ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"status": "won"}, "parameter_unknown", "status"),
        ({"expand": "charge"}, "parameter_invalid_array", "expand"),
        ({"expand[]": "reason"}, None, "expand"),
        ({"expand[]": "charge.a.b.c.d"}, None, "expand[0]"),
        ({"expand[]": "c" * 501}, "parameter_invalid_string_too_long", "expand[0]"),
    ],
)
def test_retrieve_refuses_bad_input(
    http: httpx.Client, dispute_id: str, query: dict[str, str], code: str | None, param: str
) -> None:
    response = http.get(f"{ROUTE}/{dispute_id}", params=query)

    assert _code_and_param(response) == (400, code, param)


# --- GET /v1/disputes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        # unknown
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"status": "won"}, "parameter_unknown", "status"),
        ({"reason": "fraudulent"}, "parameter_unknown", "reason"),
        ({"created[since]": "1"}, "parameter_unknown", "created[since]"),
        # wrongly typed
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"limit": "1.5"}, "parameter_invalid_integer", "limit"),
        ({"created": "yesterday"}, "parameter_invalid_integer", "created"),
        ({"created[gt]": "soon"}, "parameter_invalid_integer", "created[gt]"),
        ({"charge[]": "ch_1"}, "parameter_invalid_string", "charge"),
        ({"charge[id]": "ch_1"}, "parameter_invalid_string", "charge"),
        ({"payment_intent[]": "pi_1"}, "parameter_invalid_string", "payment_intent"),
        ({"starting_after[]": "dp_1"}, "parameter_invalid_string", "starting_after"),
        ({"ending_before[a]": "dp_1"}, "parameter_invalid_string", "ending_before"),
        ({"expand": "data.charge"}, "parameter_invalid_array", "expand"),
        # out of range
        ({"limit": "0"}, "parameter_invalid_integer", "limit"),
        ({"limit": "101"}, "parameter_invalid_integer", "limit"),
        ({"created[lt]": "1" * 30}, "parameter_invalid_integer", "created[lt]"),
        ({"created[gte]": "999999999999999"}, "parameter_invalid_integer", "created[gte]"),
        ({"charge": "c" * 5001}, "parameter_invalid_string_too_long", "charge"),
        ({"payment_intent": "p" * 5001}, "parameter_invalid_string_too_long", "payment_intent"),
        ({"starting_after": "d" * 501}, "parameter_invalid_string_too_long", "starting_after"),
        ({"limit": ""}, "parameter_invalid_empty", "limit"),
    ],
)
def test_list_refuses_bad_input(
    http: httpx.Client, query: dict[str, str], code: str | None, param: str
) -> None:
    response = http.get(ROUTE, params=query)

    assert _code_and_param(response) == (400, code, param)


def test_list_refuses_to_expand_what_is_not_expandable(http: httpx.Client, dispute_id: str) -> None:
    response = http.get(ROUTE, params={"expand[]": "data.reason"})

    assert _code_and_param(response) == (400, None, "expand")


def test_list_refuses_both_cursors(http: httpx.Client) -> None:
    response = http.get(ROUTE, params={"starting_after": "dp_a", "ending_before": "dp_b"})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Received both starting_after and ending_before parameters. Please pass in only one."
    )


# --- POST /v1/disputes/{id} -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "code", "param"),
    [
        # unknown
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"status": "won"}, "parameter_unknown", "status"),
        ({"amount": "1"}, "parameter_unknown", "amount"),
        ({"evidence[mood]": "calm"}, "parameter_unknown", "evidence[mood]"),
        (
            {"evidence[enhanced_evidence][a]": "b"},
            "parameter_unknown",
            "evidence[enhanced_evidence]",
        ),
        # empty where it cannot be cleared
        ({"evidence": ""}, "parameter_invalid_empty", "evidence"),
        ({"submit": ""}, "parameter_invalid_empty", "submit"),
        # wrongly typed
        ({"evidence": "winning_evidence"}, "parameter_invalid_hash", "evidence"),
        ({"evidence[]": "x"}, "parameter_invalid_hash", "evidence"),
        (
            {"evidence[uncategorized_text][]": "x"},
            "parameter_invalid_string",
            "evidence[uncategorized_text]",
        ),
        (
            {"evidence[customer_name][a]": "x"},
            "parameter_invalid_string",
            "evidence[customer_name]",
        ),
        ({"submit": "yes"}, "parameter_invalid_boolean", "submit"),
        ({"submit[]": "true"}, "parameter_invalid_boolean", "submit"),
        ({"metadata": "note"}, "parameter_invalid_hash", "metadata"),
        ({"metadata[a][b]": "c"}, "parameter_invalid_string", "metadata[a]"),
        (
            {"intended_submission_method": "fax"},
            "parameter_invalid_enum",
            "intended_submission_method",
        ),
        ({"expand": "charge"}, "parameter_invalid_array", "expand"),
        # out of range
        (
            {"evidence[uncategorized_text]": "x" * 20_001},
            "parameter_invalid_string_too_long",
            "evidence[uncategorized_text]",
        ),
        (
            {"evidence[customer_name]": "x" * 5_001},
            "parameter_invalid_string_too_long",
            "evidence[customer_name]",
        ),
        (
            {"evidence[receipt]": "x" * 5_001},
            "parameter_invalid_string_too_long",
            "evidence[receipt]",
        ),
        ({"metadata[k]": "v" * 501}, None, "metadata"),
        ({"metadata[" + "k" * 41 + "]": "v"}, None, "metadata"),
        # a file that does not exist
        ({"evidence[receipt]": "file_nope"}, "resource_missing", "evidence[receipt]"),
        (
            {"evidence[uncategorized_file]": "file_nope"},
            "resource_missing",
            "evidence[uncategorized_file]",
        ),
    ],
)
def test_update_refuses_bad_input_and_changes_nothing(
    client: stripe.StripeClient,
    http: httpx.Client,
    dispute_id: str,
    form: dict[str, str],
    code: str | None,
    param: str,
) -> None:
    before = client.v1.disputes.retrieve(dispute_id).to_dict()

    response = http.post(f"{ROUTE}/{dispute_id}", data=form)

    assert _code_and_param(response) == (400, code, param)
    assert client.v1.disputes.retrieve(dispute_id).to_dict() == before
    assert client.v1.events.list(params={"type": "charge.dispute.updated"}).data == []


def test_update_refuses_evidence_past_stripes_combined_length(
    client: stripe.StripeClient, http: httpx.Client, dispute_id: str
) -> None:
    long_fields = [
        "access_activity_log",
        "cancellation_policy_disclosure",
        "cancellation_rebuttal",
        "duplicate_charge_explanation",
        "product_description",
        "refund_policy_disclosure",
        "refund_refusal_explanation",
        "uncategorized_text",
    ]
    form = {f"evidence[{name}]": "x" * 19_000 for name in long_fields}

    response = http.post(f"{ROUTE}/{dispute_id}", data=form)

    assert _code_and_param(response) == (400, None, "evidence")
    assert client.v1.disputes.retrieve(dispute_id).evidence_details.has_evidence is False


def test_update_of_an_unknown_dispute(http: httpx.Client) -> None:
    response = http.post(f"{ROUTE}/dp_nope", data={"metadata[a]": "b"})

    assert _code_and_param(response) == (404, "resource_missing", "id")


# --- POST /v1/disputes/{id}/close -----------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "code", "param"),
    [
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"reason": "accepted"}, "parameter_unknown", "reason"),
        ({"metadata[a]": "b"}, "parameter_unknown", "metadata"),
        ({"expand": "charge"}, "parameter_invalid_array", "expand"),
        ({"expand[]": "reason"}, None, "expand"),
    ],
)
def test_close_refuses_bad_input_and_changes_nothing(
    client: stripe.StripeClient,
    http: httpx.Client,
    dispute_id: str,
    form: dict[str, str],
    code: str | None,
    param: str,
) -> None:
    response = http.post(f"{ROUTE}/{dispute_id}/close", data=form)

    assert _code_and_param(response) == (400, code, param)
    assert client.v1.disputes.retrieve(dispute_id).status == "needs_response"
    assert client.v1.events.list(params={"type": "charge.dispute.closed"}).data == []
