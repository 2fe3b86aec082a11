"""Customer balance transactions: the ledger behind `customer.balance`.

Every change to a customer's balance is recorded as a transaction with the balance it left
(`ending_balance`). The customer row is locked before its balance is read, so two changes
racing for one customer run one after the other and each starts from what the other left.
A balance is in the customer's currency: the first transaction fixes that currency when the
customer has none yet, and a transaction in another currency is refused.

A balance set before the customer had a currency (on create, or by an update while it had
none) cannot be recorded, since a transaction needs a currency. The first transaction that
fixes the currency records that balance first, as an `initial` transaction, so the ledger
always adds up to the balance from then on.
"""

from __future__ import annotations

from typing import TypedDict

from seikyu.core import metadata as metadata_rules
from seikyu.core.errors import SeikyuError, no_such
from seikyu.core.money import check_currency
from seikyu.customers import balance_transaction_repository as repository
from seikyu.customers import locking
from seikyu.customers import repository as customers
from seikyu.db.models import Customer
from seikyu.db.models.customer_balance_transactions import CustomerBalanceTransaction
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork

OBJECT_NAME = "customer_balance_transaction"

# Stripe's transaction types. The API creates only `adjustment`; billing records the others.
# Stripe's two `checkout_session_subscription_payment*` types are left out: Seikyu has no
# Checkout, and the `type` column (32 characters) could not hold them.
TYPES = frozenset(
    {
        "adjustment",
        "applied_to_invoice",
        "credit_note",
        "initial",
        "invoice_overpaid",
        "invoice_too_large",
        "invoice_too_small",
        "migration",
        "unapplied_from_invoice",
        "unspent_receiver_credit",
    }
)
MAX_DESCRIPTION = 350
# Amounts and balances are stored as signed 64-bit integers.
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


class BalanceTransactionFields(TypedDict, total=False):
    """What the API may set: `amount` and `currency` on create, the rest also on update
    (a None description or metadata clears it)."""

    amount: int
    currency: str
    description: str | None
    metadata: dict[str, str] | None


def adjust(
    uow: UnitOfWork,
    customer_id: str,
    amount: int,
    *,
    currency: str,
    type: str,
    invoice_id: str | None = None,
    credit_note_id: str | None = None,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
    param: str = "amount",
) -> CustomerBalanceTransaction:
    """Add `amount` (negative: credit, positive: debit) to the customer's balance and record
    it as a transaction of `type`, emitting `customer.updated`.

    Refuses a zero amount, a balance past 64 bits (both naming `param`), a currency other
    than the customer's (naming `currency`) and a deleted or unknown customer. A customer
    without a currency takes `currency` as its own.
    """
    if type not in TYPES:
        raise ValueError(f"unknown customer balance transaction type: {type!r}")
    code = check_currency(currency, param="currency")
    _check_description(description)
    customer = _locked_customer(uow, customer_id)
    return _apply(
        uow,
        customer,
        amount,
        currency=code,
        type=type,
        invoice_id=invoice_id,
        credit_note_id=credit_note_id,
        description=description,
        metadata=metadata,
        param=param,
    )


def create(
    uow: UnitOfWork, customer_id: str, fields: BalanceTransactionFields
) -> CustomerBalanceTransaction:
    """An `adjustment` the API asked for; `amount` and `currency` are required."""
    return adjust(
        uow,
        customer_id,
        fields["amount"],
        currency=fields["currency"],
        type="adjustment",
        description=fields.get("description"),
        metadata=fields.get("metadata"),
    )


def set_balance(uow: UnitOfWork, customer_id: str, balance: int) -> Customer:
    """Set the customer's balance to `balance`, as an update of the customer does: the
    difference is recorded as an `adjustment` in the customer's currency. A customer without
    a currency gets the balance without a transaction (see the module's docstring)."""
    customer = _locked_customer(uow, customer_id)
    difference = balance - customer.balance
    if difference == 0:
        return customer
    if customer.currency is None:
        uow.before_update("customer.updated", customer)
        customer.balance = balance
        return customer
    _apply(
        uow, customer, difference, currency=customer.currency, type="adjustment", param="balance"
    )
    return customer


def adopt_currency(uow: UnitOfWork, customer_id: str, currency: str) -> Customer:
    """Give a customer without a currency this one, recording a balance it already holds as
    `initial`; a customer with a currency keeps its own. For whatever first bills a customer
    in a currency, so the ledger adds up to the balance from then on."""
    code = check_currency(currency, param="currency")
    customer = _locked_customer(uow, customer_id)
    if customer.currency is None:
        uow.before_update("customer.updated", customer)
        _take_currency(uow, customer, code)
    return customer


