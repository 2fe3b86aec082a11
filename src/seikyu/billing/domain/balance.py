"""How an invoice total meets the customer's balance.

The balance is signed like Stripe's `customer.balance`: negative is credit the customer
holds, positive is money they owe from before. It applies in full to the next invoice in
its currency; nobody chooses which invoice.
"""

from __future__ import annotations

from dataclasses import dataclass

from seikyu.core.money import minimum_charge


@dataclass(frozen=True, slots=True)
class Settlement:
    starting_balance: int
    amount_due: int
    ending_balance: int
    # A positive amount due below the currency's minimum charge is not charged: it moves to
    # the balance as a debit, to be collected with the next invoice.
    carried_below_minimum: int = 0

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
        return Settlement(starting_balance, 0, due, carried_below_minimum=due)
    return Settlement(starting_balance, due, 0)
