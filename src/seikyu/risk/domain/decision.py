"""Radar's decision: a risk level from the score, then rules in Radar's order.

Order (Stripe's rules reference):
1. Request 3D Secure rules. A match asks for 3D Secure and evaluation goes on.
2. Allow rules. A match lets the payment through; nothing after is evaluated.
3. Block rules: the custom ones in their given order, then the built-in
   `block_if_high_risk`. Which block rule matched first changes only the reported rule
   and reason, never the action, and a custom rule is the more specific explanation.
4. Review rules: the custom ones, then the built-in `review_if_elevated_risk`.
The first allow, block or review match decides. Disabled rules are skipped.

The built-ins read `:risk_level:`, which `decide` sets from the score: when scoring
failed the level is `unknown` and when nothing was scored `not_assessed`, so neither
built-in ever fires on such a payment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from seikyu.risk.domain.rule_ast import (
    Attribute,
    Comparison,
    Expression,
    Literal,
    Operator,
    RuleAction,
)
from seikyu.risk.domain.rule_evaluation import Facts, matches
from seikyu.risk.domain.rule_parser import parse_rule

MAX_SCORE = 99
DEFAULT_ELEVATED_FROM = 65
DEFAULT_HIGHEST_FROM = 75


class RiskLevel(StrEnum):
    NORMAL = "normal"
    ELEVATED = "elevated"
    HIGHEST = "highest"
    NOT_ASSESSED = "not_assessed"
    UNKNOWN = "unknown"


class DecisionReason(StrEnum):
    """Stripe's `outcome.reason` for a decision Radar made."""

    RULE = "rule"
    HIGHEST_RISK_LEVEL = "highest_risk_level"
    ELEVATED_RISK_LEVEL = "elevated_risk_level"


@dataclass(frozen=True, slots=True)
class RiskThresholds:
    """The lowest score of each level: `elevated` starts review, `highest` starts block."""

    elevated: int = DEFAULT_ELEVATED_FROM
    highest: int = DEFAULT_HIGHEST_FROM

    def __post_init__(self) -> None:
        if not 0 <= self.elevated < self.highest <= MAX_SCORE:
            raise ValueError(
                f"Risk thresholds need 0 <= elevated < highest <= {MAX_SCORE}, "
                f"got elevated={self.elevated}, highest={self.highest}."
            )

    @classmethod
    def from_block_threshold(cls, highest: int) -> RiskThresholds:
        """Thresholds with the block threshold at `highest` and the review threshold moved
        with it, keeping the default distance between them (stopping at 0)."""
        distance = DEFAULT_HIGHEST_FROM - DEFAULT_ELEVATED_FROM
        return cls(elevated=max(highest - distance, 0), highest=highest)


@dataclass(frozen=True, slots=True)
class RuleRef:
    """The rule named by a charge's `outcome.rule`."""

    id: str
    action: RuleAction
    predicate: str


@dataclass(frozen=True, slots=True)
class CustomRule:
    id: str
    action: RuleAction
    predicate: str
    expression: Expression
    enabled: bool = True

    @property
    def ref(self) -> RuleRef:
        return RuleRef(self.id, self.action, self.predicate)


@dataclass(frozen=True, slots=True)
class BuiltinRules:
    """Which of Radar's built-in rules are on."""

    block_if_high_risk: bool = True
    review_if_elevated_risk: bool = True


@dataclass(frozen=True, slots=True)
class Decision:
    """What Radar decided. `action` None means no rule matched: the payment goes ahead.

    `rule` is the rule that decided; `three_d_secure_rule` the first Request 3D Secure
    rule that matched, if any.
    """

    action: RuleAction | None
    rule: RuleRef | None
    risk_level: RiskLevel
    risk_score: int | None
    request_three_d_secure: bool
    reason: DecisionReason | None
    three_d_secure_rule: RuleRef | None = None


def _risk_level_is(rule_id: str, action: RuleAction, level: RiskLevel) -> CustomRule:
    predicate = f":risk_level: = '{level}'"
    expression = Comparison(Attribute("risk_level"), Operator.EQ, Literal(level.value))
    return CustomRule(rule_id, action, predicate, expression)


