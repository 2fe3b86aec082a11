"""Payment methods through the official SDK: cards, test ids, attach, detach, update, list."""

from __future__ import annotations

from typing import Any

import pytest
import stripe
from sqlalchemy import MetaData, create_engine, select

from seikyu.db.engine import normalize_url
from tests.support.errors import assert_error, error_of
from tests.support.errors import invalid_request as _error


def card(client: stripe.StripeClient, number: str = "4242424242424242", **extra: Any) -> Any:
    details: dict[str, Any] = {"number": number, "exp_month": 12, "exp_year": 2034}
    details.update(extra)
    return client.v1.payment_methods.create(params={"type": "card", "card": details})


def attached(client: stripe.StripeClient, test_id: str = "pm_card_visa") -> tuple[Any, Any]:
    customer = client.v1.customers.create()
    method = client.v1.payment_methods.attach(test_id, params={"customer": customer.id})
    return customer, method


# --- create ------------------------------------------------------------------------


def test_a_card_keeps_only_what_is_safe_to_keep(client: stripe.StripeClient) -> None:
    method = card(
        client,
        "4242 4242 4242 4242",
        cvc="123",
        exp_year=34,
    )
    assert method.id.startswith("pm_")
    assert method.object == "payment_method"
    assert method.type == "card"
    assert method.customer is None
    assert method.allow_redisplay == "unspecified"
    assert method.card.brand == "visa"
    assert method.card.display_brand == "visa"
    assert method.card.last4 == "4242"
    assert (method.card.exp_month, method.card.exp_year) == (12, 2034)
    assert method.card.country == "US"
    assert method.card.funding == "credit"
    assert method.card.checks.cvc_check == "unchecked"
    assert len(method.card.fingerprint) == 16
    assert method.billing_details.address.country is None


@pytest.mark.parametrize(
    ("number", "brand", "display", "country", "funding"),
    [
        ("5555555555554444", "mastercard", "mastercard", "US", "credit"),
        ("4000056655665556", "visa", "visa", "US", "debit"),
        ("378282246310005", "amex", "american_express", "US", "credit"),
        ("3566002020360505", "jcb", "jcb", "JP", "credit"),
    ],
)
def test_brand_country_and_funding_come_from_the_card(
    client: stripe.StripeClient, number: str, brand: str, display: str, country: str, funding: str
) -> None:
    method = card(client, number)
    assert method.card.brand == brand
    assert method.card.display_brand == display
    assert (method.card.country, method.card.funding) == (country, funding)


def test_the_same_card_has_the_same_fingerprint(client: stripe.StripeClient) -> None:
    first, again = card(client), card(client, "4242-4242-4242-4242", exp_month=1)
    other = card(client, "5555555555554444")
    assert first.card.fingerprint == again.card.fingerprint
    assert other.card.fingerprint != first.card.fingerprint


def test_fingerprints_differ_between_accounts(
    client: stripe.StripeClient, server: Any, db: Any
) -> None:
    from seikyu.accounts import service as accounts

    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        secret = accounts.create_key(uow, other.id).secret
    other_client = stripe.StripeClient(secret, base_addresses={"api": server.url})
    assert card(client).card.fingerprint != card(other_client).card.fingerprint


def test_a_test_token_makes_a_card(client: stripe.StripeClient) -> None:
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"token": "tok_mastercard"}}
    )
    assert (method.card.brand, method.card.last4) == ("mastercard", "4444")


def test_billing_details_and_metadata_are_kept(client: stripe.StripeClient) -> None:
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"token": "tok_visa"},
            "billing_details": {"name": "Jenny", "address": {"country": "JP"}},
            "metadata": {"order": "42"},
            "allow_redisplay": "always",
        }
    )
    assert method.billing_details.name == "Jenny"
    assert method.billing_details.address.country == "JP"
    assert method.billing_details.address.city is None
    assert method.metadata.to_dict() == {"order": "42"}
    assert method.allow_redisplay == "always"
    assert client.v1.payment_methods.retrieve(method.id).billing_details.name == "Jenny"


