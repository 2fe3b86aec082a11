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

from seikyu.risk.model.handbook_features import HANDBOOK_FEATURES, handbook_features
from seikyu.risk.model.handbook_simulator import HandbookConfig, Transactions, simulate_handbook
from seikyu.risk.model.metrics import auc_roc, average_precision, card_precision_at_k
from seikyu.risk.model.training import SEED, predict, train_booster

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

# (num_leaves, learning_rate, rounds, min_data_in_leaf). A week of training data holds only
# about 600 frauds, so every setting is a strongly regularised ensemble (row and feature
# subsampling) of small trees; the grid stays small because each setting costs four
# trainings.
GRID: tuple[tuple[int, float, int, int], ...] = tuple(
    (leaves, rate, rounds, min_leaf)
    for leaves, (rate, rounds), min_leaf in product((8, 16), ((0.02, 500), (0.05, 200)), (50, 100))
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


def assess(
    tx: Transactions,
    features: npt.NDArray[np.float64],
    start_day: int,
    setting: Sequence[float],
) -> Figures:
    rows = split(tx, start_day)
    params, rounds = params_for(setting)
    booster = train_booster(
        features[rows.train],
        tx.fraud[rows.train].astype(bool),
        params=params,
        num_boost_round=rounds,
        feature_names=HANDBOOK_FEATURES,
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
    training_start_day: int = TRAINING_START_DAY,
) -> Selection:
    """Pick the grid setting with the best mean validation AP, then test it once."""
    first_fold = training_start_day - TRAIN_DAYS - DELAY_DAYS
    scored = []
    for setting in grid:
        folds = [assess(tx, features, first_fold - 7 * k, setting) for k in range(VALIDATION_FOLDS)]
        scored.append((setting, _mean(folds)))
    best, validation = max(
        scored, key=lambda s: (s[1].average_precision, s[1].card_precision_at_100)
    )
    test = assess(tx, features, training_start_day, best)
    return Selection(best, validation, test, tuple(scored))


def handbook_data(
    config: HandbookConfig | None = None,
) -> tuple[Transactions, npt.NDArray[np.float64]]:
    tx = simulate_handbook(config)
    return tx, handbook_features(tx)
