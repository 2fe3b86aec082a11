"""Price use cases: create, update the few mutable fields, look up, list, search.

A price's amounts, currency, interval and tiers never change after creation (Stripe's
rule: make a new price instead); only `active`, `nickname`, `metadata`, `lookup_key`,
`currency_options` and an `unspecified` tax behavior can. Prices are never deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from seikyu.catalog import price_repository, price_rules, product_repository, products
from seikyu.catalog.price_repository import PriceFilter
from seikyu.catalog.price_rules import (
    CurrencyOptionInput,
    CurrencyTerms,
    CustomUnitAmount,
    PriceInput,
    PriceTerms,
    Recurring,
    Tier,
    TransformQuantity,
)
from seikyu.catalog.products import ProductFields
from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, missing, no_such
from seikyu.db.models.prices import Price
from seikyu.db.models.products import Product
from seikyu.db.pagination import Page, Window
from seikyu.db.search import SearchQueryLike
from seikyu.db.uow import UnitOfWork
from seikyu.metering import meter_repository


@dataclass(frozen=True)
class NewPrice:
    terms: PriceInput
    product: str | None = None
    product_data: ProductFields | None = None
    active: bool = True
    lookup_key: str | None = None
    transfer_lookup_key: bool = False
    nickname: str | None = None
    metadata: Mapping[str, str] | None = None


class PriceChanges(TypedDict, total=False):
    """What an update may change; None clears (nickname, lookup_key, metadata, options)."""

    active: bool
    nickname: str | None
    lookup_key: str | None
    transfer_lookup_key: bool
    tax_behavior: str
    metadata: dict[str, str] | None
    currency_options: Mapping[str, CurrencyOptionInput] | None


def create(uow: UnitOfWork, new: NewPrice) -> Price:
    terms = price_rules.check(new.terms)
    _check_meter(uow, terms, ())
    if new.product is not None and new.product_data is not None:
        raise SeikyuError(
            "You may only specify one of these parameters: product, product_data.",
            param="product",
            code="parameters_exclusive",
        )
    if new.product_data is not None:
        product = products.create(uow, new.product_data, at=("product_data",))
    elif new.product is not None:
        product = products.get(uow, new.product, name="product")
    else:
        raise missing("product")
    price = _new_price(uow, product, terms, new.metadata)
    price.active = new.active
    price.nickname = new.nickname
    if new.lookup_key is not None:
        _claim_lookup_key(uow, price, new.lookup_key, transfer=new.transfer_lookup_key)
    price_repository.add(uow.session, price)
    uow.emit("price.created", price)
    return price


def create_default(
    uow: UnitOfWork, product: Product, draft: PriceInput, given: Mapping[str, str] | None
) -> Price:
    """The price `default_price_data` describes, for a product being created."""
    terms = price_rules.check(draft, at=("default_price_data",))
    _check_meter(uow, terms, ("default_price_data",))
    price = _new_price(uow, product, terms, given)
    price_repository.add(uow.session, price)
    uow.emit("price.created", price)
    return price


def update(uow: UnitOfWork, price_id: str, changes: PriceChanges) -> Price:
    price = get(uow, price_id)
    uow.before_update("price.updated", price)
    if "active" in changes and not changes["active"] and price.active:
        _check_not_default(uow, price)
    if "active" in changes:
        price.active = changes["active"]
    if "tax_behavior" in changes:
        price_rules.check_tax_behavior_change(price.tax_behavior, changes["tax_behavior"])
        price.tax_behavior = changes["tax_behavior"]
    if "nickname" in changes:
        price.nickname = changes["nickname"]
    if "metadata" in changes:
        price.metadata_ = metadata.merge(price.metadata_, changes["metadata"])
    if "currency_options" in changes:
        price.currency_options = _updated_options(price, changes["currency_options"])
    if "lookup_key" in changes:
        key = changes["lookup_key"]
        if key is None:
            price.lookup_key = None
        elif key != price.lookup_key:
            _claim_lookup_key(uow, price, key, transfer=changes.get("transfer_lookup_key", False))
    return price


def get(uow: UnitOfWork, price_id: str, *, param: str | None = "id") -> Price:
    price = find(uow, price_id)
    if price is None:
        raise no_such("price", price_id, param=param)
    return price


def find(uow: UnitOfWork, price_id: str) -> Price | None:
    """This account's price with that id, or None."""
    return price_repository.get(uow.session, uow.account_id, uow.livemode, price_id)


def page(uow: UnitOfWork, window: Window, where: PriceFilter) -> Page[Price]:
    return price_repository.page(uow.session, uow.account_id, uow.livemode, window, where)


def search_fields() -> dict[str, str]:
    """The searchable fields and their kinds, to validate a parsed query against."""
    return price_repository.SEARCH.fields()


def search(
    uow: UnitOfWork, query: SearchQueryLike, *, offset: int, limit: int
) -> tuple[list[Price], bool]:
    return price_repository.SEARCH.page(
        uow.session, uow.account_id, uow.livemode, query, offset=offset, limit=limit
    )


def count(uow: UnitOfWork, query: SearchQueryLike) -> int:
    return price_repository.SEARCH.count(uow.session, uow.account_id, uow.livemode, query)


