"""Every invoice endpoint refuses bad input with Stripe's error naming the parameter, and a
refused request changes nothing: no invoice, no event, no change to the one it was about.

A parameter naming an object that does not exist is a 400 `resource_missing` naming that
parameter; only an invoice named by the path is a 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import stripe

from tests.support.billing import customer_with_card, invoice_of
from tests.support.errors import assert_error, error_of

LONG = "x" * 5001
# Stand for the test's objects in the tables below.
CUS = "{customer}"
BARE = "{bare_customer}"
GONE = "{deleted_customer}"
TXR = "{tax_rate}"
OLD_TXR = "{archived_tax_rate}"
COUPON = "{coupon}"
PM = "{card}"
STRANGER_PM = "{strangers_card}"
DRAFT = "{draft}"
OPEN = "{open}"
PAID = "{paid}"
FAR = 10_000_000_000  # a unix time past the year 2286
PAST = 1_000_000_000  # 2001


@pytest.fixture
def objects(client: stripe.StripeClient) -> dict[str, str]:
    """A usd customer with a card and three invoices (a draft of 1000, an open one of 2000
    sent by email, a paid one of 3000), plus what requests name: tax rates, a coupon,
    a customer without a currency, a deleted one and another customer's card."""
    customer = customer_with_card(client, email="buyer@example.com")
    card = customer.invoice_settings.default_payment_method
    draft = invoice_of(client, customer.id, 1000)
    opened = invoice_of(
        client, customer.id, 2000, collection_method="send_invoice", days_until_due=30
    )
    client.v1.invoices.finalize_invoice(opened.id)
    paid = invoice_of(client, customer.id, 3000)
    client.v1.invoices.finalize_invoice(paid.id)
    client.v1.invoices.pay(paid.id)
    bare = client.v1.customers.create(params={"name": "No currency"}).id
    gone = client.v1.customers.create().id
    client.v1.customers.delete(gone)
    stranger = customer_with_card(client, email="stranger@example.com")
    rate: dict[str, Any] = {"display_name": "VAT", "percentage": Decimal(10), "inclusive": False}
    tax_rate = client.v1.tax_rates.create(params=rate).id  # type: ignore[arg-type]
    archived: Any = {**rate, "active": False}
    old = client.v1.tax_rates.create(params=archived).id
    coupon = client.v1.coupons.create(params={"percent_off": 10}).id
    return {
        CUS: customer.id,
        BARE: bare,
        GONE: gone,
        TXR: tax_rate,
        OLD_TXR: old,
        COUPON: coupon,
        PM: str(card),
        STRANGER_PM: str(stranger.invoice_settings.default_payment_method),
        DRAFT: draft.id,
        OPEN: opened.id,
        PAID: paid.id,
    }


def filled(value: Any, objects: dict[str, str]) -> Any:
    if isinstance(value, str):
        return objects.get(value, value)
    if isinstance(value, dict):
        return {k: filled(v, objects) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, objects) for v in value]
    return value


def _snapshot(client: stripe.StripeClient, invoice_id: str) -> dict[str, Any]:
    """What a refused request must leave as it was."""
    shown = client.v1.invoices.retrieve(invoice_id).to_dict()
    for volatile in ("automatically_finalizes_at",):
        shown.pop(volatile, None)
    return shown


def _invoice_events(client: stripe.StripeClient) -> list[str]:
    events = client.v1.events.list(params={"limit": 100}).data
    return [e.id for e in events if e.type.startswith("invoice")]


@pytest.fixture
def before(client: stripe.StripeClient, objects: dict[str, str]) -> dict[str, Any]:
    return {
        "invoices": [i.id for i in client.v1.invoices.list(params={"limit": 100}).data],
        "events": _invoice_events(client),
        "draft": _snapshot(client, objects[DRAFT]),
        "open": _snapshot(client, objects[OPEN]),
        "paid": _snapshot(client, objects[PAID]),
    }


