"""Billing under concurrency, over real HTTP: invoice numbers stay unique and gapless when
many invoices of one customer finalize at once, and the customer's balance is used once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import stripe

from tests.support.billing import customer_with_card, item


def all_at_once(http: httpx.Client, paths: list[str]) -> list[httpx.Response]:
    start = threading.Barrier(len(paths))

    def post(path: str) -> httpx.Response:
        start.wait(timeout=10)
        return http.post(path)

    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        return list(pool.map(post, paths))


def drafts(client: stripe.StripeClient, customer: str, count: int) -> list[Any]:
    made = []
    for _ in range(count):
        item(client, customer, 1000)
        made.append(
            client.v1.invoices.create(
                params={"customer": customer, "pending_invoice_items_behavior": "include"}
            )
        )
    return made


def test_concurrent_finalizations_number_without_gaps_or_repeats(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    invoices = drafts(client, customer.id, 8)
    responses = all_at_once(http, [f"/v1/invoices/{i.id}/finalize" for i in invoices])
    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
    numbers = sorted(r.json()["number"] for r in responses)
    assert numbers == [f"{customer.invoice_prefix}-{n:04d}" for n in range(1, 9)]


def test_a_credit_is_used_once_by_concurrent_finalizations(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    client.v1.customers.balance_transactions.create(
        customer.id, params={"amount": -1500, "currency": "usd"}
    )
    invoices = drafts(client, customer.id, 4)
    responses = all_at_once(http, [f"/v1/invoices/{i.id}/finalize" for i in invoices])
    due = sorted(r.json()["amount_due"] for r in responses)
    # 1500 of credit covers one invoice of 1000 and half of another, whatever the order.
    assert due == [0, 500, 1000, 1000]
    assert client.v1.customers.retrieve(customer.id).balance == 0


def test_concurrent_updates_of_one_subscription_lose_nothing(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    """Each request adds its own item and metadata key; every one of them stays, and each
    added item is prorated once."""
    customer = customer_with_card(client, email="a@example.com")
    product = client.v1.products.create(params={"name": "Seat"})

    def monthly(amount: int) -> str:
        return client.v1.prices.create(
            params={"product": product.id, "currency": "usd", "unit_amount": amount,
                    "recurring": {"interval": "month"}}
        ).id  # fmt: skip

    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": monthly(1000)}]}
    )
    added = [monthly(100 * (n + 1)) for n in range(6)]
    start = threading.Barrier(len(added))

    def post(n: int) -> httpx.Response:
        start.wait(timeout=10)
        return http.post(
            f"/v1/subscriptions/{subscription.id}",
            data={"items[0][price]": added[n], f"metadata[k{n}]": str(n),
                  "proration_behavior": "none"},
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=len(added)) as pool:
        responses = list(pool.map(post, range(len(added))))
    assert [r.status_code for r in responses] == [200] * len(added), [r.text for r in responses]
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert sorted(i.price.id for i in after["items"].data) == sorted(
        [subscription["items"].data[0].price.id, *added]
    )
    assert after.metadata.to_dict() == {f"k{n}": str(n) for n in range(len(added))}
