"""Two requests creating a coupon with one id at once: exactly one wins, on every backend."""

from __future__ import annotations

import seikyu.api.resources.coupons  # noqa: F401  (registers the renderer for events)
from seikyu.catalog import coupons
from seikyu.core.errors import SeikyuError
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount as Account
from tests.support.race import second_during_first


def test_concurrent_creates_of_one_coupon_id_let_one_through(
    db: Database, account: Account
) -> None:
    refused = second_during_first(
        db,
        Actor(account.id),
        lambda uow: coupons.create(uow, {"id": "ONLY", "amount_off": 5, "currency": "usd"}),
        lambda uow: coupons.create(uow, {"id": "ONLY", "amount_off": 7, "currency": "usd"}),
    )

    assert isinstance(refused, SeikyuError)
    assert refused.code == "resource_already_exists"
    with db.unit(Actor(account.id)) as uow:
        assert coupons.get(uow, "ONLY").amount_off == 5
