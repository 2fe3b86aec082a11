"""Judging a Radar model on a labelled history it did not train on.

Every attempt counts with its final label (evaluation looks back once all disputes are in).
Fraud kinds are judged one by one against all legitimate attempts, because they differ in
how catchable they are: card testing leaves velocity traces, friendly fraud leaves none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seikyu.risk.model.dataset import Dataset
from seikyu.risk.model.metrics import auc_roc, average_precision, recall_at_fpr
from seikyu.risk.model.saas_simulator import FraudKind
from seikyu.risk.model.scorer import Scorer
from seikyu.risk.model.training import predict

TARGET_FPR = 0.001
HIGHEST = 75
ELEVATED = 65


@dataclass(frozen=True, slots=True)
class KindFigures:
    kind: str
    attempts: int
    recall_at_target_fpr: float
    share_highest: float
    share_elevated: float


@dataclass(frozen=True, slots=True)
class Evaluation:
    attempts: int
    fraud: int
    auc_roc: float
    average_precision: float
    recall_at_target_fpr: float
    target_fpr: float
    legit_share_highest: float
    legit_share_elevated: float
    kinds: tuple[KindFigures, ...]
    top_features: tuple[tuple[str, float], ...]


def top_features(scorer: Scorer, n: int = 10) -> tuple[tuple[str, float], ...]:
    """Features by total gain, as shares of the model's whole gain."""
    gains = np.asarray(scorer.booster.feature_importance(importance_type="gain"), float)
    total = float(gains.sum()) or 1.0
    order = np.argsort(-gains, kind="stable")[:n]
    names = scorer.booster.feature_name()
    return tuple((names[i], float(gains[i] / total)) for i in order)


def evaluate(scorer: Scorer, data: Dataset) -> Evaluation:
    probabilities = predict(scorer.booster, data.features)
    scores = np.asarray([scorer.calibration.score(p) for p in probabilities.tolist()])
    fraud = data.fraud
    legit = ~fraud
    kinds = []
    for kind in FraudKind:
        if kind is FraudKind.NONE:
            continue
        mask = data.kind == kind.value
        if not mask.any():
            continue
        subset = mask | legit
        point = recall_at_fpr(fraud[subset], probabilities[subset], TARGET_FPR)
        kinds.append(
            KindFigures(
                kind=kind.value,
                attempts=int(mask.sum()),
                recall_at_target_fpr=point.recall,
                share_highest=float((scores[mask] >= HIGHEST).mean()),
                share_elevated=float((scores[mask] >= ELEVATED).mean()),
            )
        )
    overall = recall_at_fpr(fraud, probabilities, TARGET_FPR)
    return Evaluation(
        attempts=len(data),
        fraud=int(fraud.sum()),
        auc_roc=auc_roc(fraud, probabilities),
        average_precision=average_precision(fraud, probabilities),
        recall_at_target_fpr=overall.recall,
        target_fpr=TARGET_FPR,
        legit_share_highest=float((scores[legit] >= HIGHEST).mean()),
        legit_share_elevated=float((scores[legit] >= ELEVATED).mean()),
        kinds=tuple(kinds),
        top_features=top_features(scorer),
    )
