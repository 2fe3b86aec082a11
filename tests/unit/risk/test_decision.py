"""Radar's decision: risk levels from the score, then Request 3D Secure, allow, block and
review rules in that order, with the built-in rules after the custom ones of their action."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.risk.domain.decision import (
    BLOCK_IF_HIGH_RISK,
    REVIEW_IF_ELEVATED_RISK,
    BuiltinRules,
    CustomRule,
    Decision,
    DecisionReason,
    RiskLevel,
    RiskThresholds,
    RuleRef,
    custom_rule,
    decide,
    risk_level_for,
)
from seikyu.risk.domain.rule_ast import RuleAction
from seikyu.risk.domain.rule_evaluation import Facts
from seikyu.risk.domain.rule_parser import parse_predicate

DEFAULTS = RiskThresholds()
ALL_BUILTINS = BuiltinRules()
US_CARD = Facts(attributes={"card_country": "US", "amount_in_usd": 20, "card_bin": "424242"})


def run(
    *rules: CustomRule,
    score: int | None = 10,
    facts: Facts = US_CARD,
    builtins: BuiltinRules = ALL_BUILTINS,
    assessed: bool = True,
) -> Decision:
    return decide(facts, list(rules), DEFAULTS, builtins, score=score, assessed=assessed)


# --- risk levels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, RiskLevel.NORMAL),
        (64, RiskLevel.NORMAL),
        (65, RiskLevel.ELEVATED),
        (74, RiskLevel.ELEVATED),
        (75, RiskLevel.HIGHEST),
        (99, RiskLevel.HIGHEST),
        (None, RiskLevel.UNKNOWN),
    ],
)
def test_default_levels(score: int | None, level: RiskLevel) -> None:
    assert risk_level_for(score, DEFAULTS) is level


def test_moving_the_block_threshold_moves_the_review_threshold() -> None:
    assert RiskThresholds.from_block_threshold(85) == RiskThresholds(elevated=75, highest=85)
    assert RiskThresholds.from_block_threshold(75) == DEFAULTS
    assert RiskThresholds.from_block_threshold(5) == RiskThresholds(elevated=0, highest=5)


@pytest.mark.parametrize(("elevated", "highest"), [(75, 75), (80, 70), (-1, 50), (10, 100)])
def test_thresholds_out_of_order_or_range_are_refused(elevated: int, highest: int) -> None:
    with pytest.raises(ValueError, match="Risk thresholds"):
        RiskThresholds(elevated=elevated, highest=highest)


@pytest.mark.parametrize("score", [-1, 100])
def test_a_score_outside_0_to_99_is_refused(score: int) -> None:
    with pytest.raises(ValueError, match="between 0 and 99"):
        risk_level_for(score, DEFAULTS)


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=99))
def test_levels_rise_with_the_score(block_from: int, score: int) -> None:
    thresholds = RiskThresholds.from_block_threshold(block_from)
    order = [RiskLevel.NORMAL, RiskLevel.ELEVATED, RiskLevel.HIGHEST]
    here = order.index(risk_level_for(score, thresholds))
    if score < 99:
        assert order.index(risk_level_for(score + 1, thresholds)) >= here


# --- built-in rules ------------------------------------------------------------------


def test_a_normal_payment_with_no_rules_goes_ahead() -> None:
    assert run(score=10) == Decision(
        action=None,
        rule=None,
        risk_level=RiskLevel.NORMAL,
        risk_score=10,
        request_three_d_secure=False,
        reason=None,
    )


def test_highest_risk_is_blocked_by_the_built_in_rule() -> None:
    decision = run(score=80)
    assert decision.action == "block"
    assert decision.reason == "highest_risk_level"
    assert decision.rule == RuleRef(
        "block_if_high_risk", RuleAction.BLOCK, ":risk_level: = 'highest'"
    )
    assert decision.risk_level is RiskLevel.HIGHEST


def test_elevated_risk_is_reviewed_by_the_built_in_rule() -> None:
    decision = run(score=70)
    assert decision.action == "review"
    assert decision.reason == "elevated_risk_level"
    assert decision.rule == REVIEW_IF_ELEVATED_RISK.ref


def test_built_in_rules_parse_to_what_they_show() -> None:
    for builtin in (BLOCK_IF_HIGH_RISK, REVIEW_IF_ELEVATED_RISK):
        assert parse_predicate(builtin.predicate) == builtin.expression


def test_disabled_built_in_rules_do_not_fire() -> None:
    off = BuiltinRules(block_if_high_risk=False, review_if_elevated_risk=False)
    assert run(score=90, builtins=off).action is None
    assert run(score=70, builtins=off).action is None


def test_with_the_block_rule_off_the_highest_level_is_not_reviewed_either() -> None:
    decision = run(score=90, builtins=BuiltinRules(block_if_high_risk=False))
    assert (decision.action, decision.risk_level) == (None, RiskLevel.HIGHEST)


def test_a_failed_score_is_unknown_and_never_blocked_by_the_built_in_rule() -> None:
    decision = run(score=None)
    assert decision.risk_level is RiskLevel.UNKNOWN
    assert decision.risk_score is None
    assert decision.action is None


def test_an_unassessed_payment_is_not_assessed_and_ignores_the_score() -> None:
    decision = run(score=90, assessed=False)
    assert (decision.risk_level, decision.risk_score, decision.action) == (
        RiskLevel.NOT_ASSESSED,
        None,
        None,
    )


def test_rules_see_the_level_and_score_decided_here() -> None:
    facts = Facts(attributes={"risk_level": "highest", "risk_score": 99})
    rule = custom_rule("r1", "Review if :risk_level: = 'unknown' AND is_missing(:risk_score:)")
    decision = run(rule, score=None, facts=facts)
    assert (decision.action, decision.rule) == (RuleAction.REVIEW, rule.ref)


def test_custom_rules_can_test_the_score_and_thresholds() -> None:
    rule = custom_rule("r1", "Block if :risk_score: > 50")
    assert run(rule, score=51).rule == rule.ref
    assert run(rule, score=50).action is None


# --- order ---------------------------------------------------------------------------


def test_request_3d_secure_does_not_stop_evaluation() -> None:
    three_ds = custom_rule("r3ds", "Request 3D Secure if :amount_in_usd: > 10")
    block = custom_rule("rblock", "Block if :card_country: = 'US'")
    decision = run(three_ds, block)
    assert decision.request_three_d_secure is True
    assert decision.three_d_secure_rule == three_ds.ref
    assert (decision.action, decision.rule, decision.reason) == ("block", block.ref, "rule")


def test_request_3d_secure_alone_decides_nothing() -> None:
    decision = run(custom_rule("r3ds", "Request 3D Secure if :card_country: = 'US'"))
    assert (decision.action, decision.rule, decision.request_three_d_secure) == (
        None,
        None,
        True,
    )


def test_request_3d_secure_is_evaluated_even_when_listed_last() -> None:
    allow = custom_rule("rallow", "Allow if :card_country: = 'US'")
    three_ds = custom_rule("r3ds", "Request 3D Secure if :card_country: = 'US'")
    decision = run(allow, three_ds)
    assert (decision.action, decision.request_three_d_secure) == ("allow", True)


def test_allow_beats_block_whatever_the_listed_order() -> None:
    block = custom_rule("rblock", "Block if :card_country: = 'US'")
    allow = custom_rule("rallow", "Allow if :card_bin: = '424242'")
    decision = run(block, allow, score=95)
    assert (decision.action, decision.rule, decision.reason) == ("allow", allow.ref, "rule")


def test_allow_also_beats_the_built_in_block() -> None:
    allow = custom_rule("rallow", "Allow if :card_country: = 'US'")
    assert run(allow, score=99).action == "allow"


def test_a_custom_block_rule_is_reported_before_the_built_in_one() -> None:
    block = custom_rule("rblock", "Block if :card_country: = 'US'")
    decision = run(block, score=90)
    assert (decision.rule, decision.reason) == (block.ref, DecisionReason.RULE)


def test_block_beats_review() -> None:
    review = custom_rule("rreview", "Review if :card_country: = 'US'")
    block = custom_rule("rblock", "Block if :amount_in_usd: > 5")
    assert run(review, block).rule == block.ref
    assert run(review, score=80).rule == BLOCK_IF_HIGH_RISK.ref


def test_review_comes_last_and_custom_review_before_the_built_in() -> None:
    review = custom_rule("rreview", "Review if :card_country: = 'US'")
    assert run(review, score=10).rule == review.ref
    assert run(review, score=70).rule == review.ref
    decision = run(custom_rule("rreview", "Review if :card_country: = 'FR'"), score=70)
    assert decision.reason == "elevated_risk_level"


def test_the_first_listed_rule_of_an_action_is_the_one_reported() -> None:
    first = custom_rule("first", "Block if :card_country: = 'US'")
    second = custom_rule("second", "Block if :amount_in_usd: > 1")
    assert run(first, second).rule == first.ref
    assert run(second, first).rule == second.ref


def test_disabled_custom_rules_are_skipped() -> None:
    block = custom_rule("rblock", "Block if :card_country: = 'US'", enabled=False)
    three_ds = custom_rule("r3ds", "Request 3D Secure if :card_country: = 'US'", enabled=False)
    assert run(block, three_ds) == run()


def test_a_rule_on_a_missing_attribute_never_decides() -> None:
    block = custom_rule("rblock", "Block if NOT :ip_country: = 'US'")
    assert run(block).action is None


def test_a_rule_whose_evaluation_raises_does_not_match() -> None:
    def broken_lists(alias: str, value: str) -> bool:
        raise RuntimeError("list store unavailable")

    facts = Facts(attributes=US_CARD.attributes, lists=broken_lists)
    block = custom_rule("rblock", "Block if :card_bin: IN @bad_bins")
    review = custom_rule("rreview", "Review if :card_country: = 'US'")
    decision = decide(facts, [block, review], DEFAULTS, ALL_BUILTINS, score=10)
    assert (decision.action, decision.rule) == ("review", review.ref)
