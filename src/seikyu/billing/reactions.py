"""What billing does when other contexts' objects change, in the same transaction."""

from __future__ import annotations

from seikyu.billing import invoice_collection, invoice_dunning, subscriptions
from seikyu.billing import subscription_pending_updates as pending_updates
from seikyu.db.uow import Reaction
from seikyu.payments.domain.processor import Processor


def billing_reactions(processor: Processor) -> dict[str, list[Reaction]]:
    return {
        "payment_intent.succeeded": [invoice_collection.reaction_payment_succeeded],
        # A pending update applies before the paid invoice moves the subscription's status.
        "invoice.paid": [
            pending_updates.reaction_invoice_paid,
            subscriptions.reaction_invoice_paid,
        ],
        "invoice.voided": [pending_updates.reaction_invoice_voided],
        # The subscription turns past_due first; dunning then schedules the next retry, or
        # settles both when the last one failed.
        "customer.deleted": [subscriptions.reaction_customer_deleted(processor)],
        "invoice.payment_failed": [
            subscriptions.reaction_invoice_payment_failed,
            invoice_dunning.reaction(processor),
        ],
    }
