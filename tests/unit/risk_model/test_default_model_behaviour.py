"""The shipped model on everyday payments and on the frauds it exists for.

A retrain that blocks a guest checkout, a setup fee beside a first invoice or a retry after
insufficient funds, or that lets a card-testing burst run, fails here before it ships.
The stories are in `scenarios`; their scores are the table in docs/fraud-model.md.
"""

from __future__ import annotations

import pytest

from seikyu.risk.model.scorer import load_default
from tests.unit.risk_model.scenarios import FRAUD, LEGITIMATE, Story, card_testing_burst

ELEVATED = 65
HIGHEST = 75


@pytest.mark.parametrize("story", LEGITIMATE, ids=[story.name for story in LEGITIMATE])
def test_an_everyday_legitimate_payment_scores_normal(story: Story) -> None:
    score = load_default().score(story.signals())

    assert score < ELEVATED, f"{story.name}: {score}"


def test_a_card_testing_burst_reaches_highest_within_its_first_tries_and_stays_there() -> None:
    scores = [load_default().score(story.signals()) for story in card_testing_burst(30)]

    first_highest = next(i for i, score in enumerate(scores) if score >= HIGHEST)
    assert first_highest < 10, scores
    assert min(scores[first_highest:]) >= HIGHEST, scores


@pytest.mark.parametrize("story", FRAUD, ids=[story.name for story in FRAUD])
def test_a_stolen_card_is_at_least_sent_to_review(story: Story) -> None:
    score = load_default().score(story.signals())

    assert score >= ELEVATED, f"{story.name}: {score}"
