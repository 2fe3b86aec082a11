"""Every billing meter route refuses bad input with Stripe's 400 naming the parameter:
missing, unknown, of the wrong type, or out of range."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.contract.test_billing_meters import new_meter
from tests.support.errors import assert_error, error_of

VALID: dict[str, Any] = {
    "display_name": "API calls",
    "event_name": "api_call",
    "default_aggregation": {"formula": "sum"},
}
HOUR = 3600
DAY = 86400
START = 1_735_689_600  # 2025-01-01T00:00:00Z


def without(name: str) -> dict[str, Any]:
    return {key: value for key, value in VALID.items() if key != name}


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        # missing
        (without("display_name"), "parameter_missing", "display_name"),
        (without("event_name"), "parameter_missing", "event_name"),
        (without("default_aggregation"), "parameter_missing", "default_aggregation"),
        (
            {**VALID, "customer_mapping": {"type": "by_id"}},
            "parameter_missing",
            "customer_mapping[event_payload_key]",
        ),
        (
            {**VALID, "customer_mapping": {"event_payload_key": "c"}},
            "parameter_missing",
            "customer_mapping[type]",
        ),
        ({**VALID, "display_name": ""}, "parameter_invalid_empty", "display_name"),
        ({**VALID, "event_name": ""}, "parameter_invalid_empty", "event_name"),
        (
            {**VALID, "default_aggregation": {"formula": ""}},
            "parameter_invalid_empty",
            "default_aggregation[formula]",
        ),
        (
            {**VALID, "value_settings": {"event_payload_key": ""}},
            "parameter_invalid_empty",
            "value_settings[event_payload_key]",
        ),
        # unknown
        ({**VALID, "colour": "red"}, "parameter_unknown", "colour"),
        ({**VALID, "metadata": {"a": "b"}}, "parameter_unknown", "metadata"),
        (
            {**VALID, "default_aggregation": {"formula": "sum", "window": "day"}},
            "parameter_unknown",
            "default_aggregation[window]",
        ),
        (
            {**VALID, "customer_mapping": {"type": "by_id", "event_payload_key": "c", "x": "1"}},
            "parameter_unknown",
            "customer_mapping[x]",
        ),
        (
            {**VALID, "value_settings": {"event_payload_key": "v", "x": "1"}},
            "parameter_unknown",
            "value_settings[x]",
        ),
        # wrong type
        ({**VALID, "display_name": {"a": "b"}}, "parameter_invalid_string", "display_name"),
        ({**VALID, "event_name": ["a"]}, "parameter_invalid_string", "event_name"),
        ({**VALID, "default_aggregation": "sum"}, "parameter_invalid_hash", "default_aggregation"),
        ({**VALID, "customer_mapping": "by_id"}, "parameter_invalid_hash", "customer_mapping"),
        ({**VALID, "value_settings": "value"}, "parameter_invalid_hash", "value_settings"),
        ({**VALID, "expand": "x"}, "parameter_invalid_array", "expand"),
        # out of range
        (
            {**VALID, "default_aggregation": {"formula": "avg"}},
            "parameter_invalid_enum",
            "default_aggregation[formula]",
        ),
        (
            {**VALID, "customer_mapping": {"type": "by_email", "event_payload_key": "c"}},
            "parameter_invalid_enum",
            "customer_mapping[type]",
        ),
        ({**VALID, "event_time_window": "week"}, "parameter_invalid_enum", "event_time_window"),
        (
            {**VALID, "display_name": "n" * 251},
            "parameter_invalid_string_too_long",
            "display_name",
        ),
        ({**VALID, "event_name": "e" * 101}, "parameter_invalid_string_too_long", "event_name"),
        (
            {**VALID, "customer_mapping": {"type": "by_id", "event_payload_key": "k" * 101}},
            "parameter_invalid_string_too_long",
            "customer_mapping[event_payload_key]",
        ),
        (
            {**VALID, "value_settings": {"event_payload_key": "k" * 101}},
            "parameter_invalid_string_too_long",
            "value_settings[event_payload_key]",
        ),
    ],
)
def test_create_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str, param: str
) -> None:
    error = error_of(lambda: client.v1.billing.meters.create(params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
    assert client.v1.billing.meters.list().data == []


def test_create_takes_the_longest_names_allowed(client: stripe.StripeClient) -> None:
    meter = new_meter(client, display_name="n" * 250, event_name="e" * 100)
    assert (len(meter.display_name), len(meter.event_name)) == (250, 100)


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"display_name": ""}, "parameter_invalid_empty", "display_name"),
        ({"display_name": "n" * 251}, "parameter_invalid_string_too_long", "display_name"),
        ({"display_name": ["a"]}, "parameter_invalid_string", "display_name"),
        ({"event_name": "other"}, "parameter_unknown", "event_name"),
        ({"default_aggregation": {"formula": "count"}}, "parameter_unknown", "default_aggregation"),
        ({"status": "inactive"}, "parameter_unknown", "status"),
    ],
)
def test_update_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str, param: str
) -> None:
    meter = new_meter(client)

    error = error_of(lambda: client.v1.billing.meters.update(meter.id, params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
    assert client.v1.billing.meters.retrieve(meter.id).to_dict() == meter.to_dict()


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"status": "archived"}, "parameter_invalid_enum", "status"),
        ({"status": {"a": "b"}}, None, "status"),
        ({"created": 1}, "parameter_unknown", "created"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
    ],
)
def test_list_refuses_bad_input(
    client: stripe.StripeClient, query: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.billing.meters.list(params=query))  # type: ignore[arg-type]
    body = (error.json_body or {}).get("error", {})
    assert (error.http_status, body.get("param")) == (400, param), body
    if code is not None:
        assert body.get("code") == code, body


def test_list_refuses_both_cursors(client: stripe.StripeClient) -> None:
    error = error_of(
        lambda: client.v1.billing.meters.list(params={"starting_after": "a", "ending_before": "b"})
    )
    assert error.http_status == 400
    assert "only one" in str(error.user_message)


@pytest.mark.parametrize("action", ["", "/deactivate", "/reactivate"])
def test_post_routes_refuse_unknown_params(http: httpx.Client, action: str) -> None:
    meter = http.post(
        "/v1/billing/meters",
        data={"display_name": "A", "event_name": "a", "default_aggregation[formula]": "sum"},
    ).json()

    answer = http.post(f"/v1/billing/meters/{meter['id']}{action}", data={"colour": "red"})

    assert answer.status_code == 400
    assert (answer.json()["error"]["code"], answer.json()["error"]["param"]) == (
        "parameter_unknown",
        "colour",
    )


def test_retrieve_refuses_unknown_params(http: httpx.Client) -> None:
    meter = http.post(
        "/v1/billing/meters",
        data={"display_name": "A", "event_name": "a", "default_aggregation[formula]": "sum"},
    ).json()

    answer = http.get(f"/v1/billing/meters/{meter['id']}", params={"colour": "red"})

    assert (answer.status_code, answer.json()["error"]["param"]) == (400, "colour")


# --- event summaries ----------------------------------------------------------------------


@pytest.fixture
def summary_of(client: stripe.StripeClient) -> Any:
    meter = new_meter(client)
    customer = client.v1.customers.create()
    valid = {"customer": customer.id, "start_time": START, "end_time": START + DAY}

    def call(**changes: Any) -> stripe.StripeError:
        query = {**valid, **changes}
        query = {key: value for key, value in query.items() if value is not None}
        return error_of(
            lambda: client.v1.billing.meters.event_summaries.list(meter.id, params=query)  # type: ignore[arg-type]
        )

    return call


@pytest.mark.parametrize(
    ("changes", "code", "param"),
    [
        # missing
        ({"customer": None}, "parameter_missing", "customer"),
        ({"start_time": None}, "parameter_missing", "start_time"),
        ({"end_time": None}, "parameter_missing", "end_time"),
        ({"customer": ""}, "parameter_invalid_empty", "customer"),
        # unknown
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"created": START}, "parameter_unknown", "created"),
        # wrong type
        ({"start_time": "today"}, "parameter_invalid_integer", "start_time"),
        ({"end_time": "1.5"}, "parameter_invalid_integer", "end_time"),
        ({"limit": "many"}, "parameter_invalid_integer", "limit"),
        ({"customer": {"id": "x"}}, "parameter_invalid_string", "customer"),
        # out of range
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"start_time": 10**13}, "parameter_invalid_integer", "start_time"),
        ({"end_time": -(10**13)}, "parameter_invalid_integer", "end_time"),
        ({"value_grouping_window": "week"}, "parameter_invalid_enum", "value_grouping_window"),
        ({"start_time": START + 30}, None, "start_time"),
        ({"end_time": START + DAY + 1}, None, "end_time"),
        ({"start_time": START + DAY}, None, "start_time"),
        ({"start_time": START + DAY + 60}, None, "start_time"),
        ({"start_time": START + 60, "value_grouping_window": "hour"}, None, "start_time"),
        ({"end_time": START + HOUR + 60, "value_grouping_window": "hour"}, None, "end_time"),
        ({"start_time": START + HOUR, "value_grouping_window": "day"}, None, "start_time"),
        ({"end_time": START + DAY + HOUR, "value_grouping_window": "day"}, None, "end_time"),
        ({"starting_after": "mtrusg_forged"}, None, "starting_after"),
        ({"ending_before": "cus_123"}, None, "ending_before"),
        ({"customer": "cus_missing"}, "resource_missing", "customer"),
    ],
)
def test_event_summaries_refuse_bad_input(
    summary_of: Any, changes: dict[str, Any], code: str | None, param: str
) -> None:
    error = summary_of(**changes)

    body = (error.json_body or {}).get("error", {})
    assert (error.http_status, body.get("param"), body.get("code")) == (400, param, code), body


def test_event_summaries_of_an_unknown_meter_are_a_404(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    query = {"customer": customer.id, "start_time": START, "end_time": START + DAY}

    error = error_of(
        lambda: client.v1.billing.meters.event_summaries.list("mtr_missing", params=query)
    )

    assert_error(error, status=404, code="resource_missing", param="id")
