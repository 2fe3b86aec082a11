"""Two requests claiming one code string at once: exactly one wins, on every backend."""

from __future__ import annotations

import threading
import time

import seikyu.api.resources.coupons
import seikyu.api.resources.promotion_codes  # noqa: F401  (registers renderers for events)
from seikyu.catalog import coupons, promotion_codes
from seikyu.core.errors import SeikyuError
from seikyu.db.pagination import Window
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount as Account


def test_concurrent_claims_of_one_code_let_one_through(db: Database, account: Account) -> None:
    with db.unit(Actor(account.id)) as uow:
        coupons.create(uow, {"id": "RACE", "amount_off": 100, "currency": "usd"})
    first_claimed = threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def first() -> None:
        with db.unit(Actor(account.id)) as uow:
            promotion_codes.create(uow, {"coupon": "RACE", "code": "RACE"})
            first_claimed.set()
            # Hold the transaction open while the second request tries the same string.
            time.sleep(0.5)

    def second() -> None:
        first_claimed.wait(timeout=10)
        try:
            with db.unit(Actor(account.id)) as uow:
                promotion_codes.create(uow, {"coupon": "RACE", "code": "race"})
            outcome["second"] = None
        except SeikyuError as error:
            outcome["second"] = error

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refused = outcome["second"]
    assert isinstance(refused, SeikyuError)
    assert refused.code == "resource_already_exists"
    with db.unit(Actor(account.id)) as uow:
        assert len(promotion_codes.page(uow, Window(), code="RACE").items) == 1
