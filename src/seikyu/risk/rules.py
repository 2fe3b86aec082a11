"""An account's screening rules (`/v1/radar/rules`, Seikyu's extension): create, look up,
list, change, disable and delete, and the parsed set screening evaluates.

A rule is kept as written and checked by parsing it when it is made or changed, so a
rule that is stored always parses: the error of a bad one names the offending token and
its position. The two built-in rules are not rows: they are the account's Radar settings,
shown and switched through the same endpoints under their fixed ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from seikyu.accounts import service as accounts
from seikyu.accounts import settings
from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, no_such
from seikyu.db.models.radar_rules import RadarRule
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.risk import rule_repository as repository
from seikyu.risk.domain.rule_ast import Expression, RuleAction
from seikyu.risk.domain.rule_evaluation import collect_lists
from seikyu.risk.domain.rule_lexer import MAX_RULE_LENGTH, RuleSyntaxError
from seikyu.risk.domain.rule_parser import parse_predicate

OBJECT = "radar rule"
PREFIX = "rule"
# Far more than a hand-written rule set needs, and few enough that screening every
# payment against all of them stays within its time budget.
MAX_RULES = 500
STATUSES = ("active", "disabled")

BLOCK_IF_HIGH_RISK = "block_if_high_risk"
REVIEW_IF_ELEVATED_RISK = "review_if_elevated_risk"
BUILT_IN = {
    BLOCK_IF_HIGH_RISK: (RuleAction.BLOCK, ":risk_level: = 'highest'"),
    REVIEW_IF_ELEVATED_RISK: (RuleAction.REVIEW, ":risk_level: = 'elevated'"),
}


@dataclass(frozen=True, slots=True)
class BuiltInRule:
    """One of Radar's two built-in rules, on or off by the account's settings."""

    id: str
    action: str
    predicate: str
    status: str
    livemode: bool


@dataclass(frozen=True, slots=True)
class NewRule:
    action: str
    predicate: str
    description: str | None = None
    metadata: dict[str, str] | None = None
    status: str = "active"


@dataclass(frozen=True, slots=True)
class RuleChanges:
    """What an update asked for; None leaves a field as it is."""

    action: str | None = None
    predicate: str | None = None
    status: str | None = None
    description: str | None = None
    clear_description: bool = False
    metadata: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ScreeningRule:
    """An active rule, parsed, as screening evaluates it."""

    id: str
    action: RuleAction
    predicate: str
    expression: Expression


def create(uow: UnitOfWork, new: NewRule) -> RadarRule:
    """A new rule; its predicate must parse. Rules of an account are counted under its
    lock, so two creations at once cannot pass the limit together."""
    action = _action(new.action)
    _parsed(new.predicate)
    _check_status(new.status)
    accounts.lock(uow, uow.account_id)
    if repository.count(uow.session, uow.account_id, uow.livemode) >= MAX_RULES:
        raise SeikyuError(
            f"An account can have at most {MAX_RULES} rules. Delete one to add another.",
            code="resource_limit_exceeded",
        )
    rule = RadarRule(
        id=uow.new_id(PREFIX),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        updated=uow.now,
        action=action.value,
        predicate=new.predicate.strip(),
        status=new.status,
        description=new.description,
        metadata_=metadata.initial(new.metadata),
    )
    repository.add(uow.session, rule)
    uow.emit("radar.rule.created", rule)
    return rule


def get(uow: UnitOfWork, rule_id: str) -> RadarRule | BuiltInRule:
    built_in = _built_in(uow, rule_id)
    if built_in is not None:
        return built_in
    rule = find(uow, rule_id)
    if rule is None:
        raise no_such(OBJECT, rule_id, param="id")
    return rule


def find(uow: UnitOfWork, rule_id: str) -> RadarRule | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, rule_id)


def page(
    uow: UnitOfWork, window: Window, *, action: str | None, status: str | None
) -> Page[RadarRule]:
    return repository.page(
        uow.session, uow.account_id, uow.livemode, window, action=action, status=status
    )


def update(uow: UnitOfWork, rule_id: str, changes: RuleChanges) -> RadarRule | BuiltInRule:
    if rule_id in BUILT_IN:
        return _switch_built_in(uow, rule_id, changes)
    rule = repository.get(uow.session, uow.account_id, uow.livemode, rule_id, for_update=True)
    if rule is None:
        raise no_such(OBJECT, rule_id, param="id")
    action = _action(changes.action) if changes.action is not None else None
    if changes.predicate is not None:
        _parsed(changes.predicate)
    if changes.status is not None:
        _check_status(changes.status)
    uow.before_update("radar.rule.updated", rule)
    if action is not None:
        rule.action = action.value
    if changes.predicate is not None:
        rule.predicate = changes.predicate.strip()
    if changes.status is not None:
        rule.status = changes.status
    if changes.clear_description:
        rule.description = None
    elif changes.description is not None:
        rule.description = changes.description
    if changes.metadata is not None:
        rule.metadata_ = metadata.merge(rule.metadata_, changes.metadata)
    rule.updated = uow.now
    return rule


def delete(uow: UnitOfWork, rule_id: str) -> str:
    if rule_id in BUILT_IN:
        raise SeikyuError(
            f"The built-in rule {rule_id} cannot be deleted; disable it with status=disabled.",
            param="id",
        )
    rule = repository.get(uow.session, uow.account_id, uow.livemode, rule_id, for_update=True)
    if rule is None:
        raise no_such(OBJECT, rule_id, param="id")
    uow.emit_now("radar.rule.deleted", rule)
    repository.delete(uow.session, rule)
    return rule_id


def parsed_rules(stored: Iterable[tuple[str, str, str]]) -> list[ScreeningRule]:
    """Stored rules as (id, action, predicate), parsed, in the order given. A stored rule
    that no longer parses (the language changed under it) is left out rather than failing
    payments."""
    out = []
    for rule_id, action, predicate in stored:
        try:
            expression = _parsed(predicate)
        except SeikyuError:
            continue
        out.append(ScreeningRule(rule_id, RuleAction(action), predicate, expression))
    return out


def referencing(uow: UnitOfWork, alias: str) -> list[str]:
    """The ids of the account's rules, active or disabled, that read the list `@alias`."""
    return [
        rule.id
        for rule in repository.all_rules(uow.session, uow.account_id, uow.livemode)
        if alias in collect_lists(_parsed(rule.predicate))
    ]


