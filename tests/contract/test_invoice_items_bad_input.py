"""Every invoice item endpoint refuses bad input with Stripe's error naming the parameter, and
a refused request changes nothing: no item, no event, no price."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import stripe

from tests.support.errors import assert_error, error_of

LONG = "x" * 5001
# Stand for the test's objects in the tables below.
CUS = "{customer}"
PRICE = "{price}"
RECURRING = "{recurring}"
ARCHIVED = "{archived}"
PRODUCT = "{product}"
TXR = "{tax_rate}"
OLD_TXR = "{archived_tax_rate}"


@pytest.fixture
def objects(client: stripe.StripeClient) -> dict[str, str]:
    """A customer billed in usd, prices, a product and tax rates to name in requests."""
    customer = client.v1.customers.create(params={"email": "buyer@example.com"}).id
    # Gives the customer its currency.
    first = client.v1.invoice_items.create(
        params={"customer": customer, "amount": 100, "currency": "usd"}
    )
    product = client.v1.products.create(params={"name": "Widget"}).id
    one_time = client.v1.prices.create(
        params={"currency": "usd", "unit_amount": 500, "product": product}
    ).id
    recurring = client.v1.prices.create(
        params={
            "currency": "usd",
            "unit_amount": 500,
            "product": product,
            "recurring": {"interval": "month"},
        }
    ).id
    archived = client.v1.prices.create(
        params={"currency": "usd", "unit_amount": 500, "product": product, "active": False}
    ).id
    rate: dict[str, Any] = {"display_name": "VAT", "percentage": Decimal(10), "inclusive": False}
    tax_rate = client.v1.tax_rates.create(params=rate).id  # type: ignore[arg-type]
    archived_rate = {**rate, "active": False}
    old = client.v1.tax_rates.create(params=archived_rate).id  # type: ignore[arg-type]
    return {
        CUS: customer,
        PRICE: one_time,
        RECURRING: recurring,
        ARCHIVED: archived,
        PRODUCT: product,
        TXR: tax_rate,
        OLD_TXR: old,
        "first_item": first.id,
    }


def filled(value: Any, objects: dict[str, str]) -> Any:
    if isinstance(value, str):
        return objects.get(value, value)
    if isinstance(value, dict):
        return {k: filled(v, objects) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, objects) for v in value]
    return value


def assert_nothing_written(client: stripe.StripeClient, objects: dict[str, str]) -> None:
    items = client.v1.invoice_items.list().data
    assert [i.id for i in items] == [objects["first_item"]]
    events = [e.type for e in client.v1.events.list(params={"limit": 100}).data]
    assert events.count("invoiceitem.created") == 1
    assert len(client.v1.prices.list(params={"limit": 100}).data) == 3


# --- create --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        # missing
        ({"amount": 100, "currency": "usd"}, "parameter_missing", "customer"),
        ({"customer": CUS}, "parameter_missing", "amount"),
        ({"customer": CUS, "currency": "usd", "quantity": 2}, "parameter_missing", "amount"),
        (
            {"customer": CUS, "amount": 1, "period": {"end": 1_700_000_000}},
            "parameter_missing",
            "period[start]",
        ),
        (
            {"customer": CUS, "price_data": {"currency": "usd", "unit_amount": 5}},
            "parameter_missing",
            "price_data[product]",
        ),
        (
            {"customer": CUS, "price_data": {"product": PRODUCT, "unit_amount": 5}},
            "parameter_missing",
            "price_data[currency]",
        ),
        (
            {"customer": CUS, "price_data": {"currency": "usd", "product": PRODUCT}},
            "parameter_missing",
            "price_data[unit_amount]",
        ),
        # unknown
        ({"customer": CUS, "amount": 1, "colour": "red"}, "parameter_unknown", "colour"),
        ({"customer": CUS, "price": PRICE}, "parameter_unknown", "price"),
        ({"customer": CUS, "amount": 1, "unit_amount": 5}, "parameter_unknown", "unit_amount"),
        ({"customer": CUS, "pricing": {"price": PRICE, "x": 1}}, "parameter_unknown", "pricing[x]"),
        (
            {
                "customer": CUS,
                "price_data": {
                    "currency": "usd",
                    "product": PRODUCT,
                    "unit_amount": 5,
                    "recurring": {"interval": "month"},
                },
            },
            "parameter_unknown",
            "price_data[recurring]",
        ),
        # exclusive
        (
            {"customer": CUS, "amount": 100, "pricing": {"price": PRICE}},
            "parameters_exclusive",
            "pricing[price]",
        ),
        (
            {"customer": CUS, "amount": 100, "unit_amount_decimal": "1.5"},
            "parameters_exclusive",
            "unit_amount_decimal",
        ),
        (
            {
                "customer": CUS,
                "pricing": {"price": PRICE},
                "price_data": {"currency": "usd", "product": PRODUCT, "unit_amount": 5},
            },
            "parameters_exclusive",
            "price_data",
        ),
        (
            {"customer": CUS, "pricing": {"price": PRICE}, "quantity": 1, "quantity_decimal": "1"},
            "parameters_exclusive",
            "quantity_decimal",
        ),
        (
            {
                "customer": CUS,
                "price_data": {
                    "currency": "usd",
                    "product": PRODUCT,
                    "unit_amount": 5,
                    "unit_amount_decimal": "5",
                },
            },
            "parameters_exclusive",
            "price_data[unit_amount]",
        ),
        # unknown objects
        ({"customer": "cus_nope", "amount": 1, "currency": "usd"}, "resource_missing", "customer"),
        (
            {"customer": CUS, "pricing": {"price": "price_nope"}},
            "resource_missing",
            "pricing[price]",
        ),
        (
            {"customer": CUS, "amount": 1, "tax_rates": ["txr_nope"]},
            "resource_missing",
            "tax_rates[0]",
        ),
        (
            {"customer": CUS, "amount": 1, "tax_rates": [TXR, "txr_nope"]},
            "resource_missing",
            "tax_rates[1]",
        ),
        (
            {
                "customer": CUS,
                "price_data": {"currency": "usd", "product": "prod_nope", "unit_amount": 5},
            },
            "resource_missing",
            "price_data[product]",
        ),
        ({"customer": CUS, "amount": 1, "invoice": "in_nope"}, "resource_missing", "invoice"),
        (
            {"customer": CUS, "amount": 1, "subscription": "sub_nope"},
            "resource_missing",
            "subscription",
        ),
        # prices and tax rates that cannot be used
        ({"customer": CUS, "pricing": {"price": RECURRING}}, None, "pricing[price]"),
        ({"customer": CUS, "pricing": {"price": ARCHIVED}}, None, "pricing[price]"),
        ({"customer": CUS, "amount": 1, "tax_rates": [OLD_TXR]}, None, "tax_rates[0]"),
        ({"customer": CUS, "amount": 1, "tax_rates": [TXR, TXR]}, None, "tax_rates[1]"),
        (
            {"customer": CUS, "amount": 1, "tax_rates": [TXR] * 6},
            "parameter_invalid_array",
            "tax_rates",
        ),
        # wrongly typed
        ({"customer": CUS, "amount": "ten"}, "parameter_invalid_integer", "amount"),
        ({"customer": CUS, "amount": "10.5"}, "parameter_invalid_integer", "amount"),
        (
            {"customer": CUS, "amount": 1, "quantity": "two"},
            "parameter_invalid_integer",
            "quantity",
        ),
        (
            {"customer": CUS, "unit_amount_decimal": "abc"},
            "parameter_invalid_decimal",
            "unit_amount_decimal",
        ),
        (
            {"customer": CUS, "amount": 1, "discountable": "maybe"},
            "parameter_invalid_boolean",
            "discountable",
        ),
        ({"customer": CUS, "amount": 1, "period": "today"}, "parameter_invalid_hash", "period"),
        (
            {"customer": CUS, "amount": 1, "period": {"start": "now", "end": 1}},
            "parameter_invalid_integer",
            "period[start]",
        ),
        ({"customer": CUS, "amount": 1, "metadata": "plain"}, "parameter_invalid_hash", "metadata"),
        (
            {"customer": CUS, "amount": 1, "tax_rates": {"a": TXR}},
            "parameter_invalid_array",
            "tax_rates",
        ),
        ({"customer": {"id": CUS}, "amount": 1}, "parameter_invalid_string", "customer"),
        (
            {"customer": CUS, "amount": 1, "tax_behavior": "sometimes"},
            "parameter_invalid_enum",
            "tax_behavior",
        ),
        # out of range
        (
            {"customer": CUS, "pricing": {"price": PRICE}, "quantity": -1},
            "parameter_invalid_integer",
            "quantity",
        ),
        (
            {"customer": CUS, "pricing": {"price": PRICE}, "quantity_decimal": "-1"},
            None,
            "quantity_decimal",
        ),
        (
            {"customer": CUS, "pricing": {"price": PRICE}, "quantity_decimal": "1.5"},
            None,
            "quantity_decimal",
        ),
        ({"customer": CUS, "amount": 100, "quantity": 2}, None, "quantity"),
        ({"customer": CUS, "amount": 100_000_000_000}, "amount_too_large", "amount"),
        ({"customer": CUS, "amount": -100_000_000_000}, "amount_too_large", "amount"),
        (
            {"customer": CUS, "unit_amount_decimal": "99999999", "quantity": 10_000},
            "amount_too_large",
            "quantity",
        ),
        ({"customer": CUS, "unit_amount_decimal": "0.1234567890123"}, None, "unit_amount_decimal"),
        (
            {
                "customer": CUS,
                "amount": 1,
                "period": {"start": 1_700_000_001, "end": 1_700_000_000},
            },
            None,
            "period[end]",
        ),
        (
            {
                "customer": CUS,
                "price_data": {"currency": "usd", "product": PRODUCT, "unit_amount": -5},
            },
            "parameter_invalid_integer",
            "price_data[unit_amount]",
        ),
        (
            {"customer": CUS, "amount": 1, "description": LONG},
            "parameter_invalid_string_too_long",
            "description",
        ),
        ({"customer": CUS, "amount": 1, "metadata": {"k" * 41: "v"}}, None, "metadata"),
        # currencies
        ({"customer": CUS, "amount": 1, "currency": "zzz"}, None, "currency"),
        ({"customer": CUS, "amount": 1, "currency": "eur"}, None, "currency"),
        ({"customer": CUS, "pricing": {"price": PRICE}, "currency": "eur"}, None, "currency"),
        (
            {
                "customer": CUS,
                "currency": "usd",
                "price_data": {"currency": "eur", "product": PRODUCT, "unit_amount": 5},
            },
            None,
            "price_data[currency]",
        ),
        # what Seikyu does not have
        ({"customer": CUS, "amount": 1, "tax_code": "txcd_10000000"}, None, "tax_code"),
        ({"customer_account": "acct_1", "customer": CUS, "amount": 1}, None, "customer_account"),
    ],
)
def test_create_refuses(
    client: stripe.StripeClient,
    objects: dict[str, str],
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    error = error_of(lambda: client.v1.invoice_items.create(params=filled(params, objects)))

    assert_error(error, code=code, param=param)
    assert_nothing_written(client, objects)


def test_a_customer_without_a_currency_needs_one(client: stripe.StripeClient) -> None:
    fresh = client.v1.customers.create().id

    error = error_of(
        lambda: client.v1.invoice_items.create(params={"customer": fresh, "amount": 100})
    )

    assert_error(error, code="parameter_missing", param="currency")
    assert client.v1.customers.retrieve(fresh).currency is None


def test_a_deleted_customer_is_not_billed(client: stripe.StripeClient) -> None:
    gone = client.v1.customers.create().id
    client.v1.customers.delete(gone)

    error = error_of(
        lambda: client.v1.invoice_items.create(
            params={"customer": gone, "amount": 100, "currency": "usd"}
        )
    )

    assert_error(error, code="resource_missing", param="customer")


def test_an_invoice_of_another_customer_or_currency_is_refused(
    client: stripe.StripeClient, objects: dict[str, str]
) -> None:
    someone = client.v1.customers.create().id
    theirs = client.v1.invoices.create(params={"customer": someone, "currency": "usd"})
    ours = client.v1.invoices.create(params={"customer": objects[CUS], "currency": "usd"})

    other_customer = error_of(
        lambda: client.v1.invoice_items.create(
            params={"customer": objects[CUS], "amount": 1, "invoice": str(theirs.id)}
        )
    )
    other_currency = error_of(
        lambda: client.v1.invoice_items.create(
            params={
                "customer": objects[CUS],
                "amount": 1,
                "currency": "eur",
                "invoice": str(ours.id),
            }
        )
    )

    assert_error(other_customer, code=None, param="invoice")
    assert_error(other_currency, code=None, param="currency")
    assert_nothing_written(client, objects)


def test_an_unknown_coupon_in_discounts_is_refused(
    client: stripe.StripeClient, objects: dict[str, str]
) -> None:
    error = error_of(
        lambda: client.v1.invoice_items.create(
            params={"customer": objects[CUS], "amount": 1, "discounts": [{"coupon": "nope"}]}
        )
    )

    assert_error(error, code="resource_missing", param="discounts[0][coupon]")
    assert_nothing_written(client, objects)


# --- update --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"customer": CUS}, "parameter_unknown", "customer"),
        ({"currency": "eur"}, "parameter_unknown", "currency"),
        ({"invoice": "in_1"}, "parameter_unknown", "invoice"),
        ({"amount": 100, "pricing": {"price": PRICE}}, "parameters_exclusive", "pricing[price]"),
        ({"amount": "ten"}, "parameter_invalid_integer", "amount"),
        ({"quantity": -1}, "parameter_invalid_integer", "quantity"),
        ({"quantity": 2, "amount": 100}, None, "quantity"),
        ({"pricing": {"price": "price_nope"}}, "resource_missing", "pricing[price]"),
        ({"pricing": {"price": RECURRING}}, None, "pricing[price]"),
        (
            {"price_data": {"currency": "eur", "product": PRODUCT, "unit_amount": 5}},
            None,
            "price_data[currency]",
        ),
        ({"tax_rates": ["txr_nope"]}, "resource_missing", "tax_rates[0]"),
        ({"discountable": "maybe"}, "parameter_invalid_boolean", "discountable"),
        ({"period": {"start": 1_700_000_001, "end": 1_700_000_000}}, None, "period[end]"),
        ({"invoicing_rules": "later"}, "parameter_invalid_enum", "invoicing_rules"),
        ({"description": LONG}, "parameter_invalid_string_too_long", "description"),
    ],
)
def test_update_refuses(
    client: stripe.StripeClient,
    objects: dict[str, str],
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    target = objects["first_item"]

    error = error_of(lambda: client.v1.invoice_items.update(target, params=filled(params, objects)))

    assert_error(error, code=code, param=param)
    after = client.v1.invoice_items.retrieve(target)
    assert (after.amount, after.quantity, after.tax_rates, after.description) == (100, 1, [], None)


def test_a_price_in_another_currency_cannot_reprice_an_item(
    client: stripe.StripeClient, objects: dict[str, str]
) -> None:
    euros = client.v1.prices.create(
        params={"currency": "eur", "unit_amount": 500, "product": objects[PRODUCT]}
    )

    error = error_of(
        lambda: client.v1.invoice_items.update(
            objects["first_item"], params={"pricing": {"price": euros.id}}
        )
    )

    assert_error(error, code=None, param="pricing[price]")


def test_unknown_items_are_not_found(client: stripe.StripeClient) -> None:
    for call in (
        lambda: client.v1.invoice_items.retrieve("ii_nope"),
        lambda: client.v1.invoice_items.update("ii_nope", params={"description": "x"}),
        lambda: client.v1.invoice_items.delete("ii_nope"),
    ):
        assert_error(error_of(call), status=404, code="resource_missing", param="id")


# --- list ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"customer": "cus_nope"}, "resource_missing", "customer"),
        ({"invoice": "in_nope"}, "resource_missing", "invoice"),
        ({"pending": "maybe"}, "parameter_invalid_boolean", "pending"),
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"created": {"gt": "soon"}}, "parameter_invalid_integer", "created[gt]"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"customer_account": "acct_1"}, None, "customer_account"),
    ],
)
def test_list_refuses(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.invoice_items.list(params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
