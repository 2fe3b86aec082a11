"""Every price endpoint refuses bad input with Stripe's error naming the parameter."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.contract.test_products import assert_error, error_of, new_price, new_product

TIERED = {"billing_scheme": "tiered", "tiers_mode": "volume"}


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        # missing
        ({"unit_amount": 1}, "parameter_missing", "currency"),
        ({"currency": "usd"}, "parameter_missing", "unit_amount"),
        (
            {"currency": "usd", "recurring": {"interval_count": 1}, "unit_amount": 1},
            "parameter_missing",
            "recurring[interval]",
        ),
        ({"currency": "usd", **TIERED}, "parameter_missing", "tiers"),
        (
            {
                "currency": "usd",
                "billing_scheme": "tiered",
                "tiers": [{"up_to": "inf", "unit_amount": 1}],
            },
            "parameter_missing",
            "tiers_mode",
        ),
        (
            {"currency": "usd", **TIERED, "tiers": [{"unit_amount": 1}]},
            "parameter_missing",
            "tiers[0][up_to]",
        ),
        (
            {"currency": "usd", "unit_amount": 1, "transform_quantity": {"divide_by": 2}},
            "parameter_missing",
            "transform_quantity[round]",
        ),
        (
            {"currency": "usd", "custom_unit_amount": {"minimum": 1}},
            "parameter_missing",
            "custom_unit_amount[enabled]",
        ),
        (
            {
                "currency": "usd",
                "unit_amount": 1,
                "recurring": {"interval": "month", "usage_type": "metered"},
            },
            "parameter_missing",
            "recurring[meter]",
        ),
        # unknown
        ({"currency": "usd", "unit_amount": 1, "amount": 1}, "parameter_unknown", "amount"),
        (
            {
                "currency": "usd",
                "unit_amount": 1,
                "recurring": {"interval": "month", "aggregate_usage": "sum"},
            },
            "parameter_unknown",
            "recurring[aggregate_usage]",
        ),
        (
            {"currency": "usd", **TIERED, "tiers": [{"up_to": "inf", "amount": 1}]},
            "parameter_unknown",
            "tiers[0][amount]",
        ),
        # wrongly typed
        ({"currency": "usd", "unit_amount": "ten"}, "parameter_invalid_integer", "unit_amount"),
        ({"currency": "usd", "unit_amount": "1.5"}, "parameter_invalid_integer", "unit_amount"),
        (
            {"currency": "usd", "unit_amount_decimal": "half"},
            "parameter_invalid_decimal",
            "unit_amount_decimal",
        ),
        (
            {"currency": "usd", "unit_amount": 1, "active": "maybe"},
            "parameter_invalid_boolean",
            "active",
        ),
        (
            {"currency": "usd", "unit_amount": 1, "recurring": "monthly"},
            "parameter_invalid_hash",
            "recurring",
        ),
        ({"currency": "usd", **TIERED, "tiers": "many"}, "parameter_invalid_array", "tiers"),
        (
            {"currency": "usd", **TIERED, "tiers": [{"up_to": "lots", "unit_amount": 1}]},
            "parameter_invalid_integer",
            "tiers[0][up_to]",
        ),
        (
            {"currency": "usd", "unit_amount": 1, "recurring": {"interval": "fortnight"}},
            "parameter_invalid_enum",
            "recurring[interval]",
        ),
        (
            {"currency": "usd", "unit_amount": 1, "tax_behavior": "sometimes"},
            "parameter_invalid_enum",
            "tax_behavior",
        ),
        (
            {"currency": "usd", "unit_amount": 1, "billing_scheme": "flat"},
            "parameter_invalid_enum",
            "billing_scheme",
        ),
        # out of range or inconsistent
        ({"currency": "usd", "unit_amount": -1}, "parameter_invalid_integer", "unit_amount"),
        ({"currency": "usd", "unit_amount": 100_000_000}, "amount_too_large", "unit_amount"),
        ({"currency": "usd", "unit_amount": 2**64}, "parameter_invalid_integer", "unit_amount"),
        (
            {"currency": "usd", "unit_amount_decimal": "0.1234567890123"},
            None,
            "unit_amount_decimal",
        ),
        ({"currency": "usd", "unit_amount_decimal": "-1"}, None, "unit_amount_decimal"),
        (
            {"currency": "usd", "unit_amount": 1, "unit_amount_decimal": "1"},
            "parameters_exclusive",
            "unit_amount",
        ),
        ({"currency": "xyz", "unit_amount": 1}, None, "currency"),
        (
            {
                "currency": "usd",
                "unit_amount": 1,
                "recurring": {"interval": "week", "interval_count": 157},
            },
            "parameter_invalid_integer",
            "recurring[interval_count]",
        ),
        (
            {
                "currency": "usd",
                "unit_amount": 1,
                "recurring": {"interval": "day", "interval_count": 0},
            },
            "parameter_invalid_integer",
            "recurring[interval_count]",
        ),
        (
            {
                "currency": "usd",
                "unit_amount": 1,
                "recurring": {"interval": "month", "meter": "mtr_1"},
            },
            None,
            "recurring[meter]",
        ),
        (
            {"currency": "usd", **TIERED, "tiers": [{"up_to": 5, "unit_amount": 1}]},
            None,
            "tiers[0][up_to]",
        ),
        (
            {
                "currency": "usd",
                **TIERED,
                "tiers": [{"up_to": 0, "unit_amount": 1}, {"up_to": "inf", "unit_amount": 1}],
            },
            "parameter_invalid_integer",
            "tiers[0][up_to]",
        ),
        (
            {
                "currency": "usd",
                **TIERED,
                "tiers": [
                    {"up_to": 9, "unit_amount": 1},
                    {"up_to": 3, "unit_amount": 1},
                    {"up_to": "inf", "unit_amount": 1},
                ],
            },
            None,
            "tiers[1][up_to]",
        ),
        (
            {"currency": "usd", "unit_amount": 1, "tiers": [{"up_to": "inf", "unit_amount": 1}]},
            None,
            "tiers",
        ),
        (
            {
                "currency": "usd",
                **TIERED,
                "tiers": [{"up_to": "inf", "unit_amount": 1}],
                "transform_quantity": {"divide_by": 2, "round": "up"},
            },
            None,
            "transform_quantity",
        ),
        (
            {
                "currency": "usd",
                "unit_amount": 1,
                "transform_quantity": {"divide_by": 0, "round": "up"},
            },
            "parameter_invalid_integer",
            "transform_quantity[divide_by]",
        ),
        (
            {"currency": "usd", "unit_amount": 1, "lookup_key": "k" * 201},
            "parameter_invalid_string_too_long",
            "lookup_key",
        ),
        (
            {"currency": "usd", "custom_unit_amount": {"enabled": False}},
            "parameter_invalid_boolean",
            "custom_unit_amount[enabled]",
        ),
        (
            {
                "currency": "usd",
                "custom_unit_amount": {"enabled": True},
                "recurring": {"interval": "month"},
            },
            None,
            "custom_unit_amount",
        ),
        (
            {"currency": "usd", "unit_amount": 1, "currency_options": {"usd": {"unit_amount": 2}}},
            None,
            "currency_options[usd]",
        ),
        (
            {
                "currency": "usd",
                "unit_amount": 1,
                "currency_options": {"eur": {"tax_behavior": "exclusive"}},
            },
            "parameter_missing",
            "currency_options[eur][unit_amount]",
        ),
    ],
)
def test_create_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str
) -> None:
    product = new_product(client)

    error = error_of(
        lambda: client.v1.prices.create(params={"product": product.id, **params})  # type: ignore[arg-type]
    )

    body = (error.json_body or {}).get("error", {})
    assert (error.http_status, body.get("param")) == (400, param), body
    if code is not None:
        assert body.get("code") == code, body
    assert client.v1.prices.list().data == []


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"unit_amount": 5}, "parameter_unknown", "unit_amount"),
        ({"tiers_mode": "volume"}, "parameter_unknown", "tiers_mode"),
        ({"active": "perhaps"}, "parameter_invalid_boolean", "active"),
        ({"active": ""}, "parameter_invalid_empty", "active"),
        ({"tax_behavior": ""}, "parameter_invalid_empty", "tax_behavior"),
        ({"tax_behavior": "both"}, "parameter_invalid_enum", "tax_behavior"),
        ({"transfer_lookup_key": "often"}, "parameter_invalid_boolean", "transfer_lookup_key"),
        ({"lookup_key": "k" * 201}, "parameter_invalid_string_too_long", "lookup_key"),
        ({"metadata": "tags"}, "parameter_invalid_hash", "metadata"),
        (
            {"currency_options": {"jpy": {"unit_amount": -1}}},
            "parameter_invalid_integer",
            "currency_options[jpy][unit_amount]",
        ),
    ],
)
def test_update_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str, param: str
) -> None:
    product = new_product(client)
    price = new_price(client, product.id)

    error = error_of(lambda: client.v1.prices.update(price.id, params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
    assert client.v1.prices.retrieve(price.id).to_dict() == price.to_dict()


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"active": "yes"}, "parameter_invalid_boolean", "active"),
        ({"type": "sometimes"}, "parameter_invalid_enum", "type"),
        ({"recurring": {"interval": "hour"}}, "parameter_invalid_enum", "recurring[interval]"),
        (
            {"recurring": {"aggregate_usage": "sum"}},
            "parameter_unknown",
            "recurring[aggregate_usage]",
        ),
        ({"lookup_keys": [f"k{i}" for i in range(11)]}, "parameter_invalid_array", "lookup_keys"),
        ({"created": {"gte": "yesterday"}}, "parameter_invalid_integer", "created[gte]"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
    ],
)
def test_list_refuses_bad_input(
    client: stripe.StripeClient, query: dict[str, Any], code: str, param: str
) -> None:
    error = error_of(lambda: client.v1.prices.list(params=query))  # type: ignore[arg-type]
    assert_error(error, code=code, param=param)


def test_retrieve_refuses_unknown_params_and_bad_expansions(http: httpx.Client) -> None:
    product = http.post("/v1/products", data={"name": "A"}).json()
    price = http.post(
        "/v1/prices", data={"product": product["id"], "currency": "usd", "unit_amount": "1"}
    ).json()

    unknown = http.get(f"/v1/prices/{price['id']}", params={"colour": "red"})
    not_expandable = http.get(f"/v1/prices/{price['id']}", params={"expand[]": "currency"})

    assert (unknown.status_code, unknown.json()["error"]["param"]) == (400, "colour")
    assert not_expandable.status_code == 400
    assert not_expandable.json()["error"]["param"] == "expand"
