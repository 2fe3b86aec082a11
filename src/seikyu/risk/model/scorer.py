"""Scoring one payment in the request path: a LightGBM model and its score calibration.

A model is two files side by side: the booster in LightGBM's text format (`MODEL.txt`) and
its calibration (`MODEL.calibration.json`: the knots of `Calibration` and the feature names
the model was trained on, checked against `FEATURE_NAMES` on load so a model never scores
features it was not trained on). The default model ships in this package; it is read on
first use, never at import.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import orjson

from seikyu.risk.domain.features import FEATURE_NAMES, feature_vector
from seikyu.risk.domain.signals import PaymentSignals
from seikyu.risk.model.calibration import Calibration

DEFAULT_MODEL = "default_model.txt"


def calibration_path(model_path: Path) -> Path:
    return model_path.with_suffix(".calibration.json")


class Scorer:
    """Risk scores from a trained booster; safe to share between threads."""

    def __init__(self, booster: lgb.Booster, calibration: Calibration) -> None:
        if tuple(booster.feature_name()) != FEATURE_NAMES:
            raise ValueError("the model was trained on other features than FEATURE_NAMES")
        self._booster = booster
        self._calibration = calibration

    @classmethod
    def from_file(cls, model_path: Path) -> Scorer:
        booster = lgb.Booster(model_file=str(model_path))
        meta: dict[str, Any] = orjson.loads(calibration_path(model_path).read_bytes())
        if tuple(meta.get("feature_names", ())) != FEATURE_NAMES:
            raise ValueError(f"{model_path}: calibrated for other features than FEATURE_NAMES")
        return cls(booster, Calibration.from_json(meta["knots"]))

    @property
    def booster(self) -> lgb.Booster:
        return self._booster

    @property
    def calibration(self) -> Calibration:
        return self._calibration

    def probability(self, signals: PaymentSignals) -> float:
        """The model's probability that the attempt is fraudulent."""
        row = np.asarray(feature_vector(signals), dtype=np.float64).reshape(1, -1)
        # One thread: a single row gains nothing from a pool, and the API server's
        # request threads must not each spin up one.
        return float(self._booster.predict(row, num_threads=1)[0])

    def score(self, signals: PaymentSignals) -> int:
        """Radar's risk score, 0 (least risky) to 99."""
        return self._calibration.score(self.probability(signals))


def save_model(booster: lgb.Booster, calibration: Calibration, model_path: Path) -> None:
    booster.save_model(str(model_path))
    meta = {"feature_names": list(FEATURE_NAMES), "knots": calibration.to_json()}
    calibration_path(model_path).write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))


@lru_cache(maxsize=1)
def load_default() -> Scorer:
    """The model shipped with Seikyu, loaded once per process."""
    with resources.as_file(resources.files(__package__) / DEFAULT_MODEL) as path:
        return Scorer.from_file(path)
