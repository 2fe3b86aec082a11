"""/v1/products"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, Self, cast

from pydantic import AfterValidator, Field, model_validator

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params, SearchParams, bad
from seikyu.api.render.product import render_deleted_product, render_product
from seikyu.api.resources.prices import (
    Amount,
    CurrencyOptions,
    CustomUnitAmountParams,
    DecimalAmount,
    TaxBehavior,
    currency_options,
)
from seikyu.api.routing import Call, Router
from seikyu.api.search import run_search
from seikyu.catalog import price_rules, products
from seikyu.catalog.price_rules import PriceInput, Recurring
from seikyu.catalog.products import DefaultPriceData, ProductFields
from seikyu.db.models.products import Product

router = Router()

Str = Annotated[str, Field(max_length=5000)]
Name = Annotated[str, Field(min_length=1, max_length=5000)]
Description = Annotated[str, Field(max_length=40000)]
ProductId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
TaxCode = Annotated[str, Field(pattern=r"^txcd_[0-9]{8}$")]
UnitLabel = Annotated[str, Field(max_length=12)]
_FORBIDDEN_IN_DESCRIPTOR = set("<>\\\"'")
MAX_DIMENSION = 1_000_000  # inches or ounces


def _statement_descriptor(value: str) -> str:
    if _FORBIDDEN_IN_DESCRIPTOR & set(value):
        raise bad(
            "The statement descriptor may not contain any of the characters < > \\ \" '.",
            "parameter_invalid_string",
        )
    if not any(char.isalpha() for char in value):
        raise bad(
            "The statement descriptor must contain at least one letter.",
            "parameter_invalid_string",
        )
    return value


def _dimension(value: Decimal) -> Decimal:
    if not 0 <= value <= MAX_DIMENSION or price_rules.decimal_places(value) > 2:
        raise bad(
            f"Invalid decimal: {value}; dimensions are between 0 and {MAX_DIMENSION} with at "
            "most 2 decimal places.",
            "parameter_invalid_decimal",
        )
    return value


StatementDescriptor = Annotated[str, Field(max_length=22), AfterValidator(_statement_descriptor)]
Dimension = Annotated[Decimal, Field(allow_inf_nan=False), AfterValidator(_dimension)]


class MarketingFeature(Params):
    name: Annotated[str, Field(min_length=1, max_length=80)]


class PackageDimensions(Params):
    height: Dimension
    length: Dimension
    weight: Dimension
    width: Dimension


class DefaultRecurring(Params):
    interval: Literal["day", "week", "month", "year"]
    interval_count: Annotated[int, Field(ge=1)] | None = None


class DefaultPriceDataParams(Params):
    currency: Annotated[str, Field(min_length=1, max_length=10)]
    currency_options: CurrencyOptions | None = None
    custom_unit_amount: CustomUnitAmountParams | None = None
    metadata: Metadata | None = None
    recurring: DefaultRecurring | None = None
    tax_behavior: TaxBehavior | None = None
    unit_amount: Amount | None = None
    unit_amount_decimal: DecimalAmount | None = None

    def data(self) -> DefaultPriceData:
        recurring = self.recurring
        return DefaultPriceData(
            terms=PriceInput(
                currency=self.currency,
                unit_amount=self.unit_amount,
                unit_amount_decimal=self.unit_amount_decimal,
                custom_unit_amount=self.custom_unit_amount.input()
                if self.custom_unit_amount
                else None,
                recurring=Recurring(recurring.interval, recurring.interval_count or 1)
                if recurring
                else None,
                tax_behavior=self.tax_behavior,
                currency_options=currency_options(self.currency_options),
            ),
            metadata=self.metadata,
        )


class ProductWrite(Expandable):
    # Booleans can't be unset: `active=` is an error, as on Stripe (defaults apply only
    # when named; see `fields`).
    active: bool = True
    description: Description | None = None
    images: Annotated[list[Annotated[str, Field(max_length=2048)]], Field(max_length=8)] | None = (
        None
    )
    marketing_features: Annotated[list[MarketingFeature], Field(max_length=15)] | None = None
    metadata: Metadata | None = None
    package_dimensions: PackageDimensions | None = None
    shippable: bool = False
    statement_descriptor: StatementDescriptor | None = None
    tax_code: TaxCode | None = None
    unit_label: UnitLabel | None = None
    url: Str | None = None

    def fields(self) -> ProductFields:
        """The named fields only, nested params as plain data; None clears."""
        data: dict[str, Any] = self.model_dump(
            exclude_unset=True, exclude={"expand", "default_price_data"}
        )
        dimensions = data.get("package_dimensions")
        if dimensions is not None:
            data["package_dimensions"] = {key: str(value) for key, value in dimensions.items()}
        return cast(ProductFields, data)


class ProductCreate(ProductWrite):
    name: Name
    id: ProductId | None = None
    default_price_data: DefaultPriceDataParams | None = None
    type: Literal["good", "service"] | None = None


class ProductUpdate(ProductWrite):
    # Neither can be unset (`name=` is an error); the defaults are never used.
    name: Name = ""
    default_price: Annotated[str, Field(min_length=1, max_length=5000)] = ""


class ProductList(ListParams):
    active: bool | None = None
    ids: Annotated[list[Str], Field(max_length=100)] | None = None
    shippable: bool | None = None
    type: Literal["good", "service"] | None = None
    url: Str | None = None

    @model_validator(mode="after")
    def _ids_without_cursor(self) -> Self:
        if self.ids is not None and (self.starting_after or self.ending_before):
            raise bad(
                "You cannot use ids together with starting_after or ending_before.",
                "parameters_exclusive",
            )
        return self


@router.post("/v1/products", ProductCreate)
def create(call: Call[ProductCreate]) -> dict[str, Any]:
    params = call.params
    default_price = params.default_price_data.data() if params.default_price_data else None
    return render_product(products.create(call.uow, params.fields(), default_price))


@router.get("/v1/products/search", SearchParams)
def search(call: Call[SearchParams]) -> dict[str, Any]:
    return run_search(
        call, products.search_fields(), products.search, products.count, render_product
    )


@router.get("/v1/products/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_product(products.get(call.uow, call.path["id"]))


@router.post("/v1/products/{id}", ProductUpdate)
def update(call: Call[ProductUpdate]) -> dict[str, Any]:
    return render_product(products.update(call.uow, call.path["id"], call.params.fields()))


@router.delete("/v1/products/{id}", Params)
def delete(call: Call[Params]) -> dict[str, Any]:
    return render_deleted_product(products.delete(call.uow, call.path["id"]))


@router.get("/v1/products", ProductList)
def list_products(call: Call[ProductList]) -> dict[str, Any]:
    params = call.params
    page = products.page(
        call.uow,
        lists.window(params),
        active=params.active,
        ids=params.ids,
        shippable=params.shippable,
        product_type=params.type,
        url=params.url,
    )
    return lists.envelope(call.url, page, render_product)


registry.register(
    registry.ObjectSpec(
        name="product",
        prefix="prod",
        model=Product,
        render=render_product,
        load=products.find,
        expandable=frozenset({"default_price"}),
    )
)
