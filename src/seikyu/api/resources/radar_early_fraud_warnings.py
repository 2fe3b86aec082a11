"""/v1/radar/early_fraud_warnings: list and retrieve the issuers' fraud reports."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams
from seikyu.api.render.early_fraud_warning import OBJECT, render_early_fraud_warning
from seikyu.api.routing import Call, Router
from seikyu.db.models.early_fraud_warnings import EarlyFraudWarning
from seikyu.risk import early_fraud_warnings as service

router = Router()

Str = Annotated[str, Field(max_length=5000)]


class WarningList(ListParams):
    charge: Str | None = None
    payment_intent: Str | None = None


@router.get("/v1/radar/early_fraud_warnings", WarningList)
def list_early_fraud_warnings(call: Call[WarningList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow,
        lists.window(params),
        charge_id=params.charge,
        payment_intent_id=params.payment_intent,
    )
    return lists.envelope(call.url, page, render_early_fraud_warning)


@router.get("/v1/radar/early_fraud_warnings/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_early_fraud_warning(service.get(call.uow, call.path["id"]))


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix=service.PREFIX,
        model=EarlyFraudWarning,
        render=render_early_fraud_warning,
        load=service.find,
        expandable=frozenset({"charge", "payment_intent"}),
    )
)
