"""GET /v1/customers/search through the official SDK: Stripe's query language and paging."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from tests.support.errors import assert_error, error_of


def _ids(result: Any) -> list[str]:
    return [customer.id for customer in result.data]


def _search(client: stripe.StripeClient, query: str, **params: Any) -> Any:
    return client.v1.customers.search(params={"query": query, **params})


@pytest.fixture
def people(client: stripe.StripeClient) -> dict[str, stripe.Customer]:
    """Three customers, created oldest first."""
    return {
        "hanako": client.v1.customers.create(
            params={
                "email": "Hanako@Example.jp",
                "name": "Yamada Hanako",
                "phone": "+81 3 1234 5678",
                "metadata": {"plan": "pro", "region": "apac"},
            }
        ),
        "taro": client.v1.customers.create(
            params={
                "email": "taro@example.jp",
                "name": "Suzuki Taro",
                "metadata": {"plan": "free"},
            }
        ),
        "jenny": client.v1.customers.create(
            params={"email": "jenny@example.com", "name": "Jenny Rosen"}
        ),
    }


def test_the_result_is_a_search_result(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    result = _search(client, 'email:"jenny@example.com"')

    assert result.object == "search_result"
    assert result.url == "/v1/customers/search"
    assert result.has_more is False
    assert result.next_page is None
    assert "total_count" not in result.to_dict()
    assert _ids(result) == [people["jenny"].id]


def test_email_matches_exactly_but_ignoring_case(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    assert _ids(_search(client, 'email:"hanako@example.jp"')) == [people["hanako"].id]
    assert _ids(_search(client, 'email:"hanako@example"')) == []


def test_substring_match_with_tilde(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    assert _ids(_search(client, 'email~"example.jp"')) == [people["taro"].id, people["hanako"].id]
    assert _ids(_search(client, 'name~"rosen"')) == [people["jenny"].id]
    assert _ids(_search(client, 'phone~"1234"')) == [people["hanako"].id]


def test_metadata_matches_by_key(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    assert _ids(_search(client, 'metadata["plan"]:"pro"')) == [people["hanako"].id]
    assert _ids(_search(client, 'metadata["region"]:"apac"')) == [people["hanako"].id]
    assert _ids(_search(client, 'metadata["plan"]:"PRO"')) == []  # metadata is exact


def test_and_or_and_negation(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    both = _search(client, 'email~"example.jp" AND metadata["plan"]:"free"')
    either = _search(client, 'name:"Jenny Rosen" OR name:"Suzuki Taro"')
    # A negated clause also matches customers without the key, as on Stripe.
    not_pro = _search(client, '-metadata["plan"]:"pro"')

    assert _ids(both) == [people["taro"].id]
    assert _ids(either) == [people["jenny"].id, people["taro"].id]
    assert _ids(not_pro) == [people["jenny"].id, people["taro"].id]


def test_null_finds_customers_without_the_field(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    assert _ids(_search(client, "phone:null")) == [people["jenny"].id, people["taro"].id]
    assert _ids(_search(client, "-phone:null")) == [people["hanako"].id]


def test_created_compares_as_unix_seconds(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    first = people["hanako"].created
    everyone = _search(client, f"created>={first}")
    before = _search(client, f"created<{first}")

    assert len(everyone.data) == 3
    assert before.data == []


def test_deleted_customers_are_not_found(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    client.v1.customers.delete(people["jenny"].id)

    assert _ids(_search(client, 'name~"rosen"')) == []


def test_customers_of_other_accounts_are_not_found(
    client: stripe.StripeClient, people: dict[str, stripe.Customer], server: Any
) -> None:
    # A second account's key sees its own (empty) customer base, not this one.
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

    assert _ids(_search(stranger, 'email~"example"')) == []


def test_pages_follow_next_page_to_the_end(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    query = 'email~"example"'
    first = _search(client, query, limit=2)
    second = _search(client, query, limit=2, page=first.next_page)

    assert _ids(first) == [people["jenny"].id, people["taro"].id]
    assert first.has_more is True
    assert isinstance(first.next_page, str)
    assert _ids(second) == [people["hanako"].id]
    assert second.has_more is False
    assert second.next_page is None
    assert [c.id for c in _search(client, query, limit=1).auto_paging_iter()] == [
        people["jenny"].id,
        people["taro"].id,
        people["hanako"].id,
    ]


def test_total_count_only_when_expanded(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    counted = _search(client, 'email~"example"', limit=1, expand=["total_count"])

    assert counted.total_count == 3
    assert len(counted.data) == 1


def test_results_expand_like_a_list(
    client: stripe.StripeClient, people: dict[str, stripe.Customer]
) -> None:
    client.v1.customers.tax_ids.create(
        people["jenny"].id, params={"type": "us_ein", "value": "12-3456789"}
    )

    result = _search(client, 'name~"rosen"', expand=["data.tax_ids"])

    assert [t.value for t in result.data[0].tax_ids.data] == ["12-3456789"]


BAD: list[tuple[str, dict[str, Any], str | None, str]] = [
    ("missing query", {}, "parameter_missing", "query"),
    ("empty query", {"query": ""}, None, "query"),
    ("syntax", {"query": 'email:"unterminated'}, None, "query"),
    ("unknown field", {"query": 'nickname:"x"'}, None, "query"),
    ("tilde on created", {"query": 'created~"123"'}, None, "query"),
    ("range on email", {"query": 'email>"a"'}, None, "query"),
    ("short substring", {"query": 'email~"ab"'}, None, "query"),
    ("mixed AND and OR", {"query": 'name:"a" AND email:"b" OR phone:"c"'}, None, "query"),
    ("metadata without key", {"query": 'metadata:"x"'}, None, "query"),
    ("non-integer created", {"query": 'created>"soon"'}, None, "query"),
    ("query too long", {"query": "email:" + '"' + "a" * 5001 + '"'}, None, "query"),
    ("bad page token", {"query": 'email:"a@b.c"', "page": "not-a-token"}, None, "page"),
    ("limit 0", {"query": 'email:"a@b.c"', "limit": 0}, "parameter_invalid_integer", "limit"),
    ("limit 101", {"query": 'email:"a@b.c"', "limit": 101}, "parameter_invalid_integer", "limit"),
    ("unknown param", {"query": 'email:"a@b.c"', "email": "x"}, "parameter_unknown", "email"),
    (
        "a list filter",
        {"query": 'email:"a@b.c"', "starting_after": "cus_1"},
        "parameter_unknown",
        "starting_after",
    ),
]


@pytest.mark.parametrize(("name", "params", "code", "param"), BAD, ids=[b[0] for b in BAD])
def test_bad_search_input_is_a_400_naming_the_param(
    client: stripe.StripeClient, name: str, params: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.customers.search(params=params))

    body = (error.json_body or {})["error"]
    assert (error.http_status, body.get("param")) == (400, param), body
    if code is not None:
        assert body.get("code") == code, body
    assert body["type"] == "invalid_request_error"
    assert body["message"]


def test_a_query_error_says_what_is_wrong(client: stripe.StripeClient) -> None:
    error = error_of(lambda: _search(client, 'nickname:"x"'))

    assert_error(error, code=None, param="query")
    assert "nickname" in str(error.user_message)
    assert "email" in str(error.user_message)  # the searchable fields are listed