# --- attach and detach -------------------------------------------------------------


def test_attach_links_the_card_and_checks_its_cvc(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    method = card(client, cvc="314")
    linked = client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    assert linked.customer == customer.id
    assert linked.card.checks.cvc_check == "pass"
    # Attaching again to the same customer changes nothing.
    again = client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    assert again.customer == customer.id


def test_a_test_id_attaches_a_new_card_each_time(client: stripe.StripeClient) -> None:
    customer, first = attached(client)
    second = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    assert first.id != second.id
    assert first.id.startswith("pm_")
    assert first.card.fingerprint == second.card.fingerprint


@pytest.mark.parametrize(
    ("test_id", "code", "decline_code"),
    [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", None),
    ],
)
def test_a_declining_card_cannot_be_attached(
    client: stripe.StripeClient, test_id: str, code: str, decline_code: str | None
) -> None:
    customer = client.v1.customers.create()
    error = error_of(
        lambda: client.v1.payment_methods.attach(test_id, params={"customer": customer.id})
    )
    assert isinstance(error, stripe.CardError)
    assert error.http_status == 402
    assert (error.code, (error.json_body or {})["error"].get("decline_code")) == (
        code,
        decline_code,
    )
    assert client.v1.customers.payment_methods.list(customer.id).data == []


def test_a_card_that_declines_later_attaches(client: stripe.StripeClient) -> None:
    _, method = attached(client, "pm_card_chargeCustomerFail")
    assert method.card.last4 == "0341"


def test_a_card_of_one_customer_cannot_move_to_another(client: stripe.StripeClient) -> None:
    _, method = attached(client)
    other = client.v1.customers.create()
    error = _error(
        lambda: client.v1.payment_methods.attach(method.id, params={"customer": other.id})
    )
    assert_error(error, code="payment_method_unexpected_state", param=None)


def test_attach_to_an_unknown_customer(client: stripe.StripeClient) -> None:
    method = card(client)
    error = _error(
        lambda: client.v1.payment_methods.attach(method.id, params={"customer": "cus_nope"})
    )
    assert_error(error, code="resource_missing", param="customer")


def test_detach_frees_the_card_for_good(client: stripe.StripeClient) -> None:
    customer, method = attached(client)
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": method.id}}
    )

    detached = client.v1.payment_methods.detach(method.id)

    assert detached.customer is None
    refreshed = client.v1.customers.retrieve(customer.id)
    assert refreshed.invoice_settings.default_payment_method is None
    error = _error(
        lambda: client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    )
    assert_error(error, code="payment_method_unexpected_state", param=None)
    again = _error(lambda: client.v1.payment_methods.detach(method.id))
    assert_error(again, code="payment_method_unexpected_state", param=None)
    # A payment refuses it too, naming the parameter that gave it.
    paying = _error(
        lambda: client.v1.payment_intents.create(
            params={
                "amount": 1000,
                "currency": "usd",
                "payment_method": method.id,
                "confirm": True,
            }
        )
    )
    assert_error(paying, code="payment_method_unexpected_state", param="payment_method")


# --- update ------------------------------------------------------------------------


def test_update_merges_billing_details_and_changes_expiry(client: stripe.StripeClient) -> None:
    _, method = attached(client)
    client.v1.payment_methods.update(
        method.id, params={"billing_details": {"name": "A", "address": {"city": "Tokyo"}}}
    )
    updated = client.v1.payment_methods.update(
        method.id,
        params={
            "billing_details": {"address": {"postal_code": "100-0001"}},
            "card": {"exp_month": 3, "exp_year": 2035},
            "metadata": {"k": "v"},
        },
    )
    assert updated.billing_details.name == "A"
    assert updated.billing_details.address.city == "Tokyo"
    assert updated.billing_details.address.postal_code == "100-0001"
    assert (updated.card.exp_month, updated.card.exp_year) == (3, 2035)
    assert updated.metadata.to_dict() == {"k": "v"}