def assert_nothing_written(
    client: stripe.StripeClient, objects: dict[str, str], before: dict[str, Any]
) -> None:
    after = [i.id for i in client.v1.invoices.list(params={"limit": 100}).data]
    assert after == before["invoices"]
    assert _invoice_events(client) == before["events"]
    for name, key in (("draft", DRAFT), ("open", OPEN), ("paid", PAID)):
        assert _snapshot(client, objects[key]) == before[name], name


# --- create --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        # missing
        ({}, "parameter_missing", "customer"),
        ({"currency": "usd"}, "parameter_missing", "customer"),
        ({"customer": CUS, "discounts": [{"coupon": ""}]}, "parameter_missing",
         "discounts[0][coupon]"),
        ({"customer": BARE}, None, "currency"),
        # unknown
        ({"customer": CUS, "colour": "red"}, "parameter_unknown", "colour"),
        ({"customer": CUS, "coupon": COUPON}, "parameter_unknown", "coupon"),
        ({"customer": CUS, "discounts": [{"amount": 5}]}, "parameter_unknown",
         "discounts[0][amount]"),
        ({"customer": CUS, "paid": "true"}, "parameter_unknown", "paid"),
        # missing objects
        ({"customer": "cus_nope"}, "resource_missing", "customer"),
        ({"customer": GONE, "currency": "usd"}, "resource_missing", "customer"),
        ({"customer": CUS, "subscription": "sub_nope"}, "resource_missing", "subscription"),
        ({"customer": CUS, "default_payment_method": "pm_nope"}, "resource_missing",
         "default_payment_method"),
        ({"customer": CUS, "default_tax_rates": ["txr_nope"]}, "resource_missing",
         "default_tax_rates[0]"),
        ({"customer": CUS, "default_tax_rates": [TXR, "txr_nope"]}, "resource_missing",
         "default_tax_rates[1]"),
        ({"customer": CUS, "discounts": [{"coupon": "nope"}]}, "resource_missing",
         "discounts[0][coupon]"),
        ({"customer": CUS, "discounts": [{"promotion_code": "promo_nope"}]}, "resource_missing",
         "discounts[0][promotion_code]"),
        ({"customer": CUS, "discounts": [{"discount": "di_nope"}]}, "resource_missing",
         "discounts[0][discount]"),
        # objects that cannot be used here
        ({"customer": CUS, "default_payment_method": STRANGER_PM}, None,
         "default_payment_method"),
        ({"customer": CUS, "default_tax_rates": [OLD_TXR]}, None, "default_tax_rates[0]"),
        ({"customer": CUS, "discounts": [{"coupon": COUPON}, {"coupon": COUPON}]}, None,
         "discounts[1][coupon]"),
        ({"customer": CUS, "discounts": [{"coupon": COUPON, "discount": "di_1"}]},
         "parameters_exclusive", "discounts[0][discount]"),
        # wrongly typed
        ({"customer": {"id": CUS}}, "parameter_invalid_string", "customer"),
        ({"customer": CUS, "auto_advance": "maybe"}, "parameter_invalid_boolean", "auto_advance"),
        ({"customer": CUS, "collection_method": "send_invoice", "days_until_due": "ten"},
         "parameter_invalid_integer", "days_until_due"),
        ({"customer": CUS, "collection_method": "send_invoice", "due_date": "tomorrow"},
         "parameter_invalid_integer", "due_date"),
        ({"customer": CUS, "metadata": "plain"}, "parameter_invalid_hash", "metadata"),
        ({"customer": CUS, "default_tax_rates": {"a": TXR}}, "parameter_invalid_array",
         "default_tax_rates"),
        ({"customer": CUS, "discounts": "10off"}, "parameter_invalid_array", "discounts"),
        ({"customer": CUS, "discounts": ["10off"]}, "parameter_invalid_hash", "discounts[0]"),
        ({"customer": CUS, "collection_method": "by_post"}, "parameter_invalid_enum",
         "collection_method"),
        ({"customer": CUS, "pending_invoice_items_behavior": "all"}, "parameter_invalid_enum",
         "pending_invoice_items_behavior"),
        ({"customer": CUS, "expand": "customer"}, "parameter_invalid_array", "expand"),
        # emptied, where Stripe cannot unset
        ({"customer": ""}, "parameter_invalid_empty", "customer"),
        ({"customer": CUS, "auto_advance": ""}, "parameter_invalid_empty", "auto_advance"),
        ({"customer": CUS, "collection_method": ""}, "parameter_invalid_empty",
         "collection_method"),
        ({"customer": CUS, "pending_invoice_items_behavior": ""}, "parameter_invalid_empty",
         "pending_invoice_items_behavior"),
        # out of range
        ({"customer": CUS, "collection_method": "send_invoice", "days_until_due": -1},
         "parameter_invalid_integer", "days_until_due"),
        ({"customer": CUS, "collection_method": "send_invoice", "days_until_due": 10_001},
         "parameter_invalid_integer", "days_until_due"),
        ({"customer": CUS, "collection_method": "send_invoice", "due_date": PAST}, None,
         "due_date"),
        ({"customer": CUS, "collection_method": "send_invoice", "due_date": FAR * 100},
         "parameter_invalid_integer", "due_date"),
        ({"customer": CUS, "days_until_due": 7}, None, "days_until_due"),
        ({"customer": CUS, "due_date": FAR}, None, "due_date"),
        ({"customer": CUS, "collection_method": "send_invoice", "days_until_due": 7,
          "due_date": FAR}, None, "days_until_due"),
        ({"customer": CUS, "description": "d" * 1501}, "parameter_invalid_string_too_long",
         "description"),
        ({"customer": CUS, "footer": LONG}, "parameter_invalid_string_too_long", "footer"),
        ({"customer": CUS, "number": "N" * 27}, "parameter_invalid_string_too_long", "number"),
        ({"customer": CUS, "statement_descriptor": "S" * 23},
         "parameter_invalid_string_too_long", "statement_descriptor"),
        ({"customer": CUS, "metadata": {"k" * 41: "v"}}, None, "metadata"),
        ({"customer": CUS, "default_tax_rates": [TXR] * 6}, "parameter_invalid_array",
         "default_tax_rates"),
        ({"customer": CUS, "discounts": [{"coupon": f"c{i}"} for i in range(21)]},
         "parameter_invalid_array", "discounts"),
        # currencies
        ({"customer": CUS, "currency": "zzz"}, None, "currency"),
        ({"customer": CUS, "currency": "us"}, "parameter_invalid_string", "currency"),
        ({"customer": CUS, "currency": "eur"}, None, "currency"),
        # what Seikyu does not have
        ({"customer": CUS, "automatic_tax": {"enabled": "true"}}, "parameter_unknown",
         "automatic_tax"),
    ],
)  # fmt: skip
def test_create_refuses(
    client: stripe.StripeClient,
    objects: dict[str, str],
    before: dict[str, Any],
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    error = error_of(lambda: client.v1.invoices.create(params=filled(params, objects)))

    assert_error(error, code=code, param=param)
    assert_nothing_written(client, objects, before)


def test_a_number_in_use_is_refused(
    client: stripe.StripeClient, objects: dict[str, str], before: dict[str, Any]
) -> None:
    taken = client.v1.invoices.retrieve(objects[OPEN]).number

    error = error_of(
        lambda: client.v1.invoices.create(params={"customer": objects[CUS], "number": taken})
    )

    assert_error(error, code=None, param="number")
    assert_nothing_written(client, objects, before)


def test_another_customers_subscription_is_missing(
    client: stripe.StripeClient, objects: dict[str, str]
) -> None:
    someone = customer_with_card(client)
    product = client.v1.products.create(params={"name": "Gold"})
    price = client.v1.prices.create(
        params={
            "product": product.id,
            "currency": "usd",
            "unit_amount": 2000,
            "recurring": {"interval": "month"},
        }
    )
    theirs = client.v1.subscriptions.create(
        params={"customer": someone.id, "items": [{"price": price.id}]}
    )

    error = error_of(
        lambda: client.v1.invoices.create(
            params={"customer": objects[CUS], "subscription": theirs.id}
        )
    )

    assert_error(error, code="resource_missing", param="subscription")


# --- update --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        # unknown, including what only create takes
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"customer": CUS}, "parameter_unknown", "customer"),
        ({"currency": "usd"}, "parameter_unknown", "currency"),
        ({"subscription": "sub_1"}, "parameter_unknown", "subscription"),
        ({"pending_invoice_items_behavior": "include"}, "parameter_unknown",
         "pending_invoice_items_behavior"),
        # missing objects
        ({"default_payment_method": "pm_nope"}, "resource_missing", "default_payment_method"),
        ({"default_tax_rates": ["txr_nope"]}, "resource_missing", "default_tax_rates[0]"),
        ({"discounts": [{"coupon": "nope"}]}, "resource_missing", "discounts[0][coupon]"),
        ({"discounts": [{"discount": "di_nope"}]}, "resource_missing",
         "discounts[0][discount]"),
        # objects that cannot be used here
        ({"default_payment_method": STRANGER_PM}, None, "default_payment_method"),
        ({"default_tax_rates": [OLD_TXR]}, None, "default_tax_rates[0]"),
        ({"discounts": [{"promotion_code": ""}]}, "parameter_missing", "discounts[0][coupon]"),
        # wrongly typed
        ({"auto_advance": "maybe"}, "parameter_invalid_boolean", "auto_advance"),
        ({"collection_method": "send_invoice", "days_until_due": "ten"},
         "parameter_invalid_integer", "days_until_due"),
        ({"metadata": ["a"]}, "parameter_invalid_hash", "metadata"),
        ({"collection_method": "by_post"}, "parameter_invalid_enum", "collection_method"),
        # emptied, where Stripe cannot unset
        ({"auto_advance": ""}, "parameter_invalid_empty", "auto_advance"),
        ({"collection_method": ""}, "parameter_invalid_empty", "collection_method"),
        ({"days_until_due": ""}, "parameter_invalid_empty", "days_until_due"),
        ({"due_date": ""}, "parameter_invalid_empty", "due_date"),
        # out of range
        ({"collection_method": "send_invoice", "days_until_due": -1},
         "parameter_invalid_integer", "days_until_due"),
        ({"collection_method": "send_invoice", "due_date": PAST}, None, "due_date"),
        ({"days_until_due": 7}, None, "days_until_due"),
        ({"description": "d" * 1501}, "parameter_invalid_string_too_long", "description"),
        ({"number": "N" * 27}, "parameter_invalid_string_too_long", "number"),
        ({"statement_descriptor": "S" * 23}, "parameter_invalid_string_too_long",
         "statement_descriptor"),
    ],
)  # fmt: skip
def test_update_of_a_draft_refuses(
    client: stripe.StripeClient,
    objects: dict[str, str],
    before: dict[str, Any],
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    target = objects[DRAFT]

    error = error_of(lambda: client.v1.invoices.update(target, params=filled(params, objects)))

    assert_error(error, code=code, param=param)
    assert_nothing_written(client, objects, before)


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"number": "LATE-1"}, "number"),
        ({"collection_method": "charge_automatically"}, "collection_method"),
        ({"days_until_due": 5}, "days_until_due"),
        ({"default_tax_rates": [TXR]}, "default_tax_rates"),
        ({"discounts": [{"coupon": COUPON}]}, "discounts"),
        ({"statement_descriptor": "LATE"}, "statement_descriptor"),
        ({"description": "fine", "number": "LATE-1"}, "number"),
    ],
)
def test_an_issued_invoice_keeps_what_finalization_fixed(
    client: stripe.StripeClient,
    objects: dict[str, str],
    before: dict[str, Any],
    params: dict[str, Any],
    param: str,
) -> None:
    for target in (objects[OPEN], objects[PAID]):
        error = error_of(
            lambda: client.v1.invoices.update(target, params=filled(params, objects))  # noqa: B023
        )

        assert_error(error, code="invoice_not_editable", param=param)
    assert_nothing_written(client, objects, before)


