"""/v1/radar/rules and /v1/radar/settings: Seikyu's extension for managing what Stripe's
dashboard manages (custom rules, the built-in rules and the risk thresholds)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from pydantic import Field

from seikyu.accounts import settings
from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params
from seikyu.api.render.common import deleted_stub
from seikyu.api.render.radar_rule import OBJECT, render_radar_rule, render_radar_settings
from seikyu.api.routing import Call, Router
from seikyu.db.models.radar_rules import RadarRule
from seikyu.risk import rules as service
from seikyu.risk.domain.rule_lexer import MAX_RULE_LENGTH

router = Router()

Action = Literal["allow", "block", "review", "request_credentials"]
Status = Literal["active", "disabled"]
# Longer text is refused by the service with the rule's own message, not the generic one.
Predicate = Annotated[str, Field(min_length=1, max_length=MAX_RULE_LENGTH * 2)]
Description = Annotated[str, Field(max_length=500)]


class RuleCreate(Expandable):
    action: Action
    predicate: Predicate
    description: Description | None = None
    metadata: Metadata | None = None
    status: Status = "active"

    def new_rule(self) -> service.NewRule:
        return service.NewRule(
            action=self.action,
            predicate=self.predicate,
            description=self.description,
            metadata=self.metadata,
            status=self.status,
        )


class RuleUpdate(Expandable):
    # Not clearable: a default rather than None, so that `action=` is refused.
    action: Action = "block"
    predicate: Predicate = "x"
    status: Status = "active"
    description: Description | None = None
    metadata: Metadata | None = None

    def changes(self) -> service.RuleChanges:
        return service.RuleChanges(
            action=self.action if self.given("action") else None,
            predicate=self.predicate if self.given("predicate") else None,
            status=self.status if self.given("status") else None,
            description=self.description,
            clear_description=self.given("description") and self.description is None,
            metadata=self.metadata,
        )


class RuleList(ListParams):
    action: Action | None = None
    status: Status | None = None


class SettingsUpdate(Expandable):
    block_threshold: Annotated[int, Field(ge=settings.REVIEW_BELOW_BLOCK + 1, le=99)] = (
        settings.DEFAULT_BLOCK_THRESHOLD
    )


@router.post("/v1/radar/rules", RuleCreate)
def create(call: Call[RuleCreate]) -> dict[str, Any]:
    return render_radar_rule(service.create(call.uow, call.params.new_rule()))


@router.get("/v1/radar/rules/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_radar_rule(service.get(call.uow, call.path["id"]))


@router.post("/v1/radar/rules/{id}", RuleUpdate)
def update(call: Call[RuleUpdate]) -> dict[str, Any]:
    return render_radar_rule(service.update(call.uow, call.path["id"], call.params.changes()))


@router.delete("/v1/radar/rules/{id}", Params)
def delete(call: Call[Params]) -> dict[str, Any]:
    return deleted_stub(service.delete(call.uow, call.path["id"]), OBJECT)


@router.get("/v1/radar/rules", RuleList)
def list_rules(call: Call[RuleList]) -> dict[str, Any]:
    params = call.params
    page = service.page(call.uow, lists.window(params), action=params.action, status=params.status)
    return lists.envelope(call.url, page, render_radar_rule)


@router.get("/v1/radar/settings", Expandable)
def retrieve_settings(call: Call[Expandable]) -> dict[str, Any]:
    current = settings.radar_settings(call.uow, call.uow.account_id)
    return render_radar_settings(current, call.uow.livemode)


@router.post("/v1/radar/settings", SettingsUpdate)
def update_settings(call: Call[SettingsUpdate]) -> dict[str, Any]:
    current = settings.radar_settings(call.uow, call.uow.account_id)
    if call.params.given("block_threshold"):
        current = replace(current, block_threshold=call.params.block_threshold)
        settings.set_radar_settings(call.uow, call.uow.account_id, current)
    return render_radar_settings(current, call.uow.livemode)


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix=service.PREFIX,
        model=RadarRule,
        render=render_radar_rule,
        load=service.find,
    )
)
