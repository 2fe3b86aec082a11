"""Coupons through the official SDK: create, retrieve, update, delete, list, events."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.db.uow import Database
from tests.support.errors import invalid_request as _error
from tests.support.server import ServerProcess

DAY = 86_400


def _create(client: stripe.StripeClient, **params: Any) -> stripe.Coupon:
    if "amount_off" not in params and "percent_off" not in params:
        params["percent_off"] = 25
    return client.v1.coupons.create(params=params)  # type: ignore[arg-type]


# --- create ------------------------------------------------------------------------------


def test_create_percent_off_with_defaults(client: stripe.StripeClient) -> None:
    coupon = _create(client, percent_off=25.5)
    assert coupon.object == "coupon"
    assert len(coupon.id) == 8
    assert coupon.id.isalnum()
    assert coupon.percent_off == 25.5
    assert coupon.amount_off is None
    assert coupon.currency is None
    assert coupon.duration == "once"
    assert coupon.duration_in_months is None
    assert coupon.max_redemptions is None
    assert coupon.redeem_by is None
    assert coupon.name is None
    assert coupon.times_redeemed == 0
    assert coupon.valid is True
    assert coupon.livemode is False
    assert coupon.metadata.to_dict() == {}
    assert "applies_to" not in coupon
    assert "currency_options" not in coupon


def test_percent_off_is_rendered_from_the_exact_decimal(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    half = _create(client, percent_off="12.50")
    whole = _create(client, percent_off=10)
    thirds = _create(client, percent_off="33.33")
    assert '"percent_off":12.5,' in http.get(f"/v1/coupons/{half.id}").text
    assert '"percent_off":10.0,' in http.get(f"/v1/coupons/{whole.id}").text
    assert '"percent_off":33.33,' in http.get(f"/v1/coupons/{thirds.id}").text


def test_create_amount_off_repeating_with_every_option(client: stripe.StripeClient) -> None:
    redeem_by = int(time.time()) + 30 * DAY
    coupon = _create(
        client,
        id="SUMMER-25_off.v1",
        amount_off=500,
        currency="USD",
        duration="repeating",
        duration_in_months=3,
        max_redemptions=100,
        redeem_by=redeem_by,
        name="Summer sale",
        metadata={"campaign": "summer"},
    )
    assert coupon.id == "SUMMER-25_off.v1"
    assert coupon.amount_off == 500
    assert coupon.currency == "usd"
    assert coupon.percent_off is None
    assert coupon.duration == "repeating"
    assert coupon.duration_in_months == 3
    assert coupon.max_redemptions == 100
    assert coupon.redeem_by == redeem_by
    assert coupon.name == "Summer sale"
    assert coupon.metadata.to_dict() == {"campaign": "summer"}


def test_forever_coupon(client: stripe.StripeClient) -> None:
    assert _create(client, duration="forever").duration == "forever"


def test_zero_decimal_currency_amount(client: stripe.StripeClient) -> None:
    coupon = _create(client, amount_off=700, currency="jpy")
    assert coupon.amount_off == 700
    assert coupon.currency == "jpy"


def test_create_emits_event(client: stripe.StripeClient) -> None:
    coupon = _create(client, id="EVENTFUL")
    events = client.v1.events.list(params={"type": "coupon.created"}).data
    assert [e.data.object["id"] for e in events] == [coupon.id]
    assert events[0].data.object["percent_off"] == 25


def test_duplicate_id_is_refused(client: stripe.StripeClient) -> None:
    _create(client, id="ONCE")
    error = _error(lambda: _create(client, id="ONCE"))
    assert error.code == "resource_already_exists"
    assert error.param == "id"
    assert error.http_status == 400


def test_ids_are_case_sensitive(client: stripe.StripeClient) -> None:
    _create(client, id="Mixed")
    assert _create(client, id="mixed").id == "mixed"


def test_id_is_free_again_after_deletion(client: stripe.StripeClient) -> None:
    first = _create(client, id="REUSED", percent_off=10)
    client.v1.coupons.delete(first.id)
    second = _create(client, id="REUSED", percent_off=20)
    assert client.v1.coupons.retrieve("REUSED").percent_off == second.percent_off == 20


def test_accounts_do_not_share_coupon_ids(
    client: stripe.StripeClient, db: Database, server: ServerProcess
) -> None:
    _create(client, id="SHARED", percent_off=10)
    stranger = _other_client(db, server)
    error = _error(lambda: stranger.v1.coupons.retrieve("SHARED"))
    assert error.http_status == 404
    assert stranger.v1.coupons.create(params={"id": "SHARED", "percent_off": 50}).percent_off == 50
    assert client.v1.coupons.retrieve("SHARED").percent_off == 10


def test_applies_to_products_of_this_account(client: stripe.StripeClient) -> None:
    gold = client.v1.products.create(params={"name": "Gold"})
    silver = client.v1.products.create(params={"name": "Silver"})
    coupon = client.v1.coupons.create(
        params={
            "percent_off": 10,
            "applies_to": {"products": [gold.id, silver.id]},
            "expand": ["applies_to"],
        }
    )
    assert coupon.applies_to is not None
    assert coupon.applies_to.products == [gold.id, silver.id]
    fetched = client.v1.coupons.retrieve(coupon.id, params={"expand": ["applies_to"]})
    assert fetched.applies_to is not None
    assert fetched.applies_to.products == [gold.id, silver.id]


def test_applies_to_refuses_another_accounts_product(
    client: stripe.StripeClient, db: Database, server: ServerProcess
) -> None:
    theirs = _other_client(db, server).v1.products.create(params={"name": "Theirs"})
    error = _error(lambda: _create(client, applies_to={"products": [theirs.id]}))
    assert error.param == "applies_to[products][0]"
    assert error.code == "resource_missing"


def test_applies_to_is_null_when_not_restricted(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create(params={"percent_off": 10, "expand": ["applies_to"]})
    assert coupon.applies_to is None


def test_applies_to_unknown_product_is_refused(client: stripe.StripeClient) -> None:
    gold = client.v1.products.create(params={"name": "Gold"})
    error = _error(lambda: _create(client, applies_to={"products": [gold.id, "prod_missing"]}))
    assert error.code == "resource_missing"
    assert error.param == "applies_to[products][1]"
    assert error.http_status == 400
    assert client.v1.coupons.list().data == []


def test_currency_options_for_amount_off(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create(
        params={
            "amount_off": 500,
            "currency": "usd",
            "currency_options": {"eur": {"amount_off": 450}, "JPY": {"amount_off": 700}},
            "expand": ["currency_options"],
        }
    )
    assert coupon.currency_options is not None
    assert coupon.currency_options.to_dict() == {
        "usd": {"amount_off": 500},
        "eur": {"amount_off": 450},
        "jpy": {"amount_off": 700},
    }


def test_list_can_include_currency_options(client: stripe.StripeClient) -> None:
    _create(client, amount_off=500, currency="usd", currency_options={"eur": {"amount_off": 4}})
    listed = client.v1.coupons.list(params={"expand": ["data.currency_options"]}).data
    assert listed[0].currency_options is not None
    assert listed[0].currency_options.to_dict()["eur"] == {"amount_off": 4}


# --- create: bad input -------------------------------------------------------------------


def test_create_rejects_unknown_parameter(client: stripe.StripeClient) -> None:
    error = _error(lambda: _create(client, percentage=5))
    assert error.code == "parameter_unknown"
    assert error.param == "percentage"


def test_create_needs_percent_off_or_amount_off(client: stripe.StripeClient) -> None:
    error = _error(lambda: client.v1.coupons.create(params={"duration": "once"}))
    assert error.code == "parameter_missing"
    assert error.param == "percent_off"


def test_create_refuses_both_percent_off_and_amount_off(client: stripe.StripeClient) -> None:
    error = _error(lambda: _create(client, percent_off=5, amount_off=5, currency="usd"))
    assert error.code == "parameters_exclusive"


def test_amount_off_needs_currency(client: stripe.StripeClient) -> None:
    error = _error(lambda: _create(client, amount_off=500))
    assert error.code == "parameter_missing"
    assert error.param == "currency"


def test_repeating_needs_duration_in_months(client: stripe.StripeClient) -> None:
    error = _error(lambda: _create(client, duration="repeating"))
    assert error.code == "parameter_missing"
    assert error.param == "duration_in_months"


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"percent_off": "abc"}, "percent_off", "parameter_invalid_decimal"),
        ({"amount_off": "5.5", "currency": "usd"}, "amount_off", "parameter_invalid_integer"),
        ({"max_redemptions": "many"}, "max_redemptions", "parameter_invalid_integer"),
        ({"duration_in_months": "x", "duration": "repeating"}, "duration_in_months", None),
        ({"redeem_by": "tomorrow"}, "redeem_by", "parameter_invalid_integer"),
        ({"duration": "weekly"}, "duration", "parameter_invalid_enum"),
        ({"applies_to": "all"}, "applies_to", "parameter_invalid_hash"),
        ({"currency_options": "eur"}, "currency_options", "parameter_invalid_hash"),
        ({"metadata": "x"}, "metadata", "parameter_invalid_hash"),
        ({"name": "x" * 41}, "name", "parameter_invalid_string_too_long"),
    ],
)
def test_create_rejects_wrong_types(
    client: stripe.StripeClient, params: dict[str, Any], param: str, code: str | None
) -> None:
    error = _error(lambda: _create(client, **params))
    assert error.param == param
    if code is not None:
        assert error.code == code
    assert error.http_status == 400


def test_applies_to_products_must_be_an_array(http: httpx.Client) -> None:
    response = http.post("/v1/coupons", data={"percent_off": "5", "applies_to[products]": "prod_x"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "applies_to[products]"


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"percent_off": 0}, "percent_off"),
        ({"percent_off": -5}, "percent_off"),
        ({"percent_off": "100.01"}, "percent_off"),
        ({"percent_off": "12.345"}, "percent_off"),
        ({"amount_off": 0, "currency": "usd"}, "amount_off"),
        ({"amount_off": -1, "currency": "usd"}, "amount_off"),
        ({"amount_off": 100_000_000, "currency": "usd"}, "amount_off"),
        ({"amount_off": 5, "currency": "xyz"}, "currency"),
        ({"duration": "repeating", "duration_in_months": 0}, "duration_in_months"),
        ({"duration": "repeating", "duration_in_months": 1201}, "duration_in_months"),
        ({"duration": "once", "duration_in_months": 3}, "duration_in_months"),
        ({"max_redemptions": 0}, "max_redemptions"),
        ({"redeem_by": 1_000_000_000}, "redeem_by"),
        ({"redeem_by": 99_999_999_999_999}, "redeem_by"),
        ({"id": "has space"}, "id"),
        ({"id": "a/b"}, "id"),
        ({"id": "x" * 201}, "id"),
        (
            {"amount_off": 5, "currency": "usd", "currency_options": {"eur": {"amount_off": 0}}},
            "currency_options[eur][amount_off]",
        ),
        (
            {"amount_off": 5, "currency": "usd", "currency_options": {"abc": {"amount_off": 3}}},
            "currency_options[abc]",
        ),
        (
            {"amount_off": 5, "currency": "usd", "currency_options": {"usd": {"amount_off": 3}}},
            "currency_options[usd][amount_off]",
        ),
        ({"currency_options": {"eur": {"amount_off": 3}}}, "currency_options"),
        (
            {"amount_off": 5, "currency": "usd", "currency_options": {"eur": {"amount": 3}}},
            "currency_options[eur][amount]",
        ),
    ],
)
def test_create_rejects_out_of_range(
    client: stripe.StripeClient, params: dict[str, Any], param: str
) -> None:
    error = _error(lambda: _create(client, **params))
    assert error.param == param
    assert error.http_status == 400


def test_redeem_by_may_be_up_to_five_years_ahead(client: stripe.StripeClient) -> None:
    soon = int(time.time()) + 60
    within = int(time.time()) + 4 * 365 * DAY
    beyond = int(time.time()) + 5 * 366 * DAY
    assert _create(client, redeem_by=soon).redeem_by == soon
    assert _create(client, redeem_by=within).redeem_by == within
    assert _error(lambda: _create(client, redeem_by=beyond)).param == "redeem_by"


def test_failed_create_writes_nothing(client: stripe.StripeClient) -> None:
    _error(lambda: _create(client, id="NOPE", percent_off=101))
    assert client.v1.coupons.list().data == []
    assert client.v1.events.list(params={"type": "coupon.created"}).data == []


# --- retrieve ------------------------------------------------------------------------------


def test_retrieve(client: stripe.StripeClient) -> None:
    coupon = _create(client, id="FETCH")
    assert client.v1.coupons.retrieve("FETCH").id == coupon.id


def test_retrieve_unknown_is_404(client: stripe.StripeClient) -> None:
    error = _error(lambda: client.v1.coupons.retrieve("missing"))
    assert error.http_status == 404
    assert error.code == "resource_missing"


def test_retrieve_rejects_unknown_expansion(client: stripe.StripeClient) -> None:
    coupon = _create(client)
    error = _error(lambda: client.v1.coupons.retrieve(coupon.id, params={"expand": ["name"]}))
    assert error.param == "expand"


# --- update ------------------------------------------------------------------------------


def test_update_name_and_metadata(client: stripe.StripeClient) -> None:
    coupon = _create(client, name="Old", metadata={"a": "1", "b": "2"})
    updated = client.v1.coupons.update(
        coupon.id, params={"name": "New", "metadata": {"a": "", "c": "3"}}
    )
    assert updated.name == "New"
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    assert updated.percent_off == 25


def test_update_clears_name(client: stripe.StripeClient) -> None:
    coupon = _create(client, name="Old")
    assert client.v1.coupons.update(coupon.id, params={"name": ""}).name is None


def test_update_emits_event_with_previous_attributes(client: stripe.StripeClient) -> None:
    coupon = _create(client, name="Old")
    client.v1.coupons.update(coupon.id, params={"name": "New"})
    events = client.v1.events.list(params={"type": "coupon.updated"}).data
    assert len(events) == 1
    assert events[0].data.object["name"] == "New"
    assert events[0].data.previous_attributes.to_dict() == {"name": "Old"}


def test_update_adds_currency_options(client: stripe.StripeClient) -> None:
    coupon = _create(
        client, amount_off=500, currency="usd", currency_options={"eur": {"amount_off": 450}}
    )
    updated = client.v1.coupons.update(
        coupon.id,
        params={
            "currency_options": {"gbp": {"amount_off": 400}, "eur": {"amount_off": 460}},
            "expand": ["currency_options"],
        },
    )
    assert updated.currency_options is not None
    assert updated.currency_options.to_dict() == {
        "usd": {"amount_off": 500},
        "eur": {"amount_off": 460},
        "gbp": {"amount_off": 400},
    }


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"percent_off": 50}, "percent_off", "parameter_unknown"),
        ({"amount_off": 50}, "amount_off", "parameter_unknown"),
        ({"duration": "forever"}, "duration", "parameter_unknown"),
        ({"redeem_by": 2_000_000_000}, "redeem_by", "parameter_unknown"),
        ({"name": "x" * 41}, "name", "parameter_invalid_string_too_long"),
        ({"name": {"a": "b"}}, "name", "parameter_invalid_string"),
        ({"currency_options": ""}, "currency_options", "parameter_invalid_empty"),
        ({"currency_options": {"eur": {"amount_off": 3}}}, "currency_options", None),
        ({"metadata": {"k" * 41: "v"}}, "metadata", None),
    ],
)
def test_update_rejects_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], param: str, code: str | None
) -> None:
    coupon = _create(client, name="Kept")
    error = _error(lambda: client.v1.coupons.update(coupon.id, params=params))  # type: ignore[arg-type]
    assert error.param == param
    assert error.code == code
    assert client.v1.coupons.retrieve(coupon.id).name == "Kept"


def test_update_cannot_change_the_coupons_own_currency_amount(
    client: stripe.StripeClient,
) -> None:
    coupon = _create(client, amount_off=500, currency="usd")
    error = _error(
        lambda: client.v1.coupons.update(
            coupon.id, params={"currency_options": {"usd": {"amount_off": 400}}}
        )
    )
    assert error.param == "currency_options[usd][amount_off]"


def test_update_unknown_is_404(client: stripe.StripeClient) -> None:
    error = _error(lambda: client.v1.coupons.update("missing", params={"name": "x"}))
    assert error.http_status == 404


# --- delete ----------------------------------------------------------------------------


def test_delete_returns_stub_and_hides_the_coupon(client: stripe.StripeClient) -> None:
    coupon = _create(client, id="GONE")
    deleted = client.v1.coupons.delete("GONE")
    assert deleted.id == "GONE"
    assert deleted.deleted is True
    assert deleted.object == "coupon"
    assert _error(lambda: client.v1.coupons.retrieve("GONE")).http_status == 404
    assert _error(lambda: client.v1.coupons.update("GONE", params={"name": "x"})).http_status == 404
    assert _error(lambda: client.v1.coupons.delete("GONE")).http_status == 404
    assert coupon.id not in [c.id for c in client.v1.coupons.list().data]


def test_delete_emits_event_with_the_full_coupon(client: stripe.StripeClient) -> None:
    _create(client, id="GONE", name="Was here")
    client.v1.coupons.delete("GONE")
    events = client.v1.events.list(params={"type": "coupon.deleted"}).data
    assert len(events) == 1
    assert events[0].data.object["name"] == "Was here"
    assert events[0].data.object["id"] == "GONE"


def test_delete_rejects_parameters(client: stripe.StripeClient, http: httpx.Client) -> None:
    coupon = _create(client)
    response = http.delete(f"/v1/coupons/{coupon.id}", params={"force": "true"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parameter_unknown"


# --- list --------------------------------------------------------------------------------


def test_list_is_newest_first_whatever_the_ids(client: stripe.StripeClient) -> None:
    for coupon_id in ("ZZZ", "AAA", "MMM"):
        _create(client, id=coupon_id)
    first = client.v1.coupons.list(params={"limit": 2})
    assert [c.id for c in first.data] == ["MMM", "AAA"]
    assert first.has_more is True
    second = client.v1.coupons.list(params={"limit": 2, "starting_after": "AAA"})
    assert [c.id for c in second.data] == ["ZZZ"]
    assert second.has_more is False
    back = client.v1.coupons.list(params={"limit": 2, "ending_before": "ZZZ"})
    assert [c.id for c in back.data] == ["MMM", "AAA"]


def test_list_cursor_survives_deletion_of_its_coupon(client: stripe.StripeClient) -> None:
    for coupon_id in ("ONE", "TWO", "THREE"):
        _create(client, id=coupon_id)
    client.v1.coupons.delete("TWO")
    rest = client.v1.coupons.list(params={"starting_after": "TWO"}).data
    assert [c.id for c in rest] == ["ONE"]


def test_list_auto_paging(client: stripe.StripeClient) -> None:
    ids = {_create(client).id for _ in range(5)}
    seen = {c.id for c in client.v1.coupons.list(params={"limit": 2}).auto_paging_iter()}
    assert seen == ids


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"starting_after": "nonexistent"}, "starting_after"),
        ({"ending_before": "nonexistent"}, "ending_before"),
        ({"created": {"gte": "x"}}, "created[gte]"),
        ({"valid": True}, "valid"),
    ],
)
def test_list_rejects_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], param: str
) -> None:
    error = _error(lambda: client.v1.coupons.list(params=params))  # type: ignore[arg-type]
    assert error.param == param


def _other_client(db: Database, server: ServerProcess) -> stripe.StripeClient:
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, other.id)
    return stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )
