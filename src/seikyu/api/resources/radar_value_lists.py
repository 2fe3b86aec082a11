"""/v1/radar/value_lists"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params
from seikyu.api.render.radar_value_list import OBJECT, render_deleted_list, render_value_list
from seikyu.api.routing import Call, Router
from seikyu.db.uow import UnitOfWork
from seikyu.risk import value_lists as service
from seikyu.risk.domain.value_list_rules import MAX_ALIAS, MAX_NAME, MAX_VALUE
from seikyu.risk.value_lists import NewValueList, ValueListChanges, ValueListView

router = Router()

Alias = Annotated[str, Field(max_length=MAX_ALIAS)]
Name = Annotated[str, Field(max_length=MAX_NAME)]
ItemType = Literal[
    "account",
    "card_bin",
    "card_fingerprint",
    "case_sensitive_string",
    "country",
    "crypto_fingerprint",
    "customer_id",
    "email",
    "ip_address",
    "sepa_debit_fingerprint",
    "string",
    "us_bank_account_fingerprint",
]


class ValueListCreate(Expandable):
    alias: Alias
    name: Name
    item_type: ItemType = "string"
    metadata: Metadata | None = None

    def new_list(self) -> NewValueList:
        return NewValueList(
            alias=self.alias, name=self.name, item_type=self.item_type, metadata=self.metadata
        )


class ValueListUpdate(Expandable):
    # Not clearable: value defaults rather than None, so that `alias=` is refused.
    alias: Alias = ""
    name: Name = ""
    metadata: Metadata | None = None

    def changes(self) -> ValueListChanges:
        return ValueListChanges(
            alias=self.alias if self.given("alias") else None,
            name=self.name if self.given("name") else None,
            metadata_given=self.given("metadata"),
            metadata=self.metadata,
        )


class ValueListList(ListParams):
    alias: Alias | None = None
    contains: Annotated[str, Field(max_length=MAX_VALUE)] | None = None


@router.post("/v1/radar/value_lists", ValueListCreate)
def create(call: Call[ValueListCreate]) -> dict[str, Any]:
    return render_value_list(service.create(call.uow, call.params.new_list()))


@router.get("/v1/radar/value_lists/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_value_list(service.get(call.uow, call.path["id"]))


@router.post("/v1/radar/value_lists/{id}", ValueListUpdate)
def update(call: Call[ValueListUpdate]) -> dict[str, Any]:
    return render_value_list(service.update(call.uow, call.path["id"], call.params.changes()))


@router.delete("/v1/radar/value_lists/{id}", Params)
def delete(call: Call[Params]) -> dict[str, Any]:
    return render_deleted_list(service.delete(call.uow, call.path["id"]))


@router.get("/v1/radar/value_lists", ValueListList)
def list_value_lists(call: Call[ValueListList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow, lists.window(params), alias=params.alias, contains=params.contains
    )
    return lists.envelope(call.url, page, render_value_list)


def _list_items(uow: UnitOfWork, rendered: dict[str, Any]) -> Any:
    # Stripe lists `list_items` among the expandable fields though it is always embedded:
    # asking for it is accepted and changes nothing.
    return rendered["list_items"]


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix=service.PREFIX,
        model=ValueListView,
        render=render_value_list,
        load=service.find,
        includable={"list_items": _list_items},
    )
)
