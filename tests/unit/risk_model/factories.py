"""Keyword-only builders of attempts for the risk model's tests."""

from __future__ import annotations

from seikyu.risk.domain.signals import Attempt, Outcome

NOW = 1_767_225_600 + 30 * 86_400


def attempt(
    *,
    created: int = NOW,
    amount: int = 2_900,
    card: str = "fp_a",
    card_bin: str = "424242",
    card_country: str | None = "US",
    ip: str | None = "10.0.0.1",
    ip_country: str | None = "US",
    email: str | None = "ana@example.com",
    customer: str | None = "cus_1",
    customer_created: int | None = NOW - 86_400,
    outcome: Outcome = Outcome.AUTHORIZED,
    decline_code: str | None = None,
    is_setup: bool = False,
    billing_country: str | None = "US",
    currency_exponent: int = 2,
) -> Attempt:
    return Attempt(
        created=created,
        amount=amount,
        currency_exponent=currency_exponent,
        card_fingerprint=card,
        card_bin=card_bin,
        card_country=card_country,
        card_brand="visa",
        card_funding="credit",
        ip_address=ip,
        ip_country=ip_country,
        email=email,
        customer_id=customer,
        customer_created=customer_created,
        outcome=outcome,
        decline_code=decline_code,
        is_setup=is_setup,
        billing_country=billing_country,
    )
