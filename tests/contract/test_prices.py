"""Prices through the official SDK: amounts, intervals, tiers, lookup keys, updates, lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import stripe

from tests.contract.test_products import (
    assert_error,
    error_of,
    events_of,
    new_price,
    new_product,
)

PRICE_FIELDS = {
    "id",
    "object",
    "active",
    "billing_scheme",
    "created",
    "currency",
    "custom_unit_amount",
    "livemode",
    "lookup_key",
    "metadata",
    "nickname",
    "product",
    "recurring",
    "tax_behavior",
    "tiers_mode",
    "transform_quantity",
    "type",
    "unit_amount",
    "unit_amount_decimal",
}

GRADUATED_TIERS = [
    {"up_to": 5, "unit_amount": 700},
    {"up_to": 10, "unit_amount_decimal": "650.5", "flat_amount": 100},
    {"up_to": "inf", "unit_amount": 600},
]


# --- amounts ----------------------------------------------------------------------------


def test_a_new_price_has_stripes_fields_and_defaults(client: stripe.StripeClient) -> None:
    product = new_product(client)

    price = new_price(client, product.id)

    assert set(price.to_dict()) == PRICE_FIELDS
    assert price.id.startswith("price_")
    assert (price.active, price.type, price.billing_scheme) == (True, "one_time", "per_unit")
    assert (price.unit_amount, price.unit_amount_decimal) == (1000, Decimal("1000"))
    assert (price.tax_behavior, price.recurring, price.tiers_mode) == ("unspecified", None, None)
    assert (price.lookup_key, price.nickname, price.custom_unit_amount) == (None, None, None)
    assert price.product == product.id


def test_a_yen_price_stays_in_whole_yen(client: stripe.StripeClient, http: httpx.Client) -> None:
    product = new_product(client)

    price = new_price(client, product.id, currency="jpy", unit_amount=700)
    raw = http.get(f"/v1/prices/{price.id}").json()

    assert (raw["currency"], raw["unit_amount"], raw["unit_amount_decimal"]) == ("jpy", 700, "700")


def test_a_decimal_amount_round_trips_exactly_as_a_string(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    product = new_product(client)

    price = new_price(client, product.id, unit_amount=None, unit_amount_decimal="0.5")
    raw = http.get(f"/v1/prices/{price.id}").json()

    assert (raw["unit_amount"], raw["unit_amount_decimal"]) == (None, "0.5")
    assert price.unit_amount_decimal == Decimal("0.5")
    assert price.unit_amount is None


def test_a_python_decimal_sent_by_the_sdk_in_exponent_form_is_read_exactly(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    product = new_product(client)

    # str(Decimal("0.0000001")) is "1E-7": that is what the SDK puts on the wire.
    price = new_price(client, product.id, unit_amount=None, unit_amount_decimal=Decimal("1E-7"))
    raw = http.get(f"/v1/prices/{price.id}").json()

    assert raw["unit_amount_decimal"] == "0.0000001"


def test_a_whole_decimal_amount_also_sets_unit_amount(client: stripe.StripeClient) -> None:
    product = new_product(client)

    price = new_price(client, product.id, unit_amount=None, unit_amount_decimal="5")

    assert (price.unit_amount, price.unit_amount_decimal) == (5, Decimal("5"))


def test_three_decimal_currency_amounts_end_in_zero(client: stripe.StripeClient) -> None:
    product = new_product(client)

    assert new_price(client, product.id, currency="kwd", unit_amount=1250).unit_amount == 1250
    error = error_of(lambda: new_price(client, product.id, currency="kwd", unit_amount=1255))
    assert_error(error, code=None, param="unit_amount")


def test_upper_case_currencies_are_accepted(client: stripe.StripeClient) -> None:
    product = new_product(client)

    assert new_price(client, product.id, currency="EUR").currency == "eur"


def test_a_custom_unit_amount(client: stripe.StripeClient) -> None:
    product = new_product(client)

    price = new_price(
        client,
        product.id,
        unit_amount=None,
        custom_unit_amount={"enabled": True, "minimum": 500, "maximum": 5000, "preset": 1000},
    )

    assert price.custom_unit_amount.to_dict() == {"maximum": 5000, "minimum": 500, "preset": 1000}
    assert (price.unit_amount, price.unit_amount_decimal) == (None, None)


# --- recurring, tiers, transform_quantity -------------------------------------------------


def test_a_recurring_price(client: stripe.StripeClient) -> None:
    product = new_product(client)

    price = new_price(
        client,
        product.id,
        recurring={"interval": "week", "interval_count": 2, "trial_period_days": 14},
    )

    assert price.type == "recurring"
    assert price.recurring.to_dict() == {
        "interval": "week",
        "interval_count": 2,
        "meter": None,
        "trial_period_days": 14,
        "usage_type": "licensed",
    }


def _meter(client: stripe.StripeClient, event_name: str) -> str:
    params = {
        "display_name": "API calls",
        "event_name": event_name,
        "default_aggregation": {"formula": "sum"},
    }
    return client.v1.billing.meters.create(params=params).id  # type: ignore[arg-type]


def test_a_metered_price_keeps_its_meter(client: stripe.StripeClient) -> None:
    product = new_product(client)
    meter = _meter(client, "api_call")

    price = new_price(
        client,
        product.id,
        unit_amount=None,
        unit_amount_decimal="0.25",
        recurring={"interval": "month", "usage_type": "metered", "meter": meter},
    )

    assert (price.recurring.usage_type, price.recurring.meter) == ("metered", meter)


def test_tiers_appear_only_when_expanded(client: stripe.StripeClient) -> None:
    product = new_product(client)

    price = new_price(
        client,
        product.id,
        unit_amount=None,
        billing_scheme="tiered",
        tiers_mode="graduated",
        tiers=GRADUATED_TIERS,
        recurring={"interval": "month"},
    )
    expanded = client.v1.prices.retrieve(price.id, params={"expand": ["tiers"]})

    assert "tiers" not in price.to_dict()
    assert (price.billing_scheme, price.tiers_mode, price.unit_amount) == (
        "tiered",
        "graduated",
        None,
    )
    assert [tier.to_dict() for tier in expanded.tiers] == [
        {
            "flat_amount": None,
            "flat_amount_decimal": None,
            "unit_amount": 700,
            "unit_amount_decimal": Decimal("700"),
            "up_to": 5,
        },
        {
            "flat_amount": 100,
            "flat_amount_decimal": Decimal("100"),
            "unit_amount": None,
            "unit_amount_decimal": Decimal("650.5"),
            "up_to": 10,
        },
        {
            "flat_amount": None,
            "flat_amount_decimal": None,
            "unit_amount": 600,
            "unit_amount_decimal": Decimal("600"),
            "up_to": None,
        },
    ]


def test_tiers_can_be_expanded_on_a_list(client: stripe.StripeClient) -> None:
    product = new_product(client)
    new_price(
        client,
        product.id,
        unit_amount=None,
        billing_scheme="tiered",
        tiers_mode="volume",
        tiers=[{"up_to": "inf", "flat_amount": 5000}],
    )

    listed = client.v1.prices.list(params={"expand": ["data.tiers"]})

    assert listed.data[0].tiers[0].flat_amount == 5000


def test_transform_quantity(client: stripe.StripeClient) -> None:
    product = new_product(client)

    price = new_price(client, product.id, transform_quantity={"divide_by": 5, "round": "up"})

    assert price.transform_quantity.to_dict() == {"divide_by": 5, "round": "up"}


def test_currency_options_appear_when_expanded(client: stripe.StripeClient) -> None:
    product = new_product(client)

    price = new_price(
        client,
        product.id,
        currency_options={"jpy": {"unit_amount": 1500, "tax_behavior": "inclusive"}},
        expand=["currency_options"],
    )

    options = price.currency_options.to_dict()
    assert set(options) == {"usd", "jpy"}
    assert (options["jpy"]["unit_amount"], options["jpy"]["tax_behavior"]) == (1500, "inclusive")
    assert options["usd"]["unit_amount"] == 1000


# --- products of prices -----------------------------------------------------------------


def test_product_data_creates_the_product_with_the_price(client: stripe.StripeClient) -> None:
    price = client.v1.prices.create(
        params={
            "currency": "usd",
            "unit_amount": 1200,
            "product_data": {"name": "Seat", "unit_label": "seat", "metadata": {"k": "v"}},
            "expand": ["product"],
        }
    )

    product = price.product
    assert isinstance(product, stripe.Product)
    assert (product.name, product.unit_label, product.metadata.to_dict()) == (
        "Seat",
        "seat",
        {"k": "v"},
    )
    assert [e.data.object.id for e in events_of(client, "product.created")] == [product.id]
    assert [e.data.object.id for e in events_of(client, "price.created")] == [price.id]


def test_expand_product_and_its_default_price(client: stripe.StripeClient) -> None:
    product = new_product(client, id="custom-product")
    price = new_price(client, product.id)
    client.v1.products.update(product.id, params={"default_price": price.id})

    fetched = client.v1.prices.retrieve(
        price.id, params={"expand": ["product", "product.default_price"]}
    )

    assert fetched.product.id == "custom-product"
    assert fetched.product.default_price.id == price.id


def test_a_price_names_exactly_one_existing_product(client: stripe.StripeClient) -> None:
    product = new_product(client)

    missing = error_of(
        lambda: client.v1.prices.create(params={"currency": "usd", "unit_amount": 1})
    )
    both = error_of(
        lambda: new_price(client, product.id, product_data={"name": "Other"}),
    )
    unknown = error_of(lambda: new_price(client, "prod_nope"))

    assert_error(missing, code="parameter_missing", param="product")
    assert_error(both, code="parameters_exclusive", param="product")
    assert_error(unknown, status=400, code="resource_missing", param="product")


def test_a_failed_price_leaves_no_product_behind(client: stripe.StripeClient) -> None:
    product = new_product(client)
    new_price(client, product.id, lookup_key="taken")

    # The lookup key is checked after product_data has made its product: all or nothing.
    error = error_of(
        lambda: client.v1.prices.create(
            params={
                "currency": "usd",
                "unit_amount": 1,
                "lookup_key": "taken",
                "product_data": {"name": "Orphan", "id": "orphan"},
            }
        )
    )

    assert_error(error, code=None, param="lookup_key")
    gone = error_of(lambda: client.v1.products.retrieve("orphan"))
    assert_error(gone, status=404, code="resource_missing", param="id")
    assert len(events_of(client, "product.created")) == 1


# --- lookup keys ------------------------------------------------------------------------


def test_a_lookup_key_belongs_to_one_price(client: stripe.StripeClient) -> None:
    product = new_product(client)
    new_price(client, product.id, lookup_key="standard_monthly")

    error = error_of(lambda: new_price(client, product.id, lookup_key="standard_monthly"))

    assert_error(error, code=None, param="lookup_key")


def test_transfer_lookup_key_moves_it_and_updates_the_old_price(
    client: stripe.StripeClient,
) -> None:
    product = new_product(client)
    old = new_price(client, product.id, lookup_key="standard_monthly")

    new = new_price(
        client,
        product.id,
        unit_amount=1200,
        lookup_key="standard_monthly",
        transfer_lookup_key=True,
    )

    assert new.lookup_key == "standard_monthly"
    assert client.v1.prices.retrieve(old.id).lookup_key is None
    (event,) = events_of(client, "price.updated")
    assert event.data.object.id == old.id
    assert event.data.previous_attributes.to_dict() == {"lookup_key": "standard_monthly"}


def test_transfer_lookup_key_on_update(client: stripe.StripeClient) -> None:
    product = new_product(client)
    old = new_price(client, product.id, lookup_key="pro")
    new = new_price(client, product.id)

    refused = error_of(lambda: client.v1.prices.update(new.id, params={"lookup_key": "pro"}))
    moved = client.v1.prices.update(
        new.id, params={"lookup_key": "pro", "transfer_lookup_key": True}
    )

    assert_error(refused, code=None, param="lookup_key")
    assert moved.lookup_key == "pro"
    assert client.v1.prices.retrieve(old.id).lookup_key is None
    listed = client.v1.prices.list(params={"lookup_keys": ["pro"]})
    assert [p.id for p in listed.data] == [new.id]


# --- update -----------------------------------------------------------------------------


def test_update_changes_the_mutable_fields(client: stripe.StripeClient) -> None:
    product = new_product(client)
    price = new_price(client, product.id, nickname="Old", metadata={"a": "1"}, lookup_key="k")

    updated = client.v1.prices.update(
        price.id,
        params={
            "active": False,
            "nickname": "",
            "metadata": {"b": "2"},
            "lookup_key": "",
            "tax_behavior": "exclusive",
        },
    )

    assert (updated.active, updated.nickname, updated.lookup_key) == (False, None, None)
    assert updated.metadata.to_dict() == {"a": "1", "b": "2"}
    assert updated.tax_behavior == "exclusive"
    (event,) = events_of(client, "price.updated")
    assert event.data.previous_attributes.active is True


def test_tax_behavior_is_fixed_once_specified(client: stripe.StripeClient) -> None:
    product = new_product(client)
    price = new_price(client, product.id, tax_behavior="inclusive")

    same = client.v1.prices.update(price.id, params={"tax_behavior": "inclusive"})
    error = error_of(
        lambda: client.v1.prices.update(price.id, params={"tax_behavior": "exclusive"})
    )

    assert same.tax_behavior == "inclusive"
    assert_error(error, code=None, param="tax_behavior")


def test_amounts_and_terms_cannot_be_updated(client: stripe.StripeClient) -> None:
    product = new_product(client)
    price = new_price(client, product.id)

    for name, value in (
        ("unit_amount", 2000),
        ("currency", "eur"),
        ("recurring", {"interval": "month"}),
        ("product", product.id),
        ("billing_scheme", "tiered"),
    ):
        error = error_of(
            lambda name=name, value=value: client.v1.prices.update(price.id, params={name: value})  # type: ignore[misc]
        )
        assert_error(error, code="parameter_unknown", param=name)
    assert client.v1.prices.retrieve(price.id).unit_amount == 1000


def test_the_default_price_cannot_be_archived(client: stripe.StripeClient) -> None:
    product = new_product(client, default_price_data={"currency": "usd", "unit_amount": 500})

    error = error_of(
        lambda: client.v1.prices.update(str(product.default_price), params={"active": False})
    )

    assert_error(error, code=None, param="active")


def test_an_update_that_changes_nothing_emits_no_event(client: stripe.StripeClient) -> None:
    product = new_product(client)
    price = new_price(client, product.id, nickname="Same")

    client.v1.prices.update(price.id, params={"nickname": "Same"})

    assert events_of(client, "price.updated") == []


def test_currency_options_can_be_added_later(client: stripe.StripeClient) -> None:
    product = new_product(client)
    price = new_price(client, product.id)

    updated = client.v1.prices.update(
        price.id,
        params={"currency_options": {"eur": {"unit_amount": 900}}, "expand": ["currency_options"]},
    )

    assert updated.currency_options.to_dict()["eur"]["unit_amount"] == 900


def test_prices_are_never_deleted(http: httpx.Client) -> None:
    response = http.delete("/v1/prices/price_123")

    assert response.status_code == 404


def test_retrieving_an_unknown_price_is_a_404(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.prices.retrieve("price_nope"))
    assert_error(error, status=404, code="resource_missing", param="id")


# --- list -------------------------------------------------------------------------------


def test_list_filters(client: stripe.StripeClient) -> None:
    shirt = new_product(client, name="Shirt")
    plan = new_product(client, name="Plan")
    one_time = new_price(client, shirt.id, currency="jpy", unit_amount=700)
    monthly = new_price(client, plan.id, recurring={"interval": "month"}, lookup_key="m")
    meter = _meter(client, "requests")
    metered = new_price(
        client,
        plan.id,
        recurring={"interval": "month", "usage_type": "metered", "meter": meter},
    )
    archived = new_price(client, plan.id, active=False, recurring={"interval": "year"})

    def ids(**params: Any) -> list[str]:
        return [p.id for p in client.v1.prices.list(params=params).data]

    assert ids() == [archived.id, metered.id, monthly.id, one_time.id]
    assert ids(active=True) == [metered.id, monthly.id, one_time.id]
    assert ids(active=False) == [archived.id]
    assert ids(currency="JPY") == [one_time.id]
    assert ids(product=plan.id) == [archived.id, metered.id, monthly.id]
    assert ids(type="one_time") == [one_time.id]
    assert ids(recurring={"interval": "year"}) == [archived.id]
    assert ids(recurring={"usage_type": "metered"}) == [metered.id]
    assert ids(recurring={"meter": meter}) == [metered.id]
    assert ids(lookup_keys=["m", "nothing"]) == [monthly.id]
    assert ids(created={"gte": one_time.created}) == [
        archived.id,
        metered.id,
        monthly.id,
        one_time.id,
    ]


def test_list_pages_both_ways(client: stripe.StripeClient) -> None:
    product = new_product(client)
    made = [new_price(client, product.id, unit_amount=amount).id for amount in range(1, 6)]

    first = client.v1.prices.list(params={"limit": 3})
    second = client.v1.prices.list(params={"limit": 3, "starting_after": first.data[-1].id})
    back = client.v1.prices.list(params={"limit": 3, "ending_before": second.data[0].id})

    assert [p.id for p in first.data + second.data] == list(reversed(made))
    assert (first.has_more, second.has_more) == (True, False)
    assert [p.id for p in back.data] == [p.id for p in first.data]


def test_product_data_may_not_reuse_a_product_id(client: stripe.StripeClient) -> None:
    new_product(client, id="taken")

    error = error_of(
        lambda: client.v1.prices.create(
            params={
                "currency": "usd",
                "unit_amount": 1,
                "product_data": {"name": "B", "id": "taken"},
            }
        )
    )

    assert_error(error, code="resource_already_exists", param="product_data[id]")


def test_expand_products_on_a_list_of_prices(client: stripe.StripeClient) -> None:
    product = new_product(client, id="listed-product")
    new_price(client, product.id)

    listed = client.v1.prices.list(params={"expand": ["data.product"]})

    assert listed.data[0].product.name == "Gold plan"  # type: ignore[union-attr]
