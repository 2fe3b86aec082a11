"""Metrics against values worked out by hand."""

from __future__ import annotations

import pytest

from seikyu.risk.model.metrics import (
    auc_roc,
    average_precision,
    card_precision_at_k,
    recall_at_fpr,
)


def test_auc_and_average_precision_match_the_textbook_example() -> None:
    labels, scores = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]

    assert auc_roc(labels, scores) == pytest.approx(0.75)
    assert average_precision(labels, scores) == pytest.approx(0.8333333)


def test_recall_at_fpr_never_lets_more_false_positives_through() -> None:
    legit = [i / 1000 for i in range(1000)]  # 0.000 .. 0.999
    fraud = [0.9985, 0.9995, 0.5]
    labels = [0] * 1000 + [1] * 3

    point = recall_at_fpr(labels, legit + fraud, 0.001)

    assert point.threshold == 0.998
    assert point.false_positive_rate == pytest.approx(0.001)
    assert point.recall == pytest.approx(2 / 3)


def test_ties_at_the_threshold_are_not_flagged() -> None:
    labels = [0, 0, 0, 1]
    point = recall_at_fpr(labels, [0.5, 0.5, 0.5, 0.5], 0.34)

    assert point.recall == 0.0
    assert point.false_positive_rate == 0.0


def test_card_precision_takes_each_cards_best_score_per_day_and_drops_detected_cards() -> None:
    days = [0, 0, 0, 0, 1, 1]
    cards = [1, 1, 2, 3, 1, 3]
    labels = [0, 1, 0, 0, 1, 0]
    scores = [0.9, 0.1, 0.8, 0.7, 0.95, 0.2]

    # Day 0: cards by best score 1 (fraud), 2 -> 1/2. Day 1: card 1 detected already,
    # card 3 is legitimate -> 0/2.
    assert card_precision_at_k(days, cards, labels, scores, k=2) == pytest.approx(0.25)
    assert card_precision_at_k(
        days, cards, labels, scores, k=2, remove_detected=False
    ) == pytest.approx(0.5)
