"""Refunds racing for one charge: never more back than was captured, on every backend.

The HTTP tests send real concurrent requests through the server; the service test holds the
first refund's transaction open while the second runs, so on PostgreSQL the second must wait
for the charge's row lock and then see what the first took.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import stripe

from seikyu.core.errors import SeikyuError
from seikyu.db.uow import Actor, Database
from seikyu.payments import charges, refunds
from seikyu.payments.test_processor import TestProcessor
from tests.conftest import TestAccount as Account
from tests.support.race import second_during_first


def paid_charge(client: stripe.StripeClient, payment_method: str = "pm_card_visa") -> str:
    intent = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "payment_method": payment_method,
            "confirm": True,
        }
    )
    return str(intent.latest_charge)


def all_at_once(http: httpx.Client, requests: list[tuple[str, dict[str, Any]]]) -> list[int]:
    """POST every request at the same moment; their status codes, in order."""
    start = threading.Barrier(len(requests))

    def post(request: tuple[str, dict[str, Any]]) -> int:
        path, data = request
        start.wait(timeout=10)
        return http.post(path, data=data).status_code

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(post, requests))


def test_two_refunds_exceeding_the_charge_together_let_one_through(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    charge = paid_charge(client)

    statuses = all_at_once(http, [("/v1/refunds", {"charge": charge, "amount": 600})] * 2)

    assert sorted(statuses) == [200, 400]
    assert client.v1.charges.retrieve(charge).amount_refunded == 600
    assert [r.amount for r in client.v1.refunds.list(params={"charge": charge}).data] == [600]


def test_many_concurrent_refunds_take_exactly_what_was_captured(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    charge = paid_charge(client)

    statuses = all_at_once(http, [("/v1/refunds", {"charge": charge, "amount": 300})] * 8)

    assert sorted(statuses) == [200, 200, 200, 400, 400, 400, 400, 400]
    found = client.v1.charges.retrieve(charge)
    assert (found.amount_refunded, found.refunded) == (900, False)
    assert len(client.v1.refunds.list(params={"charge": charge}).data) == 3


def test_concurrent_cancels_of_a_pending_refund_give_its_amount_back_once(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    charge = paid_charge(client, "pm_card_pendingRefund")
    pending = client.v1.refunds.create(params={"charge": charge, "amount": 700})

    statuses = all_at_once(http, [(f"/v1/refunds/{pending.id}/cancel", {})] * 4)

    assert sorted(statuses) == [200, 400, 400, 400]
    assert client.v1.charges.retrieve(charge).amount_refunded == 0
    assert client.v1.refunds.retrieve(pending.id).status == "canceled"


def test_a_refund_waits_for_the_one_holding_the_charge_and_sees_what_it_took(
    db: Database, account: Account, client: stripe.StripeClient
) -> None:
    charge = paid_charge(client)
    processor = TestProcessor()

    refused = second_during_first(
        db,
        Actor(account.id),
        lambda uow: refunds.create(uow, processor, {"charge": charge, "amount": 600}),
        lambda uow: refunds.create(uow, processor, {"charge": charge, "amount": 600}),
    )

    assert isinstance(refused, SeikyuError)
    assert refused.param == "amount"
    assert refused.message == (
        "Refund amount ($6.00) is greater than unrefunded amount on charge ($4.00)"
    )
    with db.unit(Actor(account.id)) as uow:
        assert charges.get(uow, charge).amount_refunded == 600