def test_only_an_attached_card_can_be_updated(client: stripe.StripeClient) -> None:
    method = card(client)
    error = _error(
        lambda: client.v1.payment_methods.update(method.id, params={"metadata": {"k": "v"}})
    )
    assert_error(error, code="payment_method_unexpected_state", param=None)


def test_a_past_expiry_is_refused_on_update(client: stripe.StripeClient) -> None:
    _, method = attached(client)
    error = error_of(
        lambda: client.v1.payment_methods.update(
            method.id, params={"card": {"exp_month": 1, "exp_year": 2001}}
        )
    )
    assert_error(error, status=402, code="invalid_expiry_year", param="exp_year")
    assert client.v1.payment_methods.retrieve(method.id).card.exp_year != 2001


# --- lists and the customer's default ------------------------------------------------


def test_a_customer_s_cards_are_listed_newest_first(client: stripe.StripeClient) -> None:
    customer, first = attached(client)
    second = client.v1.payment_methods.attach("pm_card_amex", params={"customer": customer.id})
    card(client)  # not attached: not listed

    listed = client.v1.customers.payment_methods.list(customer.id)
    by_filter = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})

    assert [m.id for m in listed.data] == [second.id, first.id]
    assert [m.id for m in by_filter.data] == [second.id, first.id]
    one = client.v1.customers.payment_methods.retrieve(customer.id, first.id)
    assert one.id == first.id


def test_listing_cards_of_an_unknown_customer(client: stripe.StripeClient) -> None:
    error = _error(lambda: client.v1.payment_methods.list(params={"customer": "cus_nope"}))
    assert_error(error, code="resource_missing", param="customer")


def test_the_default_card_must_belong_to_the_customer(client: stripe.StripeClient) -> None:
    customer, method = attached(client)
    _, someone_elses = attached(client)
    error = _error(
        lambda: client.v1.customers.update(
            customer.id,
            params={"invoice_settings": {"default_payment_method": someone_elses.id}},
        )
    )
    assert_error(error, code=None, param="invoice_settings[default_payment_method]")

    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": method.id}}
    )
    expanded = client.v1.customers.retrieve(
        customer.id, params={"expand": ["invoice_settings.default_payment_method"]}
    )
    assert expanded.invoice_settings.default_payment_method.id == method.id


def test_state_changes_emit_events(client: stripe.StripeClient) -> None:
    _, method = attached(client)
    client.v1.payment_methods.update(method.id, params={"metadata": {"k": "v"}})
    client.v1.payment_methods.detach(method.id)
    events = client.v1.events.list(params={"limit": 3}).data
    assert [e.type for e in events] == [
        "payment_method.detached",
        "payment_method.updated",
        "payment_method.attached",
    ]
    detached = events[0]
    assert detached.data.object["customer"] is None
    assert detached.data.previous_attributes is not None


# --- card data at rest -----------------------------------------------------------------


def test_no_card_number_or_cvc_is_stored_or_logged(
    client: stripe.StripeClient, database_url: str
) -> None:
    number, cvc = "5200828282828210", "987"
    customer = client.v1.customers.create()
    method = card(client, number, cvc=cvc)
    client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    # Refused requests are logged too.
    error_of(lambda: card(client, number[:-1] + "1", cvc=cvc))
    error_of(lambda: card(client, number, cvc="98"))

    engine = create_engine(normalize_url(database_url))
    try:
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as connection:
            stored = " ".join(
                str(row)
                for table in tables.sorted_tables
                for row in connection.execute(select(table))
            )
    finally:
        engine.dispose()
    assert number not in stored
    assert number[:-1] + "1" not in stored
    assert f"'{cvc}'" not in stored
    assert f'"{cvc}"' not in stored
    assert method.id in stored  # the search did see this run's rows