def test_a_number_in_use_is_refused_on_update(
    client: stripe.StripeClient, objects: dict[str, str], before: dict[str, Any]
) -> None:
    taken = client.v1.invoices.retrieve(objects[PAID]).number

    error = error_of(lambda: client.v1.invoices.update(objects[DRAFT], params={"number": taken}))

    assert_error(error, code=None, param="number")
    assert_nothing_written(client, objects, before)


# --- the invoice named by the path ----------------------------------------------------


def _calls(client: stripe.StripeClient, invoice_id: str) -> dict[str, Any]:
    invoices = client.v1.invoices
    return {
        "retrieve": lambda: invoices.retrieve(invoice_id),
        "update": lambda: invoices.update(invoice_id, params={"description": "x"}),
        "delete": lambda: invoices.delete(invoice_id),
        "finalize": lambda: invoices.finalize_invoice(invoice_id),
        "pay": lambda: invoices.pay(invoice_id),
        "void": lambda: invoices.void_invoice(invoice_id),
        "mark_uncollectible": lambda: invoices.mark_uncollectible(invoice_id),
        "send": lambda: invoices.send_invoice(invoice_id),
        "lines": lambda: invoices.line_items.list(invoice_id),
    }


def test_an_unknown_invoice_is_not_found_by_any_endpoint(client: stripe.StripeClient) -> None:
    for name, call in _calls(client, "in_nope").items():
        error = error_of(call)
        assert_error(error, status=404, code="resource_missing", param="id")
        assert error.user_message == "No such invoice: 'in_nope'", name


