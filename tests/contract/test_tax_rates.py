"""Tax rates through the official SDK: create, retrieve, update, list, events, bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.db.uow import Database
from tests.support.errors import invalid_request as _error
from tests.support.server import ServerProcess


def _create(client: stripe.StripeClient, **overrides: Any) -> stripe.TaxRate:
    params: dict[str, Any] = {"display_name": "VAT", "percentage": 19, "inclusive": False}
    params.update(overrides)
    return client.v1.tax_rates.create(params=params)  # type: ignore[arg-type]


# --- create ------------------------------------------------------------------------


def test_create_returns_stripe_shape(client: stripe.StripeClient) -> None:
    rate = _create(
        client,
        description="VAT Germany",
        jurisdiction="DE",
        country="de",
        tax_type="vat",
        metadata={"k": "v"},
    )
    assert rate.id.startswith("txr_")
    assert rate.object == "tax_rate"
    assert rate.active is True
    assert rate.country == "DE"
    assert rate.description == "VAT Germany"
    assert rate.display_name == "VAT"
    assert rate.inclusive is False
    assert rate.jurisdiction == "DE"
    assert rate.percentage == 19
    assert rate.effective_percentage == 19
    assert rate.tax_type == "vat"
    assert rate.state is None
    assert rate.metadata.to_dict() == {"k": "v"}
    assert rate.livemode is False
    assert rate.jurisdiction_level is None
    assert rate.flat_amount is None


def test_percentage_keeps_four_decimal_places_exactly(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    rate = _create(client, percentage="8.8750")
    raw = http.get(f"/v1/tax_rates/{rate.id}").text
    assert '"percentage":8.875' in raw
    assert rate.percentage == 8.875


def test_whole_percentage_is_rendered_as_a_float(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    rate = _create(client, percentage=10)
    assert '"percentage":10.0' in http.get(f"/v1/tax_rates/{rate.id}").text


def test_zero_and_hundred_percent_are_accepted(client: stripe.StripeClient) -> None:
    assert _create(client, percentage=0).percentage == 0
    assert _create(client, percentage=100).percentage == 100


def test_inclusive_japanese_consumption_tax(client: stripe.StripeClient) -> None:
    rate = _create(
        client, display_name="JCT", percentage=10, inclusive=True, country="JP", tax_type="jct"
    )
    assert rate.inclusive is True
    assert rate.tax_type == "jct"


def test_create_archived(client: stripe.StripeClient) -> None:
    assert _create(client, active=False).active is False


def test_create_emits_event(client: stripe.StripeClient) -> None:
    rate = _create(client)
    events = client.v1.events.list(params={"type": "tax_rate.created"})
    assert [e.data.object["id"] for e in events.data] == [rate.id]


# --- create: bad input -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["display_name", "inclusive", "percentage"])
def test_create_requires(client: stripe.StripeClient, name: str) -> None:
    params: dict[str, Any] = {"display_name": "VAT", "percentage": 19, "inclusive": False}
    del params[name]
    error = _error(lambda: client.v1.tax_rates.create(params=params))  # type: ignore[arg-type]
    assert error.code == "parameter_missing"
    assert error.param == name
    assert error.http_status == 400


def test_create_rejects_unknown_parameter(client: stripe.StripeClient) -> None:
    error = _error(lambda: _create(client, flat_amount=5))
    assert error.code == "parameter_unknown"
    assert error.param == "flat_amount"


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("percentage", "abc", "parameter_invalid_decimal"),
        ("percentage", "nan", "parameter_invalid_decimal"),
        ("percentage", "1e", "parameter_invalid_decimal"),
        ("inclusive", "maybe", "parameter_invalid_boolean"),
        ("active", "sometimes", "parameter_invalid_boolean"),
        ("metadata", "text", "parameter_invalid_hash"),
        ("display_name", {"a": "b"}, "parameter_invalid_string"),
    ],
)
def test_create_rejects_wrong_types(
    client: stripe.StripeClient, name: str, value: Any, code: str | None
) -> None:
    error = _error(lambda: _create(client, **{name: value}))
    assert error.param == name
    assert error.code == code
    assert error.http_status == 400


@pytest.mark.parametrize("percentage", ["-1", "100.0001", "1000", "12.34567"])
def test_create_rejects_percentage_out_of_range(
    client: stripe.StripeClient, percentage: str
) -> None:
    error = _error(lambda: _create(client, percentage=percentage))
    assert error.param == "percentage"


def test_create_rejects_unknown_tax_type(client: stripe.StripeClient) -> None:
    error = _error(lambda: _create(client, tax_type="poll_tax"))
    assert error.param == "tax_type"
    assert error.code == "parameter_invalid_enum"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("display_name", "x" * 51),
        ("display_name", ""),
        ("jurisdiction", "x" * 51),
        ("country", "DEU"),
        ("state", "N-Y"),
    ],
)
def test_create_rejects_bad_labels(client: stripe.StripeClient, name: str, value: str) -> None:
    error = _error(lambda: _create(client, **{name: value}))
    assert error.param == name


def test_failed_create_writes_nothing(client: stripe.StripeClient) -> None:
    _error(lambda: _create(client, percentage=101))
    assert client.v1.tax_rates.list().data == []
    assert client.v1.events.list(params={"type": "tax_rate.created"}).data == []


# --- retrieve --------------------------------------------------------------------------


def test_retrieve(client: stripe.StripeClient) -> None:
    rate = _create(client)
    assert client.v1.tax_rates.retrieve(rate.id).id == rate.id


def test_retrieve_unknown_is_404(client: stripe.StripeClient) -> None:
    error = _error(lambda: client.v1.tax_rates.retrieve("txr_missing"))
    assert error.http_status == 404
    assert error.code == "resource_missing"
    assert error.param == "id"


def test_other_accounts_rates_are_invisible(
    client: stripe.StripeClient, db: Database, server: ServerProcess
) -> None:
    rate = _create(client)
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, other.id)
    stranger = stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )
    error = _error(lambda: stranger.v1.tax_rates.retrieve(rate.id))
    assert error.http_status == 404
    assert stranger.v1.tax_rates.list().data == []


# --- update --------------------------------------------------------------------------


def test_update_changes_mutable_fields(client: stripe.StripeClient) -> None:
    rate = _create(client, description="old", metadata={"a": "1", "b": "2"})
    updated = client.v1.tax_rates.update(
        rate.id,
        params={
            "active": False,
            "country": "US",
            "state": "ny",
            "description": "new",
            "display_name": "Sales tax",
            "jurisdiction": "US - NY",
            "tax_type": "sales_tax",
            "metadata": {"a": "", "c": "3"},
        },
    )
    assert updated.active is False
    assert updated.country == "US"
    assert updated.state == "NY"
    assert updated.description == "new"
    assert updated.display_name == "Sales tax"
    assert updated.jurisdiction == "US - NY"
    assert updated.tax_type == "sales_tax"
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    assert updated.percentage == 19


def test_update_clears_optional_fields(client: stripe.StripeClient) -> None:
    rate = _create(client, description="d", jurisdiction="DE", tax_type="vat", metadata={"a": "1"})
    updated = client.v1.tax_rates.update(
        rate.id, params={"description": "", "jurisdiction": "", "tax_type": "", "metadata": ""}
    )
    assert updated.description is None
    assert updated.jurisdiction is None
    assert updated.tax_type is None
    assert updated.metadata.to_dict() == {}


def test_update_emits_event_with_previous_attributes(client: stripe.StripeClient) -> None:
    rate = _create(client)
    client.v1.tax_rates.update(rate.id, params={"active": False})
    events = client.v1.events.list(params={"type": "tax_rate.updated"}).data
    assert len(events) == 1
    assert events[0].data.object["active"] is False
    assert events[0].data.previous_attributes.to_dict() == {"active": True}


@pytest.mark.parametrize(("name", "value"), [("percentage", 5), ("inclusive", True)])
def test_percentage_and_inclusive_are_immutable(
    client: stripe.StripeClient, name: str, value: Any
) -> None:
    rate = _create(client)
    error = _error(lambda: client.v1.tax_rates.update(rate.id, params={name: value}))  # type: ignore[arg-type]
    assert error.code == "parameter_unknown"
    assert error.param == name


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"display_name": ""}, "display_name", "parameter_invalid_empty"),
        ({"active": ""}, "active", "parameter_invalid_empty"),
        ({"active": "perhaps"}, "active", "parameter_invalid_boolean"),
        ({"tax_type": "tithe"}, "tax_type", "parameter_invalid_enum"),
        ({"country": "Germany"}, "country", None),
        ({"display_name": "x" * 51}, "display_name", "parameter_invalid_string_too_long"),
    ],
)
def test_update_rejects_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], param: str, code: str | None
) -> None:
    rate = _create(client)
    error = _error(lambda: client.v1.tax_rates.update(rate.id, params=params))  # type: ignore[arg-type]
    assert error.param == param
    assert error.code == code
    unchanged = client.v1.tax_rates.retrieve(rate.id)
    assert unchanged.display_name == "VAT"
    assert unchanged.active is True


def test_update_unknown_is_404(client: stripe.StripeClient) -> None:
    error = _error(lambda: client.v1.tax_rates.update("txr_missing", params={"active": False}))
    assert error.http_status == 404


# --- list --------------------------------------------------------------------------------


def test_list_newest_first_with_pagination(client: stripe.StripeClient) -> None:
    ids = [_create(client, display_name=f"R{i}").id for i in range(3)]
    first = client.v1.tax_rates.list(params={"limit": 2})
    assert [r.id for r in first.data] == [ids[2], ids[1]]
    assert first.has_more is True
    second = client.v1.tax_rates.list(params={"limit": 2, "starting_after": ids[1]})
    assert [r.id for r in second.data] == [ids[0]]
    assert second.has_more is False


def test_list_filters_by_active_and_inclusive(client: stripe.StripeClient) -> None:
    archived = _create(client, active=False)
    inclusive = _create(client, inclusive=True)
    plain = _create(client)
    active_ids = [r.id for r in client.v1.tax_rates.list(params={"active": True}).data]
    assert active_ids == [plain.id, inclusive.id]
    inactive_ids = [r.id for r in client.v1.tax_rates.list(params={"active": False}).data]
    assert inactive_ids == [archived.id]
    inclusive_ids = [r.id for r in client.v1.tax_rates.list(params={"inclusive": True}).data]
    assert inclusive_ids == [inclusive.id]


def test_list_filters_by_created(client: stripe.StripeClient) -> None:
    rate = _create(client)
    since = client.v1.tax_rates.list(params={"created": {"gte": rate.created}}).data
    assert [r.id for r in since] == [rate.id]
    assert client.v1.tax_rates.list(params={"created": {"lt": rate.created}}).data == []


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"active": "yes please"}, "active"),
        ({"percentage": 5}, "percentage"),
        ({"created": {"gt": "soon"}}, "created[gt]"),
    ],
)
def test_list_rejects_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], param: str
) -> None:
    error = _error(lambda: client.v1.tax_rates.list(params=params))  # type: ignore[arg-type]
    assert error.param == param
    assert error.http_status == 400
