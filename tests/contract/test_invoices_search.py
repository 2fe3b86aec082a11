"""GET /v1/invoices/search through the official SDK: every searchable field, paging,
errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import stripe

from tests.support.billing import customer_with_card, invoice_of, item
from tests.support.errors import error_of


@dataclass(frozen=True)
class Invoices:
    """Four invoices, created oldest first, and their customers and subscription."""

    alpha: str  # customer with a card and a subscription
    bravo: str
    charlie: str
    subscription: str
    paid: Any  # the subscription's first invoice: 2000 usd, number ALPHA-0001
    draft: Any  # bravo's one-off draft: 500 + 700 usd, metadata order=7, no number
    open: Any  # charlie's 3000 jpy, sent by email, number CHARLIE-0001
    void: Any  # bravo's 900 usd, finalized as BRAVO-0001 then voided

    def newest_first(self) -> list[str]:
        return [self.void.id, self.open.id, self.draft.id, self.paid.id]


def _by_email(client: stripe.StripeClient, invoice_id: str) -> Any:
    params: Any = {"collection_method": "send_invoice", "days_until_due": 30}
    client.v1.invoices.update(invoice_id, params=params)
    return client.v1.invoices.finalize_invoice(invoice_id)


@pytest.fixture
def invoices(client: stripe.StripeClient) -> Invoices:
    alpha = customer_with_card(client, invoice_prefix="ALPHA", email="alpha@example.com").id
    bravo = client.v1.customers.create(params={"invoice_prefix": "BRAVO"}).id
    charlie = client.v1.customers.create(params={"invoice_prefix": "CHARLIE"}).id
    product = client.v1.products.create(params={"name": "Gold"})
    price = client.v1.prices.create(
        params={
            "product": product.id,
            "currency": "usd",
            "unit_amount": 2000,
            "recurring": {"interval": "month"},
        }
    )
    subscription = client.v1.subscriptions.create(
        params={"customer": alpha, "items": [{"price": price.id}], "expand": ["latest_invoice"]}
    )
    draft = invoice_of(client, bravo, 500, 700, metadata={"order": "7", "region": "apac"})
    item(client, charlie, 3000, currency="jpy")
    opened = client.v1.invoices.create(
        params={"customer": charlie, "currency": "jpy", "pending_invoice_items_behavior": "include"}
    )
    opened = _by_email(client, opened.id)
    voided = _by_email(client, invoice_of(client, bravo, 900, metadata={"order": "8"}).id)
    voided = client.v1.invoices.void_invoice(voided.id)
    return Invoices(
        alpha=alpha,
        bravo=bravo,
        charlie=charlie,
        subscription=subscription.id,
        paid=subscription.latest_invoice,
        draft=draft,
        open=opened,
        void=voided,
    )


def _search(client: stripe.StripeClient, query: str, **params: Any) -> Any:
    full: Any = {"query": query, **params}
    return client.v1.invoices.search(params=full)


def _ids(client: stripe.StripeClient, query: str) -> list[str]:
    return [invoice.id for invoice in _search(client, query).data]


def test_the_fixture_is_what_the_searches_assume(invoices: Invoices) -> None:
    shown = [invoices.paid, invoices.draft, invoices.open, invoices.void]

    assert [i.status for i in shown] == ["paid", "draft", "open", "void"]
    assert [i.total for i in shown] == [2000, 1200, 3000, 900]
    assert [i.currency for i in shown] == ["usd", "usd", "jpy", "usd"]
    assert [i.number for i in shown] == ["ALPHA-0001", None, "CHARLIE-0001", "BRAVO-0001"]


def test_the_result_is_a_search_result(client: stripe.StripeClient, invoices: Invoices) -> None:
    result = _search(client, 'status:"paid"')

    assert result.object == "search_result"
    assert result.url == "/v1/invoices/search"
    assert (result.has_more, result.next_page) == (False, None)
    assert "total_count" not in result.to_dict()
    assert [i.id for i in result.data] == [invoices.paid.id]
    found = result.data[0]
    assert (found.object, found.amount_paid) == ("invoice", 2000)
    assert found.lines.data[0].amount == 2000


def test_search_is_not_taken_for_an_invoice_id(
    client: stripe.StripeClient, invoices: Invoices
) -> None:
    assert _ids(client, 'status:"draft"') == [invoices.draft.id]
    assert client.v1.invoices.retrieve(invoices.draft.id).total == 1200


def test_status(client: stripe.StripeClient, invoices: Invoices) -> None:
    assert _ids(client, 'status:"draft"') == [invoices.draft.id]
    assert _ids(client, 'status:"open"') == [invoices.open.id]
    assert _ids(client, 'status:"void"') == [invoices.void.id]
    assert _ids(client, 'status:"PAID"') == []  # statuses are tokens: exact
    assert _ids(client, '-status:"draft"') == [invoices.void.id, invoices.open.id, invoices.paid.id]


def test_customer_and_subscription_match_their_ids(
    client: stripe.StripeClient, invoices: Invoices
) -> None:
    assert _ids(client, f'customer:"{invoices.bravo}"') == [invoices.void.id, invoices.draft.id]
    assert _ids(client, f'customer:"{invoices.charlie}"') == [invoices.open.id]
    assert _ids(client, 'customer:"cus_nobody"') == []
    assert _ids(client, f'subscription:"{invoices.subscription}"') == [invoices.paid.id]
    assert _ids(client, "subscription:null") == invoices.newest_first()[:3]
    assert _ids(client, f'-subscription:"{invoices.subscription}"') == invoices.newest_first()[:3]


def test_number_matches_without_case_and_by_substring(
    client: stripe.StripeClient, invoices: Invoices
) -> None:
    assert _ids(client, 'number:"BRAVO-0001"') == [invoices.void.id]
    assert _ids(client, 'number:"charlie-0001"') == [invoices.open.id]
    assert _ids(client, 'number~"LPH"') == [invoices.paid.id]
    assert _ids(client, 'number~"-0001"') == [invoices.void.id, invoices.open.id, invoices.paid.id]
    assert _ids(client, "number:null") == [invoices.draft.id]


def test_currency_ignores_case(client: stripe.StripeClient, invoices: Invoices) -> None:
    assert _ids(client, 'currency:"jpy"') == [invoices.open.id]
    assert _ids(client, 'currency:"USD"') == [invoices.void.id, invoices.draft.id, invoices.paid.id]


def test_total_compares_as_a_number(client: stripe.StripeClient, invoices: Invoices) -> None:
    assert _ids(client, "total:1200") == [invoices.draft.id]
    assert _ids(client, 'total:"900"') == [invoices.void.id]
    assert _ids(client, "total>1200") == [invoices.open.id, invoices.paid.id]
    assert _ids(client, "total>=1200") == [invoices.open.id, invoices.draft.id, invoices.paid.id]
    assert _ids(client, "total<1200") == [invoices.void.id]
    assert _ids(client, "total<=1200") == [invoices.void.id, invoices.draft.id]


def test_created_compares_as_unix_seconds(client: stripe.StripeClient, invoices: Invoices) -> None:
    first, last = invoices.paid.created, invoices.void.created

    assert _ids(client, f"created>={first}") == invoices.newest_first()
    assert _ids(client, f"created<{first}") == []
    assert _ids(client, f"created>{last}") == []


def test_metadata_matches_exactly_by_key(client: stripe.StripeClient, invoices: Invoices) -> None:
    assert _ids(client, 'metadata["order"]:"7"') == [invoices.draft.id]
    assert _ids(client, 'metadata["order"]:"8"') == [invoices.void.id]
    assert _ids(client, 'metadata["region"]:"APAC"') == []
    assert _ids(client, 'metadata["order"]:null') == [invoices.open.id, invoices.paid.id]


def test_no_invoice_has_a_receipt_number(client: stripe.StripeClient, invoices: Invoices) -> None:
    assert _ids(client, "receipt_number:null") == invoices.newest_first()
    assert _ids(client, 'receipt_number:"1234-5678"') == []
    assert _ids(client, 'receipt_number~"123"') == []
    assert _ids(client, '-receipt_number:"1234-5678"') == invoices.newest_first()


def test_a_deleted_draft_is_not_found(client: stripe.StripeClient, invoices: Invoices) -> None:
    gone = invoice_of(client, invoices.bravo, 4000)
    assert _ids(client, "total:4000") == [gone.id]

    client.v1.invoices.delete(gone.id)

    assert _ids(client, "total:4000") == []
    assert _ids(client, "created>0") == invoices.newest_first()


def test_and_or(client: stripe.StripeClient, invoices: Invoices) -> None:
    assert _ids(client, f'customer:"{invoices.bravo}" AND status:"void"') == [invoices.void.id]
    assert _ids(client, 'currency:"usd" AND total>1000') == [invoices.draft.id, invoices.paid.id]
    assert _ids(client, 'status:"open" OR metadata["order"]:"7"') == [
        invoices.open.id,
        invoices.draft.id,
    ]


def test_pages_follow_next_page_to_the_end(client: stripe.StripeClient, invoices: Invoices) -> None:
    query = "total>0"
    first = _search(client, query, limit=3)
    second = _search(client, query, limit=3, page=first.next_page)

    assert [i.id for i in first.data] == invoices.newest_first()[:3]
    assert first.has_more is True
    assert [i.id for i in second.data] == invoices.newest_first()[3:]
    assert (second.has_more, second.next_page) == (False, None)
    walked = [i.id for i in _search(client, query, limit=1).auto_paging_iter()]
    assert walked == invoices.newest_first()


def test_total_count_only_when_expanded(client: stripe.StripeClient, invoices: Invoices) -> None:
    counted = _search(client, 'currency:"usd"', limit=1, expand=["total_count"])

    assert counted.total_count == 3
    assert [i.id for i in counted.data] == [invoices.void.id]


def test_results_expand_like_a_list(client: stripe.StripeClient, invoices: Invoices) -> None:
    result = _search(client, 'status:"paid"', expand=["data.customer"])

    assert result.data[0].customer.id == invoices.alpha
    assert result.data[0].customer.email == "alpha@example.com"


def test_invoices_of_other_accounts_are_not_found(
    client: stripe.StripeClient, invoices: Invoices, server: Any
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

    assert _ids(stranger, "total>0") == []
    assert _ids(stranger, f'customer:"{invoices.bravo}"') == []
    assert _ids(client, "total>0") == invoices.newest_first()


def _error_body(error: stripe.StripeError) -> dict[str, Any]:
    envelope: Any = error.json_body
    body: dict[str, Any] = envelope["error"]
    return body


BAD: list[tuple[str, dict[str, Any], str | None, str]] = [
    ("missing query", {}, "parameter_missing", "query"),
    ("empty query", {"query": ""}, "parameter_invalid_empty", "query"),
    ("query not a string", {"query": ["a", "b"]}, "parameter_invalid_string", "query"),
    ("syntax", {"query": 'status:"unterminated'}, None, "query"),
    ("unknown field", {"query": 'email:"a@b.c"'}, None, "query"),
    ("tilde on a token", {"query": 'status~"dra"'}, None, "query"),
    ("tilde on an id", {"query": 'customer~"cus"'}, None, "query"),
    ("range on a string", {"query": 'number>"A"'}, None, "query"),
    ("short substring", {"query": 'number~"AB"'}, None, "query"),
    ("non-integer total", {"query": 'total>"lots"'}, None, "query"),
    ("decimal total", {"query": "total>10.5"}, None, "query"),
    ("total out of range", {"query": "total>9223372036854775808"}, None, "query"),
    ("null with a range", {"query": "total>null"}, None, "query"),
    ("metadata without key", {"query": 'metadata:"7"'}, None, "query"),
    ("key on a plain field", {"query": 'status["x"]:"draft"'}, None, "query"),
    ("mixed AND and OR", {"query": 'total:1 AND status:"draft" OR currency:"usd"'}, None,
     "query"),
    ("lowercase or", {"query": 'total:1 or status:"draft"'}, None, "query"),
    ("query too long", {"query": 'number:"' + "a" * 5001 + '"'},
     "parameter_invalid_string_too_long", "query"),
    ("bad page token", {"query": "total>0", "page": "not-a-token"}, None, "page"),
    ("limit 0", {"query": "total>0", "limit": 0}, "parameter_invalid_integer", "limit"),
    ("limit 101", {"query": "total>0", "limit": 101}, "parameter_invalid_integer", "limit"),
    ("limit not a number", {"query": "total>0", "limit": "ten"}, "parameter_invalid_integer",
     "limit"),
    ("unknown param", {"query": "total>0", "customer": "cus_1"}, "parameter_unknown",
     "customer"),
    ("a list cursor", {"query": "total>0", "starting_after": "in_1"}, "parameter_unknown",
     "starting_after"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "params", "code", "param"), BAD, ids=[b[0] for b in BAD])
def test_bad_search_input_is_a_400_naming_the_param(
    client: stripe.StripeClient, name: str, params: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.invoices.search(params=params))  # type: ignore[arg-type]

    body = _error_body(error)
    assert (error.http_status, body.get("param")) == (400, param), body
    assert body.get("code") == code, body
    assert body["type"] == "invalid_request_error"
    assert body["message"]


def test_an_unknown_field_error_lists_the_searchable_fields(client: stripe.StripeClient) -> None:
    error = error_of(lambda: _search(client, 'email:"a@b.c"'))

    message = str(error.user_message)
    assert "'email'" in message
    assert (
        'Searchable fields are: created, currency, customer, metadata["<key>"], number, '
        "receipt_number, status, subscription, total." in message
    )
