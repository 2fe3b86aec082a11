"""What billing does when other contexts' objects change, in the same transaction."""

from __future__ import annotations

from seikyu.billing import invoice_collection, subscriptions
from seikyu.db.uow import Reaction


def billing_reactions() -> dict[str, list[Reaction]]:
    return {
        "payment_intent.succeeded": [invoice_collection.reaction_payment_succeeded],
        "invoice.paid": [subscriptions.reaction_invoice_paid],
        "invoice.payment_failed": [subscriptions.reaction_invoice_payment_failed],
    }
