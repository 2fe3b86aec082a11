"""From the model's fraud probability to Radar's 0-99 risk score.

The score is a monotone, piecewise-linear function of the probability's log-odds, pinned to
the scores that legitimate payments get on data the model did not train on:

- the median legitimate attempt scores 10,
- the 99th percentile 40,
- the 99.5th percentile 65 (Radar's `elevated` starts there),
- the 99.9th percentile 75 (`highest`, blocked by the built-in rule), so about 0.1% of
  legitimate payments are blocked, the rate Stripe publishes,
- log-odds 6 above that (400 times the odds) scores 99, and 6 below the median 0.

Scores are floored, so `score >= 75` exactly when the log-odds reach the 99.9th percentile's.
Between knots the score moves linearly; outside it is clamped to 0..99.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

LEGIT_QUANTILE_SCORES = ((0.5, 10.0), (0.99, 40.0), (0.995, 65.0), (0.999, 75.0))
_MARGIN = 6.0
_EPSILON = 1e-6


def logit(probability: float) -> float:
    p = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


@dataclass(frozen=True, slots=True)
class Calibration:
    """Knots `(log_odds, score)`, strictly increasing in both."""

    knots: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if len(self.knots) < 2:
            raise ValueError("a calibration needs at least two knots")
        for (x0, y0), (x1, y1) in zip(self.knots, self.knots[1:], strict=False):
            if not (x1 > x0 and y1 > y0):
                raise ValueError("calibration knots must increase")

    def score(self, probability: float) -> int:
        """The 0..99 risk score of a fraud probability."""
        x = logit(probability)
        xs = [k[0] for k in self.knots]
        i = bisect.bisect_right(xs, x)
        if i == 0:
            return 0
        if i == len(xs):
            return 99
        (x0, y0), (x1, y1) = self.knots[i - 1], self.knots[i]
        value = y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        return max(0, min(99, math.floor(value + _EPSILON)))

    def to_json(self) -> list[list[float]]:
        return [[x, y] for x, y in self.knots]

    @classmethod
    def from_json(cls, knots: Sequence[Sequence[float]]) -> Calibration:
        return cls(tuple((float(x), float(y)) for x, y in knots))


def fit_calibration(legit_probabilities: npt.ArrayLike) -> Calibration:
    """Knots pinned to the quantiles of held-out legitimate attempts' probabilities."""
    probabilities = np.asarray(legit_probabilities, dtype=np.float64)
    if probabilities.size == 0:
        raise ValueError("calibration needs held-out legitimate attempts")
    knots: list[tuple[float, float]] = []
    for quantile, score in LEGIT_QUANTILE_SCORES:
        x = logit(float(np.quantile(probabilities, quantile, method="higher")))
        # Tied quantiles (a model scoring most attempts alike) would make a flat step;
        # nudge them apart so the function stays strictly monotone.
        if knots and x <= knots[-1][0]:
            x = knots[-1][0] + 1e-3
        knots.append((x, score))
    lowest = knots[0][0] - _MARGIN
    highest = knots[-1][0] + _MARGIN
    return Calibration(((lowest, 0.0), *knots, (highest, 99.0)))
