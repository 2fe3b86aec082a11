"""Bad input to the tax ID endpoints: Stripe's error naming the parameter, and no writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import stripe

from seikyu.db.models import Event
from seikyu.db.models.tax_ids import TaxId
from seikyu.db.uow import Database
from tests.contract.test_customers import count_rows
from tests.support.errors import assert_error, error_of

if TYPE_CHECKING:
    from tests.conftest import TestAccount

ANY = object()

BAD_CREATE: list[tuple[str, dict[str, Any], int, object, str]] = [
    ("missing type", {"value": "T8010601046367"}, 400, "parameter_missing", "type"),
    ("missing value", {"type": "jp_trn"}, 400, "parameter_missing", "value"),
    (
        "unknown",
        {"type": "jp_trn", "value": "T8010601046367", "country": "JP"},
        400,
        "parameter_unknown",
        "country",
    ),
    (
        "type not in the enum",
        {"type": "jp_vat", "value": "T8010601046367"},
        400,
        "parameter_invalid_enum",
        "type",
    ),
    ("legacy type", {"type": "unknown", "value": "123"}, 400, "parameter_invalid_enum", "type"),
    (
        "malformed jp_trn",
        {"type": "jp_trn", "value": "8010601046367"},
        400,
        "tax_id_invalid",
        "value",
    ),
    (
        "jp_trn of 12 digits",
        {"type": "jp_trn", "value": "T801060104636"},
        400,
        "tax_id_invalid",
        "value",
    ),
    (
        "jp_cn check digit",
        {"type": "jp_cn", "value": "1010601046367"},
        400,
        "tax_id_invalid",
        "value",
    ),
    (
        "eu_vat of a non-member",
        {"type": "eu_vat", "value": "US123456789"},
        400,
        "tax_id_invalid",
        "value",
    ),
    ("gb_vat short", {"type": "gb_vat", "value": "GB12345678"}, 400, "tax_id_invalid", "value"),
    ("us_ein letters", {"type": "us_ein", "value": "AB-CDEFGHI"}, 400, "tax_id_invalid", "value"),
    (
        "value too long",
        {"type": "jp_trn", "value": "T" + "1" * 200},
        400,
        "parameter_invalid_string_too_long",
        "value",
    ),
    ("empty value", {"type": "jp_trn", "value": ""}, 400, "parameter_invalid_empty", "value"),
    ("value a hash", {"type": "jp_trn", "value": {"a": "b"}}, 400, ANY, "value"),
    (
        "expand not an array",
        {"type": "jp_trn", "value": "T8010601046367", "expand": "customer"},
        400,
        "parameter_invalid_array",
        "expand",
    ),
]


def _ids(cases: list[tuple[Any, ...]]) -> list[str]:
    return [case[0] for case in cases]


def _assert(error: stripe.StripeError, status: int, code: object, param: object) -> None:
    body = (error.json_body or {})["error"]
    assert error.http_status == status, body
    if param is not ANY:
        assert body.get("param") == param, body
    if code is not ANY:
        assert body.get("code") == code, body


@pytest.mark.parametrize(
    ("name", "params", "status", "code", "param"), BAD_CREATE, ids=_ids(BAD_CREATE)
)
def test_bad_create_under_a_customer_writes_nothing(
    client: stripe.StripeClient,
    db: Database,
    account: TestAccount,
    name: str,
    params: dict[str, Any],
    status: int,
    code: object,
    param: str,
) -> None:
    customer = client.v1.customers.create()
    events = count_rows(db, account, Event)

    error = error_of(lambda: client.v1.customers.tax_ids.create(customer.id, params=params))

    _assert(error, status, code, param)
    assert count_rows(db, account, TaxId) == 0
    assert count_rows(db, account, Event) == events


@pytest.mark.parametrize(
    ("name", "params", "status", "code", "param"), BAD_CREATE, ids=_ids(BAD_CREATE)
)
def test_bad_top_level_create_writes_nothing(
    client: stripe.StripeClient,
    db: Database,
    account: TestAccount,
    name: str,
    params: dict[str, Any],
    status: int,
    code: object,
    param: str,
) -> None:
    error = error_of(lambda: client.v1.tax_ids.create(params=params))

    _assert(error, status, code, param)
    assert count_rows(db, account, TaxId) == 0


BAD_OWNER: list[tuple[str, dict[str, Any], int, object, str]] = [
    ("owner type missing", {"customer": "cus_x"}, 400, "parameter_missing", "owner[type]"),
    ("owner type unknown", {"type": "friend"}, 400, "parameter_invalid_enum", "owner[type]"),
    ("connected account", {"type": "account", "account": "acct_1"}, 400, ANY, ANY),
    ("customer missing", {"type": "customer"}, 400, "parameter_missing", "owner[customer]"),
    (
        "customer unknown",
        {"type": "customer", "customer": "cus_nope"},
        400,
        "resource_missing",
        "owner[customer]",
    ),
    ("customer with self", {"type": "self", "customer": "cus_x"}, 400, ANY, "owner[customer]"),
    ("owner not a hash", "self", 400, "parameter_invalid_hash", "owner"),
]


@pytest.mark.parametrize(
    ("name", "owner", "status", "code", "param"), BAD_OWNER, ids=_ids(BAD_OWNER)
)
def test_bad_owner_is_refused(
    client: stripe.StripeClient,
    db: Database,
    account: TestAccount,
    name: str,
    owner: Any,
    status: int,
    code: object,
    param: object,
) -> None:
    create = error_of(
        lambda: client.v1.tax_ids.create(
            params={"type": "jp_trn", "value": "T8010601046367", "owner": owner}
        )
    )
    listing = error_of(lambda: client.v1.tax_ids.list(params={"owner": owner}))

    _assert(create, status, code, param)
    _assert(listing, status, code, param)
    assert count_rows(db, account, TaxId) == 0


def test_a_deleted_customer_cannot_own_a_new_tax_id(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    client.v1.customers.delete(customer.id)

    error = error_of(
        lambda: client.v1.tax_ids.create(
            params={
                "type": "jp_trn",
                "value": "T8010601046367",
                "owner": {"type": "customer", "customer": customer.id},
            }
        )
    )

    assert_error(error, status=400, code="resource_missing", param="owner[customer]")


BAD_LIST: list[tuple[str, dict[str, Any], object, str]] = [
    ("created is not a filter here", {"created": 1}, "parameter_unknown", "created"),
    ("unknown", {"type": "jp_trn"}, "parameter_unknown", "type"),
    ("limit 0", {"limit": 0}, "parameter_invalid_integer", "limit"),
    ("limit 101", {"limit": 101}, "parameter_invalid_integer", "limit"),
    ("limit a word", {"limit": "many"}, "parameter_invalid_integer", "limit"),
]


@pytest.mark.parametrize(("name", "params", "code", "param"), BAD_LIST, ids=_ids(BAD_LIST))
def test_bad_list_params_are_refused(
    client: stripe.StripeClient, name: str, params: dict[str, Any], code: object, param: str
) -> None:
    customer = client.v1.customers.create()

    nested = error_of(lambda: client.v1.customers.tax_ids.list(customer.id, params=params))
    top = error_of(lambda: client.v1.tax_ids.list(params=params))

    _assert(nested, 400, code, param)
    _assert(top, 400, code, param)


def test_unknown_ids_are_404s(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()

    for call in (
        lambda: client.v1.tax_ids.retrieve("txi_nope"),
        lambda: client.v1.tax_ids.delete("txi_nope"),
        lambda: client.v1.customers.tax_ids.retrieve(customer.id, "txi_nope"),
        lambda: client.v1.customers.tax_ids.delete(customer.id, "txi_nope"),
        lambda: client.v1.customers.tax_ids.list("cus_nope"),
        lambda: client.v1.customers.tax_ids.create(
            "cus_nope", params={"type": "jp_trn", "value": "T8010601046367"}
        ),
    ):
        assert_error(error_of(call), status=404, code="resource_missing", param="id")


def test_retrieve_and_delete_take_no_unknown_params(client: stripe.StripeClient) -> None:
    own = client.v1.tax_ids.create(params={"type": "jp_trn", "value": "T8010601046367"})

    retrieve = error_of(lambda: client.v1.tax_ids.retrieve(own.id, params={"x": "1"}))
    delete = error_of(lambda: client.v1.tax_ids.delete(own.id, params={"x": "1"}))

    assert_error(retrieve, code="parameter_unknown", param="x")
    assert_error(delete, code="parameter_unknown", param="x")
    assert client.v1.tax_ids.retrieve(own.id).id == own.id
