"""/v1/charges (made by payment intents; read and annotate here)"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params
from seikyu.api.render.charge import render_charge
from seikyu.api.render.radar_rule import render_radar_rule
from seikyu.api.render.refund import render_refund
from seikyu.api.routing import Call, Router
from seikyu.core.errors import SeikyuError
from seikyu.db.models.charges import Charge
from seikyu.db.pagination import Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments import charges as service
from seikyu.payments import refunds
from seikyu.payments.charges import ChargeFields
from seikyu.risk import rules, screening

router = Router()

Str = Annotated[str, Field(max_length=5000)]


class FraudDetails(Params):
    user_report: Literal["fraudulent", "safe"]


class ChargeUpdate(Expandable):
    description: Annotated[str, Field(max_length=40000)] | None = None
    metadata: Metadata | None = None
    receipt_email: Annotated[str, Field(max_length=800)] | None = None
    fraud_details: FraudDetails | None = None

    def fields(self) -> ChargeFields:
        return cast(ChargeFields, self.model_dump(exclude_unset=True, exclude={"expand"}))


class ChargeList(ListParams):
    customer: Str | None = None
    payment_intent: Str | None = None


@router.get("/v1/charges/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_charge(service.get(call.uow, call.path["id"]))


@router.post("/v1/charges/{id}", ChargeUpdate)
def update(call: Call[ChargeUpdate]) -> dict[str, Any]:
    return render_charge(service.update(call.uow, call.path["id"], call.params.fields()))


@router.get("/v1/charges", ChargeList)
def list_charges(call: Call[ChargeList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow,
        lists.window(params),
        customer_id=params.customer,
        payment_intent_id=params.payment_intent,
    )
    return lists.envelope(call.url, page, render_charge)


def _refunds(uow: UnitOfWork, charge: dict[str, Any]) -> dict[str, Any]:
    """Stripe's `refunds`, shown only when expanded: the charge's first ten, newest first."""
    page = refunds.page(uow, Window(limit=10), charge_id=charge["id"], payment_intent_id=None)
    return lists.envelope(f"/v1/charges/{charge['id']}/refunds", page, render_refund)


def _outcome_rule(uow: UnitOfWork, charge: dict[str, Any]) -> Any:
    """`outcome.rule` expanded: the Radar rule that decided the payment, as it stands now
    (a built-in or default list rule too); its id alone if it has been deleted since."""
    rule_id = (charge.get("outcome") or {}).get("rule")
    if not isinstance(rule_id, str):
        return rule_id
    listed = screening.default_list_rule(rule_id)
    if listed is not None:
        shown = rules.BuiltInRule(
            listed.id, listed.action.value, listed.predicate, "active", uow.livemode
        )
        return render_radar_rule(shown)
    try:
        return render_radar_rule(rules.get(uow, rule_id))
    except SeikyuError:
        return rule_id


registry.register(
    registry.ObjectSpec(
        name="charge",
        prefix="ch",
        model=Charge,
        render=render_charge,
        load=service.find,
        expandable=frozenset({"customer", "payment_intent", "payment_method", "review"}),
        includable={"refunds": _refunds, "outcome.rule": _outcome_rule},
    )
)
