"""Parsing Radar rules: the action prefix, every operator, precedence, and errors that
name the offending token and its position."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.risk.domain.rule_ast import (
    And,
    Attribute,
    Comparison,
    Includes,
    IsMissing,
    IsTrue,
    Like,
    Literal,
    Membership,
    Metadata,
    Not,
    Operator,
    Or,
    Rule,
    RuleAction,
    ValueList,
)
from seikyu.risk.domain.rule_attributes import ATTRIBUTES, VELOCITY_ATTRIBUTES, ValueType
from seikyu.risk.domain.rule_lexer import MAX_RULE_LENGTH, RuleSyntaxError
from seikyu.risk.domain.rule_parser import MAX_NESTING, parse_predicate, parse_rule

COUNTRY = Attribute("card_country")
SCORE = Attribute("risk_score")
VISA = Comparison(Attribute("card_brand"), Operator.EQ, Literal("visa"))
DEBIT = Comparison(Attribute("card_funding"), Operator.EQ, Literal("debit"))
CVC_FAIL = Comparison(Attribute("cvc_check"), Operator.EQ, Literal("fail"))


def equals(attribute: str, value: str | Decimal | bool) -> Comparison:
    return Comparison(Attribute(attribute), Operator.EQ, Literal(value))


def error_of(text: str, *, rule: bool = True) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as raised:
        parse_rule(text) if rule else parse_predicate(text)
    return raised.value


# --- actions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("Allow if :risk_score: < 10", RuleAction.ALLOW),
        ("Block if :risk_score: < 10", RuleAction.BLOCK),
        ("Review if :risk_score: < 10", RuleAction.REVIEW),
        ("Request 3D Secure if :risk_score: < 10", RuleAction.REQUEST_CREDENTIALS),
        ("request 3d secure IF :risk_score: < 10", RuleAction.REQUEST_CREDENTIALS),
        ("request_credentials if :risk_score: < 10", RuleAction.REQUEST_CREDENTIALS),
        ("  BLOCK   If :risk_score: < 10", RuleAction.BLOCK),
    ],
)
def test_the_action_prefix_is_parsed_case_insensitively(text: str, action: RuleAction) -> None:
    assert parse_rule(text) == Rule(
        action, ":risk_score: < 10", Comparison(SCORE, Operator.LT, Literal(Decimal(10)))
    )


def test_a_rule_keeps_its_predicate_as_written() -> None:
    rule = parse_rule("Review if :card_country: != :ip_country:  ")
    assert rule.predicate_text == ":card_country: != :ip_country:"


def test_an_unknown_action_is_named() -> None:
    error = error_of("Blok if :risk_score: > 1")
    assert (error.position, error.token) == (0, "Blok")
    assert error.message.startswith("Unknown action 'Blok' at position 0")


def test_a_misspelt_3d_secure_action_is_named_whole() -> None:
    error = error_of("  Request 3DS if :risk_score: > 1")
    assert (error.position, error.token) == (2, "Request 3DS")


def test_an_action_without_if_points_at_what_follows() -> None:
    error = error_of("Block when :risk_score: > 1")
    assert (error.position, error.token) == (6, "when")
    assert "expected 'if'" in error.message


def test_an_empty_rule_asks_for_an_action() -> None:
    error = error_of("   ")
    assert (error.position, error.token) == (3, "")


def test_a_rule_without_a_condition_asks_for_one() -> None:
    error = error_of("Block if ")
    assert (error.position, error.token) == (9, "")
    assert error.message == "Unexpected end of rule at position 9: expected a condition"


# --- operands and operators ----------------------------------------------------------


@pytest.mark.parametrize("operator", list(Operator))
def test_every_comparison_operator_on_numbers(operator: Operator) -> None:
    assert parse_predicate(f":risk_score: {operator.value} 50") == Comparison(
        SCORE, operator, Literal(Decimal(50))
    )


def test_numbers_with_decimals_parse_to_exact_decimals() -> None:
    parsed = parse_predicate(":amount_in_usd: >= 10.05")
    assert parsed == Comparison(Attribute("amount_in_usd"), Operator.GE, Literal(Decimal("10.05")))
    assert isinstance(parsed.right, Literal)
    assert type(parsed.right.value) is Decimal


def test_negative_numbers() -> None:
    assert parse_predicate(":amount: > -1") == Comparison(
        Attribute("amount"), Operator.GT, Literal(Decimal(-1))
    )


def test_strings_in_single_quotes_with_escapes() -> None:
    assert parse_predicate(r":email: = 'o\'brien@example.com'") == equals(
        "email", "o'brien@example.com"
    )


def test_booleans_compare_with_boolean_attributes() -> None:
    assert parse_predicate(":is_new_card_on_customer: = TRUE") == equals(
        "is_new_card_on_customer", True
    )
    assert parse_predicate(":is_3d_secure: != false") == Comparison(
        Attribute("is_3d_secure"), Operator.NE, Literal(False)
    )


def test_a_boolean_attribute_alone_is_a_condition() -> None:
    assert parse_predicate("NOT :is_anonymous_ip:") == Not(IsTrue(Attribute("is_anonymous_ip")))


def test_an_attribute_on_the_right_side() -> None:
    assert parse_predicate(":card_country: != :ip_country:") == Comparison(
        COUNTRY, Operator.NE, Attribute("ip_country")
    )


def test_in_a_list_of_literals() -> None:
    assert parse_predicate(":card_country: in ('US', 'CA')") == Membership(
        COUNTRY, (Literal("US"), Literal("CA"))
    )


def test_in_a_value_list() -> None:
    assert parse_predicate(":card_fingerprint: IN @trusted_cards") == Membership(
        Attribute("card_fingerprint"), ValueList("trusted_cards")
    )


def test_includes_and_like() -> None:
    assert parse_predicate(":email: INCLUDES 'fraud'") == Includes(Attribute("email"), "fraud")
    assert parse_predicate(":email: like '%@example.%'") == Like(Attribute("email"), "%@example.%")


def test_not_in_not_like_and_not_includes_negate_the_condition() -> None:
    assert parse_predicate(":card_country: NOT IN ('US')") == Not(
        Membership(COUNTRY, (Literal("US"),))
    )
    assert parse_predicate(":email: not like '%.ru'") == Not(Like(Attribute("email"), "%.ru"))
    assert parse_predicate(":email: not includes 'x'") == Not(Includes(Attribute("email"), "x"))


def test_is_missing() -> None:
    assert parse_predicate("is_missing(:ip_country:)") == IsMissing(Attribute("ip_country"))
    assert parse_predicate("IS_MISSING( ::order_id:: )") == IsMissing(Metadata("order_id"))


def test_metadata_of_the_payment_and_of_related_objects() -> None:
    assert parse_predicate("::plan:: = 'pro'") == Comparison(
        Metadata("plan"), Operator.EQ, Literal("pro")
    )
    assert parse_predicate("::customer:tier:: = 'gold'") == Comparison(
        Metadata("tier", "customer"), Operator.EQ, Literal("gold")
    )
    assert parse_predicate("::payment_method:source:: IN @imports") == Membership(
        Metadata("source", "payment_method"), ValueList("imports")
    )


def test_metadata_is_untyped() -> None:
    assert parse_predicate("::seats:: > 5") == Comparison(
        Metadata("seats"), Operator.GT, Literal(Decimal(5))
    )
    assert parse_predicate("::seats:: = :risk_score:") == Comparison(
        Metadata("seats"), Operator.EQ, SCORE
    )


# --- precedence ----------------------------------------------------------------------


def test_and_binds_tighter_than_or() -> None:
    a, b, c = (
        equals("card_brand", "visa"),
        equals("card_funding", "debit"),
        equals("cvc_check", "fail"),
    )
    assert parse_predicate(
        ":card_brand: = 'visa' OR :card_funding: = 'debit' AND :cvc_check: = 'fail'"
    ) == Or(a, And(b, c))
    assert parse_predicate(
        ":card_brand: = 'visa' AND :card_funding: = 'debit' OR :cvc_check: = 'fail'"
    ) == Or(And(a, b), c)


def test_not_binds_tighter_than_and() -> None:
    a, b = equals("card_brand", "visa"), equals("card_funding", "debit")
    assert parse_predicate("NOT :card_brand: = 'visa' AND :card_funding: = 'debit'") == And(
        Not(a), b
    )


def test_parentheses_override_precedence() -> None:
    a, b, c = (
        equals("card_brand", "visa"),
        equals("card_funding", "debit"),
        equals("cvc_check", "fail"),
    )
    assert parse_predicate(
        "(:card_brand: = 'visa' OR :card_funding: = 'debit') AND :cvc_check: = 'fail'"
    ) == And(Or(a, b), c)
    assert parse_predicate("NOT (:card_brand: = 'visa' OR :card_funding: = 'debit')") == Not(
        Or(a, b)
    )


def test_and_and_or_are_left_associative() -> None:
    a, b, c = equals("card_brand", "a"), equals("card_brand", "b"), equals("card_brand", "c")
    text = ":card_brand: = 'a' OR :card_brand: = 'b' OR :card_brand: = 'c'"
    assert parse_predicate(text) == Or(Or(a, b), c)


def test_keywords_are_case_insensitive_and_spacing_free() -> None:
    upper = parse_predicate(
        ":card_country: IN ('US') AND NOT :risk_score: > 5 OR :email: LIKE 'a%'"
    )
    lower = parse_predicate(":card_country: in('US')and not :risk_score:>5 or :email: like'a%'")
    assert upper == lower


def test_attribute_names_are_case_insensitive() -> None:
    assert parse_predicate(":Risk_Score: > 5") == parse_predicate(":risk_score: > 5")


# --- the attribute registry ----------------------------------------------------------


def test_every_velocity_attribute_is_a_number() -> None:
    assert len(VELOCITY_ATTRIBUTES) == 64
    assert all(ATTRIBUTES[name] is ValueType.NUMBER for name in VELOCITY_ATTRIBUTES)
    parse_predicate(":declined_charges_per_ip_address_hourly: > 3")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("risk_score", ValueType.NUMBER),
        ("risk_level", ValueType.STRING),
        ("card_country", ValueType.STRING),
        ("ip_country", ValueType.STRING),
        ("card_brand", ValueType.STRING),
        ("card_funding", ValueType.STRING),
        ("amount_in_usd", ValueType.NUMBER),
        ("cvc_check", ValueType.STRING),
        ("email_domain", ValueType.STRING),
        ("is_new_card_on_customer", ValueType.BOOLEAN),
        ("card_bin", ValueType.STRING),
        ("amount", ValueType.NUMBER),
        ("currency", ValueType.STRING),
        ("seconds_since_card_first_seen", ValueType.NUMBER),
        ("is_setup", ValueType.BOOLEAN),
    ],
)
def test_documented_attributes_are_registered(name: str, kind: ValueType) -> None:
    assert ATTRIBUTES[name] is kind


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "token", "message"),
    [
        (
            "Block if :risk_score: > 50 ANDD :card_country: = 'US'",
            27,
            "ANDD",
            "Unexpected token 'ANDD' at position 27: expected AND, OR or the end of the rule",
        ),
        (
            "Block if :card_country: ANDD 'US'",
            24,
            "ANDD",
            "Unexpected token 'ANDD' at position 24: expected an operator "
            "(=, !=, <, >, <=, >=, IN, INCLUDES or LIKE)",
        ),
        (
            "Block if :card_country: = 'US",
            26,
            "'US",
            "Unterminated string 'US at position 26: expected a closing quote",
        ),
        (
            "Block if :risk_scor: > 1",
            9,
            ":risk_scor:",
            "Unknown attribute :risk_scor: at position 9: Radar has no attribute by this name",
        ),
        (
            "Block if :risk_score: >",
            23,
            "",
            "Unexpected end of rule at position 23: expected a value",
        ),
        (
            "Block if :risk_score: > AND :card_country: = 'US'",
            24,
            "AND",
            "Unexpected token 'AND' at position 24: expected a value",
        ),
        (
            "Block if :risk_score: > 1 AND",
            29,
            "",
            "Unexpected end of rule at position 29: expected an attribute, metadata, NOT, "
            "is_missing or '('",
        ),
        (
            "Block if (:risk_score: > 1 AND :amount: > 5",
            9,
            "(",
            "Unclosed '(' at position 9: expected ')' before the end of the rule",
        ),
        (
            "Block if :risk_score: > 1)",
            25,
            ")",
            "Unmatched ')' at position 25: there is no '(' for it to close",
        ),
        (
            "Block if (:risk_score: > 1 :amount: > 5)",
            27,
            ":amount:",
            "Unexpected token :amount: at position 27: expected AND, OR or ')'",
        ),
        (
            "Block if :risk_score: > 50 'x'",
            27,
            "'x'",
            "Unexpected token 'x' at position 27: expected AND, OR or the end of the rule",
        ),
        (
            "Block if :risk_score: = 'high'",
            24,
            "'high'",
            "Unexpected string 'high' at position 24: expected a number",
        ),
        (
            "Block if :card_country: = :risk_score:",
            26,
            ":risk_score:",
            "Unexpected number :risk_score: at position 26: expected a string",
        ),
        (
            "Block if :is_setup: = 'yes'",
            22,
            "'yes'",
            "Unexpected string 'yes' at position 22: expected a boolean",
        ),
        (
            "Block if :risk_score: LIKE '5%'",
            22,
            "LIKE",
            "Unexpected operator 'LIKE' at position 22: :risk_score: is a number, "
            "and LIKE needs a string",
        ),
        (
            "Block if :amount: INCLUDES '5'",
            18,
            "INCLUDES",
            "Unexpected operator 'INCLUDES' at position 18: :amount: is a number, "
            "and INCLUDES needs a string",
        ),
        (
            "Block if :card_country: < 'US'",
            24,
            "<",
            "Unexpected operator '<' at position 24: :card_country: is a string, "
            "and < compares numbers",
        ),
        (
            "Block if :card_country: in ('US', 3)",
            34,
            "3",
            "Unexpected number '3' at position 34: expected a string",
        ),
        (
            "Block if :risk_score: in @scores",
            25,
            "@scores",
            "Unexpected list @scores at position 25: a list holds strings, "
            "and the left side is a number",
        ),
        (
            "Block if :card_bin: in @bad-bins",
            23,
            "@bad-bins",
            "Invalid list alias @bad-bins at position 23: an alias is 1 to 100 letters, "
            "digits or underscores",
        ),
        (
            "Block if :card_bin: in @",
            23,
            "@",
            "Invalid list alias @ at position 23: an alias is 1 to 100 letters, "
            "digits or underscores",
        ),
        (
            "Block if :card_country: in ()",
            28,
            ")",
            "Unexpected token ')' at position 28: expected a value",
        ),
        (
            "Block if :card_country: in ('US' 'CA')",
            33,
            "'CA'",
            "Unexpected token 'CA' at position 33: expected ',' or ')'",
        ),
        (
            "Block if 'US' = :card_country:",
            9,
            "'US'",
            "Unexpected token 'US' at position 9: expected an attribute, metadata, NOT, "
            "is_missing or '('",
        ),
        (
            "Block if :risk score: > 1",
            9,
            ":risk",
            "Malformed attribute ':risk' at position 9: expected a name between colons, "
            "like :risk_score:",
        ),
        (
            "Block if ::plan = 'x'",
            9,
            "::plan = 'x'",
            "Unterminated metadata reference '::plan = 'x'' at position 9: expected a closing '::'",
        ),
        (
            "Block if ::invoice:plan:: = 'x'",
            9,
            "::invoice:plan::",
            "Unknown metadata scope in ::invoice:plan:: at position 9: "
            "expected one of customer, destination, payment_method",
        ),
        (
            "Block if ::plan:: > 'x'",
            20,
            "'x'",
            "Unexpected string 'x' at position 20: expected a number",
        ),
        (
            'Block if :card_country: = "US"',
            26,
            '"',
            "Unexpected character '\"' at position 26: strings are written in single quotes",
        ),
        (
            "Block if :card_country: == 'US'",
            25,
            "=",
            "Unexpected token '=' at position 25: expected a value",
        ),
        (
            "Block if is_missing :email:",
            20,
            ":email:",
            "Unexpected token :email: at position 20: expected '(' after is_missing",
        ),
        (
            "Block if ::plan::",
            17,
            "",
            "Unexpected end of rule at position 17: expected an operator "
            "(=, !=, <, >, <=, >=, IN, INCLUDES or LIKE)",
        ),
    ],
)
def test_malformed_rules_name_the_offending_token(
    text: str, position: int, token: str, message: str
) -> None:
    error = error_of(text)
    assert (error.message, error.position, error.token) == (message, position, token)
    assert str(error) == message
    assert text[position : position + len(token)] == token


def test_a_predicate_error_is_positioned_in_the_predicate() -> None:
    error = error_of(":risk_score: = 'high'", rule=False)
    assert (error.position, error.token) == (15, "'high'")


def test_a_rule_longer_than_the_limit_is_refused() -> None:
    text = "Block if " + " OR ".join([":risk_score: > 1"] * 200)
    assert len(text) > MAX_RULE_LENGTH
    error = error_of(text)
    assert error.position == MAX_RULE_LENGTH
    assert error.token == text[MAX_RULE_LENGTH:]
    assert f"at most {MAX_RULE_LENGTH} characters" in error.message


def test_nesting_deeper_than_the_limit_is_refused_at_the_offending_token() -> None:
    parse_predicate("(" * MAX_NESTING + ":is_setup:" + ")" * MAX_NESTING)
    text = "NOT " * MAX_NESTING + "(:is_setup:)"
    error = error_of(text, rule=False)
    assert (error.position, error.token) == (4 * MAX_NESTING, "(")
    assert error.message.startswith(f"Too deeply nested '(' at position {4 * MAX_NESTING}")


def test_a_long_flat_chain_stays_within_the_limit() -> None:
    text = "Block if " + "OR".join([":is_setup:"] * 165)
    assert len(text) <= MAX_RULE_LENGTH
    assert isinstance(parse_rule(text).expression, Or)


def test_a_rule_at_the_limit_parses() -> None:
    text = "Block if :email: = '" + "x" * (MAX_RULE_LENGTH - 21) + "'"
    assert len(text) == MAX_RULE_LENGTH
    parse_rule(text)


# --- properties ----------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        ":risk_score:",
        ":card_country:",
        ":is_setup:",
        "::plan::",
        "@list",
        "'US'",
        "'",
        "50",
        "1.5",
        "true",
        "=",
        "!=",
        "<",
        ">=",
        "IN",
        "LIKE",
        "INCLUDES",
        "AND",
        "OR",
        "NOT",
        "is_missing",
        "(",
        ")",
        ",",
        ":",
        "::",
        "Block if",
        " ",
        "$",
    ]
)


def syntax_error_of(parse: Callable[[str], object], text: str) -> RuleSyntaxError | None:
    """The error `parse` raises on `text`, or None when it parses."""
    try:
        parse(text)
    except RuleSyntaxError as error:
        return error
    return None


@given(st.lists(FRAGMENTS, max_size=12).map(" ".join))
def test_a_token_soup_parses_or_fails_at_a_token_inside_it(text: str) -> None:
    for parse in (parse_predicate, parse_rule):
        error = syntax_error_of(parse, text)
        if error is not None:
            assert 0 <= error.position <= len(text)
            assert text[error.position : error.position + len(error.token)] == error.token


@given(st.text(max_size=80))
def test_any_text_parses_or_fails_at_a_position_inside_it(text: str) -> None:
    rule = "Block if " + text
    error = syntax_error_of(parse_rule, rule)
    if error is not None:
        assert 0 <= error.position <= len(rule)
        assert rule[error.position : error.position + len(error.token)] == error.token
