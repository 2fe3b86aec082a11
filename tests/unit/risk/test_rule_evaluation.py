"""Evaluating Radar conditions: every operator, case-insensitive strings, lists, metadata,
and three-valued logic for missing values (a missing comparison and its negation are both
false)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.risk.domain.rule_ast import And, Attribute, IsTrue, Not, Or
from seikyu.risk.domain.rule_evaluation import (
    Facts,
    FactValue,
    collect_attributes,
    collect_lists,
    evaluate,
    matches,
)
from seikyu.risk.domain.rule_parser import parse_predicate

PAYMENT = {
    "risk_score": 42,
    "risk_level": "normal",
    "card_country": "US",
    "ip_country": "us",
    "amount_in_usd": Decimal("10.50"),
    "email": "Alice@Example.com",
    "card_fingerprint": "fp_123",
    "is_new_card_on_customer": True,
    "is_3d_secure": False,
}


def facts(**attributes: FactValue) -> Facts:
    return Facts(attributes={**PAYMENT, **attributes})


def check(text: str, given: Facts | None = None) -> bool | None:
    return evaluate(parse_predicate(text), given or facts())


# --- comparisons ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":risk_score: = 42", True),
        (":risk_score: != 42", False),
        (":risk_score: < 43", True),
        (":risk_score: < 42", False),
        (":risk_score: > 41", True),
        (":risk_score: > 42", False),
        (":risk_score: <= 42", True),
        (":risk_score: >= 42", True),
        (":risk_score: >= 42.01", False),
        (":amount_in_usd: = 10.5", True),
        (":amount_in_usd: > 10.49", True),
        (":amount_in_usd: < 10.51", True),
        (":amount_in_usd: > 10.50", False),
    ],
)
def test_number_comparisons_are_exact(text: str, expected: bool) -> None:
    assert check(text) is expected


def test_string_equality_ignores_case() -> None:
    assert check(":card_country: = 'us'") is True
    assert check(":card_country: != 'US'") is False
    assert check(":card_country: != 'CA'") is True


def test_attribute_against_attribute() -> None:
    assert check(":card_country: = :ip_country:") is True
    assert check(":card_country: != :ip_country:", facts(ip_country="DE")) is True


def test_boolean_comparisons() -> None:
    assert check(":is_new_card_on_customer: = true") is True
    assert check(":is_3d_secure: = true") is False
    assert check(":is_3d_secure: != true") is True
    assert check(":is_new_card_on_customer:") is True
    assert check(":is_3d_secure:") is False


def test_in_a_list_of_literals_ignores_case() -> None:
    assert check(":card_country: IN ('ca', 'us')") is True
    assert check(":card_country: IN ('CA', 'MX')") is False
    assert check(":risk_score: IN (41, 42.0)") is True


def test_in_a_value_list_asks_the_lookup() -> None:
    asked: list[tuple[str, str]] = []

    def lists(alias: str, value: str) -> bool:
        asked.append((alias, value))
        return alias == "trusted" and value == "fp_123"

    given = Facts(attributes=PAYMENT, lists=lists)
    assert check(":card_fingerprint: IN @trusted", given) is True
    assert check(":card_fingerprint: IN @blocked", given) is False
    assert asked == [("trusted", "fp_123"), ("blocked", "fp_123")]


def test_facts_without_lists_find_nothing_on_a_list() -> None:
    assert check(":card_fingerprint: IN @anything") is False


def test_includes_is_a_case_insensitive_substring_test() -> None:
    assert check(":email: INCLUDES 'example'") is True
    assert check(":email: INCLUDES 'ALICE@'") is True
    assert check(":email: INCLUDES 'bob'") is False


def test_includes_on_a_list_valued_attribute_tests_elements() -> None:
    given = facts(card_brand=("visa", "cartes_bancaires"))
    assert check(":card_brand: INCLUDES 'VISA'", given) is True
    assert check(":card_brand: INCLUDES 'vis'", given) is False
    # Other operators have no meaning on a list of values.
    assert check(":card_brand: = 'visa'", given) is None


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("%@example.com", True),
        ("alice%", True),
        ("%EXAMPLE%", True),
        ("alice@example.com", True),
        ("%", True),
        ("alice", False),
        ("example.com", False),
        ("%@example.co", False),
        ("a%e%m", True),
        ("alice@example_com", False),
        ("alice@example.com%", True),
    ],
)
def test_like_is_anchored_case_insensitive_with_percent_wildcards(
    pattern: str, expected: bool
) -> None:
    assert check(f":email: LIKE '{pattern}'") is expected


def test_like_treats_regex_characters_literally() -> None:
    assert check(":email: LIKE 'a.*'", facts(email="a.*")) is True
    assert check(":email: LIKE 'a.*'", facts(email="abc")) is False


# --- metadata ------------------------------------------------------------------------


def test_metadata_of_the_payment_and_of_related_objects() -> None:
    given = Facts(
        metadata={"plan": "Pro", "seats": "12"},
        object_metadata={"customer": {"tier": "gold"}},
    )
    assert check("::plan:: = 'pro'", given) is True
    assert check("::seats:: > 10", given) is True
    assert check("::seats:: = 12.0", given) is True
    assert check("::customer:tier:: IN ('gold', 'platinum')", given) is True
    assert check("::customer:plan:: = 'Pro'", given) is None
    assert check("::payment_method:tier:: = 'gold'", given) is None


def test_metadata_that_is_not_a_number_is_unknown_against_a_number() -> None:
    given = Facts(metadata={"seats": "many"})
    assert check("::seats:: > 10", given) is None
    assert check("NOT ::seats:: > 10", given) is None


def test_metadata_compared_with_a_boolean() -> None:
    given = Facts(metadata={"vip": "True"})
    assert check("::vip:: = true", given) is True
    assert check("::vip:: = false", given) is False


# --- missing values ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        ":ip_country: = 'US'",
        ":ip_country: != 'US'",
        ":ip_country: IN ('US')",
        ":ip_country: IN @countries",
        ":ip_country: LIKE '%'",
        ":ip_country: INCLUDES 'U'",
        ":risk_score: > 1",
        ":card_country: = :ip_country:",
        ":is_3d_secure:",
        "::plan:: = 'pro'",
    ],
)
def test_a_comparison_on_a_missing_value_and_its_negation_both_fail(text: str) -> None:
    given = Facts(attributes={"card_country": "US"})
    assert check(text, given) is None
    assert check(f"NOT ({text})", given) is None
    assert not matches(parse_predicate(text), given)
    assert not matches(parse_predicate(f"NOT ({text})"), given)


def test_none_counts_as_missing() -> None:
    assert check(":ip_country: != 'US'", facts(ip_country=None)) is None


def test_and_or_follow_kleene_logic() -> None:
    missing = ":ip_country: = 'US'"
    given = facts(ip_country=None)
    assert check(f"{missing} AND :risk_score: = 1", given) is False
    assert check(f"{missing} AND :risk_score: = 42", given) is None
    assert check(f"{missing} OR :risk_score: = 42", given) is True
    assert check(f"{missing} OR :risk_score: = 1", given) is None
    assert check(f":risk_score: = 42 OR {missing}", given) is True
    assert check(f":risk_score: = 1 AND {missing}", given) is False


def test_is_missing_is_never_unknown() -> None:
    given = facts(ip_country=None)
    assert check("is_missing(:ip_country:)", given) is True
    assert check("NOT is_missing(:ip_country:)", given) is False
    assert check("is_missing(:card_country:)", given) is False
    assert check("is_missing(:cvc_check:)", given) is True
    assert check("is_missing(::plan::)", given) is True


def test_a_fact_of_the_wrong_type_is_unknown_not_an_error() -> None:
    assert check(":risk_score: > 1", facts(risk_score="high")) is None
    assert check(":risk_score: > 1", facts(risk_score=Decimal("NaN"))) is None
    assert check(":is_3d_secure:", facts(is_3d_secure="yes")) is None
    assert check(":email: LIKE '%'", facts(email=5)) is None


def test_the_longest_chain_a_rule_can_hold_evaluates() -> None:
    expression = parse_predicate("AND".join([":is_setup:"] * 150))
    assert evaluate(expression, facts(is_setup=True)) is True
    assert evaluate(expression, facts(is_setup=None)) is None


# --- what a rule reads ---------------------------------------------------------------


def test_collect_lists_and_attributes() -> None:
    expression = parse_predicate(
        "(:card_fingerprint: IN @blocked OR :email: IN @blocked_emails) AND "
        "NOT is_missing(:ip_country:) AND :card_country: != :ip_country: "
        "AND ::plan:: IN @plans AND :is_setup:"
    )
    assert collect_lists(expression) == {"blocked", "blocked_emails", "plans"}
    assert collect_attributes(expression) == {
        "card_fingerprint",
        "email",
        "ip_country",
        "card_country",
        "is_setup",
    }


# --- properties ----------------------------------------------------------------------

TRUTHS = st.sampled_from([True, False, None])


def three_valued(a: bool | None, b: bool | None) -> Facts:
    """Facts where `:is_setup:` is `a` and `:is_3d_secure:` is `b` (None: missing)."""
    return Facts(attributes={"is_setup": a, "is_3d_secure": b})


A, B = IsTrue(Attribute("is_setup")), IsTrue(Attribute("is_3d_secure"))


@given(TRUTHS, TRUTHS)
def test_de_morgan_holds_in_three_valued_logic(a: bool | None, b: bool | None) -> None:
    given = three_valued(a, b)
    assert evaluate(Not(And(A, B)), given) == evaluate(Or(Not(A), Not(B)), given)
    assert evaluate(Not(Or(A, B)), given) == evaluate(And(Not(A), Not(B)), given)


@given(TRUTHS, TRUTHS)
def test_a_condition_and_its_negation_never_both_match(a: bool | None, b: bool | None) -> None:
    given = three_valued(a, b)
    for expression in (A, And(A, B), Or(A, Not(B))):
        assert not (matches(expression, given) and matches(Not(expression), given))


@given(st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=99))
def test_ordering_agrees_with_integers(score: int, bound: int) -> None:
    given = facts(risk_score=score)
    assert check(f":risk_score: < {bound}", given) is (score < bound)
    assert check(f":risk_score: >= {bound}", given) is (score >= bound)
    assert check(f"NOT :risk_score: < {bound}", given) is (score >= bound)
