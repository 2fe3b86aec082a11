"""A card payment to screen, for the screening tests: an ordinary US card payment from a
guest, any of whose facts a test can change."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from seikyu.risk.domain.rule_facts import PaymentFacts
from seikyu.risk.screening import Candidate, ForcedRisk

ORDINARY = PaymentFacts(
    amount=2000,
    currency="usd",
    currency_exponent=2,
    is_setup=False,
    is_off_session=False,
    card_fingerprint="fpScreened",
    card_bin="424242",
    card_brand="visa",
    card_funding="credit",
    card_country="US",
    cvc_check="pass",
    billing_country=None,
    shipping_country=None,
    ip_address="203.0.113.9",
    ip_country=None,
    email="ann@example.com",
    customer_id=None,
    three_d_secure_authenticated=False,
)


def candidate(forced: ForcedRisk | None = None, **facts: Any) -> Candidate:
    """`facts` are PaymentFacts fields to change."""
    return Candidate(
        subject_id="pi_screened",
        payment=replace(ORDINARY, **facts),
        customer_created=None,
        forced=forced,
    )
