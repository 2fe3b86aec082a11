"""/v1/prices"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from pydantic import BeforeValidator, Field, field_validator

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params, SearchParams, bad
from seikyu.api.render.price import render_currency_options, render_price, render_tiers
from seikyu.api.render.product import render_product
from seikyu.api.routing import Call, Router
from seikyu.api.search import run_search
from seikyu.catalog import prices, products
from seikyu.catalog.price_repository import PriceFilter
from seikyu.catalog.price_rules import (
    CurrencyOptionInput,
    CustomUnitAmount,
    PriceInput,
    Recurring,
    TierInput,
    TransformQuantity,
)
from seikyu.catalog.prices import NewPrice, PriceChanges
from seikyu.catalog.products import ProductFields
from seikyu.db.models.prices import Price
from seikyu.db.uow import UnitOfWork

router = Router()

INT64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_WHOLE = re.compile(r"[0-9]+")


def _decimal(value: Any) -> Any:
    """Decimal strings as Stripe takes them ("0.5"; the SDK may send "1E-7")."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return Decimal(value)
    raise bad(f"Invalid decimal: {value}", "parameter_invalid_decimal")


def _up_to(value: Any) -> Any:
    if value == "inf":
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= INT64_MAX:
        return value
    raise bad(
        f'Invalid up_to: {value}; must be a positive integer or "inf".',
        "parameter_invalid_integer",
    )


# Exact decimals in minor units; amounts too large for the currency are refused by the rules.
DecimalAmount = Annotated[Decimal, BeforeValidator(_decimal)]
Amount = Annotated[int, Field(ge=0, le=INT64_MAX)]
UpTo = Annotated[int | Literal["inf"], BeforeValidator(_up_to)]
Count = Annotated[int, Field(ge=1, le=INT64_MAX)]
Str = Annotated[str, Field(max_length=5000)]
Currency = Annotated[str, Field(min_length=1, max_length=10)]
TaxBehavior = Literal["exclusive", "inclusive", "unspecified"]
LookupKey = Annotated[str, Field(min_length=1, max_length=200)]


class TierParams(Params):
    up_to: UpTo
    unit_amount: Amount | None = None
    unit_amount_decimal: DecimalAmount | None = None
    flat_amount: Amount | None = None
    flat_amount_decimal: DecimalAmount | None = None

    def input(self) -> TierInput:
        return TierInput(
            up_to=None if self.up_to == "inf" else int(self.up_to),
            unit_amount=self.unit_amount,
            unit_amount_decimal=self.unit_amount_decimal,
            flat_amount=self.flat_amount,
            flat_amount_decimal=self.flat_amount_decimal,
        )


class CustomUnitAmountParams(Params):
    enabled: bool
    maximum: Amount | None = None
    minimum: Amount | None = None
    preset: Amount | None = None

    @field_validator("enabled")
    @classmethod
    def _only_true(cls, enabled: bool) -> bool:
        if not enabled:
            raise bad(
                "custom_unit_amount[enabled] must be true; to charge a fixed amount, omit "
                "custom_unit_amount.",
                "parameter_invalid_boolean",
            )
        return enabled

    def input(self) -> CustomUnitAmount:
        return CustomUnitAmount(minimum=self.minimum, maximum=self.maximum, preset=self.preset)


class CurrencyOptionParams(Params):
    custom_unit_amount: CustomUnitAmountParams | None = None
    tax_behavior: TaxBehavior | None = None
    tiers: list[TierParams] | None = None
    unit_amount: Amount | None = None
    unit_amount_decimal: DecimalAmount | None = None

    def input(self) -> CurrencyOptionInput:
        return CurrencyOptionInput(
            unit_amount=self.unit_amount,
            unit_amount_decimal=self.unit_amount_decimal,
            custom_unit_amount=self.custom_unit_amount.input() if self.custom_unit_amount else None,
            tiers=None if self.tiers is None else tuple(tier.input() for tier in self.tiers),
            tax_behavior=self.tax_behavior,
        )


CurrencyOptions = dict[Annotated[str, Field(max_length=10)], CurrencyOptionParams]


def currency_options(given: CurrencyOptions | None) -> dict[str, CurrencyOptionInput] | None:
    return None if given is None else {code: option.input() for code, option in given.items()}


class RecurringParams(Params):
    interval: Literal["day", "week", "month", "year"]
    interval_count: Count | None = None
    meter: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    trial_period_days: Annotated[int, Field(ge=0, le=INT64_MAX)] | None = None
    usage_type: Literal["licensed", "metered"] | None = None

    def input(self) -> Recurring:
        return Recurring(
            interval=self.interval,
            interval_count=self.interval_count or 1,
            usage_type=self.usage_type or "licensed",
            meter=self.meter,
            trial_period_days=self.trial_period_days,
        )


class TransformQuantityParams(Params):
    divide_by: Count
    round: Literal["down", "up"]


class ProductDataParams(Params):
    """`product_data`: a product created together with the price."""

    name: Annotated[str, Field(min_length=1, max_length=5000)]
    active: bool | None = None
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")] | None = None
    metadata: Metadata | None = None
    statement_descriptor: Annotated[str, Field(max_length=22)] | None = None
    tax_code: Annotated[str, Field(pattern=r"^txcd_[0-9]{8}$")] | None = None
    unit_label: Annotated[str, Field(max_length=12)] | None = None

    def fields(self) -> ProductFields:
        data = self.model_dump(exclude_unset=True, exclude_none=True)
        return cast(ProductFields, data)


