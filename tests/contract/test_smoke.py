"""The server answers the official SDK on every backend."""

from __future__ import annotations

import stripe


def test_customer_round_trip(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(params={"email": "ann@example.com"})
    fetched = client.v1.customers.retrieve(created.id)
    assert fetched.email == "ann@example.com"
    assert fetched.id.startswith("cus_")
