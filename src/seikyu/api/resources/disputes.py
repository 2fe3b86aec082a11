"""/v1/disputes: list, retrieve, answer with evidence, and accept (close) disputes."""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params
from seikyu.api.render.dispute import OBJECT, render_dispute
from seikyu.api.routing import Call, Router
from seikyu.db.models.disputes import Dispute
from seikyu.risk import disputes as service
from seikyu.risk.disputes import DisputeFields
from seikyu.risk.domain.dispute_evidence import FILE_FIELDS, LONG_TEXT_MAX, SHORT_TEXT_MAX

router = Router()

Str = Annotated[str, Field(max_length=5000)]
Short = Annotated[str, Field(max_length=SHORT_TEXT_MAX)]
Long = Annotated[str, Field(max_length=LONG_TEXT_MAX)]
FileId = Annotated[str, Field(max_length=5000)]


class DisputeEvidence(Params):
    """Stripe's evidence hash; an empty string clears a field."""

    access_activity_log: Long | None = None
    billing_address: Short | None = None
    cancellation_policy: FileId | None = None
    cancellation_policy_disclosure: Long | None = None
    cancellation_rebuttal: Long | None = None
    customer_communication: FileId | None = None
    customer_email_address: Short | None = None
    customer_name: Short | None = None
    customer_purchase_ip: Short | None = None
    customer_signature: FileId | None = None
    duplicate_charge_documentation: FileId | None = None
    duplicate_charge_explanation: Long | None = None
    duplicate_charge_id: Short | None = None
    product_description: Long | None = None
    receipt: FileId | None = None
    refund_policy: FileId | None = None
    refund_policy_disclosure: Long | None = None
    refund_refusal_explanation: Long | None = None
    service_date: Short | None = None
    service_documentation: FileId | None = None
    shipping_address: Short | None = None
    shipping_carrier: Short | None = None
    shipping_date: Short | None = None
    shipping_documentation: FileId | None = None
    shipping_tracking_number: Short | None = None
    uncategorized_file: FileId | None = None
    uncategorized_text: Long | None = None


class DisputeUpdate(Expandable):
    # Neither can be cleared: an empty value is refused, as Stripe does.
    evidence: DisputeEvidence = Field(default_factory=DisputeEvidence)
    submit: bool = True
    metadata: Metadata | None = None
    intended_submission_method: (
        Literal["manual", "prefer_manual", "prefer_smart_disputes", "smart_disputes"] | None
    ) = None

    def fields(self) -> DisputeFields:
        out: dict[str, Any] = {}
        if self.given("evidence"):
            out["evidence"] = self.evidence.model_dump(exclude_unset=True)
        for name in ("submit", "metadata", "intended_submission_method"):
            if self.given(name):
                out[name] = getattr(self, name)
        return cast(DisputeFields, out)


class DisputeList(ListParams):
    charge: Str | None = None
    payment_intent: Str | None = None


@router.get("/v1/disputes", DisputeList)
def list_disputes(call: Call[DisputeList]) -> dict[str, Any]:
    params = call.params
    page = service.page(
        call.uow,
        lists.window(params),
        charge_id=params.charge,
        payment_intent_id=params.payment_intent,
    )
    return lists.envelope(call.url, page, render_dispute)


@router.get("/v1/disputes/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_dispute(service.get(call.uow, call.path["id"]))


@router.post("/v1/disputes/{id}", DisputeUpdate)
def update(call: Call[DisputeUpdate]) -> dict[str, Any]:
    fields = call.params.fields()
    if not fields:
        return render_dispute(service.get(call.uow, call.path["id"]))
    return render_dispute(service.update(call.uow, call.path["id"], fields))


@router.post("/v1/disputes/{id}/close", Expandable)
def close(call: Call[Expandable]) -> dict[str, Any]:
    return render_dispute(service.close(call.uow, call.path["id"]))


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix=service.PREFIX,
        model=Dispute,
        render=render_dispute,
        load=service.find,
        expandable=frozenset(
            {"charge", "payment_intent", *(f"evidence.{name}" for name in FILE_FIELDS)}
        ),
    )
)
