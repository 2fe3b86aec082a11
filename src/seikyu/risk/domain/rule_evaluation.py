"""Evaluating a parsed Radar condition against one payment's facts.

Three-valued, as Radar behaves: a comparison that reads a missing value (an attribute
absent or None, a metadata key not set) is UNKNOWN (None here), not FALSE, so that both
`:x: = 'a'` and `NOT :x: = 'a'` fail to match when `:x:` is missing.

- NOT UNKNOWN is UNKNOWN; AND and OR follow Kleene logic (FALSE AND UNKNOWN is FALSE,
  TRUE OR UNKNOWN is TRUE); a rule matches only when its condition is TRUE.
- `is_missing(x)` is always TRUE or FALSE.
- `=`, `!=`, `IN (...)`, `LIKE` and `INCLUDES` compare strings case-insensitively
  (Unicode casefold). `@list` membership is the `lists` callback's call, including
  whether a list type is case-sensitive.
- `LIKE` is anchored at both ends; `%` matches any run of characters, even an empty one.
- `INCLUDES` on a string value is a substring test; on a tuple of strings (a list-valued
  attribute), an element test. Every other operator on a tuple is UNKNOWN.
- Metadata values are strings, converted when compared: to a number against a number
  (`::seats:: > 5`), to a boolean against `true`/`false`. A value that does not convert,
  or any other mismatch of types between facts, is UNKNOWN rather than an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
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
    Not,
    Operand,
    Operator,
    Or,
    Subject,
    ValueList,
)

FactValue = str | Decimal | int | bool | tuple[str, ...] | None
ListLookup = Callable[[str, str], bool]
Truth = bool | None  # None is UNKNOWN

_NUMERIC_TEXT = re.compile(r"\s*-?[0-9]+(?:\.[0-9]+)?\s*")
_BOOLEAN_TEXT = {"true": True, "false": False}


def no_lists(alias: str, value: str) -> bool:
    """The lookup for facts without lists: nothing is on any list."""
    return False


@dataclass(frozen=True, slots=True)
class Facts:
    """What a rule can read about one payment.

    `attributes` is keyed by name without colons; `metadata` is the payment's own,
    `object_metadata` a related object's keyed by scope (`customer`, `destination`,
    `payment_method`). `lists(alias, value)` says whether `value` is on list `@alias`.
    """

    attributes: Mapping[str, FactValue] = field(default_factory=dict)
    metadata: Mapping[str, str] = field(default_factory=dict)
    object_metadata: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    lists: ListLookup = no_lists


def matches(expression: Expression, facts: Facts) -> bool:
    """True only when `expression` is TRUE for `facts`; UNKNOWN does not match."""
    return evaluate(expression, facts) is True


def evaluate(expression: Expression, facts: Facts) -> Truth:
    """TRUE, FALSE or UNKNOWN (None) under the three-valued rules of this module."""
    match expression:
        case And(left, right):
            first = evaluate(left, facts)
            if first is False:
                return False
            second = evaluate(right, facts)
            if second is False:
                return False
            return None if first is None or second is None else True
        case Or(left, right):
            first = evaluate(left, facts)
            if first is True:
                return True
            second = evaluate(right, facts)
            if second is True:
                return True
            return None if first is None or second is None else False
        case Not(operand):
            inner = evaluate(operand, facts)
            return None if inner is None else not inner
        case IsMissing(subject):
            return _value(subject, facts) is None
        case IsTrue(subject):
            value = _value(subject, facts)
            return value if isinstance(value, bool) else None
        case Comparison(left, operator, right):
            return _compare(_value(left, facts), operator, _operand(right, facts))
        case Membership(left, values):
            return _member(_value(left, facts), values, facts)
        case Includes(left, value):
            return _includes(_value(left, facts), value)
        case Like(left, pattern):
            return _like(_value(left, facts), pattern)


def collect_lists(expression: Expression) -> set[str]:
    """The aliases of every `@list` the expression reads, so a caller can load them."""
    return {
        node.values.alias
        for node in _nodes(expression)
        if isinstance(node, Membership) and isinstance(node.values, ValueList)
    }


def collect_attributes(expression: Expression) -> set[str]:
    """The names (without colons) of every attribute the expression reads."""
    return {operand.name for operand in _operands(expression) if isinstance(operand, Attribute)}


def _nodes(expression: Expression) -> Iterator[Expression]:
    yield expression
    match expression:
        case And(left, right) | Or(left, right):
            yield from _nodes(left)
            yield from _nodes(right)
        case Not(operand):
            yield from _nodes(operand)


def _operands(expression: Expression) -> Iterator[Operand]:
    for node in _nodes(expression):
        match node:
            case Comparison(left, _, right):
                yield left
                yield right
            case Membership(left) | Includes(left) | Like(left):
                yield left
            case IsMissing(subject) | IsTrue(subject):
                yield subject


def _value(subject: Subject, facts: Facts) -> FactValue:
    if isinstance(subject, Attribute):
        return facts.attributes.get(subject.name)
    if subject.scope is None:
        return facts.metadata.get(subject.key)
    return facts.object_metadata.get(subject.scope, {}).get(subject.key)


def _operand(operand: Operand, facts: Facts) -> FactValue:
    return operand.value if isinstance(operand, Literal) else _value(operand, facts)


def _compare(left: FactValue, operator: Operator, right: FactValue) -> Truth:
    if left is None or right is None:
        return None
    if operator in ORDERING:
        a, b = _as_number(left), _as_number(right)
        if a is None or b is None:
            return None
        match operator:
            case Operator.LT:
                return a < b
            case Operator.GT:
                return a > b
            case Operator.LE:
                return a <= b
            case _:
                return a >= b
    equal = _equal(left, right)
    if equal is None:
        return None
    return equal if operator is Operator.EQ else not equal


def _equal(left: FactValue, right: FactValue) -> Truth:
    if isinstance(left, bool) or isinstance(right, bool):
        a_bool, b_bool = _as_bool(left), _as_bool(right)
        return None if a_bool is None or b_bool is None else a_bool == b_bool
    if isinstance(left, int | Decimal) or isinstance(right, int | Decimal):
        a, b = _as_number(left), _as_number(right)
        return None if a is None or b is None else a == b
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    return None


def _member(left: FactValue, values: tuple[Literal, ...] | ValueList, facts: Facts) -> Truth:
    if left is None:
        return None
    if isinstance(values, ValueList):
        if isinstance(left, bool) or not isinstance(left, str | int | Decimal):
            return None
        return facts.lists(values.alias, str(left))
    results = [_equal(left, literal.value) for literal in values]
    if True in results:
        return True
    return None if None in results else False


def _includes(left: FactValue, value: str) -> Truth:
    if isinstance(left, str):
        return value.casefold() in left.casefold()
    if isinstance(left, tuple):
        return any(element.casefold() == value.casefold() for element in left)
    return None


def _like(left: FactValue, pattern: str) -> Truth:
    if not isinstance(left, str):
        return None
    regex = ".*".join(re.escape(part) for part in pattern.casefold().split("%"))
    return re.fullmatch(regex, left.casefold(), re.DOTALL) is not None


def _as_number(value: FactValue) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        # NaN and infinities would raise on ordering; a fact like that is no number at all.
        return value if value.is_finite() else None
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value):
        return Decimal(value.strip())
    return None


def _as_bool(value: FactValue) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _BOOLEAN_TEXT.get(value.strip().casefold())
    return None
