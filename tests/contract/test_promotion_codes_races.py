"""Two requests claiming one code string at once: exactly one wins, on every backend."""

from __future__ import annotations

import seikyu.api.resources.coupons
import seikyu.api.resources.promotion_codes  # noqa: F401  (registers renderers for events)
from seikyu.catalog import coupons, promotion_codes
from seikyu.core.errors import SeikyuError
from seikyu.db.pagination import Window
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount as Account
from tests.support.race import second_during_first


def test_concurrent_claims_of_one_code_let_one_through(db: Database, account: Account) -> None:
    with db.unit(Actor(account.id)) as uow:
        coupons.create(uow, {"id": "RACE", "amount_off": 100, "currency": "usd"})
    refused = second_during_first(
        db,
        Actor(account.id),
        lambda uow: promotion_codes.create(uow, {"coupon": "RACE", "code": "RACE"}),
        lambda uow: promotion_codes.create(uow, {"coupon": "RACE", "code": "race"}),
    )

    assert isinstance(refused, SeikyuError)
    assert refused.code == "resource_already_exists"
    with db.unit(Actor(account.id)) as uow:
        assert len(promotion_codes.page(uow, Window(), code="RACE").items) == 1