def test_a_deleted_draft_is_not_found_by_any_endpoint(
    client: stripe.StripeClient, objects: dict[str, str]
) -> None:
    gone = invoice_of(client, objects[CUS], 700).id
    client.v1.invoices.delete(gone)

    for call in _calls(client, gone).values():
        assert_error(error_of(call), status=404, code="resource_missing", param="id")


def test_another_accounts_invoice_is_not_found(
    client: stripe.StripeClient, objects: dict[str, str], server: Any
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

    for call in _calls(stranger, objects[DRAFT]).values():
        assert_error(error_of(call), status=404, code="resource_missing", param="id")
    assert client.v1.invoices.retrieve(objects[DRAFT]).status == "draft"


@pytest.mark.parametrize(
    "endpoint",
    ["retrieve", "delete", "void", "mark_uncollectible", "send", "finalize", "pay"],
)
def test_unknown_parameters_are_refused_everywhere(
    client: stripe.StripeClient,
    objects: dict[str, str],
    before: dict[str, Any],
    endpoint: str,
) -> None:
    invoices: Any = client.v1.invoices
    method = {
        "retrieve": invoices.retrieve,
        "delete": invoices.delete,
        "void": invoices.void_invoice,
        "mark_uncollectible": invoices.mark_uncollectible,
        "send": invoices.send_invoice,
        "finalize": invoices.finalize_invoice,
        "pay": invoices.pay,
    }[endpoint]
    target = objects[DRAFT] if endpoint in ("delete", "finalize", "retrieve") else objects[OPEN]

    error = error_of(lambda: method(target, params={"colour": "red"}))

    assert_error(error, code="parameter_unknown", param="colour")
    assert_nothing_written(client, objects, before)


# --- delete, finalize, void, mark_uncollectible, send: the wrong status ----------------


@pytest.mark.parametrize(
    ("endpoint", "target"),
    [
        ("delete", OPEN),
        ("delete", PAID),
        ("finalize", OPEN),
        ("finalize", PAID),
        ("void", DRAFT),
        ("void", PAID),
        ("mark_uncollectible", DRAFT),
        ("mark_uncollectible", PAID),
        ("send", DRAFT),
        ("pay", DRAFT),
        ("pay", PAID),
    ],
)
def test_a_move_its_status_does_not_allow_is_refused(
    client: stripe.StripeClient,
    objects: dict[str, str],
    before: dict[str, Any],
    endpoint: str,
    target: str,
) -> None:
    invoice_id = objects[target]

    error = error_of(_calls(client, invoice_id)[endpoint])

    assert_error(error, code="status_transition_invalid", param=None)
    assert_nothing_written(client, objects, before)


def test_send_refuses_an_invoice_charged_automatically(
    client: stripe.StripeClient, objects: dict[str, str]
) -> None:
    invoice = invoice_of(client, objects[CUS], 1500)
    client.v1.invoices.finalize_invoice(invoice.id)
    sent_before = len(client.v1.events.list(params={"type": "invoice.sent"}).data)

    error = error_of(lambda: client.v1.invoices.send_invoice(invoice.id))

    assert_error(error, code=None, param=None)
    assert len(client.v1.events.list(params={"type": "invoice.sent"}).data) == sent_before


def test_a_subscriptions_draft_cannot_be_deleted(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client)
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
        params={
            "customer": customer.id,
            "items": [{"price": price.id}],
            "collection_method": "send_invoice",
            "days_until_due": 30,
        }
    )
    invoice_id = str(subscription.latest_invoice)
    # Stripe finalizes a send_invoice subscription's first invoice an hour later.
    assert client.v1.invoices.retrieve(invoice_id).status == "draft"

    error = error_of(lambda: client.v1.invoices.delete(invoice_id))

    assert_error(error, code="status_transition_invalid", param=None)


