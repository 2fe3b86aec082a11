"""Latency of scoring one payment with the shipped model, as the API server does it.

Run from the repository root:

    .venv/bin/python bench/run_model_latency.py [--calls 20000]

Signals come from a small SaaS simulation, so rows look like real ones (velocities, NaNs
for missing values). Measured one call at a time: the model call
(`Booster.predict(row, num_threads=1)` on a 1-row NumPy array), the feature vector, and the
whole `Scorer.score`. Target: model call p99 <= 1 ms. See docs/fraud-model.md.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from seikyu.risk.domain.features import feature_vector
from seikyu.risk.domain.signals import signals_for_stream
from seikyu.risk.model.saas_simulator import SimulationConfig, simulate
from seikyu.risk.model.scorer import load_default

TARGET_P99_US = 1_000.0


def measure(calls: int, one: Callable[[int], object]) -> tuple[float, float, float]:
    """p50, p99 and p99.9 in microseconds of `calls` calls of `one(i)`."""
    for i in range(min(1_000, calls)):
        one(i)
    samples = np.empty(calls)
    clock = time.perf_counter_ns
    for i in range(calls):
        start = clock()
        one(i)
        samples[i] = clock() - start
    p50, p99, p999 = np.percentile(samples, [50, 99, 99.9]) / 1_000
    return float(p50), float(p99), float(p999)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    simulation = simulate(SimulationConfig(seed=3, days=30, initial_subscribers=2_000))
    signals = signals_for_stream([a.attempt for a in simulation.attempts])[-2_000:]
    rows = [np.asarray(feature_vector(s), dtype=np.float64).reshape(1, -1) for s in signals]
    scorer = load_default()
    booster = scorer.booster
    n = len(signals)
    print(f"{booster.num_trees()} trees, {booster.num_feature()} features, {args.calls:,} calls")
    results = {
        "model call (Booster.predict, 1 row, 1 thread)": measure(
            args.calls, lambda i: booster.predict(rows[i % n], num_threads=1)
        ),
        "feature_vector(signals)": measure(args.calls, lambda i: feature_vector(signals[i % n])),
        "Scorer.score(signals), end to end": measure(
            args.calls, lambda i: scorer.score(signals[i % n])
        ),
    }
    for name, (p50, p99, p999) in results.items():
        print(f"  {name:<48} p50 {p50:7.1f} us  p99 {p99:7.1f} us  p99.9 {p999:7.1f} us")
    p99 = results["model call (Booster.predict, 1 row, 1 thread)"][1]
    verdict = "MET" if p99 <= TARGET_P99_US else "NOT MET"
    print(f"model call p99 {p99:.1f} us (target <= {TARGET_P99_US:.0f} us): {verdict}")


if __name__ == "__main__":
    main()
