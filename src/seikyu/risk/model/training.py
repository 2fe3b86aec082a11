"""Training the fraud model: LightGBM with pinned hyperparameters and seeds.

Determinism: `deterministic`, `force_row_wise`, a fixed thread count and fixed seeds make
the same rows give the same trees, byte for byte, on the same LightGBM build.

Label delay: an attempt's label becomes known at `label_available_at` (a dispute weeks
later, a card-testing burst when noticed, a legitimate payment once past the dispute
window). A model trained at a cutoff sees only labels known by then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from seikyu.risk.domain.features import FEATURE_NAMES
from seikyu.risk.model.calibration import Calibration, fit_calibration
from seikyu.risk.model.dataset import Dataset

SEED = 20_260_101
TRAINING_THREADS = 2

DEFAULT_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 15,
        "max_depth": 6,
        "min_data_in_leaf": 40,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "max_bin": 255,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": TRAINING_THREADS,
        "seed": SEED,
        "bagging_seed": SEED,
        "feature_fraction_seed": SEED,
        "data_random_seed": SEED,
        "verbosity": -1,
    }
)
DEFAULT_ROUNDS = 300


def train_booster(
    features: npt.NDArray[np.float64],
    labels: npt.NDArray[np.bool_],
    *,
    params: Mapping[str, Any] = DEFAULT_PARAMS,
    num_boost_round: int = DEFAULT_ROUNDS,
    feature_names: Sequence[str] = FEATURE_NAMES,
) -> lgb.Booster:
    """A gradient-boosted classifier of `labels` (True: fraud) from `features`."""
    data = lgb.Dataset(
        features,
        label=labels.astype(np.float64),
        feature_name=list(feature_names),
        params={"verbosity": -1, "max_bin": params.get("max_bin", 255)},
        free_raw_data=True,
    )
    return lgb.train(dict(params), data, num_boost_round=num_boost_round)


def predict(booster: lgb.Booster, features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Fraud probabilities, computed with a fixed thread count so results never vary."""
    result = booster.predict(features, num_threads=TRAINING_THREADS)
    return np.asarray(result, dtype=np.float64)


def labeled_by(dataset: Dataset, cutoff: int) -> npt.NDArray[np.bool_]:
    """Rows created before `cutoff` whose label was known at `cutoff`."""
    mask: npt.NDArray[np.bool_] = (dataset.created < cutoff) & (
        dataset.label_available_at <= cutoff
    )
    return mask


@dataclass(frozen=True, slots=True)
class TrainedModel:
    booster: lgb.Booster
    calibration: Calibration
    training_rows: int
    calibration_rows: int


def train_radar_model(
    dataset: Dataset,
    *,
    cutoff: int,
    calibration_share: float = 0.2,
    params: Mapping[str, Any] = DEFAULT_PARAMS,
    num_boost_round: int = DEFAULT_ROUNDS,
) -> TrainedModel:
    """Fit on the labels known at `cutoff`, calibrate scores on the latest of them.

    The labelled rows are split by time: the model learns from the earlier
    `1 - calibration_share`, and the score calibration is fit on the legitimate attempts of
    the rest, which the model has not seen, so the share of legitimate payments scoring
    `highest` holds on new data instead of on memorised data.
    """
    known = dataset.rows(labeled_by(dataset, cutoff))
    if len(known) == 0 or not known.fraud.any():
        raise ValueError("no fraud labelled by the cutoff: nothing to learn from")
    legit_created = known.created[~known.fraud]
    if legit_created.size == 0:
        raise ValueError("no legitimate attempt labelled by the cutoff: nothing to calibrate on")
    # Split on the legitimate rows' times: fraud labels arrive sooner, so the latest labelled
    # rows are mostly fraud and a split on all rows could leave calibration no legitimate row.
    split_at = int(np.quantile(legit_created, 1 - calibration_share))
    fit = known.rows(known.created < split_at)
    held_out = known.rows(known.created >= split_at)
    booster = train_booster(fit.features, fit.fraud, params=params, num_boost_round=num_boost_round)
    legit = held_out.features[~held_out.fraud]
    calibration = fit_calibration(predict(booster, legit))
    return TrainedModel(booster, calibration, len(fit), len(held_out))
