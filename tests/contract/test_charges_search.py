"""GET /v1/charges/search through the official SDK: every searchable field, paging, errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import stripe

from tests.support.errors import error_of


@dataclass(frozen=True)
class Charges:
    """Four charges, created oldest first, and the customer of the first."""

    customer: stripe.Customer
    visa: stripe.Charge  # captured, 2000 usd, the customer's, metadata, postal code
    held: stripe.Charge  # authorized only, 5000 jpy, a Mastercard
    released: stripe.Charge  # authorized then canceled: fully refunded, same Mastercard
    declined: stripe.Charge  # failed, 1500 usd

    def newest_first(self) -> list[str]:
        return [self.declined.id, self.released.id, self.held.id, self.visa.id]


def _card(
    client: stripe.StripeClient, number: str, exp_month: int, exp_year: int, **extra: Any
) -> str:
    params: dict[str, Any] = {
        "type": "card",
        "card": {"number": number, "exp_month": exp_month, "exp_year": exp_year},
        **extra,
    }
    return client.v1.payment_methods.create(params=params).id  # type: ignore[arg-type]


def _pay(client: stripe.StripeClient, payment_method: str, **params: Any) -> Any:
    full: Any = {"payment_method": payment_method, "confirm": True, **params}
    return client.v1.payment_intents.create(params=full)


@pytest.fixture
def charges(client: stripe.StripeClient) -> Charges:
    customer = client.v1.customers.create(params={"name": "Yamada Hanako"})
    visa_card = _card(
        client,
        "4242424242424242",
        12,
        2034,
        billing_details={"address": {"postal_code": "SW1A 1AA"}},
    )
    visa = _pay(
        client,
        visa_card,
        amount=2000,
        currency="usd",
        customer=customer.id,
        metadata={"order": "7", "region": "apac"},
    )
    held = _pay(
        client,
        _card(client, "5555555555554444", 1, 2030),
        amount=5000,
        currency="jpy",
        capture_method="manual",
    )
    released = _pay(
        client,
        _card(client, "5555555555554444", 1, 2030),
        amount=3000,
        currency="jpy",
        capture_method="manual",
        metadata={"order": "8"},
    )
    client.v1.payment_intents.cancel(released.id)
    failure = error_of(lambda: _pay(client, "pm_card_chargeDeclined", amount=1500, currency="usd"))
    body: Any = failure.json_body
    declined_id = body["error"]["charge"]
    retrieve = client.v1.charges.retrieve
    return Charges(
        customer=customer,
        visa=retrieve(visa.latest_charge),
        held=retrieve(held.latest_charge),
        released=retrieve(released.latest_charge),
        declined=retrieve(declined_id),
    )


def _search(client: stripe.StripeClient, query: str, **params: Any) -> Any:
    full: Any = {"query": query, **params}
    return client.v1.charges.search(params=full)


def _fingerprint(charge: Any) -> str:
    return str(charge.payment_method_details.card.fingerprint)


def _ids(client: stripe.StripeClient, query: str) -> list[str]:
    return [charge.id for charge in _search(client, query).data]


def test_the_fixture_is_what_the_searches_assume(charges: Charges) -> None:
    assert (charges.visa.status, charges.visa.captured, charges.visa.refunded) == (
        "succeeded",
        True,
        False,
    )
    assert (charges.held.captured, charges.held.refunded) == (False, False)
    assert (charges.released.captured, charges.released.refunded) == (False, True)
    assert (charges.declined.status, charges.declined.refunded) == ("failed", False)
    assert _fingerprint(charges.held) == _fingerprint(charges.released)
    assert _fingerprint(charges.held) != _fingerprint(charges.visa)


def test_the_result_is_a_search_result(client: stripe.StripeClient, charges: Charges) -> None:
    result = _search(client, "amount:2000")

    assert result.object == "search_result"
    assert result.url == "/v1/charges/search"
    assert (result.has_more, result.next_page) == (False, None)
    assert "total_count" not in result.to_dict()
    assert [c.id for c in result.data] == [charges.visa.id]
    assert result.data[0].object == "charge"
    assert result.data[0].amount == 2000


def test_amount_compares_as_a_number(client: stripe.StripeClient, charges: Charges) -> None:
    assert _ids(client, "amount:5000") == [charges.held.id]
    assert _ids(client, 'amount:"5000"') == [charges.held.id]
    assert _ids(client, "amount>2000") == [charges.released.id, charges.held.id]
    assert _ids(client, "amount>=2000") == [charges.released.id, charges.held.id, charges.visa.id]
    assert _ids(client, "amount<2000") == [charges.declined.id]
    assert _ids(client, "amount<=1500") == [charges.declined.id]


def test_created_compares_as_unix_seconds(client: stripe.StripeClient, charges: Charges) -> None:
    first = charges.visa.created

    assert _ids(client, f"created>={first}") == charges.newest_first()
    assert _ids(client, f"created<{first}") == []
    assert _ids(client, f"created>{charges.declined.created}") == []


def test_currency_ignores_case(client: stripe.StripeClient, charges: Charges) -> None:
    assert _ids(client, 'currency:"jpy"') == [charges.released.id, charges.held.id]
    assert _ids(client, 'currency:"USD"') == [charges.declined.id, charges.visa.id]


def test_customer_matches_its_id(client: stripe.StripeClient, charges: Charges) -> None:
    assert _ids(client, f'customer:"{charges.customer.id}"') == [charges.visa.id]
    assert _ids(client, "customer:null") == [
        charges.declined.id,
        charges.released.id,
        charges.held.id,
    ]
    assert _ids(client, 'customer:"cus_nobody"') == []


def test_status(client: stripe.StripeClient, charges: Charges) -> None:
    assert _ids(client, 'status:"failed"') == [charges.declined.id]
    assert _ids(client, 'status:"succeeded"') == [
        charges.released.id,
        charges.held.id,
        charges.visa.id,
    ]
    assert _ids(client, 'status:"SUCCEEDED"') == []  # statuses are tokens: exact


def test_refunded_means_fully_refunded(client: stripe.StripeClient, charges: Charges) -> None:
    assert _ids(client, 'refunded:"true"') == [charges.released.id]
    assert _ids(client, 'refunded:"false"') == [
        charges.declined.id,
        charges.held.id,
        charges.visa.id,
    ]
    assert _ids(client, '-refunded:"true"') == _ids(client, 'refunded:"false"')


def test_charges_without_a_dispute_are_not_disputed(
    client: stripe.StripeClient, charges: Charges
) -> None:
    assert _ids(client, 'disputed:"true"') == []
    assert _ids(client, 'disputed:"false"') == charges.newest_first()
    assert _ids(client, '-disputed:"true"') == charges.newest_first()


def test_disputed_matches_the_charges_with_a_dispute(client: stripe.StripeClient) -> None:
    paid = _pay(client, "pm_card_visa", amount=1000, currency="usd")
    disputed = _pay(client, "pm_card_createDispute", amount=1000, currency="usd")

    assert _ids(client, 'disputed:"true"') == [disputed.latest_charge]
    assert _ids(client, 'disputed:"false"') == [paid.latest_charge]


def test_metadata_matches_exactly_by_key(client: stripe.StripeClient, charges: Charges) -> None:
    assert _ids(client, 'metadata["order"]:"7"') == [charges.visa.id]
    assert _ids(client, 'metadata["region"]:"apac"') == [charges.visa.id]
    assert _ids(client, 'metadata["region"]:"APAC"') == []
    assert _ids(client, 'metadata["order"]:null') == [charges.declined.id, charges.held.id]


def test_billing_postal_code(client: stripe.StripeClient, charges: Charges) -> None:
    assert _ids(client, 'billing_details.address.postal_code:"SW1A 1AA"') == [charges.visa.id]
    assert _ids(client, 'billing_details.address.postal_code:"sw1a 1aa"') == [charges.visa.id]
    assert _ids(client, 'billing_details.address.postal_code~"SW1A"') == [charges.visa.id]
    assert _ids(client, "billing_details.address.postal_code:null") == [
        charges.declined.id,
        charges.released.id,
        charges.held.id,
    ]


def test_card_brand_and_last4(client: stripe.StripeClient, charges: Charges) -> None:
    mastercards = [charges.released.id, charges.held.id]

    assert _ids(client, 'payment_method_details.card.brand:"mastercard"') == mastercards
    assert _ids(client, 'payment_method_details.card.last4:"4444"') == mastercards
    assert _ids(client, 'payment_method_details.card.last4:"4242"') == [charges.visa.id]
    assert _ids(client, 'payment_method_details.card.brand:"visa"') == [
        charges.declined.id,
        charges.visa.id,
    ]


def test_card_expiry_compares_as_numbers(client: stripe.StripeClient, charges: Charges) -> None:
    assert _ids(client, "payment_method_details.card.exp_month:12") == [charges.visa.id]
    assert _ids(client, 'payment_method_details.card.exp_month:"1"') == [
        charges.released.id,
        charges.held.id,
    ]
    assert _ids(client, "payment_method_details.card.exp_year:2030") == [
        charges.released.id,
        charges.held.id,
    ]
    assert _ids(client, "payment_method_details.card.exp_year>=2034") == [charges.visa.id]


def test_card_fingerprint_finds_every_charge_of_a_card(
    client: stripe.StripeClient, charges: Charges
) -> None:
    fingerprint = _fingerprint(charges.held)

    assert _ids(client, f'payment_method_details.card.fingerprint:"{fingerprint}"') == [
        charges.released.id,
        charges.held.id,
    ]


def test_negation_includes_charges_without_the_field(
    client: stripe.StripeClient, charges: Charges
) -> None:
    assert _ids(client, '-currency:"jpy"') == [charges.declined.id, charges.visa.id]
    assert _ids(client, f'-customer:"{charges.customer.id}"') == [
        charges.declined.id,
        charges.released.id,
        charges.held.id,
    ]
    assert _ids(client, '-metadata["order"]:"7"') == [
        charges.declined.id,
        charges.released.id,
        charges.held.id,
    ]


def test_and_or(client: stripe.StripeClient, charges: Charges) -> None:
    assert _ids(client, 'currency:"jpy" AND refunded:"false"') == [charges.held.id]
    assert _ids(client, 'status:"failed" OR metadata["order"]:"7"') == [
        charges.declined.id,
        charges.visa.id,
    ]
    assert _ids(client, 'currency:"usd" AND amount>1500') == [charges.visa.id]


def test_pages_follow_next_page_to_the_end(client: stripe.StripeClient, charges: Charges) -> None:
    query = "amount>0"
    first = _search(client, query, limit=3)
    second = _search(client, query, limit=3, page=first.next_page)

    assert [c.id for c in first.data] == charges.newest_first()[:3]
    assert first.has_more is True
    assert isinstance(first.next_page, str)
    assert [c.id for c in second.data] == charges.newest_first()[3:]
    assert (second.has_more, second.next_page) == (False, None)
    walked = [c.id for c in _search(client, query, limit=1).auto_paging_iter()]
    assert walked == charges.newest_first()


def test_total_count_only_when_expanded(client: stripe.StripeClient, charges: Charges) -> None:
    counted = _search(client, 'currency:"jpy"', limit=1, expand=["total_count"])

    assert counted.total_count == 2
    assert [c.id for c in counted.data] == [charges.released.id]


def test_results_expand_like_a_list(client: stripe.StripeClient, charges: Charges) -> None:
    result = _search(client, 'metadata["order"]:"7"', expand=["data.customer"])

    assert result.data[0].customer.id == charges.customer.id
    assert result.data[0].customer.name == "Yamada Hanako"


def test_charges_of_other_accounts_are_not_found(
    client: stripe.StripeClient, charges: Charges, server: Any
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
    assert _ids(stranger, f'customer:"{charges.customer.id}"') == []
    assert _ids(client, "amount>0") == charges.newest_first()


def _error_body(error: stripe.StripeError) -> dict[str, Any]:
    envelope: Any = error.json_body
    body: dict[str, Any] = envelope["error"]
    return body


BAD: list[tuple[str, dict[str, Any], str | None, str]] = [
    ("missing query", {}, "parameter_missing", "query"),
    ("empty query", {"query": ""}, "parameter_invalid_empty", "query"),
    ("syntax", {"query": 'status:"unterminated'}, None, "query"),
    ("unknown field", {"query": 'email:"a@b.c"'}, None, "query"),
    ("unknown card field", {"query": 'payment_method_details.card.country:"US"'}, None, "query"),
    ("tilde on a token", {"query": 'status~"succ"'}, None, "query"),
    ("range on a token", {"query": 'status>"a"'}, None, "query"),
    ("non-integer amount", {"query": 'amount>"lots"'}, None, "query"),
    ("decimal amount", {"query": "amount>10.5"}, None, "query"),
    ("non-integer exp_month", {"query": 'payment_method_details.card.exp_month:"May"'}, None,
     "query"),
    ("refunded not a boolean", {"query": 'refunded:"yes"'}, None, "query"),
    ("metadata without key", {"query": 'metadata:"7"'}, None, "query"),
    ("key on a plain field", {"query": 'status["x"]:"failed"'}, None, "query"),
    ("mixed AND and OR", {"query": 'amount:1 AND status:"failed" OR currency:"usd"'}, None,
     "query"),
    ("lowercase and", {"query": 'amount:1 and status:"failed"'}, None, "query"),
    ("query too long", {"query": 'status:"' + "a" * 5001 + '"'},
     "parameter_invalid_string_too_long", "query"),
    ("bad page token", {"query": "amount>0", "page": "not-a-token"}, None, "page"),
    ("limit 0", {"query": "amount>0", "limit": 0}, "parameter_invalid_integer", "limit"),
    ("limit 101", {"query": "amount>0", "limit": 101}, "parameter_invalid_integer", "limit"),
    ("limit not a number", {"query": "amount>0", "limit": "ten"}, "parameter_invalid_integer",
     "limit"),
    ("unknown param", {"query": "amount>0", "customer": "cus_1"}, "parameter_unknown",
     "customer"),
    ("a list cursor", {"query": "amount>0", "starting_after": "ch_1"}, "parameter_unknown",
     "starting_after"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "params", "code", "param"), BAD, ids=[b[0] for b in BAD])
def test_bad_search_input_is_a_400_naming_the_param(
    client: stripe.StripeClient, name: str, params: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.charges.search(params=params))  # type: ignore[arg-type]

    body = _error_body(error)
    assert (error.http_status, body.get("param")) == (400, param), body
    assert body.get("code") == code, body
    assert body["type"] == "invalid_request_error"
    assert body["message"]


def test_an_unknown_field_error_lists_the_searchable_fields(client: stripe.StripeClient) -> None:
    error = error_of(lambda: _search(client, 'email:"a@b.c"'))

    message = str(error.user_message)
    assert "'email'" in message
    for field in (
        "amount",
        "billing_details.address.postal_code",
        "disputed",
        'metadata["<key>"]',
        "payment_method_details.card.fingerprint",
        "refunded",
        "status",
    ):
        assert field in message
