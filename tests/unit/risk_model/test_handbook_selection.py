"""The added customer features and the prequential selection, at sizes that run in seconds."""

from __future__ import annotations

import numpy as np

from seikyu.risk.model.handbook_features import ADDED_FEATURES, added_features
from seikyu.risk.model.handbook_protocol import (
    assess,
    handbook_data,
    select_and_test,
    with_added_features,
)
from seikyu.risk.model.handbook_simulator import DAY, HandbookConfig, Transactions


def _customer_tx(days: list[float], amounts: list[float]) -> Transactions:
    seconds = (np.asarray(days) * DAY).astype(np.int64)
    n = seconds.size
    zeros = np.zeros(n, dtype=np.int64)
    return Transactions(
        seconds,
        seconds // DAY,
        zeros.copy(),
        np.arange(n, dtype=np.int64),
        np.asarray(amounts, dtype=np.float64),
        zeros.copy(),
        zeros.copy(),
    )


def test_the_baseline_leaves_out_the_last_two_weeks() -> None:
    # Two ordinary amounts, then a burst 20 days later whose own amounts must not raise
    # the baseline they are compared with.
    tx = _customer_tx([0, 1, 21, 21.5, 22], [10, 30, 100, 100, 20])

    x = dict(zip(ADDED_FEATURES, added_features(tx).T, strict=True))

    ratio = x["CUSTOMER_ID_AMOUNT_TO_BASELINE"]
    assert np.isnan(ratio[:2]).all()
    assert ratio[2:].tolist() == [5.0, 5.0, 1.0]
    assert x["CUSTOMER_ID_AMOUNT_ZSCORE_BASELINE"][2] == 8.0
    assert x["CUSTOMER_ID_HIGH_AMOUNT_SHARE_1DAY_WINDOW"][2:].tolist() == [1.0, 1.0, 0.5]
    # Day 21 is exactly a day before day 22: out of the 1-day window, as for the book's.
    assert x["CUSTOMER_ID_HIGH_AMOUNT_NB_14DAY_WINDOW"][2:].tolist() == [1, 2, 2]


def test_added_features_of_a_transaction_ignore_everything_after_it() -> None:
    tx = _customer_tx([0, 1, 21, 22], [10, 30, 100, 20])
    later = _customer_tx([0, 1, 21, 22, 22.5], [10, 30, 100, 20, 900])

    early = added_features(tx)
    extended = added_features(later)[:4]

    assert np.array_equal(early, extended, equal_nan=True)


def test_terminal_features_count_only_week_old_frauds_the_card_does_not_explain() -> None:
    # Terminal 0 sees: on day 20 a fraud at five times its card's baseline (explained by
    # the card), on day 21 a fraud of a card without history (ordinary), then two later
    # transactions whose known labels end 7 days before them. Row 0 builds the baseline.
    days = [0, 20, 21, 27.5, 28.5]
    seconds = (np.asarray(days) * DAY).astype(np.int64)
    tx = Transactions(
        seconds,
        seconds // DAY,
        np.asarray([0, 0, 1, 2, 3], dtype=np.int64),
        np.asarray([1, 0, 0, 0, 0], dtype=np.int64),
        np.asarray([10, 50, 10, 10, 10], dtype=np.float64),
        np.asarray([0, 1, 1, 0, 0], dtype=np.int64),
        np.zeros(5, dtype=np.int64),
    )

    x = dict(zip(ADDED_FEATURES, added_features(tx).T, strict=True))

    # Day 27.5 knows day 20 only (explained); day 28.5 knows days 20 and 21.
    assert x["TERMINAL_ID_ORDINARY_FRAUD_RISK_1DAY_WINDOW"][3:].tolist() == [0.0, 1.0]
    assert x["TERMINAL_ID_ORDINARY_FRAUD_RISK_7DAY_WINDOW"][3:].tolist() == [0.0, 0.5]
    since = x["TERMINAL_ID_DAYS_SINCE_FIRST_ORDINARY_FRAUD"]
    assert np.isnan(since[:4]).all()
    assert since[4] == 7.5
    last = x["TERMINAL_ID_LAST_KNOWN_IS_ORDINARY_FRAUD"]
    assert np.isnan(last[:3]).all()
    assert last[3:].tolist() == [0.0, 1.0]


def test_selection_uses_validation_only_and_matches_a_direct_training() -> None:
    tx, features = handbook_data(HandbookConfig(n_customers=400, n_terminals=800, nb_days=70))
    wider, names = with_added_features(tx, features)
    grid = ((4, 0.1, 10, 20), (4, 0.1, 20, 20))

    selection = select_and_test(tx, wider, grid, feature_names=names, training_start_day=42)

    assert [setting for setting, _ in selection.grid] == list(grid)
    # Scoring a shorter ensemble as a prefix of the longer one gives the same figures as
    # training it on its own.
    assert selection.test == assess(tx, wider, 42, selection.setting, names)
    assert 0.5 <= selection.validation.auc_roc <= 1
