"""SQL for searching payment intents and charges with Stripe's query language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, select

from seikyu.db.models.charges import Charge
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.search import (
    BOOLEAN,
    METADATA,
    NUMBER,
    STRING,
    TOKEN,
    SearchColumn,
    SearchTable,
)

# Stripe's searchable payment intent fields.
PAYMENT_INTENT_COLUMNS: dict[str, SearchColumn[Any]] = {
    "amount": SearchColumn(NUMBER, PaymentIntent.amount, nullable=False),
    "created": SearchColumn(NUMBER, PaymentIntent.created, as_datetime=True, nullable=False),
    "currency": SearchColumn(STRING, PaymentIntent.currency, nullable=False),
    "customer": SearchColumn(TOKEN, PaymentIntent.customer_id),
    "metadata": SearchColumn(METADATA, PaymentIntent.metadata_),
    "status": SearchColumn(TOKEN, PaymentIntent.status, nullable=False),
}


def _card(field: str) -> ColumnElement[str]:
    """Text of `payment_method_details.card.<field>`: the card as it was when charged."""
    text: ColumnElement[str] = Charge.payment_method_details[("card", field)].as_string()
    return text


def _card_number(field: str) -> ColumnElement[int]:
    number: ColumnElement[int] = Charge.payment_method_details[("card", field)].as_integer()
    return number


# Mirrors the rendered `refunded`: Stripe counts a released authorization and the uncaptured
# rest of a partial capture in `amount_refunded`, so "fully refunded" is all of `amount`.
_REFUNDED: ColumnElement[bool] = Charge.amount_refunded == Charge.amount

# Stripe's searchable charge fields. The expiry month and year are numbers here, so
# `exp_year:2034` and `exp_year:"2034"` both match and ranges work too.
CHARGE_COLUMNS: dict[str, SearchColumn[Any]] = {
    "amount": SearchColumn(NUMBER, Charge.amount, nullable=False),
    "billing_details.address.postal_code": SearchColumn(
        STRING, Charge.billing_details[("address", "postal_code")].as_string()
    ),
    "created": SearchColumn(NUMBER, Charge.created, as_datetime=True, nullable=False),
    "currency": SearchColumn(STRING, Charge.currency, nullable=False),
    "customer": SearchColumn(TOKEN, Charge.customer_id),
    "disputed": SearchColumn(BOOLEAN, Charge.disputed, nullable=False),
    "metadata": SearchColumn(METADATA, Charge.metadata_),
    "payment_method_details.card.brand": SearchColumn(TOKEN, _card("brand")),
    "payment_method_details.card.exp_month": SearchColumn(NUMBER, _card_number("exp_month")),
    "payment_method_details.card.exp_year": SearchColumn(NUMBER, _card_number("exp_year")),
    "payment_method_details.card.fingerprint": SearchColumn(TOKEN, _card("fingerprint")),
    "payment_method_details.card.last4": SearchColumn(TOKEN, _card("last4")),
    "refunded": SearchColumn(BOOLEAN, _REFUNDED, nullable=False),
    "status": SearchColumn(TOKEN, Charge.status, nullable=False),
}


def _payment_intents(account_id: str, livemode: bool) -> Select[PaymentIntent]:
    return select(PaymentIntent).where(
        PaymentIntent.account_id == account_id, PaymentIntent.livemode == livemode
    )


def _charges(account_id: str, livemode: bool) -> Select[Charge]:
    return select(Charge).where(Charge.account_id == account_id, Charge.livemode == livemode)


PAYMENT_INTENTS = SearchTable(
    scope=_payment_intents, columns=PAYMENT_INTENT_COLUMNS, order=PaymentIntent.id
)
CHARGES = SearchTable(scope=_charges, columns=CHARGE_COLUMNS, order=Charge.id)