def terms(price: Price) -> PriceTerms:
    """A stored price's terms, for the code that bills with it."""
    recurring = None
    if price.recurring_interval is not None:
        recurring = Recurring(
            interval=price.recurring_interval,
            interval_count=price.recurring_interval_count or 1,
            usage_type=price.recurring_usage_type or "licensed",
            meter=price.recurring_meter,
            trial_period_days=price.recurring_trial_period_days,
        )
    transform = price.transform_quantity
    custom = price.custom_unit_amount
    return PriceTerms(
        currency=price.currency,
        type=price.type,
        billing_scheme=price.billing_scheme,
        unit_amount=price.unit_amount_decimal,
        custom_unit_amount=None if custom is None else CustomUnitAmount(**custom),
        tiers=None if price.tiers is None else tuple(Tier.from_json(t) for t in price.tiers),
        tiers_mode=price.tiers_mode,
        recurring=recurring,
        transform_quantity=None if transform is None else TransformQuantity(**transform),
        tax_behavior=price.tax_behavior,
        currency_options={
            code: CurrencyTerms.from_json(option)
            for code, option in (price.currency_options or {}).items()
        },
    )


def _new_price(
    uow: UnitOfWork, product: Product, terms: PriceTerms, given: Mapping[str, str] | None
) -> Price:
    recurring = terms.recurring
    custom = terms.custom_unit_amount
    transform = terms.transform_quantity
    return Price(
        id=uow.new_id("price"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        product_id=product.id,
        active=True,
        currency=terms.currency,
        type=terms.type,
        billing_scheme=terms.billing_scheme,
        unit_amount=price_rules.whole(terms.unit_amount),
        unit_amount_decimal=terms.unit_amount,
        custom_unit_amount=None
        if custom is None
        else {"maximum": custom.maximum, "minimum": custom.minimum, "preset": custom.preset},
        tiers_mode=terms.tiers_mode,
        tiers=None if terms.tiers is None else [tier.to_json() for tier in terms.tiers],
        transform_quantity=None
        if transform is None
        else {"divide_by": transform.divide_by, "round": transform.round},
        recurring_interval=recurring.interval if recurring else None,
        recurring_interval_count=recurring.interval_count if recurring else None,
        recurring_usage_type=recurring.usage_type if recurring else None,
        recurring_meter=recurring.meter if recurring else None,
        recurring_trial_period_days=recurring.trial_period_days if recurring else None,
        tax_behavior=terms.tax_behavior,
        currency_options=_options_json(terms.currency_options),
        lookup_key=None,
        nickname=None,
        metadata_=metadata.initial(given),
    )


def _options_json(options: Mapping[str, CurrencyTerms]) -> dict[str, object] | None:
    return {code: option.to_json() for code, option in options.items()} or None


def _updated_options(
    price: Price, change: Mapping[str, CurrencyOptionInput] | None
) -> dict[str, object] | None:
    """Currencies named replace their entry; `currency_options=` removes them all."""
    if change is None:
        return None
    current = terms(price)
    for code, option in change.items():
        if code.lower() in current.currency_options and option.tax_behavior is not None:
            price_rules.check_tax_behavior_change(
                current.currency_options[code.lower()].tax_behavior, option.tax_behavior
            )
    checked = price_rules.check_currency_options(current, change)
    return _options_json({**current.currency_options, **checked})


def _check_meter(uow: UnitOfWork, terms: PriceTerms, at: price_rules.Path) -> None:
    """A metered price bills what its meter measures, so the meter must exist here and
    accept events: Stripe refuses to attach a deactivated meter to a price."""
    meter_id = terms.recurring.meter if terms.recurring else None
    if meter_id is None:
        return
    where = price_rules.param(at, "recurring", "meter")
    meter = meter_repository.get(uow.session, uow.account_id, uow.livemode, meter_id)
    if meter is None:
        raise no_such("billing meter", meter_id, param=where)
    if meter.status != "active":
        raise SeikyuError(
            f"The billing meter '{meter_id}' is inactive, and an inactive meter cannot be "
            "attached to a price. Reactivate it, or use an active meter.",
            param=where,
        )


def _claim_lookup_key(uow: UnitOfWork, price: Price, key: str, *, transfer: bool) -> None:
    holder = price_repository.with_lookup_key(uow.session, uow.account_id, uow.livemode, key)
    if holder is not None and holder is not price:
        if not transfer:
            raise SeikyuError(
                f"A price ({holder.id}) already uses the lookup key {key!r}. Pass "
                "transfer_lookup_key=true to move it to this price.",
                param="lookup_key",
            )
        uow.before_update("price.updated", holder)
        holder.lookup_key = None
        # Written now, so the unique index never sees the key on two prices at once.
        uow.session.flush()
    price.lookup_key = key


def _check_not_default(uow: UnitOfWork, price: Price) -> None:
    product = product_repository.get(uow.session, uow.account_id, uow.livemode, price.product_id)
    if product is not None and product.default_price_id == price.id:
        raise SeikyuError(
            "This price cannot be archived because it is the default price of its product. "
            "Set another default_price on the product first.",
            param="active",
        )
