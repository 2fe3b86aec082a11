"""Small builders for billing tests through the SDK: customers with cards, items, invoices."""

from __future__ import annotations

from typing import Any

import stripe


def customer_with_card(
    client: stripe.StripeClient, card: str = "pm_card_visa", **fields: Any
) -> stripe.Customer:
    """A customer whose invoices are charged to `card` by default."""
    customer = client.v1.customers.create(params=fields)  # type: ignore[arg-type]
    method = client.v1.payment_methods.attach(card, params={"customer": customer.id})
    return client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": method.id}}
    )


def item(client: stripe.StripeClient, customer: str, amount: int, **fields: Any) -> Any:
    params = {"customer": customer, "amount": amount, "currency": "usd", **fields}
    return client.v1.invoice_items.create(params=params)  # type: ignore[arg-type]


def invoice_of(
    client: stripe.StripeClient, customer: str, *amounts: int, **fields: Any
) -> stripe.Invoice:
    """A draft invoice billing one pending item per amount."""
    for amount in amounts:
        item(client, customer, amount)
    params = {"customer": customer, "pending_invoice_items_behavior": "include", **fields}
    return client.v1.invoices.create(params=params)  # type: ignore[arg-type]


def event_types(client: stripe.StripeClient, limit: int = 30) -> list[str]:
    """The account's latest event types, oldest first."""
    events = client.v1.events.list(params={"limit": limit})
    return [event.type for event in reversed(events.data)]
