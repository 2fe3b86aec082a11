"""/v1/webhook_endpoints, and Seikyu's /v1/webhook_endpoints/{id}/roll_secret"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params
from seikyu.api.render.webhook_endpoint import (
    OBJECT,
    render_webhook_endpoint,
    render_with_secret,
)
from seikyu.api.routing import Call, Router
from seikyu.db.models.webhook_endpoints import WebhookEndpoint
from seikyu.events import endpoints as service
from seikyu.events.endpoints import (
    DEFAULT_ROLL_EXPIRY,
    MAX_ROLL_EXPIRY,
    MAX_URL_LENGTH,
    EndpointFields,
)

router = Router()

Url = Annotated[str, Field(max_length=MAX_URL_LENGTH)]
EventName = Annotated[str, Field(max_length=100)]
# Stripe's SDK lists fewer than 300 types; a longer list can only repeat them.
EnabledEvents = Annotated[list[EventName], Field(max_length=500)]
Description = Annotated[str, Field(max_length=5000)]


class WebhookEndpointCreate(Expandable):
    url: Url
    enabled_events: EnabledEvents
    description: Description | None = None
    api_version: Annotated[str, Field(max_length=40)] | None = None
    metadata: Metadata | None = None
    connect: bool = False

    def fields(self) -> EndpointFields:
        return EndpointFields(
            url=self.url,
            enabled_events=list(self.enabled_events),
            description=self.description,
            api_version=self.api_version,
            metadata=self.metadata,
            connect=self.connect,
        )


class WebhookEndpointUpdate(Expandable):
    """Fields typed `X | None` may be cleared with ""; the others may not (Stripe's
    `parameter_invalid_empty`), so their defaults are values, never sent when unset."""

    url: Url = ""
    enabled_events: EnabledEvents = Field(default_factory=list)
    description: Description | None = None
    metadata: Metadata | None = None
    disabled: bool = False

    def fields(self) -> EndpointFields:
        out = EndpointFields()
        if self.given("url"):
            out["url"] = self.url
        if self.given("enabled_events"):
            out["enabled_events"] = list(self.enabled_events)
        if self.given("description"):
            out["description"] = self.description
        if self.given("metadata"):
            out["metadata"] = self.metadata
        if self.given("disabled"):
            out["disabled"] = self.disabled
        return out


class RollSecret(Expandable):
    expires_in: Annotated[int, Field(ge=0, le=int(MAX_ROLL_EXPIRY.total_seconds()))] = int(
        DEFAULT_ROLL_EXPIRY.total_seconds()
    )


@router.post("/v1/webhook_endpoints", WebhookEndpointCreate)
def create(call: Call[WebhookEndpointCreate]) -> dict[str, Any]:
    return render_with_secret(service.create(call.uow, call.params.fields()))


@router.get("/v1/webhook_endpoints/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_webhook_endpoint(service.get(call.uow, call.path["id"]))


@router.post("/v1/webhook_endpoints/{id}", WebhookEndpointUpdate)
def update(call: Call[WebhookEndpointUpdate]) -> dict[str, Any]:
    endpoint = service.update(call.uow, call.path["id"], call.params.fields())
    return render_webhook_endpoint(endpoint)


@router.delete("/v1/webhook_endpoints/{id}", Params)
def delete(call: Call[Params]) -> dict[str, Any]:
    return render_webhook_endpoint(service.delete(call.uow, call.path["id"]))


@router.get("/v1/webhook_endpoints", ListParams)
def list_webhook_endpoints(call: Call[ListParams]) -> dict[str, Any]:
    page = service.page(call.uow, lists.window(call.params))
    return lists.envelope(call.url, page, render_webhook_endpoint)


@router.post("/v1/webhook_endpoints/{id}/roll_secret", RollSecret)
def roll_secret(call: Call[RollSecret]) -> dict[str, Any]:
    expires_in = timedelta(seconds=call.params.expires_in)
    return render_with_secret(service.roll_secret(call.uow, call.path["id"], expires_in))


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix="we",
        model=WebhookEndpoint,
        render=render_webhook_endpoint,
        load=service.find,
    )
)
