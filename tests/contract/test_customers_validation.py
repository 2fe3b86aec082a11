"""Bad input to the customer endpoints: Stripe's error naming the parameter, and no writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import stripe

from seikyu.db.models import Customer, Event
from seikyu.db.models.tax_ids import TaxId
from seikyu.db.uow import Database
from tests.contract.test_customers import count_rows
from tests.support.errors import assert_error, error_of

if TYPE_CHECKING:
    from tests.conftest import TestAccount

ANY = object()  # the code is not asserted (the message carries the detail)

# (params, code, param) for POST /v1/customers, each kind of bad input at least once.
BAD_CREATE: list[tuple[str, dict[str, Any], object, str]] = [
    ("unknown", {"nickname": "x"}, "parameter_unknown", "nickname"),
    ("unknown nested", {"address": {"planet": "Mars"}}, "parameter_unknown", "address[planet]"),
    (
        "unknown in list",
        {"tax_id_data": [{"type": "jp_trn", "value": "T8010601046367", "x": "1"}]},
        "parameter_unknown",
        "tax_id_data[0][x]",
    ),
    (
        "missing nested",
        {"shipping": {"address": {"city": "Osaka"}}},
        "parameter_missing",
        "shipping[name]",
    ),
    (
        "missing in list",
        {"tax_id_data": [{"type": "jp_trn"}]},
        "parameter_missing",
        "tax_id_data[0][value]",
    ),
    ("not an integer", {"balance": "lots"}, "parameter_invalid_integer", "balance"),
    ("integer too large", {"balance": 2**63}, "parameter_invalid_integer", "balance"),
    (
        "sequence below 1",
        {"next_invoice_sequence": 0},
        "parameter_invalid_integer",
        "next_invoice_sequence",
    ),
    ("not a hash", {"address": "Tokyo"}, "parameter_invalid_hash", "address"),
    (
        "not an array",
        {"preferred_locales": {"a": "ja"}},
        "parameter_invalid_array",
        "preferred_locales",
    ),
    ("invalid enum", {"tax_exempt": "sometimes"}, "parameter_invalid_enum", "tax_exempt"),
    (
        "nested enum",
        {"invoice_settings": {"rendering_options": {"amount_tax_display": "x"}}},
        "parameter_invalid_enum",
        "invoice_settings[rendering_options][amount_tax_display]",
    ),
    (
        "email too long",
        {"email": "a" * 501 + "@example.com"},
        "parameter_invalid_string_too_long",
        "email",
    ),
    ("name too long", {"name": "n" * 257}, "parameter_invalid_string_too_long", "name"),
    ("phone too long", {"phone": "1" * 21}, "parameter_invalid_string_too_long", "phone"),
    (
        "country too long",
        {"address": {"country": "JPN"}},
        "parameter_invalid_string_too_long",
        "address[country]",
    ),
    ("malformed email", {"email": "not an email"}, "email_invalid", "email"),
    ("email without domain", {"email": "hanako@"}, "email_invalid", "email"),
    ("bad locale", {"preferred_locales": ["ja", "日本語"]}, ANY, "preferred_locales[1]"),
    ("lower-case prefix", {"invoice_prefix": "abc"}, ANY, "invoice_prefix"),
    ("prefix too long", {"invoice_prefix": "ABCDEFGHIJKLM"}, ANY, "invoice_prefix"),
    (
        "five custom fields",
        {
            "invoice_settings": {
                "custom_fields": [{"name": f"n{i}", "value": "v"} for i in range(5)]
            }
        },
        "parameter_invalid_array",
        "invoice_settings[custom_fields]",
    ),
    (
        "custom field name too long",
        {"invoice_settings": {"custom_fields": [{"name": "n" * 41, "value": "v"}]}},
        "parameter_invalid_string_too_long",
        "invoice_settings[custom_fields][0][name]",
    ),
    (
        "custom field value too long",
        {"invoice_settings": {"custom_fields": [{"name": "n", "value": "v" * 141}]}},
        "parameter_invalid_string_too_long",
        "invoice_settings[custom_fields][0][value]",
    ),
    (
        "payment method",
        {"invoice_settings": {"default_payment_method": "pm_123"}},
        "resource_missing",
        "invoice_settings[default_payment_method]",
    ),
    ("test clock", {"test_clock": "clock_123"}, "resource_missing", "test_clock"),
    ("51 metadata keys", {"metadata": {f"k{i}": "v" for i in range(51)}}, ANY, "metadata"),
    ("metadata key of 41", {"metadata": {"k" * 41: "v"}}, ANY, "metadata"),
    ("metadata value of 501", {"metadata": {"k": "v" * 501}}, ANY, "metadata"),
    ("metadata not a hash", {"metadata": "x"}, ANY, "metadata"),
    (
        "empty name",
        {"shipping": {"name": "", "address": {"city": "Osaka"}}},
        "parameter_invalid_empty",
        "shipping[name]",
    ),
    (
        "tax id type",
        {"tax_id_data": [{"type": "xx_vat", "value": "1"}]},
        "parameter_invalid_enum",
        "tax_id_data[0][type]",
    ),
    (
        "tax id value",
        {
            "tax_id_data": [
                {"type": "jp_trn", "value": "T8010601046367"},
                {"type": "jp_trn", "value": "8010601046367"},
            ]
        },
        "tax_id_invalid",
        "tax_id_data[1][value]",
    ),
    (
        "26 tax ids",
        {"tax_id_data": [{"type": "us_ein", "value": f"12-{n:07d}"} for n in range(26)]},
        "parameter_invalid_array",
        "tax_id_data",
    ),
]


def _ids(cases: list[tuple[Any, ...]]) -> list[str]:
    return [case[0] for case in cases]


@pytest.mark.parametrize(("name", "params", "code", "param"), BAD_CREATE, ids=_ids(BAD_CREATE))
def test_bad_create_is_refused_and_writes_nothing(
    client: stripe.StripeClient,
    db: Database,
    account: TestAccount,
    name: str,
    params: dict[str, Any],
    code: object,
    param: str,
) -> None:
    error = error_of(lambda: client.v1.customers.create(params=params))

    body = (error.json_body or {})["error"]
    assert (error.http_status, body.get("param")) == (
        400,
        param,
    ), body
    if code is not ANY:
        assert body.get("code") == code, body
    assert body["type"] == "invalid_request_error"
    assert isinstance(error, stripe.InvalidRequestError)
    for model in (Customer, TaxId, Event):
        assert count_rows(db, account, model) == 0, model


BAD_UPDATE: list[tuple[str, dict[str, Any], object, str]] = [
    (
        "unknown",
        {"tax_id_data": [{"type": "jp_trn", "value": "T8010601046367"}]},
        "parameter_unknown",
        "tax_id_data",
    ),
    ("not an integer", {"balance": "1.5"}, "parameter_invalid_integer", "balance"),
    ("invalid enum", {"tax_exempt": "maybe"}, "parameter_invalid_enum", "tax_exempt"),
    ("too long", {"description": "d" * 5001}, "parameter_invalid_string_too_long", "description"),
    ("malformed email", {"email": "a@b"}, "email_invalid", "email"),
    (
        "payment method",
        {"invoice_settings": {"default_payment_method": "pm_1"}},
        "resource_missing",
        "invoice_settings[default_payment_method]",
    ),
    ("metadata key of 41", {"metadata": {"k" * 41: "v"}}, ANY, "metadata"),
    ("cannot clear balance", {"balance": ""}, "parameter_invalid_empty", "balance"),
    (
        "cannot clear the sequence",
        {"next_invoice_sequence": ""},
        "parameter_invalid_empty",
        "next_invoice_sequence",
    ),
    (
        "cannot clear the prefix",
        {"invoice_prefix": ""},
        "parameter_invalid_empty",
        "invoice_prefix",
    ),
    (
        "cannot clear invoice settings",
        {"invoice_settings": ""},
        "parameter_invalid_empty",
        "invoice_settings",
    ),
]


@pytest.mark.parametrize(("name", "params", "code", "param"), BAD_UPDATE, ids=_ids(BAD_UPDATE))
def test_bad_update_is_refused_and_changes_nothing(
    client: stripe.StripeClient,
    db: Database,
    account: TestAccount,
    name: str,
    params: dict[str, Any],
    code: object,
    param: str,
) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com", "balance": 5})
    events = count_rows(db, account, Event)

    error = error_of(lambda: client.v1.customers.update(customer.id, params=params))

    body = (error.json_body or {})["error"]
    assert body.get("param") == param, body
    if code is not ANY:
        assert body.get("code") == code, body
    assert client.v1.customers.retrieve(customer.id).to_dict() == customer.to_dict()
    assert count_rows(db, account, Event) == events


def test_metadata_over_50_keys_after_merging_is_refused(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"metadata": {f"a{i}": "v" for i in range(30)}})

    error = error_of(
        lambda: client.v1.customers.update(
            customer.id, params={"metadata": {f"b{i}": "v" for i in range(21)}}
        )
    )

    assert_error(error, code=None, param="metadata")
    assert len(client.v1.customers.retrieve(customer.id).metadata.to_dict()) == 30


def test_an_invoice_prefix_taken_on_update_is_refused(client: stripe.StripeClient) -> None:
    client.v1.customers.create(params={"invoice_prefix": "TAKEN"})
    customer = client.v1.customers.create()

    error = error_of(
        lambda: client.v1.customers.update(customer.id, params={"invoice_prefix": "TAKEN"})
    )

    assert_error(error, code="invoice_prefix_in_use", param="invoice_prefix")


def test_updating_a_missing_customer_is_a_404(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.customers.update("cus_nope", params={"name": "x"}))

    assert_error(error, status=404, code="resource_missing", param="id")


def test_retrieve_and_delete_take_no_unknown_params(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()

    retrieve = error_of(lambda: client.v1.customers.retrieve(customer.id, params={"x": "1"}))
    delete = error_of(lambda: client.v1.customers.delete(customer.id, params={"x": "1"}))

    assert_error(retrieve, code="parameter_unknown", param="x")
    assert_error(delete, code="parameter_unknown", param="x")
    assert "deleted" not in client.v1.customers.retrieve(customer.id).to_dict()


def test_expanding_something_not_expandable_is_refused(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()

    error = error_of(
        lambda: client.v1.customers.retrieve(customer.id, params={"expand": ["email"]})
    )

    assert error.http_status == 400
    assert (error.json_body or {})["error"].get("param", "").startswith("expand")


BAD_LIST: list[tuple[str, dict[str, Any], object, str]] = [
    ("unknown", {"name": "x"}, "parameter_unknown", "name"),
    ("limit 0", {"limit": 0}, "parameter_invalid_integer", "limit"),
    ("limit 101", {"limit": 101}, "parameter_invalid_integer", "limit"),
    ("limit not a number", {"limit": "ten"}, "parameter_invalid_integer", "limit"),
    (
        "created not a number",
        {"created": {"gt": "yesterday"}},
        "parameter_invalid_integer",
        "created[gt]",
    ),
    ("unknown created bound", {"created": {"after": 1}}, "parameter_unknown", "created[after]"),
    ("email too long", {"email": "a" * 513}, "parameter_invalid_string_too_long", "email"),
    ("both cursors", {"starting_after": "cus_a", "ending_before": "cus_b"}, ANY, ANY),
]


@pytest.mark.parametrize(("name", "params", "code", "param"), BAD_LIST, ids=_ids(BAD_LIST))
def test_bad_list_params_are_refused(
    client: stripe.StripeClient, name: str, params: dict[str, Any], code: object, param: object
) -> None:
    error = error_of(lambda: client.v1.customers.list(params=params))

    body = (error.json_body or {})["error"]
    assert error.http_status == 400, body
    if param is not ANY:
        assert body.get("param") == param, body
    if code is not ANY:
        assert body.get("code") == code, body
