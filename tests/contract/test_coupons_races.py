"""Two requests creating a coupon with one id at once: exactly one wins, on every backend."""

from __future__ import annotations

import threading
import time

import seikyu.api.resources.coupons  # noqa: F401  (registers the renderer for events)
from seikyu.catalog import coupons
from seikyu.core.errors import SeikyuError
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount as Account


def test_concurrent_creates_of_one_coupon_id_let_one_through(
    db: Database, account: Account
) -> None:
    first_inserted = threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def first() -> None:
        with db.unit(Actor(account.id)) as uow:
            coupons.create(uow, {"id": "ONLY", "amount_off": 5, "currency": "usd"})
            first_inserted.set()
            time.sleep(0.5)

    def second() -> None:
        first_inserted.wait(timeout=10)
        try:
            with db.unit(Actor(account.id)) as uow:
                coupons.create(uow, {"id": "ONLY", "amount_off": 7, "currency": "usd"})
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
        assert coupons.get(uow, "ONLY").amount_off == 5
