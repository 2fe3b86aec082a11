"""Prices and tax rates as the billing engine uses them.

The catalog keeps prices and tax rates as the API wrote them; billing needs their money
terms in one currency (`Pricing`), the assurance that a price may be sold now (active, the
right type), and tax rates that may be put on a new line. Each refusal is Stripe's error
naming the parameter the caller passes in `param` (`items[0][price]`, `tax_rates[1]`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from seikyu.billing.domain.pricing import (
    BillingScheme,
    PackageRounding,
    Pricing,
    Tier,
    TiersMode,
    TransformQuantity,
)
from seikyu.billing.domain.tax import MAX_RATES_PER_LINE, TaxRate
from seikyu.catalog import price_rules, prices, products
from seikyu.catalog import tax_rates as catalog_tax_rates
from seikyu.catalog.price_rules import PriceInput, Recurring
from seikyu.catalog.prices import NewPrice
from seikyu.core.errors import SeikyuError, missing, no_such, unknown
from seikyu.db.models.prices import Price
from seikyu.db.uow import UnitOfWork

_PRICE_DATA_FIELDS = frozenset(
    {"currency", "product", "tax_behavior", "unit_amount", "unit_amount_decimal"}
)
_RECURRING_FIELDS = frozenset({"interval", "interval_count"})


def pricing(price: Price, currency: str, *, param: str) -> Pricing:
    """The price's money terms in `currency`: its own currency or one of its
    `currency_options`. Refused, naming `param`, when the price has no amount there or is
    a customer-chosen amount (`custom_unit_amount`), which only Checkout can bill."""
    code = currency.lower()
    terms = prices.terms(price)
    if code == terms.currency:
        unit_amount, tiers = terms.unit_amount, terms.tiers
    elif code in terms.currency_options:
        option = terms.currency_options[code]
        unit_amount, tiers = option.unit_amount, option.tiers
    else:
        raise SeikyuError(
            f"The price {price.id} has no amount in {code.upper()}: it is priced in "
            f"{terms.currency.upper()} and its currency_options do not include {code}.",
            param=param,
        )
    if terms.billing_scheme == BillingScheme.TIERED.value:
        # Both are checked when a tiered price is created.
        assert tiers is not None
        assert terms.tiers_mode is not None
        return Pricing(
            billing_scheme=BillingScheme.TIERED,
            tiers_mode=TiersMode(terms.tiers_mode),
            tiers=tuple(
                Tier(
                    up_to=tier.up_to,
                    unit_amount=tier.unit_amount or Decimal(0),
                    flat_amount=tier.flat_amount or Decimal(0),
                )
                for tier in tiers
            ),
        )
    if unit_amount is None:
        raise SeikyuError(
            f"The price {price.id} lets the customer choose the amount (custom_unit_amount); "
            "such prices can only be paid through Checkout.",
            param=param,
        )
    transform = terms.transform_quantity
    return Pricing(
        unit_amount=unit_amount,
        transform_quantity=None
        if transform is None
        else TransformQuantity(transform.divide_by, PackageRounding(transform.round)),
    )


def unit_amount_in(price: Price, currency: str) -> Decimal | None:
    """The price's exact per-unit amount in `currency`, None for tiered prices."""
    code = currency.lower()
    terms = prices.terms(price)
    if code == terms.currency:
        return terms.unit_amount
    option = terms.currency_options.get(code)
    return None if option is None else option.unit_amount


def product_of(price: Price) -> str:
    return price.product_id


def recurring_price(uow: UnitOfWork, price_id: str, *, param: str) -> Price:
    """An active recurring price of this account, for a subscription item."""
    return _sellable(uow, price_id, "recurring", param=param)


def one_time_price(uow: UnitOfWork, price_id: str, *, param: str) -> Price:
    """An active one-time price of this account: what invoice items and a subscription's
    `add_invoice_items` take (Stripe refuses recurring prices there)."""
    return _sellable(uow, price_id, "one_time", param=param)


def _sellable(uow: UnitOfWork, price_id: str, kind: str, *, param: str) -> Price:
    price = prices.find(uow, price_id)
    if price is None:
        raise no_such("price", price_id, param=param)
    if not price.active:
        raise SeikyuError(
            "The price specified is inactive. This field only accepts active prices.",
            param=param,
        )
    if price.type != kind:
        raise SeikyuError(
            f"The price specified is set to `type={price.type}` but this field only accepts "
            f"prices with `type={kind}`.",
            param=param,
        )
    return price


