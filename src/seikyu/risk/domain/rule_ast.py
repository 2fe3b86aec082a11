"""The parsed form of a Radar rule: small frozen values, compared structurally.

Nodes hold no source positions, so the same condition written with other spacing or
keyword case parses to an equal tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class RuleAction(StrEnum):
    """Stripe's names for a rule's action; `request_credentials` is "Request 3D Secure"."""

    ALLOW = "allow"
    BLOCK = "block"
    REVIEW = "review"
    REQUEST_CREDENTIALS = "request_credentials"


class Operator(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    GT = ">"
    LE = "<="
    GE = ">="


ORDERING = frozenset({Operator.LT, Operator.GT, Operator.LE, Operator.GE})


@dataclass(frozen=True, slots=True)
class Attribute:
    """`:name:`, the name without colons."""

    name: str


@dataclass(frozen=True, slots=True)
class Metadata:
    """`::key::` (the payment's own metadata) or `::scope:key::` (a related object's)."""

    key: str
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | Decimal | bool


@dataclass(frozen=True, slots=True)
class ValueList:
    """`@alias`: membership is decided by whoever evaluates the rule."""

    alias: str


Subject = Attribute | Metadata
Operand = Attribute | Metadata | Literal


@dataclass(frozen=True, slots=True)
class Comparison:
    left: Subject
    operator: Operator
    right: Operand


@dataclass(frozen=True, slots=True)
class Membership:
    """`left IN ('a', 'b')` or `left IN @alias`."""

    left: Subject
    values: tuple[Literal, ...] | ValueList


@dataclass(frozen=True, slots=True)
class Includes:
    left: Subject
    value: str


@dataclass(frozen=True, slots=True)
class Like:
    """`left LIKE 'pattern'`, where `%` stands for any run of characters."""

    left: Subject
    pattern: str


@dataclass(frozen=True, slots=True)
class IsMissing:
    subject: Subject


@dataclass(frozen=True, slots=True)
class IsTrue:
    """A boolean attribute on its own, short for `:attr: = true`."""

    subject: Attribute


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expression


@dataclass(frozen=True, slots=True)
class And:
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class Or:
    left: Expression
    right: Expression


Expression = Comparison | Membership | Includes | Like | IsMissing | IsTrue | Not | And | Or


@dataclass(frozen=True, slots=True)
class Rule:
    """A whole rule: its action, the condition as written after `if`, and its parse."""

    action: RuleAction
    predicate_text: str
    expression: Expression
