"""Billing under concurrency, over real HTTP: invoice numbers stay unique and gapless when
many invoices of one customer finalize at once, and the customer's balance is used once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import stripe

from tests.support.billing import item


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
