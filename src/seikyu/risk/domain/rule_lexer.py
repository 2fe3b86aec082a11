"""Radar rule text cut into tokens, and the error every malformed rule raises.

Tokens keep their raw text and 0-based offset into the whole rule, so an error can name
the exact place a rule went wrong, the way Stripe's rule editor does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_RULE_LENGTH = 2000
MAX_ALIAS_LENGTH = 100

_ALIAS = re.compile(r"[A-Za-z0-9_]+")
_ALIAS_RUN = re.compile(r"[^\s(),'\"=<>!]*")
_ATTRIBUTE = re.compile(r":([A-Za-z0-9_]*)(:?)")
_METADATA_KEY = re.compile(r"[^\s:'\"]+")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")
_PUNCTUATION = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA"}


class RuleSyntaxError(Exception):
    """A rule that cannot be parsed or does not type-check.

    `position` is the 0-based offset of `token` (the offending text) in the rule as given;
    at the end of the rule `token` is empty and `position` is the rule's length.
    """

    def __init__(self, message: str, *, position: int, token: str) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.token = token


class TokenKind(StrEnum):
    ATTRIBUTE = "attribute"
    METADATA = "metadata"
    LIST = "list"
    STRING = "string"
    NUMBER = "number"
    WORD = "word"
    OPERATOR = "operator"
    LPAREN = "LPAREN"
    RPAREN = "RPAREN"
    COMMA = "COMMA"
    END = "end"


# These kinds carry their own delimiters (`:x:`, `'x'`, `@x`), so messages show them bare.
_SELF_DELIMITED = {TokenKind.ATTRIBUTE, TokenKind.METADATA, TokenKind.LIST, TokenKind.STRING}


@dataclass(frozen=True, slots=True)
class Token:
    """`value` is the meaningful part: a name, a key, an unescaped string, an upper-cased
    keyword, a number's digits or an operator."""

    kind: TokenKind
    text: str
    position: int
    value: str

    def shown(self) -> str:
        """The token as an error message quotes it."""
        if self.kind is TokenKind.END:
            return "end of rule"
        return self.text if self.kind in _SELF_DELIMITED else f"'{self.text}'"

    def is_word(self, *words: str) -> bool:
        return self.kind is TokenKind.WORD and self.value in words


def syntax_error(token: Token, problem: str, hint: str) -> RuleSyntaxError:
    """An error naming `token`, e.g. "Unexpected token 'ANDD' at position 24: expected ..."."""
    if token.kind is TokenKind.END:
        message = f"Unexpected end of rule at position {token.position}: {hint}"
    else:
        message = f"{problem} {token.shown()} at position {token.position}: {hint}"
    return RuleSyntaxError(message, position=token.position, token=token.text)


def check_length(text: str) -> None:
    """Raise unless `text` fits Radar's limit on a rule's length."""
    if len(text) > MAX_RULE_LENGTH:
        raise RuleSyntaxError(
            f"Rule too long at position {MAX_RULE_LENGTH}: a rule has at most "
            f"{MAX_RULE_LENGTH} characters, this one has {len(text)}",
            position=MAX_RULE_LENGTH,
            token=text[MAX_RULE_LENGTH:],
        )


def tokenize(text: str, start: int = 0) -> list[Token]:
    """The tokens of `text[start:]`, ending with one END token at `len(text)`."""
    tokens: list[Token] = []
    at = start
    while at < len(text):
        char = text[at]
        if char.isspace():
            at += 1
            continue
        token = _token_at(text, at)
        tokens.append(token)
        at += len(token.text)
    tokens.append(Token(TokenKind.END, "", len(text), ""))
    return tokens


def _token_at(text: str, at: int) -> Token:
    char = text[at]
    if text.startswith("::", at):
        return _metadata(text, at)
    if char == ":":
        return _attribute(text, at)
    if char == "'":
        return _string(text, at)
    if char == "@":
        return _list(text, at)
    if char in _PUNCTUATION:
        return Token(TokenKind(_PUNCTUATION[char]), char, at, char)
    for operator in _OPERATORS:
        if text.startswith(operator, at):
            return Token(TokenKind.OPERATOR, operator, at, operator)
    if number := _NUMBER.match(text, at):
        return Token(TokenKind.NUMBER, number.group(), at, number.group())
    if word := _WORD.match(text, at):
        return Token(TokenKind.WORD, word.group(), at, word.group().upper())
    hint = "strings are written in single quotes" if char == '"' else "not part of a rule"
    raise RuleSyntaxError(
        f"Unexpected character '{char}' at position {at}: {hint}", position=at, token=char
    )


def _attribute(text: str, at: int) -> Token:
    found = _ATTRIBUTE.match(text, at)
    assert found is not None  # the pattern matches any text starting with ':'
    if not found.group(1) or not found.group(2):
        raise RuleSyntaxError(
            f"Malformed attribute '{found.group()}' at position {at}: "
            "expected a name between colons, like :risk_score:",
            position=at,
            token=found.group(),
        )
    return Token(TokenKind.ATTRIBUTE, found.group(), at, found.group(1).lower())


def _metadata(text: str, at: int) -> Token:
    end = text.find("::", at + 2)
    if end < 0:
        raise RuleSyntaxError(
            f"Unterminated metadata reference '{text[at:]}' at position {at}: "
            "expected a closing '::'",
            position=at,
            token=text[at:],
        )
    raw = text[at : end + 2]
    parts = text[at + 2 : end].split(":")
    if len(parts) > 2 or not all(_METADATA_KEY.fullmatch(part) for part in parts):
        raise RuleSyntaxError(
            f"Malformed metadata reference '{raw}' at position {at}: "
            "expected ::key:: or ::scope:key:: without spaces or quotes",
            position=at,
            token=raw,
        )
    return Token(TokenKind.METADATA, raw, at, text[at + 2 : end])


def _string(text: str, at: int) -> Token:
    chars: list[str] = []
    index = at + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            chars.append(text[index + 1])
            index += 2
            continue
        if char == "'":
            return Token(TokenKind.STRING, text[at : index + 1], at, "".join(chars))
        chars.append(char)
        index += 1
    raise RuleSyntaxError(
        f"Unterminated string {text[at:]} at position {at}: expected a closing quote",
        position=at,
        token=text[at:],
    )


def _list(text: str, at: int) -> Token:
    run = _ALIAS_RUN.match(text, at + 1)
    assert run is not None  # a pattern of `*` always matches
    alias = run.group()
    raw = "@" + alias
    if not _ALIAS.fullmatch(alias) or len(alias) > MAX_ALIAS_LENGTH:
        raise RuleSyntaxError(
            f"Invalid list alias {raw} at position {at}: an alias is 1 to "
            f"{MAX_ALIAS_LENGTH} letters, digits or underscores",
            position=at,
            token=raw,
        )
    return Token(TokenKind.LIST, raw, at, alias)
