"""Prices and tax rates as billing reads them, from rows written by the catalog services:
money terms per currency, sellable prices, tax rates for new lines, inline price data."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from seikyu.accounts import service as accounts
from seikyu.api.resources import all_routers
from seikyu.billing import price_terms
from seikyu.billing.domain.pricing import (
    BillingScheme,
    PackageRounding,
    Tier,
    TiersMode,
    TransformQuantity,
    line_amount,
)
from seikyu.billing.domain.tax import TaxRate
from seikyu.catalog import prices, products, tax_rates
from seikyu.catalog.price_repository import PriceFilter
from seikyu.catalog.price_rules import (
    CurrencyOptionInput,
    CustomUnitAmount,
    PriceInput,
    Recurring,
    TierInput,
)
from seikyu.catalog.price_rules import TransformQuantity as TransformInput
from seikyu.catalog.prices import NewPrice
from seikyu.core.errors import SeikyuError
from seikyu.db.models.prices import Price
from seikyu.db.pagination import Window
from seikyu.db.uow import Actor, Database, UnitOfWork

if TYPE_CHECKING:
    from tests.conftest import TestAccount


@pytest.fixture(autouse=True)
def _renderers() -> None:
    # Events render their objects at commit; the resource modules register the renderers.
    all_routers()


def make_price(unit: UnitOfWork, terms: PriceInput, *, active: bool = True) -> Price:
    product = products.create(unit, {"name": "Plan"})
    return prices.create(unit, NewPrice(terms=terms, product=product.id, active=active))


def refused(call: Any) -> SeikyuError:
    with pytest.raises(SeikyuError) as info:
        call()
    return info.value


# --- pricing ---------------------------------------------------------------------------------


def test_a_per_unit_price_in_its_own_currency(unit: UnitOfWork) -> None:
    price = make_price(unit, PriceInput(currency="usd", unit_amount=1200))

    terms = price_terms.pricing(price, "USD", param="price")

    assert (terms.billing_scheme, terms.unit_amount, terms.transform_quantity) == (
        BillingScheme.PER_UNIT,
        Decimal(1200),
        None,
    )
    assert line_amount(terms, 3) == 3600


def test_currency_options_give_the_terms_in_another_currency(unit: UnitOfWork) -> None:
    price = make_price(
        unit,
        PriceInput(
            currency="usd",
            unit_amount=1000,
            currency_options={
                "eur": CurrencyOptionInput(unit_amount=900),
                "jpy": CurrencyOptionInput(unit_amount=150),
            },
        ),
    )

    assert price_terms.pricing(price, "eur", param="price").unit_amount == Decimal(900)
    assert price_terms.pricing(price, "jpy", param="price").unit_amount == Decimal(150)
    assert price_terms.unit_amount_in(price, "eur") == Decimal(900)


def test_a_currency_the_price_does_not_have_is_refused_naming_the_param(
    unit: UnitOfWork,
) -> None:
    price = make_price(
        unit,
        PriceInput(
            currency="usd",
            unit_amount=1000,
            currency_options={"eur": CurrencyOptionInput(unit_amount=900)},
        ),
    )

    error = refused(lambda: price_terms.pricing(price, "gbp", param="items[2][price]"))

    assert error.param == "items[2][price]"
    assert "gbp" in error.message


def test_tiers_in_the_price_currency_and_in_a_currency_option(unit: UnitOfWork) -> None:
    price = make_price(
        unit,
        PriceInput(
            currency="usd",
            billing_scheme="tiered",
            tiers_mode="volume",
            tiers=(
                TierInput(up_to=10, unit_amount=100),
                TierInput(up_to=None, unit_amount_decimal=Decimal("50.5"), flat_amount=300),
            ),
            currency_options={
                "eur": CurrencyOptionInput(
                    tiers=(
                        TierInput(up_to=5, flat_amount=1000),
                        TierInput(up_to=None, unit_amount=80),
                    ),
                )
            },
        ),
    )

    usd = price_terms.pricing(price, "usd", param="price")
    eur = price_terms.pricing(price, "eur", param="price")

    assert (usd.billing_scheme, usd.tiers_mode) == (BillingScheme.TIERED, TiersMode.VOLUME)
    assert usd.tiers == (
        Tier(up_to=10, unit_amount=Decimal(100), flat_amount=Decimal(0)),
        Tier(up_to=None, unit_amount=Decimal("50.5"), flat_amount=Decimal(300)),
    )
    assert line_amount(usd, 11) == 856  # 11 × 50.5 + 300 = 855.5, rounded once
    assert eur.tiers == (
        Tier(up_to=5, unit_amount=Decimal(0), flat_amount=Decimal(1000)),
        Tier(up_to=None, unit_amount=Decimal(80), flat_amount=Decimal(0)),
    )
    assert price_terms.unit_amount_in(price, "usd") is None


def test_transform_quantity_is_carried_over(unit: UnitOfWork) -> None:
    price = make_price(
        unit,
        PriceInput(currency="usd", unit_amount=500, transform_quantity=TransformInput(10, "up")),
    )

    terms = price_terms.pricing(price, "usd", param="price")

    assert terms.transform_quantity == TransformQuantity(10, PackageRounding.UP)
    assert line_amount(terms, 11) == 1000  # two packages of ten


def test_a_decimal_unit_amount_is_exact(unit: UnitOfWork) -> None:
    price = make_price(unit, PriceInput(currency="usd", unit_amount_decimal=Decimal("0.05")))

    terms = price_terms.pricing(price, "usd", param="price")

    assert terms.unit_amount == Decimal("0.05")
    assert line_amount(terms, 30) == 2  # 1.5 rounded once, not 30 × 0


def test_a_customer_chosen_amount_cannot_be_billed(unit: UnitOfWork) -> None:
    price = make_price(
        unit, PriceInput(currency="usd", custom_unit_amount=CustomUnitAmount(minimum=100))
    )

    error = refused(lambda: price_terms.pricing(price, "usd", param="pricing[price]"))

    assert error.param == "pricing[price]"


def test_product_of_names_the_prices_product(unit: UnitOfWork) -> None:
    price = make_price(unit, PriceInput(currency="usd", unit_amount=1))

    assert price_terms.product_of(price) == price.product_id


# --- sellable prices ---------------------------------------------------------------------


def test_a_recurring_price_is_taken_only_where_recurring_prices_are(unit: UnitOfWork) -> None:
    monthly = make_price(
        unit, PriceInput(currency="usd", unit_amount=1000, recurring=Recurring("month"))
    )
    once = make_price(unit, PriceInput(currency="usd", unit_amount=1000))

    assert price_terms.recurring_price(unit, monthly.id, param="items[0][price]") is monthly
    assert price_terms.one_time_price(unit, once.id, param="pricing[price]") is once
    wrong_kind = refused(
        lambda: price_terms.recurring_price(unit, once.id, param="items[0][price]")
    )
    assert wrong_kind.param == "items[0][price]"
    assert "type=one_time" in wrong_kind.message
    other_way = refused(lambda: price_terms.one_time_price(unit, monthly.id, param="p"))
    assert "type=recurring" in other_way.message


def test_unknown_and_archived_prices_are_refused(unit: UnitOfWork) -> None:
    archived = make_price(
        unit, PriceInput(currency="usd", unit_amount=1, recurring=Recurring("month")), active=False
    )

    unknown = refused(lambda: price_terms.recurring_price(unit, "price_nope", param="price"))
    inactive = refused(lambda: price_terms.recurring_price(unit, archived.id, param="price"))

    assert (unknown.code, unknown.param, unknown.message) == (
        "resource_missing",
        "price",
        "No such price: 'price_nope'",
    )
    assert (inactive.param, inactive.code) == ("price", None)


# --- tax rates -------------------------------------------------------------------------------


def rate(unit: UnitOfWork, percentage: str, *, inclusive: bool = False, active: bool = True) -> str:
    return tax_rates.create(
        unit,
        {
            "display_name": "Tax",
            "percentage": Decimal(percentage),
            "inclusive": inclusive,
            "active": active,
        },
    ).id


def test_check_tax_rates_keeps_the_order_given(unit: UnitOfWork) -> None:
    first, second = rate(unit, "10"), rate(unit, "8")

    assert price_terms.check_tax_rates(unit, [second, first], param="tax_rates") == [
        second,
        first,
    ]
    assert price_terms.check_tax_rates(unit, [], param="tax_rates") == []


@pytest.mark.parametrize(
    ("build", "param", "code"),
    [
        (lambda ids: [ids[0], "txr_nope"], "default_tax_rates[1]", "resource_missing"),
        (lambda ids: [ids[0], ids[0]], "default_tax_rates[1]", None),
        (lambda ids: [ids[1]], "default_tax_rates[0]", None),
        (lambda ids: [ids[0], *ids[2:7]], "default_tax_rates", "parameter_invalid_array"),
    ],
)
def test_check_tax_rates_refuses(
    unit: UnitOfWork, build: Any, param: str, code: str | None
) -> None:
    ids = [rate(unit, "10"), rate(unit, "5", active=False), *(rate(unit, str(n)) for n in range(5))]

    error = refused(
        lambda: price_terms.check_tax_rates(unit, build(ids), param="default_tax_rates")
    )

    assert (error.param, error.code) == (param, code)


def test_another_accounts_tax_rate_does_not_exist_here(db: Database, account: TestAccount) -> None:
    with db.unit() as uow:
        stranger = accounts.create_account(uow, name="other").id
    with db.unit(Actor(stranger)) as uow:
        theirs = rate(uow, "10")

    with db.unit(Actor(account.id)) as uow:
        error = refused(lambda: price_terms.check_tax_rates(uow, [theirs], param="tax_rates"))

    assert (error.code, error.param) == ("resource_missing", "tax_rates[0]")


def test_tax_rates_are_domain_rates_in_order_archived_ones_included(unit: UnitOfWork) -> None:
    vat = rate(unit, "10")
    included = rate(unit, "8.5", inclusive=True, active=False)

    assert price_terms.tax_rates(unit, [included, vat]) == (
        TaxRate(id=included, percentage=Decimal("8.5"), inclusive=True),
        TaxRate(id=vat, percentage=Decimal(10), inclusive=False),
    )


# --- price_data --------------------------------------------------------------------------------


def test_price_data_creates_an_archived_one_time_price(unit: UnitOfWork) -> None:
    product = products.create(unit, {"name": "Consulting"})

    price = price_terms.price_from_data(
        unit,
        {"currency": "EUR", "product": product.id, "unit_amount_decimal": "12.5"},
        param="price_data",
        recurring=False,
    )

    assert (price.active, price.type, price.currency, price.product_id) == (
        False,
        "one_time",
        "eur",
        product.id,
    )
    assert price.unit_amount_decimal == Decimal("12.5")
    assert prices.get(unit, price.id) is price


def test_recurring_price_data_takes_its_interval(unit: UnitOfWork) -> None:
    product = products.create(unit, {"name": "Seat"})

    price = price_terms.price_from_data(
        unit,
        {
            "currency": "usd",
            "product": product.id,
            "unit_amount": 1500,
            "tax_behavior": "exclusive",
            "recurring": {"interval": "month", "interval_count": 3},
        },
        param="items[1][price_data]",
        recurring=True,
    )

    assert (price.type, price.recurring_interval, price.recurring_interval_count) == (
        "recurring",
        "month",
        3,
    )
    assert (price.unit_amount, price.tax_behavior, price.active) == (1500, "exclusive", False)


@pytest.mark.parametrize(
    ("data", "recurring", "param", "code"),
    [
        ({"product": "{product}", "unit_amount": 1}, False, "pd[currency]", "parameter_missing"),
        ({"currency": "usd", "unit_amount": 1}, False, "pd[product]", "parameter_missing"),
        (
            {"currency": "usd", "product": "prod_nope", "unit_amount": 1},
            False,
            "pd[product]",
            "resource_missing",
        ),
        (
            {"currency": "usd", "product": "{product}"},
            False,
            "pd[unit_amount]",
            "parameter_missing",
        ),
        (
            {"currency": "usd", "product": "{product}", "unit_amount": -1},
            False,
            "pd[unit_amount]",
            "parameter_invalid_integer",
        ),
        (
            {"currency": "usd", "product": "{product}", "unit_amount": 1, "unit_amount_decimal": 1},
            False,
            "pd[unit_amount]",
            "parameters_exclusive",
        ),
        (
            {"currency": "xyz", "product": "{product}", "unit_amount": 1},
            False,
            "pd[currency]",
            None,
        ),
        (
            {"currency": "usd", "product": "{product}", "unit_amount": 1, "tax_behavior": "x"},
            False,
            "pd[tax_behavior]",
            None,
        ),
        (
            {
                "currency": "usd",
                "product": "{product}",
                "unit_amount": 1,
                "recurring": {"interval": "month"},
            },
            False,
            "pd[recurring]",
            "parameter_unknown",
        ),
        (
            {"currency": "usd", "product": "{product}", "unit_amount": 1},
            True,
            "pd[recurring]",
            "parameter_missing",
        ),
        (
            {
                "currency": "usd",
                "product": "{product}",
                "unit_amount": 1,
                "recurring": {"interval": "fortnight"},
            },
            True,
            "pd[recurring][interval]",
            None,
        ),
        (
            {
                "currency": "usd",
                "product": "{product}",
                "unit_amount": 1,
                "recurring": {"interval": "month", "usage_type": "metered"},
            },
            True,
            "pd[recurring][usage_type]",
            "parameter_unknown",
        ),
        (
            {"currency": "usd", "product": "{product}", "unit_amount": "1"},
            False,
            "pd[unit_amount]",
            "parameter_invalid_integer",
        ),
        (
            {"currency": "usd", "product": "{product}", "unit_amount_decimal": "one"},
            False,
            "pd[unit_amount_decimal]",
            "parameter_invalid_decimal",
        ),
    ],
)
def test_price_data_refuses(
    unit: UnitOfWork, data: dict[str, Any], recurring: bool, param: str, code: str | None
) -> None:
    product = products.create(unit, {"name": "Thing"})
    given = {k: product.id if v == "{product}" else v for k, v in data.items()}

    error = refused(
        lambda: price_terms.price_from_data(unit, given, param="pd", recurring=recurring)
    )

    assert (error.param, error.code) == (param, code)
    assert prices.page(unit, Window(limit=100), PriceFilter()).items == []
