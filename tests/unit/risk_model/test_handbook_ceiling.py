"""The visible-fraud ceiling of card precision, on hand-made and small simulated data."""

from __future__ import annotations

import numpy as np

from seikyu.risk.model.handbook_ceiling import visible_card_precision, visible_frauds
from seikyu.risk.model.handbook_protocol import figures, split
from seikyu.risk.model.handbook_simulator import (
    DAY,
    HandbookConfig,
    Transactions,
    simulate_handbook,
)


def test_a_terminal_fraud_is_visible_while_one_there_is_between_7_and_28_days_old() -> None:
    # Terminal 0's frauds on days 0, 6.5, 7.5 and 40; a large amount (scenario 1) at
    # terminal 1 on day 1. Day 7.5 knows day 0's label; day 6.5 knows none yet; on day 40
    # the latest known one (day 7.5) is over 28 days old, older than any compromise.
    days = [0, 6.5, 7.5, 40, 1]
    seconds = (np.asarray(days) * DAY).astype(np.int64)
    n = seconds.size
    tx = Transactions(
        seconds,
        seconds // DAY,
        np.arange(n, dtype=np.int64),
        np.asarray([0, 0, 0, 0, 1], dtype=np.int64),
        np.full(n, 10.0),
        np.ones(n, dtype=np.int64),
        np.asarray([2, 2, 2, 2, 1], dtype=np.int64),
    )

    assert visible_frauds(tx).tolist() == [False, False, True, False, True]


def test_the_ceiling_is_at_most_what_perfect_scores_reach() -> None:
    tx = simulate_handbook(HandbookConfig(n_customers=300, n_terminals=600, nb_days=40))
    rows = split(tx, 5).test

    perfect = figures(tx, rows, tx.fraud[rows].astype(np.float64)).card_precision_at_100

    assert 0 < visible_card_precision(tx, 5) <= perfect
