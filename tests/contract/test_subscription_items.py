"""/v1/subscription_items through the official SDK: each call is an update of one item,
with the same prorations (exact with proration_date on 31-day periods)."""

from __future__ import annotations

import stripe

from tests.contract.test_subscription_update import DAY, PERIOD, pending, price, subscribe
from tests.support.billing import customer_with_card
from tests.support.errors import assert_error, error_of


def test_create_update_delete_prorate_like_an_update(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    base, extra = price(client, 3100), price(client, 620, name="Extra")
    subscription = subscribe(client, customer.id, {"price": base.id})
    at = subscription.start_date + 21 * DAY  # 10 of 31 days left
    item = client.v1.subscription_items.create(
        params={"subscription": subscription.id, "price": extra.id, "quantity": 2,
                "proration_date": at, "metadata": {"seat": "x"}}
    )  # fmt: skip
    assert (item.object, item.subscription, item.quantity) == (
        "subscription_item",
        subscription.id,
        2,
    )
    assert item.metadata.to_dict() == {"seat": "x"}
    assert item.current_period_end == subscription.start_date + PERIOD
    assert [i.amount for i in pending(client, customer.id)] == [400]
    changed = client.v1.subscription_items.update(
        item.id, params={"quantity": 5, "proration_date": at}
    )
    assert changed.quantity == 5
    assert [i.amount for i in pending(client, customer.id)] == [-400, 400, 1000]
    deleted = client.v1.subscription_items.delete(item.id, params={"proration_date": at})
    assert (deleted.id, deleted.deleted) == (item.id, True)
    assert [i.amount for i in pending(client, customer.id)] == [-1000, -400, 400, 1000]
    assert error_of(lambda: client.v1.subscription_items.retrieve(item.id)).http_status == 404
    listed = client.v1.subscription_items.list(params={"subscription": subscription.id})
    assert [i.price.id for i in listed.data] == [base.id]


def test_retrieve_and_list_with_pagination(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    prices = [price(client, 100 * (n + 1), name=f"P{n}") for n in range(3)]
    subscription = subscribe(client, customer.id, *({"price": p.id} for p in prices))
    first = client.v1.subscription_items.list(params={"subscription": subscription.id, "limit": 2})
    assert first.has_more is True
    rest = client.v1.subscription_items.list(
        params={"subscription": subscription.id, "starting_after": first.data[-1].id}
    )
    ids = [i.id for i in first.data] + [i.id for i in rest.data]
    assert sorted(ids) == sorted(i.id for i in subscription["items"].data)
    one = client.v1.subscription_items.retrieve(ids[0])
    assert one.id == ids[0]


def test_bad_input_names_the_item_parameters(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    base = price(client, 1000)
    subscription = subscribe(client, customer.id, {"price": base.id})
    item_id = subscription["items"].data[0].id
    create = client.v1.subscription_items.create
    assert_error(error_of(lambda: create(params={"price": base.id})),  # type: ignore[typeddict-item]
                 code="parameter_missing", param="subscription")  # fmt: skip
    assert_error(error_of(lambda: create(params={"subscription": "sub_missing", "price": base.id})),
                 status=400, code="resource_missing", param="subscription")  # fmt: skip
    assert_error(error_of(lambda: create(params={"subscription": subscription.id})),
                 code=None, param="price")  # fmt: skip
    duplicate = error_of(lambda: create(params={"subscription": subscription.id, "price": base.id}))
    assert_error(duplicate, code=None, param=None)
    assert "same price" in str(duplicate.user_message)
    assert_error(error_of(lambda: create(params={"subscription": subscription.id,
                                                  "price": "price_missing"})),
                 code="resource_missing", param="price")  # fmt: skip
    assert_error(error_of(lambda: create(params={"subscription": subscription.id, "price": base.id,
                                                  "quantity": -1})),
                 code="parameter_invalid_integer", param="quantity")  # fmt: skip
    update = client.v1.subscription_items.update
    assert_error(error_of(lambda: update(item_id, params={"colour": "red"})),  # type: ignore[typeddict-unknown-key]
                 code="parameter_unknown", param="colour")  # fmt: skip
    assert_error(error_of(lambda: update(item_id, params={"quantity": "many"})),  # type: ignore[typeddict-item]
                 code="parameter_invalid_integer", param="quantity")  # fmt: skip
    assert_error(error_of(lambda: update(item_id, params={"proration_behavior": "sometimes"})),  # type: ignore[typeddict-item]
                 code="parameter_invalid_enum", param="proration_behavior")  # fmt: skip
    assert_error(error_of(lambda: update("si_missing", params={"quantity": 2})),
                 status=404, code="resource_missing", param="id")  # fmt: skip
    last = error_of(lambda: client.v1.subscription_items.delete(item_id))
    assert_error(last, code=None, param=None)
    assert (
        client.v1.subscription_items.list(params={"subscription": subscription.id}).data[0].id
        == item_id
    )
