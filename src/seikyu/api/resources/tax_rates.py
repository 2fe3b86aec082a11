"""/v1/tax_rates"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, cast

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata
from seikyu.api.render.tax_rate import render_tax_rate
from seikyu.api.routing import Call, Router
from seikyu.catalog import tax_rates as service
from seikyu.catalog.tax_rates import TaxRateFields
from seikyu.db.models.tax_rates import TaxRate

router = Router()

Str = Annotated[str, Field(max_length=5000)]
DisplayName = Annotated[str, Field(min_length=1, max_length=50)]
Jurisdiction = Annotated[str, Field(max_length=50)]
Label = Annotated[str, Field(max_length=100)]


class TaxRateWrite(Expandable):
    active: bool = True
    country: Label | None = None
    description: Str | None = None
    jurisdiction: Jurisdiction | None = None
    metadata: Metadata | None = None
    state: Label | None = None
    tax_type: Label | None = None

    def fields(self) -> TaxRateFields:
        """The named fields only; None clears."""
        return cast(TaxRateFields, self.model_dump(exclude_unset=True, exclude={"expand"}))


class TaxRateCreate(TaxRateWrite):
    display_name: DisplayName
    inclusive: bool
    percentage: Decimal


class TaxRateUpdate(TaxRateWrite):
    # Not clearable: `display_name=` is refused rather than leaving a rate without a name.
    # The default is never used: only the fields a request names reach the service.
    display_name: DisplayName = "-"


class TaxRateList(ListParams):
    active: bool | None = None
    inclusive: bool | None = None


@router.post("/v1/tax_rates", TaxRateCreate)
def create(call: Call[TaxRateCreate]) -> dict[str, Any]:
    return render_tax_rate(service.create(call.uow, call.params.fields()))


@router.get("/v1/tax_rates/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_tax_rate(service.get(call.uow, call.path["id"]))


@router.post("/v1/tax_rates/{id}", TaxRateUpdate)
def update(call: Call[TaxRateUpdate]) -> dict[str, Any]:
    return render_tax_rate(service.update(call.uow, call.path["id"], call.params.fields()))


@router.get("/v1/tax_rates", TaxRateList)
def list_tax_rates(call: Call[TaxRateList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow, lists.window(params), active=params.active, inclusive=params.inclusive
    )
    return lists.envelope(call.url, page, render_tax_rate)


registry.register(
    registry.ObjectSpec(
        name="tax_rate",
        prefix="txr",
        model=TaxRate,
        render=render_tax_rate,
        load=service.find,
    )
)
