"""Numbers for finalized invoices, from the customer's sequence or the account's.

The sequence is read and advanced under a row lock (the customer's, or the account's for
account-wide numbering) held until the finalizing transaction ends. Two finalizations
therefore never take the same number, and one that rolls back returns its number: the
sequence has no gaps.
"""

from __future__ import annotations

from dataclasses import replace

from seikyu.accounts import settings
from seikyu.billing.domain.invoice_numbering import NumberingState, default_invoice_prefix
from seikyu.customers import locking
from seikyu.db.uow import UnitOfWork


def take_number(uow: UnitOfWork, customer_id: str) -> str:
    chosen = settings.invoice_settings(uow, uow.account_id)
    if chosen.numbering == "account":
        # Only account-wide numbering serializes an account's finalizations.
        chosen = settings.invoice_settings(uow, uow.account_id, lock=True)
        prefix = chosen.prefix or default_invoice_prefix(int(uow.account_id.encode().hex(), 16))
        number, after = NumberingState(prefix, chosen.next_sequence).assign()
        settings.set_invoice_settings(
            uow, uow.account_id, replace(chosen, prefix=prefix, next_sequence=after.next_sequence)
        )
        return number
    customer = locking.lock(uow, customer_id)
    number, after = NumberingState(customer.invoice_prefix, customer.next_invoice_sequence).assign()
    customer.next_invoice_sequence = after.next_sequence
    return number
