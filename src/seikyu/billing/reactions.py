"""What billing does when other contexts' objects change, in the same transaction."""

from __future__ import annotations

from seikyu.billing import invoice_collection
from seikyu.db.uow import Reaction


def billing_reactions() -> dict[str, list[Reaction]]:
    return {
        "payment_intent.succeeded": [invoice_collection.reaction_payment_succeeded],
    }