def _built_in(uow: UnitOfWork, rule_id: str) -> BuiltInRule | None:
    if rule_id not in BUILT_IN:
        return None
    action, predicate = BUILT_IN[rule_id]
    current = settings.radar_settings(uow, uow.account_id)
    on = getattr(current, rule_id)
    return BuiltInRule(
        rule_id, action.value, predicate, "active" if on else "disabled", uow.livemode
    )


def _switch_built_in(uow: UnitOfWork, rule_id: str, changes: RuleChanges) -> BuiltInRule:
    changed: dict[str, Any] = {
        name: getattr(changes, name)
        for name in ("action", "predicate", "description", "metadata")
        if getattr(changes, name) is not None
    }
    if changed or changes.clear_description:
        name = next(iter(changed), "description")
        raise SeikyuError(
            f"A built-in rule can only be switched on or off (status); {name} cannot change.",
            param=name,
        )
    if changes.status is not None:
        _check_status(changes.status)
        current = settings.radar_settings(uow, uow.account_id)
        updated = replace(current, **{rule_id: changes.status == "active"})
        settings.set_radar_settings(uow, uow.account_id, updated)
    built_in = _built_in(uow, rule_id)
    assert built_in is not None  # rule_id is one of BUILT_IN
    return built_in


def _action(action: str) -> RuleAction:
    try:
        return RuleAction(action)
    except ValueError:
        choices = ", ".join(a.value for a in RuleAction)
        raise SeikyuError(f"Invalid action: must be one of {choices}", param="action") from None


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise SeikyuError(f"Invalid status: must be one of {', '.join(STATUSES)}", param="status")


def _parsed(predicate: str) -> Expression:
    if len(predicate) > MAX_RULE_LENGTH:
        raise SeikyuError(
            f"A rule can be at most {MAX_RULE_LENGTH} characters long.",
            param="predicate",
            code="rule_invalid",
        )
    try:
        return _parse(predicate)
    except RuleSyntaxError as error:
        raise SeikyuError(
            error.message,
            param="predicate",
            code="rule_invalid",
            extra={"rule_error": {"position": error.position, "token": error.token}},
        ) from None


@lru_cache(maxsize=4096)
def _parse(predicate: str) -> Expression:
    # Screening parses the same few predicates on every payment; the tree is immutable.
    return parse_predicate(predicate)
