"""Promotion codes through the official SDK: create, retrieve, update, list, bad input.

Which codes are active, code uniqueness and reactivation are in
test_promotion_codes_activity.py.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
import stripe

from tests.support.errors import invalid_request as _error

DAY = 86_400


def _coupon(client: stripe.StripeClient, **params: Any) -> stripe.Coupon:
    if "amount_off" not in params:
        params.setdefault("percent_off", 20)
    return client.v1.coupons.create(params=params)  # type: ignore[arg-type]


def _create(client: stripe.StripeClient, coupon_id: str, /, **params: Any) -> stripe.PromotionCode:
    params["promotion"] = {"type": "coupon", "coupon": coupon_id}
    return client.v1.promotion_codes.create(params=params)  # type: ignore[arg-type]


def _minimums(promo: stripe.PromotionCode) -> dict[str, int]:
    options: Any = promo.restrictions.currency_options
    assert options is not None
    return {currency: option.minimum_amount for currency, option in options.items()}


# --- create ------------------------------------------------------------------------------


def test_create_with_defaults(client: stripe.StripeClient) -> None:
    coupon = _coupon(client, id="TWENTY")
    promo = _create(client, coupon.id)
    assert promo.id.startswith("promo_")
    assert promo.object == "promotion_code"
    assert re.fullmatch(r"[A-Z0-9]{8}", promo.code)
    assert promo.active is True
    assert promo.promotion.type == "coupon"
    assert promo.promotion.coupon == "TWENTY"
    assert promo.customer is None
    assert promo.customer_account is None
    assert promo.expires_at is None
    assert promo.max_redemptions is None
    assert promo.times_redeemed == 0
    assert promo.livemode is False
    assert promo.metadata.to_dict() == {}
    assert promo.restrictions.first_time_transaction is False
    assert promo.restrictions.minimum_amount is None
    assert promo.restrictions.minimum_amount_currency is None
    assert "currency_options" not in promo.restrictions
    assert "coupon" not in promo


def test_create_with_every_option(client: stripe.StripeClient) -> None:
    coupon = _coupon(client, max_redemptions=10)
    customer = client.v1.customers.create()
    expires_at = int(time.time()) + 7 * DAY
    promo = _create(
        client,
        coupon.id,
        code="Fall-20",
        customer=customer.id,
        expires_at=expires_at,
        max_redemptions=10,
        metadata={"channel": "email"},
        restrictions={
            "first_time_transaction": True,
            "minimum_amount": 10_000,
            "minimum_amount_currency": "USD",
            "currency_options": {"eur": {"minimum_amount": 9_000}},
        },
        expand=["restrictions.currency_options"],
    )
    assert promo.code == "Fall-20"
    assert promo.customer == customer.id
    assert promo.expires_at == expires_at
    assert promo.max_redemptions == 10
    assert promo.metadata.to_dict() == {"channel": "email"}
    assert promo.restrictions.first_time_transaction is True
    assert promo.restrictions.minimum_amount == 10_000
    assert promo.restrictions.minimum_amount_currency == "usd"
    assert _minimums(promo) == {"usd": 10_000, "eur": 9_000}


def test_expires_at_is_filled_from_the_coupons_redeem_by(client: stripe.StripeClient) -> None:
    redeem_by = int(time.time()) + 10 * DAY
    promo = _create(client, _coupon(client, redeem_by=redeem_by).id)
    assert promo.expires_at == redeem_by


def test_expires_at_may_equal_the_coupons_redeem_by(client: stripe.StripeClient) -> None:
    redeem_by = int(time.time()) + 10 * DAY
    promo = _create(client, _coupon(client, redeem_by=redeem_by).id, expires_at=redeem_by)
    assert promo.expires_at == redeem_by


def test_expires_at_after_the_coupons_redeem_by_is_refused(client: stripe.StripeClient) -> None:
    redeem_by = int(time.time()) + 10 * DAY
    coupon = _coupon(client, redeem_by=redeem_by)
    error = _error(lambda: _create(client, coupon.id, expires_at=redeem_by + 1))
    assert error.http_status == 400
    assert error.error is not None
    assert error.error.type == "invalid_request_error"
    assert error.param == "expires_at"


def test_expires_at_in_the_past_is_refused(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    error = _error(lambda: _create(client, coupon.id, expires_at=int(time.time()) - 10))
    assert error.param == "expires_at"


def test_max_redemptions_cannot_exceed_the_coupons(client: stripe.StripeClient) -> None:
    coupon = _coupon(client, max_redemptions=5)
    assert _create(client, coupon.id, max_redemptions=5).max_redemptions == 5
    error = _error(lambda: _create(client, coupon.id, max_redemptions=6))
    assert error.param == "max_redemptions"


def test_create_emits_event(client: stripe.StripeClient) -> None:
    promo = _create(client, _coupon(client).id, code="EVENT")
    events = client.v1.events.list(params={"type": "promotion_code.created"}).data
    assert [e.data.object["id"] for e in events] == [promo.id]
    assert events[0].data.object["promotion"].to_dict() == {
        "coupon": promo.promotion.coupon,
        "type": "coupon",
    }


def test_expand_coupon_and_customer(client: stripe.StripeClient) -> None:
    coupon = _coupon(client, id="EXPANDED", name="Twenty off")
    customer = client.v1.customers.create(params={"email": "ann@example.com"})
    promo = _create(
        client, coupon.id, customer=customer.id, expand=["promotion.coupon", "customer"]
    )
    expanded_coupon: Any = promo.promotion.coupon
    assert expanded_coupon.object == "coupon"
    assert expanded_coupon.name == "Twenty off"
    expanded_customer: Any = promo.customer
    assert expanded_customer.email == "ann@example.com"
    listed = client.v1.promotion_codes.list(params={"expand": ["data.promotion.coupon"]})
    assert listed.data[0].promotion.coupon.id == "EXPANDED"  # type: ignore[union-attr]


def test_failed_create_writes_nothing(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    _error(lambda: _create(client, coupon.id, code="bad code"))
    assert client.v1.promotion_codes.list().data == []
    assert client.v1.events.list(params={"type": "promotion_code.created"}).data == []


# --- create: bad input -------------------------------------------------------------------


def test_create_needs_promotion(client: stripe.StripeClient) -> None:
    error = _error(lambda: client.v1.promotion_codes.create(params={"code": "X"}))  # type: ignore[typeddict-item]
    assert error.code == "parameter_missing"
    assert error.param == "promotion"


def test_create_needs_promotion_type(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    error = _error(
        lambda: client.v1.promotion_codes.create(params={"promotion": {"coupon": coupon.id}})  # type: ignore[typeddict-item]
    )
    assert error.code == "parameter_missing"
    assert error.param == "promotion[type]"


def test_create_needs_promotion_coupon(client: stripe.StripeClient) -> None:
    error = _error(
        lambda: client.v1.promotion_codes.create(params={"promotion": {"type": "coupon"}})
    )
    assert error.code == "parameter_missing"
    assert error.param == "promotion[coupon]"


def test_top_level_coupon_is_from_an_older_api_version(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    error = _error(lambda: _create(client, coupon.id, coupon=coupon.id))
    assert error.code == "parameter_unknown"
    assert error.param == "coupon"


def test_unknown_coupon_is_refused(client: stripe.StripeClient) -> None:
    error = _error(lambda: _create(client, "NOSUCH"))
    assert error.http_status == 400
    assert error.code == "resource_missing"
    assert error.param == "promotion[coupon]"


def test_deleted_coupon_cannot_get_a_code(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    client.v1.coupons.delete(coupon.id)
    error = _error(lambda: _create(client, coupon.id))
    assert error.param == "promotion[coupon]"


def test_unknown_customer_is_refused(client: stripe.StripeClient) -> None:
    error = _error(lambda: _create(client, _coupon(client).id, customer="cus_missing"))
    assert error.http_status == 400
    assert error.code == "resource_missing"
    assert error.param == "customer"


def test_deleted_customer_is_refused(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    client.v1.customers.delete(customer.id)
    error = _error(lambda: _create(client, _coupon(client).id, customer=customer.id))
    assert error.param == "customer"


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        (
            {"promotion": {"type": "gift", "coupon": "X"}},
            "promotion[type]",
            "parameter_invalid_enum",
        ),
        ({"promotion": "X"}, "promotion", "parameter_invalid_hash"),
        ({"active": "maybe"}, "active", "parameter_invalid_boolean"),
        ({"expires_at": "soon"}, "expires_at", "parameter_invalid_integer"),
        ({"max_redemptions": "lots"}, "max_redemptions", "parameter_invalid_integer"),
        ({"metadata": "x"}, "metadata", "parameter_invalid_hash"),
        ({"restrictions": "x"}, "restrictions", "parameter_invalid_hash"),
        (
            {"restrictions": {"first_time_transaction": "yes"}},
            "restrictions[first_time_transaction]",
            "parameter_invalid_boolean",
        ),
        (
            {"restrictions": {"minimum_amount": "ten", "minimum_amount_currency": "usd"}},
            "restrictions[minimum_amount]",
            "parameter_invalid_integer",
        ),
        ({"customer_account": "acct_1"}, "customer_account", "parameter_unknown"),
        ({"code": "x" * 501}, "code", "parameter_invalid_string_too_long"),
    ],
)
def test_create_rejects_wrong_types(
    client: stripe.StripeClient, params: dict[str, Any], param: str, code: str
) -> None:
    coupon = _coupon(client)
    body: dict[str, Any] = {"promotion": {"type": "coupon", "coupon": coupon.id}, **params}
    error = _error(lambda: client.v1.promotion_codes.create(params=body))  # type: ignore[arg-type]
    assert error.param == param
    assert error.code == code
    assert error.http_status == 400


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"code": "FALL 20"}, "code"),
        ({"code": "fall_20"}, "code"),
        ({"code": "ÉTÉ"}, "code"),
        ({"max_redemptions": 0}, "max_redemptions"),
        ({"expires_at": 99_999_999_999_999}, "expires_at"),
        ({"restrictions": {"minimum_amount": 100}}, "restrictions[minimum_amount_currency]"),
        ({"restrictions": {"minimum_amount_currency": "usd"}}, "restrictions[minimum_amount]"),
        (
            {"restrictions": {"minimum_amount": -1, "minimum_amount_currency": "usd"}},
            "restrictions[minimum_amount]",
        ),
        (
            {"restrictions": {"minimum_amount": 100_000_000, "minimum_amount_currency": "usd"}},
            "restrictions[minimum_amount]",
        ),
        (
            {"restrictions": {"minimum_amount": 100, "minimum_amount_currency": "usdollar"}},
            "restrictions[minimum_amount_currency]",
        ),
        (
            {"restrictions": {"currency_options": {"eur": {"minimum_amount": 5}}}},
            "restrictions[currency_options]",
        ),
        (
            {
                "restrictions": {
                    "minimum_amount": 100,
                    "minimum_amount_currency": "usd",
                    "currency_options": {"usd": {"minimum_amount": 5}},
                }
            },
            "restrictions[currency_options][usd]",
        ),
        (
            {
                "restrictions": {
                    "minimum_amount": 100,
                    "minimum_amount_currency": "usd",
                    "currency_options": {"eur": {"minimum_amount": -5}},
                }
            },
            "restrictions[currency_options][eur][minimum_amount]",
        ),
    ],
)
def test_create_rejects_out_of_range(
    client: stripe.StripeClient, params: dict[str, Any], param: str
) -> None:
    coupon = _coupon(client)
    error = _error(lambda: _create(client, coupon.id, **params))
    assert error.param == param
    assert error.http_status == 400


# --- retrieve ----------------------------------------------------------------------------


def test_retrieve(client: stripe.StripeClient) -> None:
    promo = _create(client, _coupon(client).id)
    fetched = client.v1.promotion_codes.retrieve(promo.id)
    assert fetched.code == promo.code


def test_retrieve_unknown_is_404(client: stripe.StripeClient) -> None:
    error = _error(lambda: client.v1.promotion_codes.retrieve("promo_missing"))
    assert error.http_status == 404
    assert error.code == "resource_missing"


# --- update ------------------------------------------------------------------------------


def test_update_metadata(client: stripe.StripeClient) -> None:
    promo = _create(client, _coupon(client).id, metadata={"a": "1", "b": "2"})
    updated = client.v1.promotion_codes.update(promo.id, params={"metadata": {"a": "", "c": "3"}})
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    cleared = client.v1.promotion_codes.update(promo.id, params={"metadata": ""})
    assert cleared.metadata.to_dict() == {}


def test_update_adds_minimum_amount_currencies(client: stripe.StripeClient) -> None:
    promo = _create(
        client,
        _coupon(client).id,
        restrictions={"minimum_amount": 1000, "minimum_amount_currency": "usd"},
    )
    updated = client.v1.promotion_codes.update(
        promo.id,
        params={
            "restrictions": {"currency_options": {"jpy": {"minimum_amount": 1500}}},
            "expand": ["restrictions.currency_options"],
        },
    )
    assert _minimums(updated) == {"usd": 1000, "jpy": 1500}


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"code": "NEW"}, "code", "parameter_unknown"),
        ({"expires_at": 2_000_000_000}, "expires_at", "parameter_unknown"),
        ({"max_redemptions": 3}, "max_redemptions", "parameter_unknown"),
        ({"promotion": {"type": "coupon"}}, "promotion", "parameter_unknown"),
        (
            {"restrictions": {"minimum_amount": 5}},
            "restrictions[minimum_amount]",
            "parameter_unknown",
        ),
        ({"active": ""}, "active", "parameter_invalid_empty"),
        ({"active": "sure"}, "active", "parameter_invalid_boolean"),
        (
            {"restrictions": {"currency_options": ""}},
            "restrictions[currency_options]",
            "parameter_invalid_empty",
        ),
        (
            {"restrictions": {"currency_options": {"eur": {"minimum_amount": 5}}}},
            "restrictions[currency_options]",
            None,
        ),
    ],
)
def test_update_rejects_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], param: str, code: str | None
) -> None:
    promo = _create(client, _coupon(client).id, metadata={"kept": "yes"})
    error = _error(lambda: client.v1.promotion_codes.update(promo.id, params=params))  # type: ignore[arg-type]
    assert error.param == param
    assert error.code == code
    assert client.v1.promotion_codes.retrieve(promo.id).metadata.to_dict() == {"kept": "yes"}


def test_update_unknown_is_404(client: stripe.StripeClient) -> None:
    error = _error(lambda: client.v1.promotion_codes.update("promo_missing", params={}))
    assert error.http_status == 404


# --- list --------------------------------------------------------------------------------


def test_list_filters(client: stripe.StripeClient) -> None:
    first, second = _coupon(client, id="FIRST"), _coupon(client, id="SECOND")
    customer = client.v1.customers.create()
    a = _create(client, first.id, code="Alpha")
    b = _create(client, second.id, code="Beta", customer=customer.id)
    c = _create(client, second.id, code="Gamma", active=False)

    def ids(**params: Any) -> list[str]:
        return [p.id for p in client.v1.promotion_codes.list(params=params).data]  # type: ignore[arg-type]

    assert ids() == [c.id, b.id, a.id]
    assert ids(code="ALPHA") == [a.id]
    assert ids(coupon="SECOND") == [c.id, b.id]
    assert ids(customer=customer.id) == [b.id]
    assert ids(active=True) == [b.id, a.id]
    assert ids(active=False) == [c.id]
    assert ids(created={"gte": a.created}) == [c.id, b.id, a.id]
    assert ids(limit=1, starting_after=b.id) == [a.id]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"active": "maybe"}, "active"),
        ({"promotion": "X"}, "promotion"),
        ({"created": {"lt": "x"}}, "created[lt]"),
    ],
)
def test_list_rejects_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], param: str
) -> None:
    error = _error(lambda: client.v1.promotion_codes.list(params=params))  # type: ignore[arg-type]
    assert error.param == param
    assert error.http_status == 400


def test_unknown_path_parameter_type(http: httpx.Client) -> None:
    response = http.post("/v1/promotion_codes", data={"promotion": "coupon"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "promotion"
