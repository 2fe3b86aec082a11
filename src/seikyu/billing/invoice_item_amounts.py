"""An invoice item's money: `amount` as given, `unit_amount_decimal × quantity` rounded
once, or a one-time price's terms in the item's currency for the quantity, each checked
against the currency's limits with Stripe's errors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from seikyu.billing import price_terms
from seikyu.billing.domain.pricing import line_amount
from seikyu.catalog import prices
from seikyu.catalog.price_rules import MAX_DECIMAL_PLACES, decimal_places, normalize
from seikyu.core import money
from seikyu.core.errors import SeikyuError, missing
from seikyu.db.models.invoice_items import InvoiceItem
from seikyu.db.models.prices import Price
from seikyu.db.uow import UnitOfWork

if TYPE_CHECKING:  # invoice_items imports this module
    from seikyu.billing.invoice_items import InvoiceItemFields as Fields


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str
    quantity: int
    unit_amount_decimal: Decimal | None
    price: Price | None


def quantity_of(fields: Fields) -> int | None:
    quantity = fields.get("quantity")
    exact = fields.get("quantity_decimal")
    if exact is None:
        return quantity
    if quantity is not None:
        raise SeikyuError(
            "You may only specify one of these parameters: quantity, quantity_decimal.",
            param="quantity_decimal",
            code="parameters_exclusive",
        )
    if not exact.is_finite() or exact < 0:
        raise SeikyuError(
            f"Invalid quantity_decimal: {exact}; must be zero or positive.",
            param="quantity_decimal",
        )
    if exact != exact.to_integral_value():
        raise SeikyuError(
            f"Invalid quantity_decimal: {exact}; fractional quantities are not supported, "
            "use a whole number of units.",
            param="quantity_decimal",
        )
    return int(exact)


def money_of(
    uow: UnitOfWork,
    fields: Fields,
    source: str | None,
    currency: str | None,
    quantity: int | None,
) -> Money:
    """The money of a new item, from whichever source the request named."""
    if source == "price":
        price = price_terms.one_time_price(uow, fields["price"], param="pricing[price]")
        if currency is None:
            currency = price.currency
        where = "currency" if "currency" in fields else "pricing[price]"
        return _priced(price, currency, 1 if quantity is None else quantity, where=where)
    if source == "price_data":
        data = fields["price_data"]
        asked = money.check_currency(str(data.get("currency", "")), param="price_data[currency]")
        if currency is not None and asked != currency:
            raise SeikyuError(
                f"price_data[currency] ({asked}) must match the invoice item's currency "
                f"({currency}).",
                param="price_data[currency]",
            )
        price = price_terms.price_from_data(uow, data, param="price_data", recurring=False)
        return _priced(price, asked, 1 if quantity is None else quantity, where="price_data")
    if currency is None:
        raise missing("currency")
    if source == "amount":
        amount = fields["amount"]
        if quantity not in (None, 1):
            raise SeikyuError(
                "quantity can only be set with pricing[price], price_data or "
                "unit_amount_decimal: amount is the item's whole amount.",
                param="quantity",
            )
        check_amount(amount, currency, "amount")
        return Money(amount, currency, 1, Decimal(amount), None)
    return _unit_priced(
        fields["unit_amount_decimal"], currency, 1 if quantity is None else quantity
    )


def remoney(
    uow: UnitOfWork,
    item: InvoiceItem,
    changes: Fields,
    source: str | None,
    quantity: int | None,
) -> Money:
    """The item's money after an update; its currency never changes."""
    if source is not None:
        # A new price or unit amount keeps the item's quantity; a new amount is the whole.
        kept = quantity if quantity is not None or source == "amount" else item.quantity
        return money_of(uow, changes, source, item.currency, kept)
    assert quantity is not None
    if item.price_id is not None:
        # The price the item already has, whatever has become of it since.
        return _priced(prices.get(uow, item.price_id), item.currency, quantity, where="quantity")
    unit = item.unit_amount_decimal if item.unit_amount_decimal is not None else item.amount
    return _unit_priced(Decimal(unit), item.currency, quantity)


def _priced(price: Price, currency: str, quantity: int, *, where: str) -> Money:
    terms = price_terms.pricing(price, currency, param=where)
    amount = line_amount(terms, quantity)
    check_amount(amount, currency, "quantity")
    return Money(amount, currency, quantity, price_terms.unit_amount_in(price, currency), price)


def _unit_priced(unit: Decimal, currency: str, quantity: int) -> Money:
    where = "unit_amount_decimal"
    if not unit.is_finite():
        raise SeikyuError(f"Invalid decimal: {unit}", param=where, code="parameter_invalid_decimal")
    check_amount(unit, currency, where)
    if decimal_places(unit) > MAX_DECIMAL_PLACES:
        raise SeikyuError(
            f"Invalid decimal: {unit}; at most {MAX_DECIMAL_PLACES} decimal places are allowed.",
            param=where,
        )
    exact = normalize(unit)
    # Rounded once, for the whole quantity: 3 × 0.5 is 2 (1.5 half up), not 3 × 1.
    amount = money.to_minor_units(exact * quantity)
    check_amount(amount, currency, "quantity")
    return Money(amount, currency, quantity, exact, None)


def check_amount(amount: int | Decimal, currency: str, where: str) -> None:
    limit = money.max_amount(currency)
    if not -limit <= amount <= limit:
        raise SeikyuError(
            f"Amount must be no more than {limit} {currency} in minor units, credit or charge.",
            param=where,
            code="amount_too_large",
        )
