"""/v1/webhook_attempts: Seikyu's log of webhook requests (an extension; Stripe shows these
in its dashboard only)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams
from seikyu.api.render.webhook_attempt import OBJECT, render_webhook_attempt
from seikyu.api.routing import Call, Router
from seikyu.db.models.webhook_attempts import WebhookAttempt
from seikyu.events import deliveries

router = Router()

ObjectId = Annotated[str, Field(min_length=1, max_length=500)]


class WebhookAttemptList(ListParams):
    webhook_endpoint: ObjectId | None = None
    event: ObjectId | None = None
    succeeded: bool | None = None


@router.get("/v1/webhook_attempts/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_webhook_attempt(deliveries.get_attempt(call.uow, call.path["id"]))


@router.get("/v1/webhook_attempts", WebhookAttemptList)
def list_webhook_attempts(call: Call[WebhookAttemptList]) -> dict[str, Any]:
    params = call.params
    page = deliveries.attempts_page(
        call.uow,
        lists.window(params),
        endpoint_id=params.webhook_endpoint,
        event_id=params.event,
        succeeded=params.succeeded,
    )
    return lists.envelope(call.url, page, render_webhook_attempt)


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix=deliveries.ATTEMPT_PREFIX,
        model=WebhookAttempt,
        render=render_webhook_attempt,
        load=deliveries.find_attempt,
        expandable=frozenset({"event", "webhook_endpoint"}),
    )
)
