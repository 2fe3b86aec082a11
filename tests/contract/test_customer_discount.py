"""DELETE /v1/customers/{customer}/discount through the official SDK.

Customers cannot take a coupon through the API yet, so each test gives the customer its
discount through the discounts service, on the server's database.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import stripe

from seikyu.accounts import service as accounts
from seikyu.api.resources import all_routers
from seikyu.billing import discounts
from seikyu.billing.discounts import DiscountRequest, Owner
from seikyu.catalog import coupons
from seikyu.customers import service as customers
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount as Account
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
