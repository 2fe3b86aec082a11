"""GET /v1/products/search and /v1/prices/search with Stripe's query language."""

from __future__ import annotations

import pytest
import stripe

from tests.contract.test_products import assert_error, error_of, new_price, new_product


def product_ids(client: stripe.StripeClient, query: str) -> list[str]:
    return [p.id for p in client.v1.products.search(params={"query": query}).data]


def price_ids(client: stripe.StripeClient, query: str) -> list[str]:
    return [p.id for p in client.v1.prices.search(params={"query": query}).data]


def test_products_are_found_by_their_searchable_fields(client: stripe.StripeClient) -> None:
    shirt = new_product(
        client,
        name="Cotton Shirt",
        description="A soft shirt",
        shippable=True,
        url="https://example.com/shirt",
        metadata={"sku": "S-1"},
    )
    plan = new_product(client, name="Gold Plan", active=False)

    assert product_ids(client, 'name:"cotton shirt"') == [shirt.id]
    assert product_ids(client, 'name~"plan"') == [plan.id]
    assert product_ids(client, 'description~"soft"') == [shirt.id]
    assert product_ids(client, 'active:"false"') == [plan.id]
    assert product_ids(client, 'shippable:"true"') == [shirt.id]
    assert product_ids(client, 'url:"https://example.com/shirt"') == [shirt.id]
    assert product_ids(client, 'metadata["sku"]:"S-1"') == [shirt.id]
    assert product_ids(client, f"created>={shirt.created}") == [plan.id, shirt.id]
    assert product_ids(client, 'name:"Cotton Shirt" OR name:"Gold Plan"') == [plan.id, shirt.id]
    assert product_ids(client, '-name:"Gold Plan"') == [shirt.id]


def test_product_search_pages_and_counts(client: stripe.StripeClient) -> None:
    made = [new_product(client, name=f"Plan {n}").id for n in range(3)]

    first = client.v1.products.search(
        params={"query": 'name~"plan"', "limit": 2, "expand": ["total_count"]}
    )
    second = client.v1.products.search(
        params={"query": 'name~"plan"', "limit": 2, "page": first.next_page}
    )

    assert [p.id for p in first.data + second.data] == list(reversed(made))
    assert (first.has_more, second.has_more, second.next_page) == (True, False, None)
    assert first.to_dict()["total_count"] == 3


def test_prices_are_found_by_their_searchable_fields(client: stripe.StripeClient) -> None:
    product = new_product(client)
    other = new_product(client, name="Other")
    monthly = new_price(
        client,
        product.id,
        recurring={"interval": "month"},
        lookup_key="gold_monthly",
        metadata={"tier": "gold"},
    )
    yen = new_price(client, other.id, currency="jpy", unit_amount=700, active=False)

    assert price_ids(client, 'lookup_key:"gold_monthly"') == [monthly.id]
    assert price_ids(client, 'currency:"jpy"') == [yen.id]
    assert price_ids(client, f'product:"{other.id}"') == [yen.id]
    assert price_ids(client, 'type:"recurring"') == [monthly.id]
    assert price_ids(client, 'active:"false"') == [yen.id]
    assert price_ids(client, 'metadata["tier"]:"gold"') == [monthly.id]
    assert price_ids(client, 'type:"one_time" AND currency:"jpy"') == [yen.id]


@pytest.mark.parametrize("resource", ["products", "prices"])
@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({}, "parameter_missing", "query"),
        ({"query": 'colour:"red"'}, None, "query"),
        ({"query": "name:"}, None, "query"),
        ({"query": 'active:"maybe"'}, None, "query"),
        ({"query": 'metadata["k"]:"v"', "page": "not-a-token"}, None, "page"),
        ({"query": 'metadata["k"]:"v"', "limit": 0}, "parameter_invalid_integer", "limit"),
        ({"query": 'metadata["k"]:"v"', "sort": "name"}, "parameter_unknown", "sort"),
    ],
)
def test_search_refuses_bad_input(
    client: stripe.StripeClient,
    resource: str,
    params: dict[str, object],
    code: str | None,
    param: str,
) -> None:
    service = getattr(client.v1, resource)

    error = error_of(lambda: service.search(params=params))

    body = (error.json_body or {}).get("error", {})
    assert (error.http_status, body.get("param")) == (400, param), body
    if code is not None:
        assert_error(error, code=code, param=param)