BLOCK_IF_HIGH_RISK = _risk_level_is("block_if_high_risk", RuleAction.BLOCK, RiskLevel.HIGHEST)
REVIEW_IF_ELEVATED_RISK = _risk_level_is(
    "review_if_elevated_risk", RuleAction.REVIEW, RiskLevel.ELEVATED
)


def custom_rule(rule_id: str, text: str, *, enabled: bool = True) -> CustomRule:
    """A rule parsed from text like `Block if :card_country: = 'XX'`.

    Raises `RuleSyntaxError` when the text does not parse.
    """
    rule = parse_rule(text)
    return CustomRule(rule_id, rule.action, rule.predicate_text, rule.expression, enabled)


def risk_level_for(score: int | None, thresholds: RiskThresholds) -> RiskLevel:
    """The level of a score from 0 to 99; None (scoring failed) is `unknown`."""
    if score is None:
        return RiskLevel.UNKNOWN
    if not 0 <= score <= MAX_SCORE:
        raise ValueError(f"A risk score is between 0 and {MAX_SCORE}, got {score}.")
    if score >= thresholds.highest:
        return RiskLevel.HIGHEST
    if score >= thresholds.elevated:
        return RiskLevel.ELEVATED
    return RiskLevel.NORMAL


def decide(
    facts: Facts,
    rules: Sequence[CustomRule],
    thresholds: RiskThresholds,
    builtins_enabled: BuiltinRules,
    *,
    score: int | None,
    assessed: bool = True,
) -> Decision:
    """Radar's decision for one payment.

    `score` is None when scoring failed; `assessed=False` means the payment was not
    scored at all (the score is then ignored). Rules see `:risk_score:` and
    `:risk_level:` as set here, whatever `facts` held for them. A rule whose evaluation
    raises counts as not matching, so a fault can never block a payment.
    """
    if assessed:
        level = risk_level_for(score, thresholds)
    else:
        level, score = RiskLevel.NOT_ASSESSED, None
    facts = replace(
        facts, attributes={**facts.attributes, "risk_score": score, "risk_level": level.value}
    )
    enabled = [rule for rule in rules if rule.enabled]

    three_d_secure = _first_match(_with_action(enabled, RuleAction.REQUEST_CREDENTIALS), facts)

    def decided(rule: CustomRule | None, reason: DecisionReason | None) -> Decision:
        return Decision(
            action=None if rule is None else rule.action,
            rule=None if rule is None else rule.ref,
            risk_level=level,
            risk_score=score,
            request_three_d_secure=three_d_secure is not None,
            reason=reason,
            three_d_secure_rule=None if three_d_secure is None else three_d_secure.ref,
        )

    if allowed := _first_match(_with_action(enabled, RuleAction.ALLOW), facts):
        return decided(allowed, DecisionReason.RULE)
    if blocked := _first_match(_with_action(enabled, RuleAction.BLOCK), facts):
        return decided(blocked, DecisionReason.RULE)
    if builtins_enabled.block_if_high_risk and _safe_match(BLOCK_IF_HIGH_RISK, facts):
        return decided(BLOCK_IF_HIGH_RISK, DecisionReason.HIGHEST_RISK_LEVEL)
    if reviewed := _first_match(_with_action(enabled, RuleAction.REVIEW), facts):
        return decided(reviewed, DecisionReason.RULE)
    if builtins_enabled.review_if_elevated_risk and _safe_match(REVIEW_IF_ELEVATED_RISK, facts):
        return decided(REVIEW_IF_ELEVATED_RISK, DecisionReason.ELEVATED_RISK_LEVEL)
    return decided(None, None)


def _with_action(rules: Iterable[CustomRule], action: RuleAction) -> list[CustomRule]:
    return [rule for rule in rules if rule.action is action]


def _first_match(rules: Iterable[CustomRule], facts: Facts) -> CustomRule | None:
    return next((rule for rule in rules if _safe_match(rule, facts)), None)


def _safe_match(rule: CustomRule, facts: Facts) -> bool:
    try:
        return matches(rule.expression, facts)
    except Exception:
        # A broken list lookup or fact must not turn into a block: the rule just misses.
        return False
