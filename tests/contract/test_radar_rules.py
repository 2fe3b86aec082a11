"""Screening rules and Radar settings through the official SDK's raw requests (Seikyu's
extension: Stripe manages rules in its dashboard): create, list, change, disable, delete,
the built-in rules, the thresholds, and rules that do not parse, with the offending token
named."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from tests.support.errors import assert_error, invalid_request


def call(client: stripe.StripeClient, method: str, path: str, **params: Any) -> Any:
    """A request the SDK has no method for, sent by the SDK; the answer as plain data."""
    found = client.deserialize(client.raw_request(method, path, **params), api_mode="V1")
    return found.to_dict(recursive=True)


def new_rule(client: stripe.StripeClient, **params: Any) -> Any:
    defaults = {"action": "block", "predicate": ":card_country: = 'NG'"}
    return call(client, "post", "/v1/radar/rules", **{**defaults, **params})


def events_of(client: stripe.StripeClient, event_type: str) -> list[stripe.Event]:
    return list(client.v1.events.list(params={"type": event_type, "limit": 100}).data)


# --- create, retrieve, list ---------------------------------------------------------------


def test_a_new_rule_is_shown_as_written(client: stripe.StripeClient) -> None:
    rule = new_rule(
        client,
        action="review",
        predicate=":amount_in_usd: > 500 AND :is_new_card_on_customer:",
        description="Big first payments",
        metadata={"team": "risk"},
    )
    assert rule["id"].startswith("rule_")
    assert (rule["object"], rule["action"], rule["status"], rule["built_in"]) == (
        "radar.rule",
        "review",
        "active",
        False,
    )
    assert rule["predicate"] == ":amount_in_usd: > 500 AND :is_new_card_on_customer:"
    assert (rule["description"], rule["metadata"]) == ("Big first payments", {"team": "risk"})
    assert call(client, "get", f"/v1/radar/rules/{rule['id']}") == rule
    assert [e.data.object["id"] for e in events_of(client, "radar.rule.created")] == [rule["id"]]


def test_rules_are_listed_newest_first_and_filter_by_action_and_status(
    client: stripe.StripeClient,
) -> None:
    block = new_rule(client)
    allow = new_rule(client, action="allow", predicate=":card_fingerprint: IN @vip")
    off = new_rule(client, action="block", predicate=":ip_country: = 'XX'", status="disabled")

    listed = call(client, "get", "/v1/radar/rules")
    assert [r["id"] for r in listed["data"]] == [off["id"], allow["id"], block["id"]]
    blocks = call(client, "get", "/v1/radar/rules", action="block")
    assert [r["id"] for r in blocks["data"]] == [off["id"], block["id"]]
    active = call(client, "get", "/v1/radar/rules", status="active", limit=1)
    assert ([r["id"] for r in active["data"]], active["has_more"]) == ([allow["id"]], True)


# --- update, disable, delete --------------------------------------------------------------


def test_a_rule_changes_and_can_be_disabled(client: stripe.StripeClient) -> None:
    rule = new_rule(client)
    changed = call(
        client,
        "post",
        f"/v1/radar/rules/{rule['id']}",
        action="review",
        predicate=":card_country: IN ('NG', 'GH')",
        status="disabled",
        metadata={"why": "chargebacks"},
    )
    assert (changed["action"], changed["predicate"], changed["status"]) == (
        "review",
        ":card_country: IN ('NG', 'GH')",
        "disabled",
    )
    assert changed["metadata"] == {"why": "chargebacks"}
    [updated] = events_of(client, "radar.rule.updated")
    previous = updated.data.previous_attributes
    assert previous is not None
    assert (previous["action"], previous["status"]) == ("block", "active")


def test_a_deleted_rule_is_gone(client: stripe.StripeClient) -> None:
    rule = new_rule(client)
    deleted = call(client, "delete", f"/v1/radar/rules/{rule['id']}")
    assert deleted == {"id": rule["id"], "object": "radar.rule", "deleted": True}
    error = invalid_request(lambda: call(client, "get", f"/v1/radar/rules/{rule['id']}"))
    assert_error(error, status=404, code="resource_missing", param="id")
    assert len(events_of(client, "radar.rule.deleted")) == 1


# --- built-in rules and settings ----------------------------------------------------------


def test_the_built_in_rules_are_on_and_can_be_switched_off(client: stripe.StripeClient) -> None:
    block = call(client, "get", "/v1/radar/rules/block_if_high_risk")
    assert (block["action"], block["predicate"], block["status"], block["built_in"]) == (
        "block",
        ":risk_level: = 'highest'",
        "active",
        True,
    )
    off = call(client, "post", "/v1/radar/rules/review_if_elevated_risk", status="disabled")
    assert off["status"] == "disabled"
    radar = call(client, "get", "/v1/radar/settings")
    assert radar["rules"] == {"block_if_high_risk": "active", "review_if_elevated_risk": "disabled"}


def test_a_built_in_rule_keeps_its_predicate_and_cannot_be_deleted(
    client: stripe.StripeClient,
) -> None:
    error = invalid_request(
        lambda: call(
            client, "post", "/v1/radar/rules/block_if_high_risk", predicate=":risk_score: > 1"
        )
    )
    assert_error(error, code=None, param="predicate")
    error = invalid_request(lambda: call(client, "delete", "/v1/radar/rules/block_if_high_risk"))
    assert_error(error, code=None, param="id")


def test_moving_the_block_threshold_moves_the_review_threshold(
    client: stripe.StripeClient,
) -> None:
    assert call(client, "get", "/v1/radar/settings")["block_threshold"] == 75
    moved = call(client, "post", "/v1/radar/settings", block_threshold=85)
    assert (moved["block_threshold"], moved["review_threshold"]) == (85, 75)
    assert call(client, "get", "/v1/radar/settings")["review_threshold"] == 75


# --- rules that do not parse -------------------------------------------------------------


@pytest.mark.parametrize(
    ("predicate", "position", "token"),
    [
        (":card_country: = 'US' ANDD :amount_in_usd: > 5", 22, "ANDD"),
        (":no_such_thing: = 'US'", 0, ":no_such_thing:"),
        (":risk_score: = 'high'", 15, "'high'"),
        ("(:card_country: = 'US'", 0, "("),
        (":card_country: = 'US", 17, "'US"),
    ],
)
def test_a_rule_that_does_not_parse_names_the_token(
    client: stripe.StripeClient, predicate: str, position: int, token: str
) -> None:
    error = invalid_request(lambda: new_rule(client, predicate=predicate))
    assert_error(error, code="rule_invalid", param="predicate")
    body = (error.json_body or {})["error"]
    assert body["rule_error"] == {"position": position, "token": token}
    assert token in body["message"]
    assert f"position {position}" in body["message"]
    assert call(client, "get", "/v1/radar/rules")["data"] == []


def test_an_update_to_a_predicate_that_does_not_parse_changes_nothing(
    client: stripe.StripeClient,
) -> None:
    rule = new_rule(client)
    error = invalid_request(
        lambda: call(
            client, "post", f"/v1/radar/rules/{rule['id']}", action="allow", predicate="(("
        )
    )
    assert_error(error, code="rule_invalid", param="predicate")
    assert call(client, "get", f"/v1/radar/rules/{rule['id']}") == rule


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"predicate": ":card_country: = 'US'"}, "action"),
        ({"action": "block"}, "predicate"),
        ({"action": "deny", "predicate": ":card_country: = 'US'"}, "action"),
        ({"action": "block", "predicate": ""}, "predicate"),
        ({"action": "block", "predicate": ":card_country: = 'US'", "status": "on"}, "status"),
        ({"action": "block", "predicate": ":card_country: = 'US'", "colour": "red"}, "colour"),
        (
            {"action": "block", "predicate": ":card_country: = 'US'", "description": "x" * 501},
            "description",
        ),
        ({"action": "block", "predicate": ":card_country: = 'US'", "metadata": "x"}, "metadata"),
    ],
)
def test_bad_rule_parameters_are_named(
    client: stripe.StripeClient, params: dict[str, Any], param: str
) -> None:
    error = invalid_request(lambda: call(client, "post", "/v1/radar/rules", **params))
    body = (error.json_body or {})["error"]
    assert (error.http_status, body.get("param")) == (400, param), body
    assert call(client, "get", "/v1/radar/rules")["data"] == []


def test_a_rule_longer_than_the_limit_is_refused(client: stripe.StripeClient) -> None:
    long = ":card_country: IN (" + ", ".join(["'US'"] * 400) + ")"
    error = invalid_request(lambda: new_rule(client, predicate=long))
    assert_error(error, code="rule_invalid", param="predicate")


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"status": "paused"}, "status"),
        ({"action": ""}, "action"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_bad_update_and_list_parameters_are_named(
    client: stripe.StripeClient, params: dict[str, Any], param: str
) -> None:
    rule = new_rule(client)
    if "limit" in params:
        error = invalid_request(lambda: call(client, "get", "/v1/radar/rules", **params))
    else:
        error = invalid_request(
            lambda: call(client, "post", f"/v1/radar/rules/{rule['id']}", **params)
        )
    body = (error.json_body or {})["error"]
    assert (error.http_status, body.get("param")) == (400, param), body


@pytest.mark.parametrize("threshold", ["10", "100", "high"])
def test_a_block_threshold_out_of_range_is_refused(
    client: stripe.StripeClient, threshold: str
) -> None:
    error = invalid_request(
        lambda: call(client, "post", "/v1/radar/settings", block_threshold=threshold)
    )
    body = (error.json_body or {})["error"]
    assert (error.http_status, body.get("param")) == (400, "block_threshold"), body
    assert call(client, "get", "/v1/radar/settings")["block_threshold"] == 75


def test_an_unknown_rule_is_missing(client: stripe.StripeClient) -> None:
    error = invalid_request(
        lambda: call(client, "post", "/v1/radar/rules/rule_nope", status="active")
    )
    assert_error(error, status=404, code="resource_missing", param="id")


def test_a_list_that_a_rule_reads_cannot_be_deleted(client: stripe.StripeClient) -> None:
    made = call(client, "post", "/v1/radar/value_lists", alias="vip_cards", name="VIP cards")
    rule = new_rule(client, action="allow", predicate=":card_fingerprint: IN @vip_cards")

    error = invalid_request(lambda: call(client, "delete", f"/v1/radar/value_lists/{made['id']}"))
    assert rule["id"] in str((error.json_body or {})["error"]["message"])

    call(client, "delete", f"/v1/radar/rules/{rule['id']}")
    assert call(client, "delete", f"/v1/radar/value_lists/{made['id']}")["deleted"] is True
