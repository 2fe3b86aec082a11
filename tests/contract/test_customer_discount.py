"""Customer and subscription discounts through the official SDK: `coupon` and
`promotion_code` on customer create and update (an extension: Stripe's API before
2025-03-31), `customer.discount`, the next invoice taking it, and
DELETE /v1/customers/{customer}/discount and /v1/subscriptions/{subscription}/discount.

The delete tests give the customer its discount through the discounts service, on the
server's database, so they do not depend on the extension.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.api.resources import all_routers
from seikyu.billing import discounts
from seikyu.billing.discounts import DiscountRequest, Owner
from seikyu.catalog import coupons
from seikyu.customers import service as customers
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount as Account
from tests.support.billing import customer_with_card, invoice_of
from tests.support.errors import assert_error, error_of

# Events written here are rendered through the API's registry.
all_routers()

FIXTURES = Path("/work/shared/stripe-openapi/fixtures3.json")


def _coupon(client: stripe.StripeClient, **params: Any) -> stripe.Coupon:
    if "amount_off" not in params:
        params.setdefault("percent_off", 20)
    return client.v1.coupons.create(params=params)  # type: ignore[arg-type]


def _give(db: Database, account: Account, customer_id: str, request: DiscountRequest) -> str:
    with db.unit(Actor(account.id)) as uow:
        (discount,) = discounts.replace(uow, Owner(customer_id), [request], param="", currency=None)
        return discount.id


def test_deleting_returns_the_discount_marked_deleted(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()
    coupon = _coupon(client, duration="repeating", duration_in_months=3)
    discount_id = _give(db, account, customer.id, DiscountRequest(coupon=coupon.id))

    deleted = client.v1.customers.delete_discount(customer.id)

    assert (deleted.id, deleted.object, deleted.deleted) == (discount_id, "discount", True)
    assert deleted.customer == customer.id
    assert (deleted.source.coupon, deleted.source.type) == (coupon.id, "coupon")
    assert deleted.promotion_code is None
    assert deleted.subscription is None
    assert deleted.invoice is None
    assert isinstance(deleted.start, int)
    assert deleted.start > 0


def test_the_deleted_shape_is_stripes(
    client: stripe.StripeClient, http: httpx.Client, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()
    _give(db, account, customer.id, DiscountRequest(coupon=_coupon(client).id))

    body = http.delete(f"/v1/customers/{customer.id}/discount").json()

    expected = json.loads(FIXTURES.read_text())["resources"]["deleted_discount"]
    assert set(body) == set(expected)
    assert "end" not in body


def test_a_promotion_code_discount_names_its_code(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()
    coupon = _coupon(client, amount_off=500, currency="usd")
    promo = client.v1.promotion_codes.create(
        params={"promotion": {"type": "coupon", "coupon": coupon.id}}
    )
    _give(db, account, customer.id, DiscountRequest(promotion_code=promo.id))

    deleted = client.v1.customers.delete_discount(customer.id)

    assert deleted.promotion_code == promo.id
    assert deleted.source.coupon == coupon.id
    assert client.v1.promotion_codes.retrieve(promo.id).times_redeemed == 1
    # Deleting a discount does not give its redemption back.
    assert client.v1.coupons.retrieve(coupon.id).times_redeemed == 1


def test_a_second_delete_finds_no_discount(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()
    _give(db, account, customer.id, DiscountRequest(coupon=_coupon(client).id))
    client.v1.customers.delete_discount(customer.id)

    error = error_of(lambda: client.v1.customers.delete_discount(customer.id))

    assert_error(error, status=404, code="resource_missing", param=None)
    assert error.user_message == f"No active discount for customer: {customer.id}"


def test_a_customer_without_a_discount_has_none_to_delete(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()

    error = error_of(lambda: client.v1.customers.delete_discount(customer.id))

    assert_error(error, status=404, code="resource_missing", param=None)


def test_an_unknown_or_deleted_customer_is_not_found(client: stripe.StripeClient) -> None:
    gone = client.v1.customers.create()
    client.v1.customers.delete(gone.id)

    for customer_id in ("cus_missing", gone.id):
        error = error_of(lambda: client.v1.customers.delete_discount(customer_id))  # noqa: B023
        assert_error(error, status=404, code="resource_missing", param="id")


def test_another_accounts_customer_is_not_found(client: stripe.StripeClient, db: Database) -> None:
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
    with db.unit(Actor(other.id)) as uow:
        theirs = customers.create(uow, {}).id
        coupon = coupons.create(uow, {"percent_off": Decimal(5)}).id
        discounts.replace(
            uow, Owner(theirs), [DiscountRequest(coupon=coupon)], param="", currency=None
        )

    error = error_of(lambda: client.v1.customers.delete_discount(theirs))

    assert_error(error, status=404, code="resource_missing", param="id")
    with db.unit(Actor(other.id)) as uow:
        assert discounts.customer_discount(uow, theirs) is not None


def test_unknown_parameters_are_refused(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()
    _give(db, account, customer.id, DiscountRequest(coupon=_coupon(client).id))

    error = error_of(
        lambda: client.v1.customers.delete_discount(customer.id, params={"coupon": "X"})  # type: ignore[arg-type]
    )

    assert_error(error, status=400, code="parameter_unknown", param="coupon")
    with db.unit(Actor(account.id)) as uow:
        assert discounts.customer_discount(uow, customer.id) is not None  # still there


def test_deleting_is_announced(client: stripe.StripeClient, db: Database, account: Account) -> None:
    customer = client.v1.customers.create()
    discount_id = _give(db, account, customer.id, DiscountRequest(coupon=_coupon(client).id))

    client.v1.customers.delete_discount(customer.id)

    events = client.v1.events.list(params={"type": "customer.discount.*"}).data
    assert [event.type for event in events] == [
        "customer.discount.deleted",
        "customer.discount.created",
    ]
    assert all(event.data.object.id == discount_id for event in events)
    assert events[0].data.object.customer == customer.id


# --- coupon and promotion_code on customers ---------------------------------------------


def _customer(client: stripe.StripeClient, **params: Any) -> Any:
    full: Any = params
    return client.v1.customers.create(params=full)


def _update(client: stripe.StripeClient, customer_id: str, **params: Any) -> Any:
    full: Any = params
    return client.v1.customers.update(customer_id, params=full)


def test_a_coupon_given_at_creation_is_the_customers_discount(
    client: stripe.StripeClient,
) -> None:
    coupon = _coupon(client, percent_off=25, duration="forever")

    customer = _customer(client, name="Sato", coupon=coupon.id)

    discount = customer.discount
    assert (discount.object, discount.customer) == ("discount", customer.id)
    assert discount.id.startswith("di_")
    assert (discount.source.coupon, discount.source.type) == (coupon.id, "coupon")
    assert (discount.promotion_code, discount.subscription, discount.invoice) == (None, None, None)
    assert discount.end is None
    assert discount.start == customer.created
    assert client.v1.customers.retrieve(customer.id).discount.id == discount.id
    assert client.v1.coupons.retrieve(coupon.id).times_redeemed == 1


def test_a_repeating_coupon_ends_after_its_months(client: stripe.StripeClient) -> None:
    coupon = _coupon(client, duration="repeating", duration_in_months=3)

    discount = _customer(client, coupon=coupon.id).discount

    # Three calendar months: between 89 and 92 days whatever the start.
    assert 89 * 86400 <= discount.end - discount.start <= 92 * 86400


def test_a_customer_without_a_coupon_has_no_discount(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"name": "Plain"})

    assert customer.discount is None
    assert client.v1.customers.retrieve(customer.id).discount is None


def test_a_promotion_code_gives_its_coupon(client: stripe.StripeClient) -> None:
    coupon = _coupon(client, amount_off=500, currency="usd")
    promo = client.v1.promotion_codes.create(
        params={"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "WELCOME"}
    )

    customer = _customer(client, promotion_code=promo.id)

    assert customer.discount.promotion_code == promo.id
    assert customer.discount.source.coupon == coupon.id
    assert client.v1.promotion_codes.retrieve(promo.id).times_redeemed == 1
    assert client.v1.coupons.retrieve(coupon.id).times_redeemed == 1


def test_an_update_replaces_the_discount(client: stripe.StripeClient) -> None:
    first, second = _coupon(client, percent_off=10), _coupon(client, percent_off=30)
    customer = _customer(client, coupon=first.id)
    old = customer.discount.id

    updated = _update(client, customer.id, coupon=second.id, name="Renamed")

    assert updated.name == "Renamed"
    assert updated.discount.source.coupon == second.id
    assert updated.discount.id != old
    assert client.v1.customers.retrieve(customer.id).discount.id == updated.discount.id
    events = client.v1.events.list(params={"type": "customer.discount.*"}).data
    # Newest first; the update's two events are written in one transaction.
    assert [(e.type, e.data.object.id) for e in events] == [
        ("customer.discount.deleted", old),
        ("customer.discount.created", updated.discount.id),
        ("customer.discount.created", old),
    ]


def test_an_update_is_announced_with_the_old_discount(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    customer = client.v1.customers.create()

    updated = _update(client, customer.id, coupon=coupon.id)

    (event,) = client.v1.events.list(params={"type": "customer.updated"}).data
    assert event.data.object.discount.id == updated.discount.id
    assert event.data.previous_attributes.to_dict() == {"discount": None}


def test_creation_is_announced_with_the_discount(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)

    customer = _customer(client, coupon=coupon.id)

    (event,) = client.v1.events.list(params={"type": "customer.created"}).data
    assert event.data.object.discount.id == customer.discount.id


def test_the_customers_coupon_discounts_its_next_invoice(client: stripe.StripeClient) -> None:
    """G-6.1 with a customer-level coupon: 20% of 1500 is 300."""
    coupon = _coupon(client, percent_off=20)
    customer = _customer(client, coupon=coupon.id)

    invoice = invoice_of(client, customer.id, 1000, 500)

    assert (invoice.subtotal, invoice.total, invoice.amount_due) == (1500, 1200, 1200)
    assert invoice.discounts == [customer.discount.id]
    assert [(d.amount, d.discount) for d in invoice.total_discount_amounts] == [
        (300, customer.discount.id)
    ]
    final = client.v1.invoices.finalize_invoice(invoice.id)
    assert (final.total, final.amount_due) == (1200, 1200)


def test_an_amount_off_coupon_spreads_over_the_lines(client: stripe.StripeClient) -> None:
    """G-6.4: 500 off lines of 1000 and 2000 is 166 and 334."""
    coupon = _coupon(client, amount_off=500, currency="usd")
    customer = _customer(client, coupon=coupon.id)

    invoice = invoice_of(client, customer.id, 1000, 2000)

    assert invoice.total == 2500
    shares = sorted((line.amount, line.discount_amounts[0].amount) for line in invoice.lines.data)
    assert shares == [(1000, 166), (2000, 334)]


def test_a_subscriptions_first_invoice_takes_the_customers_coupon(
    client: stripe.StripeClient,
) -> None:
    coupon = _coupon(client, percent_off=20)
    customer = customer_with_card(client)
    customer = _update(client, customer.id, coupon=coupon.id)
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
            "expand": ["latest_invoice"],
        }
    )

    invoice = subscription.latest_invoice
    assert (invoice.status, invoice.total, invoice.amount_paid) == ("paid", 1600, 1600)
    assert invoice.discounts == [customer.discount.id]


def test_a_deleted_discount_no_longer_applies(client: stripe.StripeClient) -> None:
    customer = _customer(client, coupon=_coupon(client, percent_off=20).id)
    client.v1.customers.delete_discount(customer.id)

    invoice = invoice_of(client, customer.id, 1000)

    assert client.v1.customers.retrieve(customer.id).discount is None
    assert (invoice.total, invoice.discounts) == (1000, [])


def _minimum_code(client: stripe.StripeClient) -> str:
    coupon = _coupon(client)
    params: Any = {
        "promotion": {"type": "coupon", "coupon": coupon.id},
        "restrictions": {"minimum_amount": 5000, "minimum_amount_currency": "usd"},
    }
    return client.v1.promotion_codes.create(params=params).id


def _used_up_coupon(client: stripe.StripeClient) -> str:
    coupon = _coupon(client, max_redemptions=1)
    _customer(client, coupon=coupon.id)
    return coupon.id


def _inactive_code(client: stripe.StripeClient) -> str:
    params: Any = {"promotion": {"type": "coupon", "coupon": _coupon(client).id}, "active": False}
    return client.v1.promotion_codes.create(params=params).id


def _coupon_id(client: stripe.StripeClient) -> str:
    return _coupon(client).id


def _code_id(client: stripe.StripeClient) -> str:
    params: Any = {"promotion": {"type": "coupon", "coupon": _coupon(client).id}}
    return client.v1.promotion_codes.create(params=params).id


BAD_DISCOUNTS: list[tuple[str, Any, str | None, str]] = [
    ("unknown coupon", lambda c: {"coupon": "nope"}, "resource_missing", "coupon"),
    ("unknown promotion code", lambda c: {"promotion_code": "promo_nope"}, "resource_missing",
     "promotion_code"),
    ("both", lambda c: {"coupon": _coupon_id(c), "promotion_code": _code_id(c)},
     "parameters_exclusive", "promotion_code"),
    ("empty coupon", lambda c: {"coupon": ""}, "parameter_invalid_empty", "coupon"),
    ("empty promotion code", lambda c: {"promotion_code": ""}, "parameter_invalid_empty",
     "promotion_code"),
    ("coupon not a string", lambda c: {"coupon": {"id": "x"}}, "parameter_invalid_string",
     "coupon"),
    ("coupon too long", lambda c: {"coupon": "c" * 5001}, "parameter_invalid_string_too_long",
     "coupon"),
    ("used-up coupon", lambda c: {"coupon": _used_up_coupon(c)}, "coupon_expired", "coupon"),
    ("inactive code", lambda c: {"promotion_code": _inactive_code(c)}, None, "promotion_code"),
    ("code with a minimum", lambda c: {"promotion_code": _minimum_code(c)}, None,
     "promotion_code"),
    ("plural discounts", lambda c: {"discounts": [{"coupon": _coupon_id(c)}]},
     "parameter_unknown", "discounts"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "make", "code", "param"), BAD_DISCOUNTS, ids=[b[0] for b in BAD_DISCOUNTS]
)
def test_a_refused_discount_creates_no_customer(
    client: stripe.StripeClient, name: str, make: Any, code: str | None, param: str
) -> None:
    params = make(client)
    before = [c.id for c in client.v1.customers.list().data]

    error = error_of(lambda: _customer(client, email="refused@example.com", **params))

    assert_error(error, code=code, param=param)
    assert [c.id for c in client.v1.customers.list().data] == before


@pytest.mark.parametrize(
    ("name", "make", "code", "param"), BAD_DISCOUNTS, ids=[b[0] for b in BAD_DISCOUNTS]
)
def test_a_refused_discount_changes_nothing_on_update(
    client: stripe.StripeClient, name: str, make: Any, code: str | None, param: str
) -> None:
    kept = _coupon(client, percent_off=5)
    customer = _customer(client, name="Before", coupon=kept.id)
    params = make(client)

    error = error_of(lambda: _update(client, customer.id, name="After", **params))

    assert_error(error, code=code, param=param)
    after = client.v1.customers.retrieve(customer.id)
    assert after.name == "Before"
    assert after.discount.id == customer.discount.id


def test_a_missing_or_deleted_customer_takes_no_coupon(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    gone = client.v1.customers.create()
    client.v1.customers.delete(gone.id)

    for customer_id in ("cus_missing", gone.id):
        error = error_of(lambda: _update(client, customer_id, coupon=coupon.id))  # noqa: B023
        assert_error(error, status=404, code="resource_missing", param="id")
    assert client.v1.coupons.retrieve(coupon.id).times_redeemed == 0


def test_a_restricted_code_is_refused_for_another_customer(client: stripe.StripeClient) -> None:
    owner = client.v1.customers.create()
    params: Any = {
        "promotion": {"type": "coupon", "coupon": _coupon(client).id},
        "customer": owner.id,
    }
    promo = client.v1.promotion_codes.create(params=params)
    someone = client.v1.customers.create()

    error = error_of(lambda: _update(client, someone.id, promotion_code=promo.id))

    assert_error(error, code=None, param="promotion_code")
    assert _update(client, owner.id, promotion_code=promo.id).discount.promotion_code == promo.id


# --- DELETE /v1/subscriptions/{id}/discount --------------------------------------------


def _subscribed(client: stripe.StripeClient, *coupons: str) -> Any:
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
    params: Any = {
        "customer": customer.id,
        "items": [{"price": price.id}],
        "discounts": [{"coupon": coupon} for coupon in coupons],
        "expand": ["latest_invoice"],
    }
    return client.v1.subscriptions.create(params=params)


def test_deleting_a_subscriptions_discount_returns_it_deleted(
    client: stripe.StripeClient,
) -> None:
    coupon = _coupon(client, percent_off=50)
    subscription = _subscribed(client, coupon.id)
    assert subscription.latest_invoice.total == 1000
    (discount_id,) = subscription.discounts

    deleted = client.v1.subscriptions.delete_discount(subscription.id)

    assert (deleted.id, deleted.object, deleted.deleted) == (discount_id, "discount", True)
    assert (deleted.subscription, deleted.customer) == (subscription.id, subscription.customer)
    assert deleted.source.coupon == coupon.id
    assert "end" not in deleted.to_dict()
    assert client.v1.subscriptions.retrieve(subscription.id).discounts == []


def test_every_discount_of_the_subscription_goes(client: stripe.StripeClient) -> None:
    first, second = _coupon(client, percent_off=10), _coupon(client, amount_off=100, currency="usd")
    subscription = _subscribed(client, first.id, second.id)

    deleted = client.v1.subscriptions.delete_discount(subscription.id)

    assert deleted.id == subscription.discounts[0]
    assert client.v1.subscriptions.retrieve(subscription.id).discounts == []
    error = error_of(lambda: client.v1.subscriptions.delete_discount(subscription.id))
    assert_error(error, status=404, code="resource_missing", param=None)


def test_deleting_a_subscriptions_discount_is_announced(client: stripe.StripeClient) -> None:
    subscription = _subscribed(client, _coupon(client).id)
    (discount_id,) = subscription.discounts

    client.v1.subscriptions.delete_discount(subscription.id)

    deleted = client.v1.events.list(params={"type": "customer.discount.deleted"}).data
    assert [e.data.object.id for e in deleted] == [discount_id]
    updated = client.v1.events.list(params={"type": "customer.subscription.updated"}).data
    assert updated[0].data.object.discounts == []
    assert updated[0].data.previous_attributes.discounts == [discount_id]


def test_the_customers_discount_is_kept(client: stripe.StripeClient) -> None:
    subscription = _subscribed(client, _coupon(client).id)
    customer = _update(client, subscription.customer, coupon=_coupon(client).id)

    client.v1.subscriptions.delete_discount(subscription.id)

    assert client.v1.customers.retrieve(customer.id).discount.id == customer.discount.id


def test_a_subscription_without_a_discount_has_none_to_delete(
    client: stripe.StripeClient,
) -> None:
    subscription = _subscribed(client)

    error = error_of(lambda: client.v1.subscriptions.delete_discount(subscription.id))

    assert_error(error, status=404, code="resource_missing", param=None)
    assert error.user_message == f"No active discount for subscription: {subscription.id}"


def test_an_unknown_subscription_is_not_found(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.subscriptions.delete_discount("sub_missing"))

    assert_error(error, status=404, code="resource_missing", param="id")


def test_a_canceled_subscription_keeps_its_discount(client: stripe.StripeClient) -> None:
    subscription = _subscribed(client, _coupon(client).id)
    client.v1.subscriptions.cancel(subscription.id)

    error = error_of(lambda: client.v1.subscriptions.delete_discount(subscription.id))

    assert_error(error, status=400, code=None, param=None)
    assert client.v1.subscriptions.retrieve(subscription.id).discounts == subscription.discounts


def test_deleting_a_subscriptions_discount_takes_no_parameters(
    client: stripe.StripeClient,
) -> None:
    subscription = _subscribed(client, _coupon(client).id)

    error = error_of(
        lambda: client.v1.subscriptions.delete_discount(
            subscription.id,
            params={"coupon": "X"},  # type: ignore[arg-type]
        )
    )

    assert_error(error, status=400, code="parameter_unknown", param="coupon")
    assert client.v1.subscriptions.retrieve(subscription.id).discounts == subscription.discounts
