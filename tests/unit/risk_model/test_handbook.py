"""The handbook's simulator and features, at sizes that run in seconds."""

from __future__ import annotations

import numpy as np
import pytest

from seikyu.risk.model.handbook_features import HANDBOOK_FEATURES, handbook_features
from seikyu.risk.model.handbook_protocol import split
from seikyu.risk.model.handbook_simulator import (
    DAY,
    HandbookConfig,
    Transactions,
    simulate_handbook,
)

SMALL = HandbookConfig(n_customers=300, n_terminals=600, nb_days=40)


def test_the_simulation_is_deterministic() -> None:
    first, second = simulate_handbook(SMALL), simulate_handbook(SMALL)

    for name in Transactions.__slots__:
        assert np.array_equal(getattr(first, name), getattr(second, name))


def test_transactions_are_in_time_order_within_the_period() -> None:
    tx = simulate_handbook(SMALL)

    assert (np.diff(tx.seconds) >= 0).all()
    assert (tx.day == tx.seconds // DAY).all()
    assert tx.day.max() < SMALL.nb_days


def test_every_scenario_marks_fraud_and_scenario_one_is_large_amounts() -> None:
    tx = simulate_handbook(SMALL)

    assert set(np.unique(tx.scenario).tolist()) == {0, 1, 2, 3}
    assert ((tx.scenario > 0) == (tx.fraud == 1)).all()
    assert (tx.amount[tx.scenario == 1] > 220).all()


def test_the_fraud_rate_matches_the_books_at_its_customer_and_terminal_counts() -> None:
    # The book's 0.84% needs its 5,000 customers and 10,000 terminals (fraud is injected at
    # fixed counts per day); fewer days keep the test quick. The first weeks, when fewer
    # terminals are compromised, pull the rate a little below the full period's.
    tx = simulate_handbook(HandbookConfig(nb_days=45))

    assert tx.fraud.mean() == pytest.approx(0.0075, abs=0.0015)


def _tx(
    seconds: list[int], customer: list[int], terminal: list[int], fraud: list[int]
) -> Transactions:
    n = len(seconds)
    s = np.asarray(seconds, dtype=np.int64)
    return Transactions(
        s,
        s // DAY,
        np.asarray(customer, dtype=np.int64),
        np.asarray(terminal, dtype=np.int64),
        np.arange(1, n + 1, dtype=np.float64) * 10,
        np.asarray(fraud, dtype=np.int64),
        np.asarray(fraud, dtype=np.int64),
    )


def test_customer_windows_include_the_transaction_and_the_window_before_it() -> None:
    # 2018-04-01 was a Sunday: the first transaction is on a weekend, at 01:00.
    tx = _tx([3_600, 3_600 + DAY, 3_600 + DAY + 10], [0, 0, 0], [0, 1, 2], [0, 0, 0])

    x = dict(zip(HANDBOOK_FEATURES, handbook_features(tx).T, strict=True))

    assert x["CUSTOMER_ID_NB_TX_1DAY_WINDOW"].tolist() == [1, 1, 2]
    assert x["CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW"].tolist() == [10, 20, 25]
    assert x["CUSTOMER_ID_NB_TX_7DAY_WINDOW"].tolist() == [1, 2, 3]
    assert x["TX_DURING_WEEKEND"].tolist() == [1, 0, 0]
    assert x["TX_DURING_NIGHT"].tolist() == [1, 1, 1]


def test_terminal_risk_only_sees_labels_a_week_old() -> None:
    day = DAY
    tx = _tx([0, day, 8 * day + 1, 8 * day + 2], [0, 1, 2, 3], [0, 0, 0, 0], [1, 0, 0, 0])

    x = dict(zip(HANDBOOK_FEATURES, handbook_features(tx).T, strict=True))

    # At day 8 (+1 s) the 1-day window is (day 0 + 1 s, day 1 + 1 s]: only the legit one;
    # the 7-day window (day -6, day 1 + 1 s] holds both.
    assert x["TERMINAL_ID_NB_TX_1DAY_WINDOW"].tolist() == [0, 0, 1, 1]
    assert x["TERMINAL_ID_RISK_1DAY_WINDOW"].tolist() == [0, 0, 0, 0]
    assert x["TERMINAL_ID_NB_TX_7DAY_WINDOW"].tolist() == [0, 0, 2, 2]
    assert x["TERMINAL_ID_RISK_7DAY_WINDOW"].tolist() == [0, 0, 0.5, 0.5]


def test_the_protocol_leaves_known_compromised_cards_out_of_the_test() -> None:
    tx = simulate_handbook(SMALL)

    rows = split(tx, 5)
    known = set(tx.customer[rows.train & (tx.fraud == 1)].tolist())

    assert rows.train.any()
    assert rows.test.any()
    assert known.isdisjoint(tx.customer[rows.test].tolist())
    assert set(tx.day[rows.test].tolist()) <= set(range(19, 26))
