"""/v1/customers/{id}/tax_ids and /v1/tax_ids"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Params, bad
from seikyu.api.render.tax_id import render_tax_id
from seikyu.api.routing import Call, Router
from seikyu.core.errors import SeikyuError, missing
from seikyu.customers import tax_ids as service
from seikyu.customers.tax_id_formats import MAX_VALUE_LENGTH
from seikyu.customers.tax_ids import TaxIdData
from seikyu.db.models.tax_ids import TaxId

router = Router()

Id = Annotated[str, Field(max_length=200)]


class TaxIdCreate(Expandable):
    # The type's enum is checked by the service, which names the bad value's param.
    type: Annotated[str, Field(max_length=50)]
    value: Annotated[str, Field(max_length=MAX_VALUE_LENGTH)]

    def data(self) -> TaxIdData:
        return TaxIdData(self.type, self.value)


class Owner(Params):
    # Stripe's `account` and `application` owners belong to Connect, which Seikyu lacks.
    type: Literal["customer", "self"]
    customer: Id | None = None

    def customer_id(self) -> str | None:
        """The owning customer's id, or None for the account itself."""
        if self.type == "self":
            if self.customer is not None:
                raise SeikyuError(
                    "owner[customer] can only be given with owner[type]=customer.",
                    param="owner[customer]",
                )
            return None
        if not self.customer:
            raise missing("owner[customer]")
        return self.customer


class TopLevelCreate(TaxIdCreate):
    owner: Owner | None = None


class TaxIdList(ListParams):
    @field_validator("created", mode="before")
    @classmethod
    def _no_created(cls, value: Any) -> Any:
        # Stripe's tax ID lists have no created filter.
        raise bad("Received unknown parameter: created", "parameter_unknown")


class TopLevelList(TaxIdList):
    owner: Owner | None = None


# --- under a customer -----------------------------------------------------------------


@router.post("/v1/customers/{id}/tax_ids", TaxIdCreate)
def create_for_customer(call: Call[TaxIdCreate]) -> dict[str, Any]:
    created = service.create_for_customer(
        call.uow, call.path["id"], call.params.data(), customer_param="id"
    )
    return render_tax_id(created)


@router.get("/v1/customers/{id}/tax_ids", TaxIdList)
def list_for_customer(call: Call[TaxIdList]) -> dict[str, Any]:
    page = service.page_for_customer(call.uow, call.path["id"], lists.window(call.params))
    return lists.envelope(call.url, page, render_tax_id)


@router.get("/v1/customers/{id}/tax_ids/{tax_id}", Expandable)
def retrieve_for_customer(call: Call[Expandable]) -> dict[str, Any]:
    found = service.get_for_customer(call.uow, call.path["id"], call.path["tax_id"])
    return render_tax_id(found)


@router.delete("/v1/customers/{id}/tax_ids/{tax_id}", Params)
def delete_for_customer(call: Call[Params]) -> dict[str, Any]:
    deleted = service.delete(call.uow, call.path["tax_id"], customer_id=call.path["id"])
    return render_tax_id(deleted)


# --- top level ------------------------------------------------------------------------


@router.post("/v1/tax_ids", TopLevelCreate)
def create(call: Call[TopLevelCreate]) -> dict[str, Any]:
    owner = call.params.owner
    customer_id = owner.customer_id() if owner else None
    if customer_id is None:
        return render_tax_id(service.create_for_account(call.uow, call.params.data()))
    created = service.create_for_customer(
        call.uow, customer_id, call.params.data(), customer_param="owner[customer]"
    )
    return render_tax_id(created)


@router.get("/v1/tax_ids", TopLevelList)
def list_tax_ids(call: Call[TopLevelList]) -> dict[str, Any]:
    owner = call.params.owner
    customer_id = owner.customer_id() if owner else None
    window = lists.window(call.params)
    if customer_id is None:
        page = service.page_for_account(call.uow, window)
    else:
        page = service.page_for_customer(
            call.uow, customer_id, window, customer_param="owner[customer]"
        )
    return lists.envelope(call.url, page, render_tax_id)


@router.get("/v1/tax_ids/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_tax_id(service.get(call.uow, call.path["id"]))


@router.delete("/v1/tax_ids/{id}", Params)
def delete(call: Call[Params]) -> dict[str, Any]:
    return render_tax_id(service.delete(call.uow, call.path["id"]))


registry.register(
    registry.ObjectSpec(
        name="tax_id",
        prefix="txi",
        model=TaxId,
        render=render_tax_id,
        load=service.find,
        expandable=frozenset({"customer", "owner.customer"}),
    )
)