# --- finalize --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"auto_advance": "maybe"}, "parameter_invalid_boolean", "auto_advance"),
        ({"auto_advance": ""}, "parameter_invalid_empty", "auto_advance"),
        ({"expand": "payments"}, "parameter_invalid_array", "expand"),
        ({"expand": ["colour"]}, None, "expand"),
    ],
)
def test_finalize_refuses(
    client: stripe.StripeClient,
    objects: dict[str, str],
    before: dict[str, Any],
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    error = error_of(lambda: client.v1.invoices.finalize_invoice(objects[DRAFT], params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
    assert_nothing_written(client, objects, before)


def test_a_refused_finalization_keeps_auto_advance(
    client: stripe.StripeClient, objects: dict[str, str], before: dict[str, Any]
) -> None:
    error = error_of(
        lambda: client.v1.invoices.finalize_invoice(objects[PAID], params={"auto_advance": False})
    )

    assert_error(error, code="status_transition_invalid", param=None)
    assert_nothing_written(client, objects, before)


# --- pay -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"payment_method": "pm_nope"}, "resource_missing", "payment_method"),
        ({"payment_method": {"id": PM}}, "parameter_invalid_string", "payment_method"),
        ({"payment_method": LONG}, "parameter_invalid_string_too_long", "payment_method"),
        ({"paid_out_of_band": "maybe"}, "parameter_invalid_boolean", "paid_out_of_band"),
        ({"paid_out_of_band": ""}, "parameter_invalid_empty", "paid_out_of_band"),
        ({"off_session": "sometimes"}, "parameter_invalid_boolean", "off_session"),
        ({"forgive": "maybe"}, "parameter_invalid_boolean", "forgive"),
        ({"paid_out_of_band": True, "payment_method": PM}, None, "payment_method"),
        ({"source": "src_1"}, None, "source"),
        ({"mandate": "mandate_1"}, None, "mandate"),
        ({"amount": 100}, "parameter_unknown", "amount"),
    ],
)
def test_pay_refuses(
    client: stripe.StripeClient,
    objects: dict[str, str],
    before: dict[str, Any],
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    error = error_of(lambda: client.v1.invoices.pay(objects[OPEN], params=filled(params, objects)))

    assert_error(error, code=code, param=param)
    assert_nothing_written(client, objects, before)


def test_pay_refuses_a_card_of_another_customer(
    client: stripe.StripeClient, objects: dict[str, str], before: dict[str, Any]
) -> None:
    error = error_of(
        lambda: client.v1.invoices.pay(
            objects[OPEN], params={"payment_method": objects[STRANGER_PM]}
        )
    )

    assert error.http_status == 400, error.json_body
    assert (error.json_body or {})["error"].get("param") == "payment_method"
    assert_nothing_written(client, objects, before)


def test_pay_without_any_card_names_payment_method(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create().id
    invoice = invoice_of(client, customer, 1500)
    client.v1.invoices.finalize_invoice(invoice.id)

    error = error_of(lambda: client.v1.invoices.pay(invoice.id))

    assert_error(error, code=None, param="payment_method")
    after = client.v1.invoices.retrieve(invoice.id)
    assert (after.status, after.attempt_count, after.amount_paid) == ("open", 0, 0)


# --- list and lines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"customer": "cus_nope"}, "resource_missing", "customer"),
        ({"subscription": "sub_nope"}, "resource_missing", "subscription"),
        ({"status": "late"}, "parameter_invalid_enum", "status"),
        ({"collection_method": "by_post"}, "parameter_invalid_enum", "collection_method"),
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"created": {"gt": "soon"}}, "parameter_invalid_integer", "created[gt]"),
        ({"created": {"after": 1}}, "parameter_unknown", "created[after]"),
        ({"due_date": {"lt": "soon"}}, "parameter_invalid_integer", "due_date[lt]"),
        ({"due_date": {"lt": FAR * 100}}, "parameter_invalid_integer", "due_date[lt]"),
        ({"due_date": "soon"}, "parameter_invalid_hash", "due_date"),
        ({"starting_after": "in_nope"}, "resource_missing", "starting_after"),
        ({"ending_before": "in_nope"}, "resource_missing", "ending_before"),
        ({"customer": {"id": "cus_1"}}, "parameter_invalid_string", "customer"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"customer_account": "acct_1"}, "parameter_unknown", "customer_account"),
    ],
)
def test_list_refuses(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.invoices.list(params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)


def test_a_deleted_customers_invoices_can_still_be_listed(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create().id
    invoice = invoice_of(client, customer, 1500)
    client.v1.invoices.finalize_invoice(invoice.id)
    client.v1.customers.delete(customer)

    listed = client.v1.invoices.list(params={"customer": customer})

    assert [i.id for i in listed.data] == [invoice.id]


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"starting_after": "il_nope"}, "resource_missing", "starting_after"),
        ({"ending_before": "il_nope"}, "resource_missing", "ending_before"),
        ({"starting_after": LONG}, "parameter_invalid_string_too_long", "starting_after"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"created": {"gt": 1}}, "parameter_unknown", "created"),
    ],
)
def test_lines_refuse(
    client: stripe.StripeClient,
    objects: dict[str, str],
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    error = error_of(
        lambda: client.v1.invoices.line_items.list(objects[OPEN], params=params)  # type: ignore[arg-type]
    )

    assert_error(error, code=code, param=param)


def test_a_line_of_another_invoice_is_no_cursor(
    client: stripe.StripeClient, objects: dict[str, str]
) -> None:
    theirs = client.v1.invoices.line_items.list(objects[PAID]).data[0].id

    error = error_of(
        lambda: client.v1.invoices.line_items.list(objects[OPEN], params={"starting_after": theirs})
    )

    assert_error(error, code="resource_missing", param="starting_after")


# --- retrieve ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"expand": "customer"}, "parameter_invalid_array", "expand"),
        ({"expand": ["colour"]}, None, "expand"),
        ({"expand": ["customer.a.b.c.d"]}, None, "expand[0]"),
        ({"expand": [LONG]}, "parameter_invalid_string_too_long", "expand[0]"),
    ],
)
def test_retrieve_refuses(
    client: stripe.StripeClient,
    objects: dict[str, str],
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    error = error_of(lambda: client.v1.invoices.retrieve(objects[DRAFT], params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
