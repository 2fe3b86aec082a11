"""Which promotion codes are active: code uniqueness, deactivation, lapses, reactivation.

Lapses that need time to pass run the service in a unit of work whose "now" is later than
the server's; what they record is then read back through the API.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe

import seikyu.api.resources.coupons
import seikyu.api.resources.promotion_codes  # noqa: F401  (registers renderers for events)
from seikyu.catalog import coupons, promotion_codes
from seikyu.core.errors import SeikyuError
from seikyu.db.pagination import Window
from seikyu.db.uow import Actor, Database, UnitOfWork
from tests.conftest import TestAccount as Account
from tests.support.errors import invalid_request as _error

DAY = 86_400


def _coupon(client: stripe.StripeClient, **params: Any) -> stripe.Coupon:
    params.setdefault("percent_off", 20)
    return client.v1.coupons.create(params=params)  # type: ignore[arg-type]


def _create(client: stripe.StripeClient, coupon_id: str, /, **params: Any) -> stripe.PromotionCode:
    params["promotion"] = {"type": "coupon", "coupon": coupon_id}
    return client.v1.promotion_codes.create(params=params)  # type: ignore[arg-type]


@contextmanager
def _later(
    db: Database, account: Account, seconds: int, *, readonly: bool = False
) -> Iterator[UnitOfWork]:
    later = datetime.now(UTC) + timedelta(seconds=seconds)
    with db.unit(Actor(account.id), now=later, readonly=readonly) as uow:
        yield uow


# --- code uniqueness ---------------------------------------------------------------------


def test_codes_are_unique_regardless_of_case(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    _create(client, coupon.id, code="FALL20")
    error = _error(lambda: _create(client, coupon.id, code="fall20"))
    assert error.code == "resource_already_exists"
    assert error.param == "code"
    assert error.http_status == 400


def test_uniqueness_spans_coupons(client: stripe.StripeClient) -> None:
    _create(client, _coupon(client).id, code="SHARED")
    error = _error(lambda: _create(client, _coupon(client).id, code="Shared"))
    assert error.param == "code"


def test_an_inactive_codes_string_can_be_reused(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    old = _create(client, coupon.id, code="REUSE")
    client.v1.promotion_codes.update(old.id, params={"active": False})
    assert _create(client, coupon.id, code="reuse").active is True


def test_an_inactive_code_may_share_an_active_codes_string(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    _create(client, coupon.id, code="TWIN")
    assert _create(client, coupon.id, code="TWIN", active=False).active is False


def test_codes_for_different_customers_may_share_a_string(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    ann, bob = client.v1.customers.create(), client.v1.customers.create()
    _create(client, coupon.id, code="VIP", customer=ann.id)
    assert _create(client, coupon.id, code="vip", customer=bob.id).customer == bob.id


def test_one_customer_cannot_have_two_codes_with_one_string(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    ann = client.v1.customers.create()
    _create(client, coupon.id, code="VIP", customer=ann.id)
    error = _error(lambda: _create(client, coupon.id, code="VIP", customer=ann.id))
    assert error.param == "code"


def test_an_unrestricted_code_clashes_with_a_customers_code(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    ann = client.v1.customers.create()
    _create(client, coupon.id, code="VIP", customer=ann.id)
    assert _error(lambda: _create(client, coupon.id, code="VIP")).param == "code"


def test_a_customers_code_clashes_with_an_unrestricted_code(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    ann = client.v1.customers.create()
    _create(client, coupon.id, code="OPEN")
    error = _error(lambda: _create(client, coupon.id, code="OPEN", customer=ann.id))
    assert error.param == "code"


def test_generated_codes_avoid_existing_ones(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    codes = {_create(client, coupon.id).code.lower() for _ in range(5)}
    assert len(codes) == 5


def test_an_expired_code_frees_its_string(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    coupon = _coupon(client)
    _create(client, coupon.id, code="BRIEF", expires_at=int(time.time()) + 60)
    with _later(db, account, 120) as uow:
        fresh = promotion_codes.create(uow, {"coupon": coupon.id, "code": "brief"})
        assert fresh.active is True


# --- deactivation and lapses ---------------------------------------------------------------


def test_deactivate_and_reactivate(client: stripe.StripeClient) -> None:
    promo = _create(client, _coupon(client).id)
    off = client.v1.promotion_codes.update(promo.id, params={"active": False})
    assert off.active is False
    on = client.v1.promotion_codes.update(promo.id, params={"active": True})
    assert on.active is True
    events = client.v1.events.list(params={"type": "promotion_code.updated"}).data
    assert [e.data.previous_attributes.to_dict() for e in events] == [
        {"active": False},
        {"active": True},
    ]


def test_a_code_is_inactive_once_its_coupon_is_deleted(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    promo = _create(client, coupon.id)
    client.v1.coupons.delete(coupon.id)
    assert client.v1.promotion_codes.retrieve(promo.id).active is False
    listed = client.v1.promotion_codes.list(params={"active": False}).data
    assert [p.id for p in listed] == [promo.id]
    assert client.v1.promotion_codes.list(params={"active": True}).data == []
    error = _error(lambda: client.v1.promotion_codes.update(promo.id, params={"active": True}))
    assert error.param == "active"
    assert "coupon" in str(error.user_message)


def test_a_code_of_a_deleted_coupon_still_names_it(client: stripe.StripeClient) -> None:
    coupon = _coupon(client, id="OLD")
    promo = _create(client, coupon.id)
    client.v1.coupons.delete("OLD")
    _coupon(client, id="OLD", percent_off=90)
    fetched = client.v1.promotion_codes.retrieve(promo.id, params={"expand": ["promotion.coupon"]})
    expanded: Any = fetched.promotion.coupon
    assert expanded.id == "OLD"
    assert expanded.deleted is True


def test_an_expired_code_is_inactive_for_good(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    promo = _create(client, _coupon(client).id, expires_at=int(time.time()) + 60)
    with _later(db, account, 120) as uow:
        assert promotion_codes.get(uow, promo.id).active is False
        with pytest.raises(SeikyuError) as refused:
            promotion_codes.update(uow, promo.id, {"active": True})
    assert refused.value.param == "active"
    assert "expired" in refused.value.message


def test_noticing_a_lapse_writes_nothing(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    promo = _create(client, _coupon(client).id, expires_at=int(time.time()) + 60)
    with _later(db, account, 120, readonly=True) as uow:
        assert promotion_codes.get(uow, promo.id).active is False
        assert not uow.session.dirty
    # Time passing is no change to the code: at the server's "now" it is still active, and
    # no event was recorded.
    assert client.v1.promotion_codes.retrieve(promo.id).active is True
    assert client.v1.events.list(params={"type": "promotion_code.updated"}).data == []


def test_a_code_of_an_expired_coupon_is_inactive(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    coupon = _coupon(client, redeem_by=int(time.time()) + 60)
    promo = _create(client, coupon.id, expires_at=int(time.time()) + 30)
    with _later(db, account, 120) as uow:
        assert coupons.get(uow, coupon.id).valid is False
        assert promotion_codes.get(uow, promo.id).active is False
        with pytest.raises(SeikyuError) as refused:
            promotion_codes.create(uow, {"coupon": coupon.id})
    assert refused.value.param == "promotion[coupon]"
    assert client.v1.coupons.retrieve(coupon.id).valid is True


def test_the_active_filter_applies_lapses_at_now(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    lasting = _create(client, _coupon(client).id)
    brief = _create(client, _coupon(client).id, expires_at=int(time.time()) + 60)
    with _later(db, account, 120, readonly=True) as uow:
        active = promotion_codes.page(uow, Window(), active=True).items
        inactive = promotion_codes.page(uow, Window(), active=False).items
        assert [p.id for p in active] == [lasting.id]
        assert [p.id for p in inactive] == [brief.id]


def test_an_exhausted_code_cannot_be_reactivated(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    promo = _create(client, _coupon(client).id, max_redemptions=2)
    with db.unit(Actor(account.id)) as uow:
        # Redemption is not built yet: record two as it will.
        promotion_codes.get(uow, promo.id).times_redeemed = 2
    assert client.v1.promotion_codes.retrieve(promo.id).active is False
    error = _error(lambda: client.v1.promotion_codes.update(promo.id, params={"active": True}))
    assert error.param == "active"
    assert "max_redemptions" in str(error.user_message)


def test_an_exhausted_coupon_invalidates_it_and_its_codes(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    coupon = _coupon(client, max_redemptions=1)
    promo = _create(client, coupon.id)
    with db.unit(Actor(account.id)) as uow:
        coupons.get(uow, coupon.id).times_redeemed = 1
    assert client.v1.coupons.retrieve(coupon.id).valid is False
    assert client.v1.promotion_codes.retrieve(promo.id).active is False
    assert _error(lambda: _create(client, coupon.id)).param == "promotion[coupon]"


def test_reactivation_is_refused_when_the_string_was_taken(client: stripe.StripeClient) -> None:
    coupon = _coupon(client)
    first = _create(client, coupon.id, code="SAME")
    client.v1.promotion_codes.update(first.id, params={"active": False})
    _create(client, coupon.id, code="same")
    error = _error(lambda: client.v1.promotion_codes.update(first.id, params={"active": True}))
    assert error.param == "active"
    assert error.code == "resource_already_exists"
    assert client.v1.promotion_codes.retrieve(first.id).active is False


def test_setting_active_to_its_current_value_changes_nothing(
    client: stripe.StripeClient,
) -> None:
    promo = _create(client, _coupon(client).id)
    assert client.v1.promotion_codes.update(promo.id, params={"active": True}).active is True
    assert client.v1.events.list(params={"type": "promotion_code.updated"}).data == []
