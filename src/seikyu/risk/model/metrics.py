"""Quality figures of a fraud model: ranking metrics and operating points.

AUC ROC and average precision are scikit-learn's. The two figures fraud teams actually
steer by are computed here: recall at a false-positive rate (what share of fraud is caught
when at most that share of legitimate payments is wrongly stopped) and the handbook's card
precision at k (of the k cards a team can investigate per day, how many are compromised).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, roc_auc_score

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def auc_roc(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    return float(roc_auc_score(labels, scores))


def average_precision(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    return float(average_precision_score(labels, scores))


@dataclass(frozen=True, slots=True)
class OperatingPoint:
    """A score threshold: attempts scoring strictly above it are flagged."""

    threshold: float
    false_positive_rate: float
    recall: float


def threshold_at_fpr(legit_scores: npt.ArrayLike, fpr: float) -> float:
    """The lowest threshold flagging at most `fpr` of `legit_scores` (flagged: above it)."""
    legit = np.sort(np.asarray(legit_scores, dtype=np.float64))[::-1]
    if legit.size == 0:
        raise ValueError("no legitimate scores to set a threshold on")
    allowed = int(np.floor(fpr * legit.size + 1e-9))
    if allowed >= legit.size:
        return float(-np.inf)
    return float(legit[allowed])


def recall_at_fpr(labels: npt.ArrayLike, scores: npt.ArrayLike, fpr: float) -> OperatingPoint:
    """Recall of fraud when the threshold lets through at most `fpr` false positives.

    Ties at the threshold are not flagged, so the false-positive rate never exceeds
    `fpr`; with many tied legitimate scores it can be well below it.
    """
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    threshold = threshold_at_fpr(s[~y], fpr)
    flagged = s > threshold
    fraud = int(y.sum())
    return OperatingPoint(
        threshold=threshold,
        false_positive_rate=float(flagged[~y].mean()),
        recall=float(flagged[y].sum() / fraud) if fraud else float("nan"),
    )


def card_precision_at_k(
    days: npt.ArrayLike,
    cards: npt.ArrayLike,
    labels: npt.ArrayLike,
    scores: npt.ArrayLike,
    k: int = 100,
    *,
    remove_detected: bool = True,
) -> float:
    """The handbook's CP@k: per day, the share of compromised cards among the k cards with
    the highest score (a card's score and label are the maxima over its transactions that
    day), averaged over days. Cards found compromised on one day are left out of later days,
    as an investigator would have blocked them. Equal scores are ranked by card id, so the
    figure does not depend on the input's order.
    """
    day_of = np.asarray(days, dtype=np.int64)
    card_of = np.asarray(cards, dtype=np.int64)
    y = np.asarray(labels, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64)
    detected: set[int] = set()
    per_day = []
    for day in np.unique(day_of):
        mask = day_of == day
        day_cards, inverse = np.unique(card_of[mask], return_inverse=True)
        best = np.full(day_cards.size, -np.inf)
        np.maximum.at(best, inverse, s[mask])
        fraud = np.zeros(day_cards.size, dtype=np.int64)
        np.maximum.at(fraud, inverse, y[mask])
        keep = np.array([card not in detected for card in day_cards.tolist()], dtype=bool)
        day_cards, best, fraud = day_cards[keep], best[keep], fraud[keep]
        order = np.lexsort((day_cards, -best))[:k]
        found = day_cards[order][fraud[order] == 1]
        per_day.append(found.size / k)
        if remove_detected:
            detected.update(found.tolist())
    return float(np.mean(per_day)) if per_day else float("nan")