class PriceCreate(Expandable):
    currency: Currency
    active: bool = True
    billing_scheme: Literal["per_unit", "tiered"] | None = None
    currency_options: CurrencyOptions | None = None
    custom_unit_amount: CustomUnitAmountParams | None = None
    lookup_key: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    metadata: Metadata | None = None
    nickname: Str | None = None
    product: Str | None = None
    product_data: ProductDataParams | None = None
    recurring: RecurringParams | None = None
    tax_behavior: TaxBehavior | None = None
    tiers: list[TierParams] | None = None
    tiers_mode: Literal["graduated", "volume"] | None = None
    transfer_lookup_key: bool = False
    transform_quantity: TransformQuantityParams | None = None
    unit_amount: Amount | None = None
    unit_amount_decimal: DecimalAmount | None = None

    def new_price(self) -> NewPrice:
        transform = self.transform_quantity
        return NewPrice(
            terms=PriceInput(
                currency=self.currency,
                billing_scheme=self.billing_scheme,
                unit_amount=self.unit_amount,
                unit_amount_decimal=self.unit_amount_decimal,
                custom_unit_amount=self.custom_unit_amount.input()
                if self.custom_unit_amount
                else None,
                tiers=None if self.tiers is None else tuple(t.input() for t in self.tiers),
                tiers_mode=self.tiers_mode,
                recurring=self.recurring.input() if self.recurring else None,
                transform_quantity=TransformQuantity(transform.divide_by, transform.round)
                if transform
                else None,
                tax_behavior=self.tax_behavior,
                currency_options=currency_options(self.currency_options),
            ),
            product=self.product,
            product_data=self.product_data.fields() if self.product_data else None,
            active=self.active,
            lookup_key=self.lookup_key,
            transfer_lookup_key=self.transfer_lookup_key,
            nickname=self.nickname,
            metadata=self.metadata,
        )


class PriceUpdate(Expandable):
    # Defaults of fields that can't be unset are never used: `changes` takes named ones.
    active: bool = True
    currency_options: CurrencyOptions | None = None
    lookup_key: Annotated[str, Field(max_length=200)] | None = None
    metadata: Metadata | None = None
    nickname: Str | None = None
    tax_behavior: TaxBehavior = "unspecified"
    transfer_lookup_key: bool = False

    def changes(self) -> PriceChanges:
        """What the request names; "" clears nickname, lookup_key, metadata, options."""
        out = PriceChanges()
        if self.given("active"):
            out["active"] = self.active
        if self.given("tax_behavior"):
            out["tax_behavior"] = self.tax_behavior
        if self.given("transfer_lookup_key"):
            out["transfer_lookup_key"] = self.transfer_lookup_key
        if self.given("nickname"):
            out["nickname"] = self.nickname
        if self.given("lookup_key"):
            out["lookup_key"] = self.lookup_key
        if self.given("metadata"):
            out["metadata"] = self.metadata
        if self.given("currency_options"):
            out["currency_options"] = currency_options(self.currency_options)
        return out


class RecurringFilter(Params):
    interval: Literal["day", "week", "month", "year"] | None = None
    meter: Str | None = None
    usage_type: Literal["licensed", "metered"] | None = None


class PriceList(ListParams):
    active: bool | None = None
    currency: Currency | None = None
    lookup_keys: Annotated[list[LookupKey], Field(max_length=10)] | None = None
    product: Str | None = None
    recurring: RecurringFilter | None = None
    type: Literal["one_time", "recurring"] | None = None

    def filter(self) -> PriceFilter:
        recurring = self.recurring or RecurringFilter()
        return PriceFilter(
            active=self.active,
            currency=self.currency.lower() if self.currency else None,
            product_id=self.product,
            type=self.type,
            interval=recurring.interval,
            usage_type=recurring.usage_type,
            meter=recurring.meter,
            lookup_keys=None if self.lookup_keys is None else tuple(self.lookup_keys),
        )


@router.post("/v1/prices", PriceCreate)
def create(call: Call[PriceCreate]) -> dict[str, Any]:
    return render_price(prices.create(call.uow, call.params.new_price()))


@router.get("/v1/prices/search", SearchParams)
def search(call: Call[SearchParams]) -> dict[str, Any]:
    return run_search(call, prices.search_fields(), prices.search, prices.count, render_price)


@router.get("/v1/prices/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_price(prices.get(call.uow, call.path["id"]))


@router.post("/v1/prices/{id}", PriceUpdate)
def update(call: Call[PriceUpdate]) -> dict[str, Any]:
    return render_price(prices.update(call.uow, call.path["id"], call.params.changes()))


@router.get("/v1/prices", PriceList)
def list_prices(call: Call[PriceList]) -> dict[str, Any]:
    page = prices.page(call.uow, lists.window(call.params), call.params.filter())
    return lists.envelope(call.url, page, render_price)


def _price_of(uow: UnitOfWork, shown: dict[str, Any]) -> Price:
    return prices.get(uow, str(shown["id"]))


def _product(uow: UnitOfWork, shown: dict[str, Any]) -> Any:
    # An includable rather than an id expansion: a product's id may be caller-chosen and
    # then has no `prod_` prefix to find it by.
    value = shown.get("product")
    if not isinstance(value, str):
        return value
    product = products.find(uow, value)
    return value if product is None else render_product(product)


registry.register(
    registry.ObjectSpec(
        name="price",
        prefix="price",
        model=Price,
        render=render_price,
        load=prices.find,
        includable={
            "tiers": lambda uow, shown: render_tiers(_price_of(uow, shown)),
            "currency_options": lambda uow, shown: render_currency_options(_price_of(uow, shown)),
            "product": _product,
        },
    )
)
