"""The shipped model on everyday payments and on the frauds it exists for.

A retrain that blocks a guest checkout, a setup fee beside a first invoice or a retry after
insufficient funds, or that lets a card-testing burst run, fails here before it ships.
The stories are in `scenarios`; their scores are the table in docs/fraud-model.md.
"""

from __future__ import annotations

import pytest

from seikyu.risk.model.scorer import load_default
from tests.unit.risk_model.scenarios import (
    ABROAD,
    FRAUD,
    LEGITIMATE,
    Story,
    card_testing_burst,
)

ELEVATED = 65
HIGHEST = 75


@pytest.mark.parametrize("story", LEGITIMATE, ids=[story.name for story in LEGITIMATE])
def test_an_everyday_legitimate_payment_scores_normal(story: Story) -> None:
    score = load_default().score(story.signals())

    assert score < ELEVATED, f"{story.name}: {score}"


@pytest.mark.parametrize("story", ABROAD, ids=[story.name for story in ABROAD])
def test_a_guest_paying_from_abroad_is_not_blocked(story: Story) -> None:
    score = load_default().score(story.signals())

    assert score < HIGHEST, f"{story.name}: {story.signals()}: {score}"


def test_a_card_testing_burst_reaches_highest_within_its_first_tries_and_stays_there() -> None:
    scores = [load_default().score(story.signals()) for story in card_testing_burst(30)]

    first_highest = next(i for i, score in enumerate(scores) if score >= HIGHEST)
    assert first_highest < 10, scores
    assert min(scores[first_highest:]) >= HIGHEST, scores


@pytest.mark.parametrize("story", FRAUD, ids=[story.name for story in FRAUD])
def test_a_stolen_card_scores_above_every_everyday_payment(story: Story) -> None:
    # The model ranks; where a stolen card lands against the thresholds depends on how much
    # it looks like its owner (a signup on it is blocked, a card swapped into an existing
    # account may stay under review). What must hold is that it outranks everyday payments.
    score = load_default().score(story.signals())
    everyday = max(load_default().score(legit.signals()) for legit in LEGITIMATE)

    assert score > everyday + 10, f"{story.name}: {score} against {everyday}"


def test_a_stolen_card_signup_is_blocked() -> None:
    signup = next(story for story in FRAUD if "signup" in story.name)

    assert load_default().score(signup.signals()) >= HIGHEST
