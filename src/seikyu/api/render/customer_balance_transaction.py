"""customer_balance_transaction -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.customer_balance_transactions import CustomerBalanceTransaction


def render_customer_balance_transaction(
    transaction: CustomerBalanceTransaction,
) -> dict[str, Any]:
    return {
        "id": transaction.id,
        "object": "customer_balance_transaction",
        "amount": transaction.amount,
        "checkout_session": None,
        "created": ts(transaction.created),
        "credit_note": transaction.credit_note_id,
        "currency": transaction.currency,
        "customer": transaction.customer_id,
        "customer_account": None,
        "description": transaction.description,
        "ending_balance": transaction.ending_balance,
        "invoice": transaction.invoice_id,
        "livemode": transaction.livemode,
        "metadata": None if transaction.metadata_ is None else dict(transaction.metadata_),
        "type": transaction.type,
    }
