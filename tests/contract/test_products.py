"""Products through the official SDK: fields, default prices, updates, deletion, lists."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.support.errors import assert_error, error_of

PRODUCT_FIELDS = {
    "id",
    "object",
    "active",
    "created",
    "default_price",
    "description",
    "images",
    "livemode",
    "marketing_features",
    "metadata",
    "name",
    "package_dimensions",
    "shippable",
    "statement_descriptor",
    "tax_code",
    "type",
    "unit_label",
    "updated",
    "url",
}


# --- helpers shared with the price test modules -------------------------------------------


def events_of(client: stripe.StripeClient, event_type: str) -> list[stripe.Event]:
    return list(client.v1.events.list(params={"type": event_type, "limit": 100}).data)


def new_product(client: stripe.StripeClient, **params: Any) -> stripe.Product:
    return client.v1.products.create(params={"name": "Gold plan", **params})


def new_price(client: stripe.StripeClient, product: str, **params: Any) -> stripe.Price:
    defaults: dict[str, Any] = {"currency": "usd", "unit_amount": 1000}
    return client.v1.prices.create(params={"product": product, **defaults, **params})


# --- create and retrieve ----------------------------------------------------------------


def test_a_new_product_has_stripes_fields_and_defaults(client: stripe.StripeClient) -> None:
    product = new_product(client)

    assert set(product.to_dict()) == PRODUCT_FIELDS
    assert product.id.startswith("prod_")
    assert (product.active, product.type, product.default_price) == (True, "service", None)
    assert product.images == []
    assert product.marketing_features == []
    assert product.package_dimensions is None
    assert product.shippable is None
    assert product.updated == product.created


def test_every_writable_field_round_trips(client: stripe.StripeClient) -> None:
    created = client.v1.products.create(
        params={
            "name": "T-shirt",
            "active": False,
            "description": "Comfortable cotton t-shirt",
            "images": ["https://example.com/a.png", "https://example.com/b.png"],
            "marketing_features": [{"name": "Soft"}, {"name": "Organic"}],
            "metadata": {"sku": "TS-1"},
            "package_dimensions": {"height": 1.5, "length": 10, "weight": 7.25, "width": 3},
            "shippable": True,
            "statement_descriptor": "SEIKYU TSHIRT",
            "tax_code": "txcd_99999999",
            "unit_label": "shirt",
            "url": "https://example.com/tshirt",
        }
    )
    fetched = client.v1.products.retrieve(created.id)

    assert fetched.to_dict() == created.to_dict()
    assert fetched.active is False
    assert fetched.images == ["https://example.com/a.png", "https://example.com/b.png"]
    assert [f.name for f in fetched.marketing_features] == ["Soft", "Organic"]
    assert fetched.package_dimensions.to_dict() == {
        "height": 1.5,
        "length": 10,
        "weight": 7.25,
        "width": 3,
    }
    assert (fetched.shippable, fetched.statement_descriptor) == (True, "SEIKYU TSHIRT")
    assert (fetched.tax_code, fetched.unit_label) == ("txcd_99999999", "shirt")
    assert fetched.url == "https://example.com/tshirt"
    assert fetched.metadata.to_dict() == {"sku": "TS-1"}


def test_the_caller_may_choose_the_id_once(client: stripe.StripeClient) -> None:
    product = new_product(client, id="gold-plan")
    assert client.v1.products.retrieve("gold-plan").id == product.id == "gold-plan"

    error = error_of(lambda: new_product(client, id="gold-plan"))
    assert_error(error, code="resource_already_exists", param="id")


def test_two_accounts_may_use_the_same_product_id(
    client: stripe.StripeClient, server: Any, db: Any
) -> None:
    from seikyu.accounts import service as accounts

    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, other.id)
    other_client = stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )

    new_product(client, id="shared-id", name="Mine")
    new_product(other_client, id="shared-id", name="Theirs")

    assert client.v1.products.retrieve("shared-id").name == "Mine"
    assert other_client.v1.products.retrieve("shared-id").name == "Theirs"


def test_default_price_data_creates_the_default_price(client: stripe.StripeClient) -> None:
    product = new_product(
        client,
        default_price_data={
            "currency": "jpy",
            "unit_amount": 700,
            "recurring": {"interval": "month", "interval_count": 3},
            "tax_behavior": "inclusive",
            "metadata": {"plan": "gold"},
        },
        expand=["default_price"],
    )

    price = product.default_price
    assert isinstance(price, stripe.Price)
    assert (price.product, price.currency, price.unit_amount) == (product.id, "jpy", 700)
    assert (price.recurring.interval, price.recurring.interval_count) == ("month", 3)
    assert price.tax_behavior == "inclusive"
    assert price.metadata.to_dict() == {"plan": "gold"}
    assert [e.data.object.id for e in events_of(client, "product.created")] == [product.id]
    (created,) = events_of(client, "price.created")
    assert created.data.object.id == price.id
    assert events_of(client, "product.created")[0].data.object.default_price == price.id


def test_bad_default_price_data_names_the_nested_param_and_writes_nothing(
    client: stripe.StripeClient,
) -> None:
    error = error_of(
        lambda: new_product(
            client, default_price_data={"currency": "usd", "unit_amount_decimal": "0.1234567890123"}
        )
    )

    assert_error(error, code=None, param="default_price_data[unit_amount_decimal]")
    assert client.v1.products.list().data == []
    assert events_of(client, "product.created") == []


def test_retrieving_an_unknown_product_is_a_404(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.products.retrieve("prod_missing"))
    assert_error(error, status=404, code="resource_missing", param="id")


# --- update -----------------------------------------------------------------------------


def test_update_changes_named_fields_and_empty_strings_clear(client: stripe.StripeClient) -> None:
    product = new_product(
        client,
        description="Old",
        url="https://example.com",
        unit_label="seat",
        images=["https://example.com/a.png"],
        package_dimensions={"height": 1, "length": 1, "weight": 1, "width": 1},
        metadata={"a": "1", "b": "2"},
    )

    updated = client.v1.products.update(
        product.id,
        params={
            "name": "Platinum plan",
            "description": "",
            "url": "",
            "unit_label": "",
            "images": "",
            "package_dimensions": "",
            "metadata": {"a": ""},
        },
    )

    assert updated.name == "Platinum plan"
    assert (updated.description, updated.url, updated.unit_label) == (None, None, None)
    assert (updated.images, updated.package_dimensions) == ([], None)
    assert updated.metadata.to_dict() == {"b": "2"}


def test_update_emits_product_updated_with_previous_attributes(
    client: stripe.StripeClient,
) -> None:
    product = new_product(client)

    client.v1.products.update(product.id, params={"name": "Silver", "active": False})

    (event,) = events_of(client, "product.updated")
    assert event.data.object.name == "Silver"
    previous = event.data.previous_attributes.to_dict()
    assert (previous["name"], previous["active"]) == ("Gold plan", True)


def test_an_update_that_changes_nothing_emits_no_event(client: stripe.StripeClient) -> None:
    product = new_product(client)

    client.v1.products.update(product.id, params={"name": "Gold plan"})

    assert events_of(client, "product.updated") == []


def test_the_default_price_must_be_an_active_price_of_the_product(
    client: stripe.StripeClient,
) -> None:
    product = new_product(client)
    other = new_product(client, name="Other")
    own = new_price(client, product.id)
    foreign = new_price(client, other.id)
    archived = new_price(client, product.id, active=False)

    updated = client.v1.products.update(product.id, params={"default_price": own.id})
    assert updated.default_price == own.id
    for price_id in (foreign.id, archived.id):
        error = error_of(
            lambda price_id=price_id: client.v1.products.update(
                product.id, params={"default_price": price_id}
            )
        )
        assert_error(error, code=None, param="default_price")
    error = error_of(
        lambda: client.v1.products.update(product.id, params={"default_price": "price_nope"})
    )
    assert_error(error, status=400, code="resource_missing", param="default_price")


def test_name_and_default_price_cannot_be_unset(client: stripe.StripeClient) -> None:
    product = new_product(client)
    for name in ("name", "default_price"):
        error = error_of(lambda name=name: client.v1.products.update(product.id, params={name: ""}))
        assert_error(error, code="parameter_invalid_empty", param=name)


def test_goods_have_no_statement_descriptor_or_unit_label(client: stripe.StripeClient) -> None:
    error = error_of(lambda: new_product(client, type="good", unit_label="kg"))
    assert_error(error, code=None, param="unit_label")


# --- delete -----------------------------------------------------------------------------


def test_delete_returns_the_stub_and_the_product_is_gone(client: stripe.StripeClient) -> None:
    product = new_product(client)

    deleted = client.v1.products.delete(product.id)

    assert deleted.to_dict() == {"id": product.id, "object": "product", "deleted": True}
    error = error_of(lambda: client.v1.products.retrieve(product.id))
    assert_error(error, status=404, code="resource_missing", param="id")
    (event,) = events_of(client, "product.deleted")
    assert (event.data.object.id, event.data.object.name) == (product.id, "Gold plan")


def test_a_product_with_prices_cannot_be_deleted(client: stripe.StripeClient) -> None:
    product = new_product(client)
    new_price(client, product.id)

    error = error_of(lambda: client.v1.products.delete(product.id))

    assert_error(error, code=None, param="id")
    assert client.v1.products.retrieve(product.id).id == product.id


# --- list -------------------------------------------------------------------------------


def test_list_is_newest_first_and_pages_both_ways_with_chosen_ids(
    client: stripe.StripeClient,
) -> None:
    # Chosen ids sort anywhere; the list still follows creation order.
    made = [new_product(client, id=name).id for name in ("zz", "aa", "mm")]
    made += [new_product(client).id for _ in range(2)]
    newest_first = list(reversed(made))

    first = client.v1.products.list(params={"limit": 2})
    second = client.v1.products.list(params={"limit": 2, "starting_after": first.data[-1].id})
    third = client.v1.products.list(params={"limit": 2, "starting_after": second.data[-1].id})
    back = client.v1.products.list(params={"limit": 2, "ending_before": third.data[0].id})

    assert [p.id for p in first.data + second.data + third.data] == newest_first
    assert (first.has_more, second.has_more, third.has_more) == (True, True, False)
    assert [p.id for p in back.data] == [p.id for p in second.data]


def test_an_unknown_cursor_is_refused(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.products.list(params={"starting_after": "prod_nope"}))
    assert_error(error, status=400, code="resource_missing", param="starting_after")


def test_list_filters(client: stripe.StripeClient) -> None:
    shirt = new_product(client, name="Shirt", shippable=True, url="https://example.com/s")
    archived = new_product(client, name="Old", active=False)
    plan = new_product(client, name="Plan")

    def ids(**params: Any) -> list[str]:
        return [p.id for p in client.v1.products.list(params=params).data]

    assert ids(active=False) == [archived.id]
    assert ids(active=True) == [plan.id, shirt.id]
    assert ids(shippable=True) == [shirt.id]
    assert ids(url="https://example.com/s") == [shirt.id]
    assert ids(ids=[shirt.id, plan.id]) == [plan.id, shirt.id]
    assert ids(created={"gte": shirt.created}) == [plan.id, archived.id, shirt.id]
    assert ids(type="good") == []


def test_ids_cannot_be_combined_with_a_cursor(client: stripe.StripeClient) -> None:
    product = new_product(client)
    error = error_of(
        lambda: client.v1.products.list(params={"ids": [product.id], "starting_after": product.id})
    )
    assert_error(error, code="parameters_exclusive", param=None)


def test_expand_default_price_on_a_list(client: stripe.StripeClient) -> None:
    new_product(client, default_price_data={"currency": "usd", "unit_amount": 500})

    listed = client.v1.products.list(params={"expand": ["data.default_price"]})

    assert listed.data[0].default_price.unit_amount == 500


# --- bad input --------------------------------------------------------------------------

LONG = "x" * 5001


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({}, "parameter_missing", "name"),
        ({"name": ""}, "parameter_invalid_empty", "name"),
        ({"name": "A", "colour": "red"}, "parameter_unknown", "colour"),
        (
            {"name": "A", "default_price_data": {"currency": "usd", "tiers_mode": "volume"}},
            "parameter_unknown",
            "default_price_data[tiers_mode]",
        ),
        ({"name": "A", "active": "maybe"}, "parameter_invalid_boolean", "active"),
        ({"name": "A", "images": "https://example.com"}, "parameter_invalid_array", "images"),
        (
            {
                "name": "A",
                "package_dimensions": {"height": "tall", "length": 1, "weight": 1, "width": 1},
            },
            "parameter_invalid_decimal",
            "package_dimensions[height]",
        ),
        (
            {"name": "A", "package_dimensions": {"height": 1}},
            "parameter_missing",
            "package_dimensions[length]",
        ),
        (
            {"name": "A", "default_price_data": {"currency": "usd", "unit_amount": "ten"}},
            "parameter_invalid_integer",
            "default_price_data[unit_amount]",
        ),
        ({"name": LONG}, "parameter_invalid_string_too_long", "name"),
        (
            {"name": "A", "description": "x" * 40001},
            "parameter_invalid_string_too_long",
            "description",
        ),
        ({"name": "A", "unit_label": "x" * 13}, "parameter_invalid_string_too_long", "unit_label"),
        (
            {"name": "A", "images": [f"https://example.com/{i}" for i in range(9)]},
            "parameter_invalid_array",
            "images",
        ),
        (
            {"name": "A", "marketing_features": [{"name": "x" * 81}]},
            "parameter_invalid_string_too_long",
            "marketing_features[0][name]",
        ),
        (
            {"name": "A", "statement_descriptor": "<SHOP>"},
            "parameter_invalid_string",
            "statement_descriptor",
        ),
        (
            {"name": "A", "statement_descriptor": "12345"},
            "parameter_invalid_string",
            "statement_descriptor",
        ),
        (
            {
                "name": "A",
                "package_dimensions": {"height": -1, "length": 1, "weight": 1, "width": 1},
            },
            "parameter_invalid_decimal",
            "package_dimensions[height]",
        ),
        (
            {
                "name": "A",
                "package_dimensions": {"height": "1.234", "length": 1, "weight": 1, "width": 1},
            },
            "parameter_invalid_decimal",
            "package_dimensions[height]",
        ),
        ({"name": "A", "type": "thing"}, "parameter_invalid_enum", "type"),
        ({"name": "A", "id": "has space"}, None, "id"),
        (
            {"name": "A", "default_price_data": {"currency": "usd", "unit_amount": -5}},
            "parameter_invalid_integer",
            "default_price_data[unit_amount]",
        ),
        (
            {"name": "A", "default_price_data": {"currency": "usd", "unit_amount": 100_000_000}},
            "amount_too_large",
            "default_price_data[unit_amount]",
        ),
        (
            {
                "name": "A",
                "default_price_data": {
                    "currency": "usd",
                    "unit_amount": 1,
                    "recurring": {"interval": "month", "interval_count": 37},
                },
            },
            "parameter_invalid_integer",
            "default_price_data[recurring][interval_count]",
        ),
    ],
)
def test_create_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.products.create(params=params))  # type: ignore[arg-type]

    body = (error.json_body or {}).get("error", {})
    assert error.http_status == 400, body
    assert body.get("param") == param, body
    if code is not None:
        assert body.get("code") == code, body
    assert client.v1.products.list().data == []


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"type": "good"}, "parameter_unknown", "type"),
        ({"id": "new-id"}, "parameter_unknown", "id"),
        ({"shippable": "sometimes"}, "parameter_invalid_boolean", "shippable"),
        ({"active": ""}, "parameter_invalid_empty", "active"),
        (
            {"marketing_features": [{"name": "a"}] * 16},
            "parameter_invalid_array",
            "marketing_features",
        ),
        ({"url": LONG}, "parameter_invalid_string_too_long", "url"),
        ({"metadata": {"k" * 41: "v"}}, None, "metadata"),
    ],
)
def test_update_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str
) -> None:
    product = new_product(client)

    error = error_of(lambda: client.v1.products.update(product.id, params=params))  # type: ignore[arg-type]

    body = (error.json_body or {}).get("error", {})
    assert (error.http_status, body.get("param")) == (400, param), body
    if code is not None:
        assert body.get("code") == code, body
    assert client.v1.products.retrieve(product.id).to_dict() == product.to_dict()


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"limit": "many"}, "parameter_invalid_integer", "limit"),
        ({"active": "yes"}, "parameter_invalid_boolean", "active"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"ids": "prod_1"}, "parameter_invalid_array", "ids"),
        ({"ids": [f"prod_{i}" for i in range(101)]}, "parameter_invalid_array", "ids"),
    ],
)
def test_list_refuses_bad_input(
    client: stripe.StripeClient, query: dict[str, Any], code: str, param: str
) -> None:
    error = error_of(lambda: client.v1.products.list(params=query))  # type: ignore[arg-type]
    assert_error(error, code=code, param=param)


def test_retrieve_and_delete_refuse_unknown_params(http: httpx.Client) -> None:
    product = http.post("/v1/products", data={"name": "A"}).json()

    retrieved = http.get(f"/v1/products/{product['id']}", params={"colour": "red"})
    deleted = http.delete(f"/v1/products/{product['id']}", params={"colour": "red"})

    assert retrieved.status_code == 400
    assert retrieved.json()["error"]["code"] == "parameter_unknown"
    assert deleted.status_code == 400
    assert deleted.json()["error"]["param"] == "colour"


def test_package_dimensions_are_json_numbers(http: httpx.Client) -> None:
    created = http.post(
        "/v1/products",
        data={
            "name": "Box",
            "package_dimensions[height]": "10.25",
            "package_dimensions[length]": "2",
            "package_dimensions[weight]": "0.5",
            "package_dimensions[width]": "3.10",
        },
    ).json()

    assert created["package_dimensions"] == {
        "height": 10.25,
        "length": 2,
        "weight": 0.5,
        "width": 3.1,
    }
