"""GET /v1/subscriptions/search through the official SDK: every searchable field, paging,
errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import stripe

from tests.support.billing import customer_with_card
from tests.support.errors import error_of


@dataclass(frozen=True)
class Subscriptions:
    """Four subscriptions, created oldest first."""

    active: Any  # paid, metadata plan=gold and region=apac
    trialing: Any  # 14-day trial, metadata plan=silver
    incomplete: Any  # first payment declined
    canceled: Any  # canceled right after it started

    def newest_first(self) -> list[str]:
        return [self.canceled.id, self.incomplete.id, self.trialing.id, self.active.id]


def _monthly(client: stripe.StripeClient, amount: int) -> str:
    product = client.v1.products.create(params={"name": "Gold"})
    price = client.v1.prices.create(
        params={
            "product": product.id,
            "currency": "usd",
            "unit_amount": amount,
            "recurring": {"interval": "month"},
        }
    )
    return price.id


def _subscribe(client: stripe.StripeClient, customer: str, price: str, **extra: Any) -> Any:
    params: Any = {"customer": customer, "items": [{"price": price}], **extra}
    return client.v1.subscriptions.create(params=params)


@pytest.fixture
def subscriptions(client: stripe.StripeClient) -> Subscriptions:
    price = _monthly(client, 2000)
    paying = customer_with_card(client, email="paying@example.com").id
    declining = customer_with_card(client, "pm_card_chargeCustomerFail").id
    active = _subscribe(client, paying, price, metadata={"plan": "gold", "region": "apac"})
    trialing = _subscribe(client, paying, price, trial_period_days=14, metadata={"plan": "silver"})
    incomplete = _subscribe(client, declining, price)
    canceled = client.v1.subscriptions.cancel(_subscribe(client, paying, price).id)
    return Subscriptions(active, trialing, incomplete, canceled)


def _search(client: stripe.StripeClient, query: str, **params: Any) -> Any:
    full: Any = {"query": query, **params}
    return client.v1.subscriptions.search(params=full)


def _ids(client: stripe.StripeClient, query: str) -> list[str]:
    return [subscription.id for subscription in _search(client, query).data]


def test_the_fixture_is_what_the_searches_assume(subscriptions: Subscriptions) -> None:
    assert [
        subscriptions.active.status,
        subscriptions.trialing.status,
        subscriptions.incomplete.status,
        subscriptions.canceled.status,
    ] == ["active", "trialing", "incomplete", "canceled"]


def test_the_result_is_a_search_result(
    client: stripe.StripeClient, subscriptions: Subscriptions
) -> None:
    result = _search(client, 'status:"active"')

    assert result.object == "search_result"
    assert result.url == "/v1/subscriptions/search"
    assert (result.has_more, result.next_page) == (False, None)
    assert "total_count" not in result.to_dict()
    assert [s.id for s in result.data] == [subscriptions.active.id]
    found = result.data[0]
    assert found.object == "subscription"
    assert found["items"].data[0].price.unit_amount == 2000


def test_search_is_not_taken_for_a_subscription_id(
    client: stripe.StripeClient, subscriptions: Subscriptions
) -> None:
    result = client.v1.subscriptions.search(params={"query": 'status:"trialing"'})

    assert [s.id for s in result.data] == [subscriptions.trialing.id]
    assert client.v1.subscriptions.retrieve(subscriptions.trialing.id).status == "trialing"


def test_status_matches_every_status_exactly(
    client: stripe.StripeClient, subscriptions: Subscriptions
) -> None:
    assert _ids(client, 'status:"trialing"') == [subscriptions.trialing.id]
    assert _ids(client, 'status:"incomplete"') == [subscriptions.incomplete.id]
    # The list hides canceled subscriptions by default; search does not.
    assert _ids(client, 'status:"canceled"') == [subscriptions.canceled.id]
    assert _ids(client, 'status:"ACTIVE"') == []  # statuses are tokens: exact
    assert _ids(client, '-status:"canceled"') == subscriptions.newest_first()[1:]


def test_created_compares_as_unix_seconds(
    client: stripe.StripeClient, subscriptions: Subscriptions
) -> None:
    first, last = subscriptions.active.created, subscriptions.canceled.created

    assert _ids(client, f"created>={first}") == subscriptions.newest_first()
    assert _ids(client, f"created<{first}") == []
    assert _ids(client, f"created>{last}") == []
    assert _ids(client, f"created<={last}") == subscriptions.newest_first()


def test_metadata_matches_exactly_by_key(
    client: stripe.StripeClient, subscriptions: Subscriptions
) -> None:
    assert _ids(client, 'metadata["plan"]:"gold"') == [subscriptions.active.id]
    assert _ids(client, 'metadata["plan"]:"GOLD"') == []
    assert _ids(client, 'metadata["region"]:"apac"') == [subscriptions.active.id]
    assert _ids(client, 'metadata["plan"]:null') == [
        subscriptions.canceled.id,
        subscriptions.incomplete.id,
    ]
    assert _ids(client, '-metadata["plan"]:"gold"') == subscriptions.newest_first()[:3]


def test_and_or(client: stripe.StripeClient, subscriptions: Subscriptions) -> None:
    assert _ids(client, 'status:"trialing" AND metadata["plan"]:"silver"') == [
        subscriptions.trialing.id
    ]
    assert _ids(client, 'status:"active" AND metadata["plan"]:"silver"') == []
    assert _ids(client, 'status:"incomplete" OR metadata["plan"]:"gold"') == [
        subscriptions.incomplete.id,
        subscriptions.active.id,
    ]


def test_pages_follow_next_page_to_the_end(
    client: stripe.StripeClient, subscriptions: Subscriptions
) -> None:
    query = "created>0"
    first = _search(client, query, limit=3)
    second = _search(client, query, limit=3, page=first.next_page)

    assert [s.id for s in first.data] == subscriptions.newest_first()[:3]
    assert first.has_more is True
    assert [s.id for s in second.data] == subscriptions.newest_first()[3:]
    assert (second.has_more, second.next_page) == (False, None)
    walked = [s.id for s in _search(client, query, limit=1).auto_paging_iter()]
    assert walked == subscriptions.newest_first()


def test_total_count_only_when_expanded(
    client: stripe.StripeClient, subscriptions: Subscriptions
) -> None:
    counted = _search(client, '-status:"canceled"', limit=1, expand=["total_count"])

    assert counted.total_count == 3
    assert [s.id for s in counted.data] == [subscriptions.incomplete.id]


def test_results_expand_like_a_list(
    client: stripe.StripeClient, subscriptions: Subscriptions
) -> None:
    result = _search(client, 'status:"active"', expand=["data.customer", "data.latest_invoice"])

    found = result.data[0]
    assert found.customer.email == "paying@example.com"
    assert (found.latest_invoice.status, found.latest_invoice.total) == ("paid", 2000)


def test_subscriptions_of_other_accounts_are_not_found(
    client: stripe.StripeClient, subscriptions: Subscriptions, server: Any
) -> None:
    from seikyu.accounts import service as accounts
    from seikyu.app import build_database

    database = build_database(server.database_url, pool_size=1)
    try:
        with database.unit() as uow:
            other = accounts.create_account(uow, name="other")
            uow.session.flush()
            key = accounts.create_key(uow, other.id)
    finally:
        database.dispose()
    stranger = stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )

    assert _ids(stranger, "created>0") == []
    assert _ids(client, "created>0") == subscriptions.newest_first()


def _error_body(error: stripe.StripeError) -> dict[str, Any]:
    envelope: Any = error.json_body
    body: dict[str, Any] = envelope["error"]
    return body


BAD: list[tuple[str, dict[str, Any], str | None, str]] = [
    ("missing query", {}, "parameter_missing", "query"),
    ("empty query", {"query": ""}, "parameter_invalid_empty", "query"),
    ("query not a string", {"query": ["a", "b"]}, "parameter_invalid_string", "query"),
    ("syntax", {"query": 'status:"unterminated'}, None, "query"),
    ("unknown field", {"query": 'customer:"cus_1"'}, None, "query"),
    ("tilde on a token", {"query": 'status~"act"'}, None, "query"),
    ("range on a token", {"query": 'status>"a"'}, None, "query"),
    ("created not an integer", {"query": 'created>"yesterday"'}, None, "query"),
    ("created out of range", {"query": "created>99999999999999999999"}, None, "query"),
    ("metadata without key", {"query": 'metadata:"gold"'}, None, "query"),
    ("key on a plain field", {"query": 'status["x"]:"active"'}, None, "query"),
    ("mixed AND and OR", {"query": 'status:"a" AND status:"b" OR status:"c"'}, None, "query"),
    ("eleven clauses", {"query": " OR ".join(['status:"active"'] * 11)}, None, "query"),
    ("query too long", {"query": 'status:"' + "a" * 5001 + '"'},
     "parameter_invalid_string_too_long", "query"),
    ("bad page token", {"query": "created>0", "page": "not-a-token"}, None, "page"),
    ("limit 0", {"query": "created>0", "limit": 0}, "parameter_invalid_integer", "limit"),
    ("limit 101", {"query": "created>0", "limit": 101}, "parameter_invalid_integer", "limit"),
    ("limit not a number", {"query": "created>0", "limit": "ten"}, "parameter_invalid_integer",
     "limit"),
    ("unknown param", {"query": "created>0", "customer": "cus_1"}, "parameter_unknown",
     "customer"),
    ("a list cursor", {"query": "created>0", "starting_after": "sub_1"}, "parameter_unknown",
     "starting_after"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "params", "code", "param"), BAD, ids=[b[0] for b in BAD])
def test_bad_search_input_is_a_400_naming_the_param(
    client: stripe.StripeClient, name: str, params: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.subscriptions.search(params=params))  # type: ignore[arg-type]

    body = _error_body(error)
    assert (error.http_status, body.get("param")) == (400, param), body
    assert body.get("code") == code, body
    assert body["type"] == "invalid_request_error"
    assert body["message"]


def test_an_unknown_field_error_lists_the_searchable_fields(client: stripe.StripeClient) -> None:
    error = error_of(lambda: _search(client, 'customer:"cus_1"'))

    message = str(error.user_message)
    assert "'customer'" in message
    assert 'Searchable fields are: created, metadata["<key>"], status.' in message
