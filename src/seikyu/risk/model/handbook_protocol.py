"""The handbook's assessment protocol, and Seikyu's LightGBM model under it.

Protocol, as the book describes it:

- Train on the 7 days from 2018-07-25, leave a 7-day gap (labels of those days are not
  known yet when the model would be deployed), test on the 7 days after the gap.
- Customers ("cards") with a fraud in the training week are known compromised and left
  out of every test day; so is, on each test day, any card with a fraud on a day whose
  labels would be known by then (the gap days, one more each test day).
- Figures: AUC ROC, average precision, and card precision at 100 per test day, averaged
  (cards detected on one test day are left out of the later ones).

Model selection is prequential, like the book's: the same train/gap/test block slid back
in time by 2 weeks and then one more week per fold (4 folds), so every validation test week
ends before the final test's training week does. The grid below is scored by mean average
precision over the folds; the best setting is retrained on the final training week once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from seikyu.risk.model.handbook_features import (
    ADDED_FEATURES,
    HANDBOOK_FEATURES,
    added_features,
    handbook_features,
)
from seikyu.risk.model.handbook_simulator import HandbookConfig, Transactions, simulate_handbook
from seikyu.risk.model.metrics import auc_roc, average_precision, card_precision_at_k
from seikyu.risk.model.training import SEED, TRAINING_THREADS, predict, train_booster

# 2018-07-25 is day 115 of the data (from 2018-04-01).
TRAINING_START_DAY = 115
TRAIN_DAYS = 7
DELAY_DAYS = 7
TEST_DAYS = 7
VALIDATION_FOLDS = 4

# The book's tables, test week, AUC ROC / average precision / card precision at 100.
PUBLISHED: tuple[tuple[str, float, float, float], ...] = (
    ("logistic regression (baseline)", 0.871, 0.606, 0.291),
    ("random forest (baseline)", 0.867, 0.658, 0.287),
    ("XGBoost (baseline)", 0.862, 0.639, 0.273),
    ("XGBoost (model selection)", 0.869, 0.687, 0.303),
    ("random forest (model selection)", 0.870, 0.678, 0.299),
    ("logistic regression (model selection)", 0.868, 0.623, 0.297),
)

BASE_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "objective": "binary",
        "feature_fraction": 0.7,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 2,
        "seed": SEED,
        "bagging_seed": SEED,
        "feature_fraction_seed": SEED,
        "data_random_seed": SEED,
        "verbosity": -1,
    }
)

# A setting is (num_leaves, learning_rate, rounds, min_data_in_leaf). A week of training
# data holds only about 600 frauds, so every setting is a regularised ensemble (70% feature
# and 80% row subsampling, L2 1) of small trees. One training per (leaves, rows per leaf)
# pair is scored at every round count in `ROUNDS`: the shorter ensembles are prefixes of the
# longest, so the round axis of the grid costs predictions only.
LEAVES = (8, 16, 32)
MIN_DATA_IN_LEAF = (50, 100, 200)
LEARNING_RATE = 0.02
ROUNDS = (200, 300, 400, 500)
GRID: tuple[tuple[int, float, int, int], ...] = tuple(
    (leaves, LEARNING_RATE, rounds, min_leaf)
    for leaves, min_leaf, rounds in product(LEAVES, MIN_DATA_IN_LEAF, ROUNDS)
)


@dataclass(frozen=True, slots=True)
class Split:
    train: npt.NDArray[np.bool_]
    test: npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Figures:
    auc_roc: float
    average_precision: float
    card_precision_at_100: float


def validation_start_days(training_start_day: int = TRAINING_START_DAY) -> list[int]:
    """The training-week starts of the validation blocks, latest first."""
    first_fold = training_start_day - TRAIN_DAYS - DELAY_DAYS
    return [first_fold - 7 * k for k in range(VALIDATION_FOLDS)]


def split(tx: Transactions, start_day: int) -> Split:
    """Train and test rows of the block whose training week starts on `start_day`."""
    train = (tx.day >= start_day) & (tx.day < start_day + TRAIN_DAYS)
    known = set(np.unique(tx.customer[train & (tx.fraud == 1)]).tolist())
    first_test = start_day + TRAIN_DAYS + DELAY_DAYS
    test = np.zeros(len(tx), dtype=bool)
    for day in range(TEST_DAYS):
        newly_known = (tx.day == start_day + TRAIN_DAYS + day - 1) & (tx.fraud == 1)
        known.update(np.unique(tx.customer[newly_known]).tolist())
        on_day = tx.day == first_test + day
        test |= on_day & ~np.isin(tx.customer, np.fromiter(known, np.int64, len(known)))
    return Split(train, test)


def figures(tx: Transactions, rows: npt.NDArray[np.bool_], scores: npt.ArrayLike) -> Figures:
    labels = tx.fraud[rows]
    return Figures(
        auc_roc=auc_roc(labels, scores),
        average_precision=average_precision(labels, scores),
        card_precision_at_100=card_precision_at_k(
            tx.day[rows], tx.customer[rows], labels, scores, 100
        ),
    )


def params_for(setting: Sequence[float]) -> tuple[dict[str, Any], int]:
    leaves, rate, rounds, min_leaf = setting
    params = dict(BASE_PARAMS)
    params.update(num_leaves=int(leaves), learning_rate=rate, min_data_in_leaf=int(min_leaf))
    return params, int(rounds)


def _assess_rounds(
    tx: Transactions,
    features: npt.NDArray[np.float64],
    feature_names: Sequence[str],
    start_day: int,
    setting: Sequence[float],
    rounds: Sequence[int],
) -> list[Figures]:
    """Figures of one training, cut at each of `rounds` (the setting's own count ignored)."""
    rows = split(tx, start_day)
    params, _ = params_for(setting)
    booster = train_booster(
        features[rows.train],
        tx.fraud[rows.train].astype(bool),
        params=params,
        num_boost_round=max(rounds),
        feature_names=feature_names,
    )
    test = features[rows.test]
    return [
        figures(
            tx,
            rows.test,
            np.asarray(
                booster.predict(test, num_iteration=n, num_threads=TRAINING_THREADS),
                dtype=np.float64,
            ),
        )
        for n in rounds
    ]


def assess(
    tx: Transactions,
    features: npt.NDArray[np.float64],
    start_day: int,
    setting: Sequence[float],
    feature_names: Sequence[str] = HANDBOOK_FEATURES,
) -> Figures:
    rows = split(tx, start_day)
    params, rounds = params_for(setting)
    booster = train_booster(
        features[rows.train],
        tx.fraud[rows.train].astype(bool),
        params=params,
        num_boost_round=rounds,
        feature_names=feature_names,
    )
    return figures(tx, rows.test, predict(booster, features[rows.test]))


@dataclass(frozen=True, slots=True)
class Selection:
    setting: tuple[int, float, int, int]
    validation: Figures
    test: Figures
    grid: tuple[tuple[tuple[int, float, int, int], Figures], ...]


def _mean(results: Sequence[Figures]) -> Figures:
    return Figures(
        float(np.mean([r.auc_roc for r in results])),
        float(np.mean([r.average_precision for r in results])),
        float(np.mean([r.card_precision_at_100 for r in results])),
    )


def select_and_test(
    tx: Transactions,
    features: npt.NDArray[np.float64],
    grid: Sequence[tuple[int, float, int, int]] = GRID,
    *,
    feature_names: Sequence[str] = HANDBOOK_FEATURES,
    training_start_day: int = TRAINING_START_DAY,
) -> Selection:
    """Pick the grid setting with the best mean validation AP, then test it once.

    The test week plays no part in the choice: it is scored for the chosen setting only.
    """
    # Settings that differ only in rounds share their trainings.
    trainings: dict[tuple[int, float, int], list[int]] = {}
    for leaves, rate, rounds, min_leaf in grid:
        trainings.setdefault((leaves, rate, min_leaf), []).append(rounds)
    per_setting: dict[tuple[int, float, int, int], list[Figures]] = {}
    for (leaves, rate, min_leaf), cuts in trainings.items():
        for start_day in validation_start_days(training_start_day):
            folds = _assess_rounds(
                tx,
                features,
                feature_names,
                start_day,
                (leaves, rate, max(cuts), min_leaf),
                cuts,
            )
            for n, result in zip(cuts, folds, strict=True):
                per_setting.setdefault((leaves, rate, n, min_leaf), []).append(result)
    scored = [(setting, _mean(per_setting[setting])) for setting in grid]
    # Ties (to the last digit) go to the earlier, smaller setting.
    best, validation = max(
        scored, key=lambda s: (s[1].average_precision, s[1].card_precision_at_100)
    )
    test = assess(tx, features, training_start_day, best, feature_names)
    return Selection(best, validation, test, tuple(scored))


def handbook_data(
    config: HandbookConfig | None = None,
) -> tuple[Transactions, npt.NDArray[np.float64]]:
    """The transactions and the book's 15 features."""
    tx = simulate_handbook(config)
    return tx, handbook_features(tx)


def with_added_features(
    tx: Transactions, features: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], tuple[str, ...]]:
    """The book's 15 features followed by `ADDED_FEATURES`, and their names."""
    return np.hstack([features, added_features(tx)]), HANDBOOK_FEATURES + ADDED_FEATURES
