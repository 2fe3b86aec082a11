"""Recursive-descent parser for Radar's rule language, with type checks.

Grammar (keywords case-insensitive; NOT binds tighter than AND, AND tighter than OR):

    rule       := action IF predicate
    action     := ALLOW | BLOCK | REVIEW | REQUEST 3D SECURE | REQUEST_CREDENTIALS
    predicate  := or
    or         := and (OR and)*
    and        := not (AND not)*
    not        := NOT not | primary
    primary    := '(' or ')' | IS_MISSING '(' subject ')' | condition
    condition  := subject [NOT] IN ( '(' literal (',' literal)* ')' | @alias )
                | subject [NOT] INCLUDES string | subject [NOT] LIKE string
                | subject operator (literal | subject)
                | boolean-attribute
    subject    := :attribute: | ::key:: | ::scope:key::
    literal    := 'string' | number | TRUE | FALSE

`x NOT IN ...`, `x NOT LIKE ...` and `x NOT INCLUDES ...` are read as `NOT (x ...)`.
Metadata is untyped; every attribute has a type (`rule_attributes`) that the other side
of a comparison must match. Ordering operators need numbers; LIKE and INCLUDES need
strings; a list (`@alias`) holds strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from seikyu.risk.domain.rule_ast import (
    ORDERING,
    And,
    Attribute,
    Comparison,
    Expression,
    Includes,
    IsMissing,
    IsTrue,
    Like,
    Literal,
    Membership,
    Metadata,
    Not,
    Operand,
    Operator,
    Or,
    Rule,
    RuleAction,
    Subject,
    ValueList,
)
from seikyu.risk.domain.rule_attributes import METADATA_SCOPES, ValueType, attribute_type
from seikyu.risk.domain.rule_lexer import (
    RuleSyntaxError,
    Token,
    TokenKind,
    check_length,
    syntax_error,
    tokenize,
)

MAX_NESTING = 32
_ACTIONS = (
    (re.compile(r"request[ \t]+3d[ \t]+secure\b", re.IGNORECASE), RuleAction.REQUEST_CREDENTIALS),
    (re.compile(r"request_credentials\b", re.IGNORECASE), RuleAction.REQUEST_CREDENTIALS),
    (re.compile(r"allow\b", re.IGNORECASE), RuleAction.ALLOW),
    (re.compile(r"block\b", re.IGNORECASE), RuleAction.BLOCK),
    (re.compile(r"review\b", re.IGNORECASE), RuleAction.REVIEW),
)
_IF = re.compile(r"\s+(if)\b", re.IGNORECASE)
_ACTION_TEXT = re.compile(r"(.*?)\s+if\b|\S+", re.IGNORECASE | re.DOTALL)
_LITERAL_KINDS = {TokenKind.STRING, TokenKind.NUMBER}
_SUBJECT_KINDS = {TokenKind.ATTRIBUTE, TokenKind.METADATA}
_NEGATABLE = ("IN", "INCLUDES", "LIKE")
_EXPECTED_OPERATOR = "expected an operator (=, !=, <, >, <=, >=, IN, INCLUDES or LIKE)"
_EXPECTED_CONDITION = "expected an attribute, metadata, NOT, is_missing or '('"


def parse_rule(text: str) -> Rule:
    """Parse `Block if ...`-style text; raise `RuleSyntaxError` naming the bad token."""
    check_length(text)
    start = len(text) - len(text.lstrip())
    found = _action_at(text, start)
    if found is None:
        raise _unknown_action(text, start)
    action, action_end = found
    if_found = _IF.match(text, action_end)
    if if_found is None:
        token = tokenize(text, action_end)[0]
        raise syntax_error(token, "Unexpected token", "expected 'if' after the action")
    expression = _Parser(text, if_found.end()).predicate()
    return Rule(action, text[if_found.end() :].strip(), expression)


def parse_predicate(text: str) -> Expression:
    """Parse the condition part of a rule (what follows `if`)."""
    check_length(text)
    return _Parser(text, 0).predicate()


def _action_at(text: str, start: int) -> tuple[RuleAction, int] | None:
    """The action written at `start` and the offset just past it."""
    for pattern, action in _ACTIONS:
        if found := pattern.match(text, start):
            return action, found.end()
    return None


def _unknown_action(text: str, start: int) -> RuleSyntaxError:
    found = _ACTION_TEXT.match(text, start)
    word = "" if found is None else (found.group(1) or found.group()).strip()
    if not word:
        message = f"Unexpected end of rule at position {len(text)}: expected an action"
        return RuleSyntaxError(message, position=len(text), token="")
    return RuleSyntaxError(
        f"Unknown action '{word}' at position {start}: "
        "expected Allow, Block, Review or Request 3D Secure",
        position=start,
        token=word,
    )


class _Parser:
    def __init__(self, text: str, start: int) -> None:
        self._tokens = tokenize(text, start)
        self._index = 0
        self._depth = 0

    def predicate(self) -> Expression:
        if self._peek().kind is TokenKind.END:
            raise syntax_error(self._peek(), "", "expected a condition")
        expression = self._or()
        token = self._peek()
        if token.kind is TokenKind.RPAREN:
            raise syntax_error(token, "Unmatched", "there is no '(' for it to close")
        if token.kind is not TokenKind.END:
            raise syntax_error(token, "Unexpected token", "expected AND, OR or the end of the rule")
        return expression

    def _peek(self, ahead: int = 0) -> Token:
        return self._tokens[min(self._index + ahead, len(self._tokens) - 1)]

    def _next(self) -> Token:
        token = self._peek()
        self._index += 1
        return token

    @contextmanager
    def _nested(self, token: Token) -> Iterator[None]:
        # Each level is a few Python frames here and in evaluation: a bound keeps a
        # 2,000-character rule of '(' or NOT from exhausting the stack.
        if self._depth >= MAX_NESTING:
            hint = f"at most {MAX_NESTING} levels of parentheses and NOT"
            raise syntax_error(token, "Too deeply nested", hint)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def _or(self) -> Expression:
        expression = self._and()
        while self._peek().is_word("OR"):
            self._next()
            expression = Or(expression, self._and())
        return expression

    def _and(self) -> Expression:
        expression = self._not()
        while self._peek().is_word("AND"):
            self._next()
            expression = And(expression, self._not())
        return expression

    def _not(self) -> Expression:
        if self._peek().is_word("NOT"):
            with self._nested(self._next()):
                return Not(self._not())
        return self._primary()

    def _primary(self) -> Expression:
        token = self._next()
        if token.kind is TokenKind.LPAREN:
            with self._nested(token):
                expression = self._or()
            closing = self._next()
            if closing.kind is TokenKind.END:
                raise syntax_error(token, "Unclosed", "expected ')' before the end of the rule")
            if closing.kind is not TokenKind.RPAREN:
                raise syntax_error(closing, "Unexpected token", "expected AND, OR or ')'")
            return expression
        if token.is_word("IS_MISSING"):
            self._expect(TokenKind.LPAREN, "expected '(' after is_missing")
            subject = self._subject(self._next(), "expected an attribute or metadata")
            self._expect(TokenKind.RPAREN, "expected ')' to close is_missing")
            return IsMissing(subject)
        return self._condition(self._subject(token, _EXPECTED_CONDITION), token)

    def _expect(self, kind: TokenKind, hint: str) -> Token:
        token = self._next()
        if token.kind is not kind:
            raise syntax_error(token, "Unexpected token", hint)
        return token

    def _subject(self, token: Token, hint: str) -> Subject:
        if token.kind is TokenKind.ATTRIBUTE:
            if attribute_type(token.value) is None:
                raise syntax_error(
                    token, "Unknown attribute", "Radar has no attribute by this name"
                )
            return Attribute(token.value)
        if token.kind is TokenKind.METADATA:
            scope, _, key = token.value.rpartition(":")
            if scope and scope not in METADATA_SCOPES:
                allowed = ", ".join(sorted(METADATA_SCOPES))
                raise syntax_error(token, "Unknown metadata scope in", f"expected one of {allowed}")
            return Metadata(key, scope or None)
        raise syntax_error(token, "Unexpected token", hint)

    def _condition(self, subject: Subject, subject_token: Token) -> Expression:
        kind = _type_of(subject)
        token = self._peek()
        if token.is_word("NOT") and self._peek(1).is_word(*_NEGATABLE):
            self._next()
            return Not(self._condition(subject, subject_token))
        if token.kind is TokenKind.OPERATOR:
            self._next()
            operator = Operator(token.value)
            if operator in ORDERING and kind in (ValueType.STRING, ValueType.BOOLEAN):
                hint = f"{subject_token.text} is a {kind}, and {token.text} compares numbers"
                raise syntax_error(token, "Unexpected operator", hint)
            return Comparison(subject, operator, self._operand(kind, operator))
        if token.is_word("IN"):
            self._next()
            return Membership(subject, self._members(kind))
        if token.is_word("INCLUDES", "LIKE"):
            self._next()
            if kind in (ValueType.NUMBER, ValueType.BOOLEAN):
                hint = f"{subject_token.text} is a {kind}, and {token.value} needs a string"
                raise syntax_error(token, "Unexpected operator", hint)
            value = self._expect_string()
            return Includes(subject, value) if token.value == "INCLUDES" else Like(subject, value)
        if kind is ValueType.BOOLEAN and isinstance(subject, Attribute):
            return IsTrue(subject)
        raise syntax_error(token, "Unexpected token", _EXPECTED_OPERATOR)

    def _operand(self, kind: ValueType | None, operator: Operator) -> Operand:
        token = self._next()
        if token.kind in _SUBJECT_KINDS:
            operand: Operand = self._subject(token, "")
        else:
            operand = self._literal(token)
        other = _type_of(operand)
        required = ValueType.NUMBER if operator in ORDERING else kind
        if required is not None and other is not None and other is not required:
            raise syntax_error(token, f"Unexpected {other}", f"expected a {required}")
        return operand

    def _members(self, kind: ValueType | None) -> tuple[Literal, ...] | ValueList:
        token = self._next()
        if token.kind is TokenKind.LIST:
            if kind not in (None, ValueType.STRING):
                hint = f"a list holds strings, and the left side is a {kind}"
                raise syntax_error(token, "Unexpected list", hint)
            return ValueList(token.value)
        if token.kind is not TokenKind.LPAREN:
            raise syntax_error(token, "Unexpected token", "expected '(' or a list like @alias")
        members: list[Literal] = []
        while True:
            value_token = self._next()
            literal = self._literal(value_token)
            # Metadata is untyped, so its list takes the type of its first member.
            expected = kind if kind is not None else (_type_of(members[0]) if members else None)
            if expected is not None and _type_of(literal) is not expected:
                problem = f"Unexpected {_type_of(literal)}"
                raise syntax_error(value_token, problem, f"expected a {expected}")
            members.append(literal)
            separator = self._next()
            if separator.kind is TokenKind.RPAREN:
                return tuple(members)
            if separator.kind is not TokenKind.COMMA:
                raise syntax_error(separator, "Unexpected token", "expected ',' or ')'")

    def _literal(self, token: Token) -> Literal:
        if token.kind is TokenKind.STRING:
            return Literal(token.value)
        if token.kind is TokenKind.NUMBER:
            return Literal(Decimal(token.value))
        if token.is_word("TRUE", "FALSE"):
            return Literal(token.value == "TRUE")
        raise syntax_error(token, "Unexpected token", "expected a value")

    def _expect_string(self) -> str:
        token = self._next()
        if token.kind is not TokenKind.STRING:
            raise syntax_error(token, "Unexpected token", "expected a string in single quotes")
        return token.value


def _type_of(operand: Operand) -> ValueType | None:
    """An operand's type; None for metadata, whose values are converted as compared."""
    if isinstance(operand, Attribute):
        return attribute_type(operand.name)
    if isinstance(operand, Metadata):
        return None
    if isinstance(operand.value, bool):
        return ValueType.BOOLEAN
    return ValueType.NUMBER if isinstance(operand.value, Decimal) else ValueType.STRING
