"""`:ip_country:` from the payment's IP address, and `outcome.rule` expanded, through the
official SDK."""

from __future__ import annotations

from typing import Any

import stripe

from tests.contract.test_radar_screening import call, charge_of, declined, pay, rule

LONDON = "81.2.69.160"
MOUNTAIN_VIEW = "8.8.8.8"


def blocked_charge(client: stripe.StripeClient, card: str = "pm_card_visa", **extra: Any) -> Any:
    error = declined(client, card, **extra)
    charge_id = (error.json_body or {})["error"]["charge"]
    return client.v1.charges.retrieve(charge_id, params={"expand": ["outcome.rule"]})


def test_a_rule_on_the_ip_country_blocks_payments_from_that_country(
    client: stripe.StripeClient,
) -> None:
    made = rule(client, "block", ":ip_country: = 'GB'")

    charge = blocked_charge(client, radar_options={"ip_address": LONDON})
    assert charge.outcome is not None
    assert (charge.outcome.type, charge.outcome.reason) == ("blocked", "rule")
    assert pay(client, radar_options={"ip_address": MOUNTAIN_VIEW}).status == "succeeded"
    # A private address has no country: the rule sees it missing and does not match.
    assert pay(client, radar_options={"ip_address": "10.1.2.3"}).status == "succeeded"
    assert made["predicate"] == ":ip_country: = 'GB'"


def test_card_and_ip_countries_can_be_compared(client: stripe.StripeClient) -> None:
    rule(client, "review", ":card_country: != :ip_country:")

    intent = pay(client, radar_options={"ip_address": LONDON})  # a US card from the UK
    outcome = charge_of(client, intent.id).outcome
    assert outcome is not None
    assert (outcome.type, outcome.reason) == ("manual_review", "rule")
    intent = pay(client, radar_options={"ip_address": MOUNTAIN_VIEW})
    outcome = charge_of(client, intent.id).outcome
    assert outcome is not None
    assert outcome.type == "authorized"


def test_the_deciding_rule_expands_on_the_charge(client: stripe.StripeClient) -> None:
    made = rule(client, "block", ":ip_country: = 'GB'")

    charge = blocked_charge(client, radar_options={"ip_address": LONDON})
    assert charge.outcome is not None
    expanded = charge.outcome.rule
    assert isinstance(expanded, stripe.StripeObject)
    assert (expanded.id, expanded["action"], expanded["predicate"]) == (
        made["id"],
        "block",
        ":ip_country: = 'GB'",
    )
    # Without expand it stays the id.
    assert client.v1.charges.retrieve(charge.id).outcome.rule == made["id"]  # type: ignore[union-attr]


def test_a_default_list_rule_expands_too(client: stripe.StripeClient) -> None:
    [blocked] = call(client, "get", "/v1/radar/value_lists", alias="block_list_ip_country")["data"]
    call(client, "post", "/v1/radar/value_list_items", value_list=blocked["id"], value="GB")

    charge = blocked_charge(client, radar_options={"ip_address": LONDON})
    assert charge.outcome is not None
    expanded = charge.outcome.rule
    assert isinstance(expanded, stripe.StripeObject)
    assert (expanded.id, expanded["action"], expanded["predicate"]) == (
        "block_list_ip_country",
        "block",
        ":ip_country: IN @block_list_ip_country",
    )


def test_a_deleted_rule_expands_to_its_id(client: stripe.StripeClient) -> None:
    made = rule(client, "block", ":ip_country: = 'GB'")
    charge = blocked_charge(client, radar_options={"ip_address": LONDON})
    call(client, "delete", f"/v1/radar/rules/{made['id']}")

    again = client.v1.charges.retrieve(charge.id, params={"expand": ["outcome.rule"]})
    assert again.outcome is not None
    assert again.outcome.rule == made["id"]


def test_a_charge_without_a_rule_expands_to_null(client: stripe.StripeClient) -> None:
    intent = pay(client)
    charge = client.v1.charges.retrieve(
        str(intent.latest_charge), params={"expand": ["outcome.rule"]}
    )
    assert charge.outcome is not None
    assert charge.outcome.rule is None
