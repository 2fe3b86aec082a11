"""A model that fails or hangs never blocks a payment: screening gives the level `unknown`,
which no built-in rule acts on, and the account's rules still apply."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from seikyu.accounts import settings
from seikyu.db.uow import Actor, Database
from seikyu.risk import rules, screening
from seikyu.risk.domain.decision import RiskLevel
from seikyu.risk.domain.rule_ast import RuleAction
from seikyu.risk.domain.signals import PaymentSignals
from seikyu.risk.rules import NewRule
from tests.conftest import TestAccount
from tests.support.risk_candidates import candidate


class Broken:
    def score(self, signals: PaymentSignals) -> int:
        raise RuntimeError("model file corrupt")


class Stuck:
    def __init__(self) -> None:
        self.release = threading.Event()

    def score(self, signals: PaymentSignals) -> int:
        self.release.wait(5)
        return 99


class Fixed:
    def __init__(self, score: int) -> None:
        self.value = score

    def score(self, signals: PaymentSignals) -> int:
        return self.value


@pytest.fixture(autouse=True)
def default_model_after() -> Iterator[None]:
    yield
    screening.use_model(None)


def screen(db: Database, account: TestAccount, country: str = "US") -> screening.Screening:
    with db.unit(Actor(account.id)) as uow:
        return screening.screen(uow, candidate(card_country=country))


def test_a_model_that_fails_gives_unknown_and_blocks_nothing(
    db: Database, account: TestAccount
) -> None:
    screening.use_model(Broken)
    found = screen(db, account)
    assert (found.decision.risk_level, found.decision.risk_score) == (RiskLevel.UNKNOWN, None)
    assert found.decision.action is None


def test_a_model_that_hangs_times_out_to_unknown(db: Database, account: TestAccount) -> None:
    stuck = Stuck()
    screening.use_model(lambda: stuck)
    try:
        found = screen(db, account)
    finally:
        stuck.release.set()
    assert found.decision.risk_level is RiskLevel.UNKNOWN
    assert not found.blocks


def test_rules_still_apply_when_the_model_fails(db: Database, account: TestAccount) -> None:
    with db.unit(Actor(account.id)) as uow:
        rules.create(uow, NewRule(action="block", predicate=":card_country: = 'NG'"))
    screening.use_model(Broken)
    found = screen(db, account, country="NG")
    assert found.decision.action is RuleAction.BLOCK
    assert found.decision.risk_level is RiskLevel.UNKNOWN


@pytest.mark.parametrize(
    ("score", "threshold", "level", "action"),
    [
        (74, 75, RiskLevel.ELEVATED, RuleAction.REVIEW),
        (75, 75, RiskLevel.HIGHEST, RuleAction.BLOCK),
        (64, 75, RiskLevel.NORMAL, None),
        (84, 85, RiskLevel.ELEVATED, RuleAction.REVIEW),
        (85, 85, RiskLevel.HIGHEST, RuleAction.BLOCK),
    ],
)
def test_the_account_threshold_sets_the_levels(
    db: Database,
    account: TestAccount,
    score: int,
    threshold: int,
    level: RiskLevel,
    action: RuleAction | None,
) -> None:
    with db.unit(Actor(account.id)) as uow:
        current = settings.radar_settings(uow, account.id)
        settings.set_radar_settings(
            uow, account.id, settings.RadarSettings(threshold, current.block_if_high_risk)
        )
    screening.use_model(lambda: Fixed(score))
    found = screen(db, account)
    assert (found.decision.risk_level, found.decision.action) == (level, action)