def check_tax_rates(uow: UnitOfWork, ids: Sequence[str], *, param: str) -> list[str]:
    """The ids, checked for a new line: each an active tax rate of this account, none
    twice, at most five. Errors name the entry (`tax_rates[1]`)."""
    if len(ids) > MAX_RATES_PER_LINE:
        raise SeikyuError(
            f"Invalid array: {param} must have at most {MAX_RATES_PER_LINE} elements",
            param=param,
            code="parameter_invalid_array",
        )
    seen: set[str] = set()
    for index, tax_rate_id in enumerate(ids):
        where = f"{param}[{index}]"
        if tax_rate_id in seen:
            raise SeikyuError(
                f"The tax rate {tax_rate_id} is listed twice; each tax rate may apply to a "
                "line only once.",
                param=where,
            )
        seen.add(tax_rate_id)
        tax_rate = catalog_tax_rates.find(uow, tax_rate_id)
        if tax_rate is None:
            raise no_such("tax rate", tax_rate_id, param=where)
        if not tax_rate.active:
            raise SeikyuError(
                f"The tax rate {tax_rate_id} is archived (active=false) and cannot be applied "
                "to new lines.",
                param=where,
            )
    return list(ids)


def tax_rates(uow: UnitOfWork, ids: Sequence[str]) -> tuple[TaxRate, ...]:
    """The domain tax rates of stored ids, in order; archived ones still apply to the lines
    that already carry them."""
    out = []
    for tax_rate_id in ids:
        row = catalog_tax_rates.get(uow, tax_rate_id, param=None)
        out.append(TaxRate(id=row.id, percentage=row.percentage, inclusive=row.inclusive))
    return tuple(out)


def price_from_data(
    uow: UnitOfWork, data: Mapping[str, Any], *, param: str, recurring: bool
) -> Price:
    """The price Stripe's inline `price_data` describes, created in the catalog.

    Like Stripe's inline prices it is archived from the start (`active=false`): it bills
    the line that made it and cannot be chosen again by id.
    """
    allowed = _PRICE_DATA_FIELDS | ({"recurring"} if recurring else set())
    for name in data:
        if name not in allowed:
            raise unknown(f"{param}[{name}]")
    for name in ("currency", "product"):
        if data.get(name) is None:
            raise missing(f"{param}[{name}]")
    product = products.get(uow, str(data["product"]), name=f"{param}[product]")
    plan = None
    if recurring:
        if data.get("recurring") is None:
            raise missing(f"{param}[recurring]")
        plan = _recurring(data["recurring"], f"{param}[recurring]")
    draft = PriceInput(
        currency=str(data["currency"]),
        unit_amount=_integer(data.get("unit_amount"), f"{param}[unit_amount]"),
        unit_amount_decimal=_decimal(
            data.get("unit_amount_decimal"), f"{param}[unit_amount_decimal]"
        ),
        recurring=plan,
        tax_behavior=data.get("tax_behavior"),
    )
    # Checked here first so that errors name the fields inside `param`.
    price_rules.check(draft, at=(param,))
    return prices.create(uow, NewPrice(terms=draft, product=product.id, active=False))


def _recurring(data: Any, where: str) -> Recurring:
    if not isinstance(data, Mapping):
        raise SeikyuError(
            f"Invalid object: {where} must be a hash", param=where, code="parameter_invalid_hash"
        )
    for name in data:
        if name not in _RECURRING_FIELDS:
            raise unknown(f"{where}[{name}]")
    if data.get("interval") is None:
        raise missing(f"{where}[interval]")
    count = _integer(data.get("interval_count"), f"{where}[interval_count]")
    return Recurring(interval=str(data["interval"]), interval_count=1 if count is None else count)


def _integer(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SeikyuError(
            f"Invalid integer: {value}", param=where, code="parameter_invalid_integer"
        )
    return value


def _decimal(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            pass
    raise SeikyuError(f"Invalid decimal: {value}", param=where, code="parameter_invalid_decimal")
