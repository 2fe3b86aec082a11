"""Checks on customer fields that go beyond type and length. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence

from seikyu.core.errors import SeikyuError

# Stripe rejects malformed addresses with `email_invalid` but accepts anything shaped like
# local@domain.tld; so does this (no DNS, no list of top-level domains).
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
# An IETF language tag as Stripe takes them ("ja", "en-GB", "zh-Hant-TW", "es-419").
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def check_email(email: str | None, *, param: str = "email") -> None:
    if email is not None and _EMAIL.fullmatch(email) is None:
        raise SeikyuError(f"Invalid email address: {email}", param=param, code="email_invalid")


def check_locales(locales: Sequence[str] | None) -> None:
    for index, locale in enumerate(locales or ()):
        if _LOCALE.fullmatch(locale) is None:
            raise SeikyuError(
                f"Invalid preferred_locales[{index}]: {locale!r} is not a language tag "
                "such as 'ja', 'en' or 'en-GB'.",
                param=f"preferred_locales[{index}]",
            )