def get(uow: UnitOfWork, customer_id: str, transaction_id: str) -> CustomerBalanceTransaction:
    """One of the customer's transactions; another customer's is as good as missing."""
    _active_customer(uow, customer_id)
    found = repository.get_for_customer(
        uow.session, uow.account_id, uow.livemode, customer_id, transaction_id
    )
    if found is None:
        raise no_such(OBJECT_NAME, transaction_id)
    return found


def update(
    uow: UnitOfWork, customer_id: str, transaction_id: str, fields: BalanceTransactionFields
) -> CustomerBalanceTransaction:
    """Change the description or merge metadata; the amounts never change."""
    _active_customer(uow, customer_id)
    found = repository.get_for_customer(
        uow.session, uow.account_id, uow.livemode, customer_id, transaction_id, for_update=True
    )
    if found is None:
        raise no_such(OBJECT_NAME, transaction_id)
    if "description" in fields:
        description = fields["description"]
        _check_description(description)
        found.description = description or None
    if "metadata" in fields:
        found.metadata_ = metadata_rules.merge(found.metadata_ or {}, fields["metadata"])
    return found


def page(
    uow: UnitOfWork, customer_id: str, window: Window, *, invoice_id: str | None = None
) -> Page[CustomerBalanceTransaction]:
    """The customer's transactions newest first."""
    _active_customer(uow, customer_id)
    return repository.page(
        uow.session,
        uow.account_id,
        uow.livemode,
        window,
        customer_id=customer_id,
        invoice_id=invoice_id,
    )


def find(uow: UnitOfWork, transaction_id: str) -> CustomerBalanceTransaction | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, transaction_id)


# --- checks and records --------------------------------------------------------------


def _apply(
    uow: UnitOfWork,
    customer: Customer,
    amount: int,
    *,
    currency: str,
    type: str,
    invoice_id: str | None = None,
    credit_note_id: str | None = None,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
    param: str,
) -> CustomerBalanceTransaction:
    """Move the balance of a customer locked by the caller, and record the move."""
    _check_currency_matches(customer, currency)
    _check_amount(customer, amount, param=param)
    uow.before_update("customer.updated", customer)
    if customer.currency is None:
        _take_currency(uow, customer, currency)
    return _record(
        uow,
        customer,
        amount,
        type=type,
        starting=customer.balance,
        invoice_id=invoice_id,
        credit_note_id=credit_note_id,
        description=description,
        metadata=metadata,
    )


def _take_currency(uow: UnitOfWork, customer: Customer, currency: str) -> None:
    """The customer's first currency; a balance it held without one becomes `initial`."""
    customer.currency = currency
    if customer.balance != 0:
        _record(uow, customer, customer.balance, type="initial", starting=0)


def _record(
    uow: UnitOfWork,
    customer: Customer,
    amount: int,
    *,
    type: str,
    starting: int,
    invoice_id: str | None = None,
    credit_note_id: str | None = None,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
) -> CustomerBalanceTransaction:
    assert customer.currency is not None  # fixed by the caller before anything is recorded
    ending = starting + amount
    transaction = CustomerBalanceTransaction(
        id=uow.new_id("cbtxn"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        customer_id=customer.id,
        amount=amount,
        currency=customer.currency,
        ending_balance=ending,
        type=type,
        description=description or None,
        invoice_id=invoice_id,
        credit_note_id=credit_note_id,
        metadata_=metadata_rules.initial(metadata),
    )
    repository.add(uow.session, transaction)
    customer.balance = ending
    return transaction


def _check_amount(customer: Customer, amount: int, *, param: str) -> None:
    if amount == 0:
        raise SeikyuError(
            "The amount of a customer balance transaction must not be zero.", param=param
        )
    ending = customer.balance + amount
    if not (_INT64_MIN <= amount <= _INT64_MAX and _INT64_MIN <= ending <= _INT64_MAX):
        raise SeikyuError(
            f"This amount would take the customer's balance ({customer.balance}) outside "
            f"what a balance can hold: {_INT64_MIN} to {_INT64_MAX}.",
            param=param,
        )


def _check_currency_matches(customer: Customer, currency: str) -> None:
    if customer.currency is not None and customer.currency != currency:
        raise SeikyuError(
            f"The customer's balance is in {customer.currency}; a balance transaction in "
            f"{currency} cannot be added to it. Use currency={customer.currency}.",
            param="currency",
        )


def _check_description(description: str | None) -> None:
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise SeikyuError(
            f"Invalid string: {description[:20]}...; must be at most {MAX_DESCRIPTION} characters",
            param="description",
            code="parameter_invalid_string_too_long",
        )


def _locked_customer(uow: UnitOfWork, customer_id: str) -> Customer:
    return locking.lock(uow, customer_id, param="id")


def _active_customer(uow: UnitOfWork, customer_id: str) -> Customer:
    customer = customers.get(uow.session, uow.account_id, uow.livemode, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise no_such("customer", customer_id)
    return customer
