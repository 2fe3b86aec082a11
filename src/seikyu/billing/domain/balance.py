"""How an invoice total meets the customer's balance.

The balance is signed like Stripe's `customer.balance`: negative is credit the customer
holds, positive is money they owe from before. It applies in full to the next invoice in
its currency; nobody chooses which invoice.
"""

from __future__ import annotations

from dataclasses import dataclass

from seikyu.core.money import charge_step, minimum_charge


@dataclass(frozen=True, slots=True)
class Settlement:
    starting_balance: int
    amount_due: int
    ending_balance: int
    # What is due but cannot be charged now moves to the balance as a debit, collected with
    # the next invoice: an amount below the currency's minimum charge, or the last digit of
    # a three-decimal amount, which card networks cannot charge.
    carried: int = 0

    @property
    def applied_balance(self) -> int:
        """The change this invoice makes to the customer's balance."""
        return self.ending_balance - self.starting_balance

    @property
    def needs_payment(self) -> bool:
        return self.amount_due > 0


def settle(total: int, starting_balance: int, currency: str) -> Settlement:
    """Apply the balance to an invoice total.

    A credit covers as much of a positive total as it can; money owed is added to what is
    due; a negative total (a net credit, e.g. a downgrade) is never paid out but adds to the
    customer's credit.
    """
    if total < 0:
        return Settlement(starting_balance, 0, starting_balance + total)
    due = total + starting_balance
    if due <= 0:
        return Settlement(starting_balance, 0, due)
    if due < minimum_charge(currency):
        return Settlement(starting_balance, 0, due, carried=due)
    leftover = due % charge_step(currency)
    return Settlement(starting_balance, due - leftover, leftover, carried=leftover)
