"""GET /v1/payment_intents/search through the official SDK: every searchable field, paging,
errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import stripe

from tests.support.errors import error_of


@dataclass(frozen=True)
class Intents:
    """Four payment intents in four statuses, created oldest first."""

    customer: stripe.Customer
    draft: stripe.PaymentIntent  # requires_payment_method, 1000 jpy, metadata plan=pro
    paid: stripe.PaymentIntent  # succeeded, 2000 usd, the customer's
    held: stripe.PaymentIntent  # requires_capture, 5000 usd, the customer's
    canceled: stripe.PaymentIntent  # canceled, 700 jpy, metadata plan=free

    def newest_first(self) -> list[str]:
        return [self.canceled.id, self.held.id, self.paid.id, self.draft.id]


@pytest.fixture
def intents(client: stripe.StripeClient) -> Intents:
    create = client.v1.payment_intents.create
    customer = client.v1.customers.create(params={"name": "Suzuki Taro"})
    draft = create(params={"amount": 1000, "currency": "jpy", "metadata": {"plan": "pro"}})
    paid = create(
        params={
            "amount": 2000,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    held = create(
        params={
            "amount": 5000,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": "pm_card_visa",
            "confirm": True,
            "capture_method": "manual",
        }
    )
    canceled = client.v1.payment_intents.cancel(
        create(params={"amount": 700, "currency": "jpy", "metadata": {"plan": "free"}}).id
    )
    return Intents(customer, draft, paid, held, canceled)


def _search(client: stripe.StripeClient, query: str, **params: Any) -> Any:
    full: Any = {"query": query, **params}
    return client.v1.payment_intents.search(params=full)


def _ids(client: stripe.StripeClient, query: str) -> list[str]:
    return [intent.id for intent in _search(client, query).data]


def test_the_fixture_is_what_the_searches_assume(intents: Intents) -> None:
    assert [intents.draft.status, intents.paid.status, intents.held.status] == [
        "requires_payment_method",
        "succeeded",
        "requires_capture",
    ]
    assert intents.canceled.status == "canceled"


def test_the_result_is_a_search_result(client: stripe.StripeClient, intents: Intents) -> None:
    result = _search(client, 'status:"succeeded"')

    assert result.object == "search_result"
    assert result.url == "/v1/payment_intents/search"
    assert (result.has_more, result.next_page) == (False, None)
    assert "total_count" not in result.to_dict()
    assert [i.id for i in result.data] == [intents.paid.id]
    assert (result.data[0].object, result.data[0].amount_received) == ("payment_intent", 2000)


def test_amount_compares_as_a_number(client: stripe.StripeClient, intents: Intents) -> None:
    assert _ids(client, "amount:2000") == [intents.paid.id]
    assert _ids(client, "amount>1000") == [intents.held.id, intents.paid.id]
    assert _ids(client, "amount>=1000") == [intents.held.id, intents.paid.id, intents.draft.id]
    assert _ids(client, "amount<1000") == [intents.canceled.id]
    assert _ids(client, "amount<=700") == [intents.canceled.id]


def test_created_compares_as_unix_seconds(client: stripe.StripeClient, intents: Intents) -> None:
    assert _ids(client, f"created>={intents.draft.created}") == intents.newest_first()
    assert _ids(client, f"created<{intents.draft.created}") == []
    assert _ids(client, f"created>{intents.canceled.created}") == []


def test_currency_ignores_case(client: stripe.StripeClient, intents: Intents) -> None:
    assert _ids(client, 'currency:"jpy"') == [intents.canceled.id, intents.draft.id]
    assert _ids(client, 'currency:"USD"') == [intents.held.id, intents.paid.id]


def test_customer_matches_its_id(client: stripe.StripeClient, intents: Intents) -> None:
    assert _ids(client, f'customer:"{intents.customer.id}"') == [intents.held.id, intents.paid.id]
    assert _ids(client, "customer:null") == [intents.canceled.id, intents.draft.id]
    assert _ids(client, 'customer:"cus_nobody"') == []


def test_status_matches_exactly(client: stripe.StripeClient, intents: Intents) -> None:
    assert _ids(client, 'status:"requires_payment_method"') == [intents.draft.id]
    assert _ids(client, 'status:"requires_capture"') == [intents.held.id]
    assert _ids(client, 'status:"canceled"') == [intents.canceled.id]
    assert _ids(client, 'status:"Canceled"') == []


def test_metadata_matches_exactly_by_key(client: stripe.StripeClient, intents: Intents) -> None:
    assert _ids(client, 'metadata["plan"]:"pro"') == [intents.draft.id]
    assert _ids(client, 'metadata["plan"]:"PRO"') == []
    assert _ids(client, 'metadata["plan"]:null') == [intents.held.id, intents.paid.id]


def test_negation_includes_intents_without_the_field(
    client: stripe.StripeClient, intents: Intents
) -> None:
    assert _ids(client, '-status:"succeeded"') == [
        intents.canceled.id,
        intents.held.id,
        intents.draft.id,
    ]
    assert _ids(client, '-metadata["plan"]:"pro"') == [
        intents.canceled.id,
        intents.held.id,
        intents.paid.id,
    ]
    assert _ids(client, f'-customer:"{intents.customer.id}"') == [
        intents.canceled.id,
        intents.draft.id,
    ]
    assert _ids(client, "-amount>1000") == [intents.canceled.id, intents.draft.id]


def test_and_or(client: stripe.StripeClient, intents: Intents) -> None:
    assert _ids(client, 'currency:"usd" AND amount<3000') == [intents.paid.id]
    assert _ids(client, 'status:"canceled" OR metadata["plan"]:"pro"') == [
        intents.canceled.id,
        intents.draft.id,
    ]
    assert _ids(client, 'currency:"usd" AND status:"canceled"') == []


def test_pages_follow_next_page_to_the_end(client: stripe.StripeClient, intents: Intents) -> None:
    first = _search(client, "amount>0", limit=2)
    second = _search(client, "amount>0", limit=2, page=first.next_page)

    assert [i.id for i in first.data] == intents.newest_first()[:2]
    assert first.has_more is True
    assert [i.id for i in second.data] == intents.newest_first()[2:]
    assert (second.has_more, second.next_page) == (False, None)
    walked = [i.id for i in _search(client, "amount>0", limit=3).auto_paging_iter()]
    assert walked == intents.newest_first()


def test_total_count_only_when_expanded(client: stripe.StripeClient, intents: Intents) -> None:
    counted = _search(client, 'currency:"usd"', limit=1, expand=["total_count"])

    assert counted.total_count == 2
    assert [i.id for i in counted.data] == [intents.held.id]


def test_results_expand_like_a_list(client: stripe.StripeClient, intents: Intents) -> None:
    result = _search(client, 'status:"succeeded"', expand=["data.customer", "data.latest_charge"])

    intent = result.data[0]
    assert intent.customer.name == "Suzuki Taro"
    assert (intent.latest_charge.object, intent.latest_charge.amount) == ("charge", 2000)


def test_intents_of_other_accounts_are_not_found(
    client: stripe.StripeClient, intents: Intents, server: Any
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

    assert _ids(stranger, "amount>0") == []
    assert _ids(stranger, 'status:"succeeded"') == []
    assert _ids(client, "amount>0") == intents.newest_first()


BAD: list[tuple[str, dict[str, Any], str | None, str]] = [
    ("missing query", {}, "parameter_missing", "query"),
    ("empty query", {"query": ""}, "parameter_invalid_empty", "query"),
    ("syntax", {"query": 'status:"unterminated'}, None, "query"),
    ("unknown field", {"query": 'description:"x"'}, None, "query"),
    ("a charge-only field", {"query": 'refunded:"true"'}, None, "query"),
    ("tilde on a token", {"query": 'status~"succ"'}, None, "query"),
    ("range on a token", {"query": 'customer>"cus_a"'}, None, "query"),
    ("non-integer amount", {"query": 'amount>"lots"'}, None, "query"),
    ("amount past 64 bits", {"query": "amount>99999999999999999999"}, None, "query"),
    ("null with a range", {"query": "amount>null"}, None, "query"),
    ("metadata without key", {"query": 'metadata:"pro"'}, None, "query"),
    ("mixed AND and OR", {"query": 'amount:1 AND status:"x" OR currency:"usd"'}, None, "query"),
    ("eleven clauses", {"query": " OR ".join(["amount:1"] * 11)}, None, "query"),
    ("bad page token", {"query": "amount>0", "page": "not-a-token"}, None, "page"),
    ("limit 0", {"query": "amount>0", "limit": 0}, "parameter_invalid_integer", "limit"),
    ("limit 101", {"query": "amount>0", "limit": 101}, "parameter_invalid_integer", "limit"),
    ("unknown param", {"query": "amount>0", "status": "succeeded"}, "parameter_unknown",
     "status"),
    ("a list filter", {"query": "amount>0", "created": 1}, "parameter_unknown", "created"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "params", "code", "param"), BAD, ids=[b[0] for b in BAD])
def test_bad_search_input_is_a_400_naming_the_param(
    client: stripe.StripeClient, name: str, params: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.payment_intents.search(params=params))  # type: ignore[arg-type]

    envelope: Any = error.json_body
    body = envelope["error"]
    assert (error.http_status, body.get("param")) == (400, param), body
    assert body.get("code") == code, body
    assert body["type"] == "invalid_request_error"
    assert body["message"]


def test_an_unknown_field_error_lists_the_searchable_fields(client: stripe.StripeClient) -> None:
    error = error_of(lambda: _search(client, 'description:"x"'))

    assert str(error.user_message).endswith(
        'Searchable fields are: amount, created, currency, customer, metadata["<key>"], status.'
    )
