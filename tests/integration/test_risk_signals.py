"""The signals screening reads from the database equal the reference semantics in
`seikyu.risk.domain.signals`, computed in memory over the same history: window edges to the
second, outcomes, distinct cards, card-testing declines, the card's first sighting and the
customer's history."""

from __future__ import annotations

import random

import pytest

from seikyu.core.clock import from_unix
from seikyu.db.models.risk_assessments import RiskAssessment
from seikyu.db.uow import Actor, Database
from seikyu.risk import screening
from seikyu.risk.domain.rule_facts import PaymentFacts
from seikyu.risk.domain.signals import (
    DAILY_SECONDS,
    HOURLY_SECONDS,
    WEEKLY_SECONDS,
    Attempt,
    Outcome,
    signals_for,
)
from seikyu.risk.screening import Candidate
from tests.conftest import TestAccount

NOW = 1_790_000_000
CUSTOMER_CREATED = NOW - 40 * 86_400
CODES = ("incorrect_number", "incorrect_cvc", "insufficient_funds", "expired_card", None)


def attempt(rng: random.Random, created: int) -> Attempt:
    outcome = rng.choice(list(Outcome))
    return Attempt(
        created=created,
        amount=rng.choice([0, 500, 2000, 9900]),
        currency_exponent=2,
        card_fingerprint=f"card{rng.randrange(4)}",
        card_bin=f"42424{rng.randrange(2)}",
        card_country="US",
        card_brand="visa",
        card_funding="credit",
        ip_address=rng.choice([None, "10.0.0.1", "10.0.0.2"]),
        ip_country=None,
        email=rng.choice([None, "Ann@Example.com", "ann@example.com", "bob@example.com"]),
        customer_id=rng.choice([None, "cus_A", "cus_B"]),
        customer_created=CUSTOMER_CREATED,
        outcome=outcome,
        decline_code=rng.choice(CODES) if outcome is Outcome.DECLINED else None,
        is_setup=rng.random() < 0.2,
    )


def history(rng: random.Random) -> list[Attempt]:
    # Ages around every window's edge, to the second, plus older ones.
    edges = [HOURLY_SECONDS, DAILY_SECONDS, WEEKLY_SECONDS]
    ages = [edge + delta for edge in edges for delta in (-1, 0, 1)]
    ages += [rng.randrange(0, 10 * 86_400) for _ in range(120)] + [0, 0]
    return [attempt(rng, NOW - age) for age in ages]


def store(db: Database, account: TestAccount, attempts: list[Attempt]) -> None:
    with db.unit(Actor(account.id)) as uow:
        for n, past in enumerate(attempts):
            uow.session.add(
                RiskAssessment(
                    id=uow.new_id("rska"),
                    account_id=account.id,
                    livemode=False,
                    created=from_unix(past.created),
                    subject_id=f"pi_{n}",
                    charge_id=None,
                    customer_id=past.customer_id,
                    card_fingerprint=past.card_fingerprint,
                    card_bin=past.card_bin,
                    card_country=past.card_country,
                    ip_address=past.ip_address,
                    email=past.email.lower() if past.email else None,
                    amount=past.amount,
                    currency="usd",
                    is_setup=past.is_setup,
                    outcome=past.outcome.value,
                    decline_code=past.decline_code,
                    risk_score=None,
                    risk_level="normal",
                    rule_id=None,
                    signals={},
                )
            )


def candidate(payment: Attempt) -> Candidate:
    return Candidate(
        subject_id="pi_now",
        payment=PaymentFacts(
            amount=payment.amount,
            currency="usd",
            currency_exponent=2,
            is_setup=payment.is_setup,
            is_off_session=False,
            card_fingerprint=payment.card_fingerprint,
            card_bin=payment.card_bin,
            card_brand=payment.card_brand,
            card_funding=payment.card_funding,
            card_country=payment.card_country,
            cvc_check=None,
            billing_country=None,
            shipping_country=None,
            ip_address=payment.ip_address,
            ip_country=None,
            email=payment.email,
            customer_id=payment.customer_id,
            three_d_secure_authenticated=False,
        ),
        customer_created=payment.customer_created,
    )


@pytest.mark.parametrize("seed", range(4))
def test_the_database_signals_equal_the_reference(
    db: Database, account: TestAccount, seed: int
) -> None:
    rng = random.Random(seed)
    past = history(rng)
    # A newer attempt exists in the table but not before "now": it must not count.
    store(db, account, [*past, attempt(rng, NOW + 5)])
    for _ in range(6):
        payment = attempt(rng, NOW)
        with db.unit(Actor(account.id), now=from_unix(NOW)) as uow:
            found, _ = screening._signals(uow, candidate(payment), NOW)
        assert found == signals_for(payment, past)
