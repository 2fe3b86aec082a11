"""Training is deterministic and respects label delay; scores stay within 0..99."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from seikyu.risk.domain.signals import Outcome, signals_for
from seikyu.risk.model.calibration import Calibration, fit_calibration
from seikyu.risk.model.dataset import Dataset, dataset_from_simulation
from seikyu.risk.model.saas_simulator import SimulationConfig, simulate
from seikyu.risk.model.scorer import Scorer, load_default, save_model
from seikyu.risk.model.training import labeled_by, predict, train_radar_model
from tests.unit.risk_model.factories import NOW, attempt

CONFIG = SimulationConfig(
    seed=3, days=90, initial_subscribers=600, signups_per_day=6, card_testing_bursts_per_day=0.3
)


@cache
def _data() -> tuple[Dataset, int]:
    simulation = simulate(CONFIG)
    return dataset_from_simulation(simulation), simulation.end


def test_the_same_data_and_seed_give_the_same_predictions() -> None:
    data, end = _data()

    first = train_radar_model(data, cutoff=end, num_boost_round=30)
    second = train_radar_model(data, cutoff=end, num_boost_round=30)

    assert np.array_equal(
        predict(first.booster, data.features), predict(second.booster, data.features)
    )
    assert first.calibration == second.calibration


def test_only_labels_known_at_the_cutoff_are_used() -> None:
    data, end = _data()
    cutoff = end - 30 * 86_400

    mask = labeled_by(data, cutoff)

    assert (data.label_available_at[mask] <= cutoff).all()
    assert (data.created[mask] < cutoff).all()
    assert mask.sum() < len(data)


def test_a_trained_model_round_trips_through_its_files(tmp_path: Path) -> None:
    data, end = _data()
    trained = train_radar_model(data, cutoff=end, num_boost_round=20)
    path = tmp_path / "model.txt"

    save_model(trained.booster, trained.calibration, path)
    loaded = Scorer.from_file(path)

    signals = signals_for(attempt(), [])
    assert loaded.score(signals) == Scorer(trained.booster, trained.calibration).score(signals)


def test_the_calibration_is_monotone_and_bounded() -> None:
    rng = np.random.default_rng(1)
    calibration = fit_calibration(rng.beta(1, 200, size=20_000))
    probabilities = np.linspace(0, 1, 2_001).tolist()

    scores = [calibration.score(p) for p in probabilities]

    assert scores == sorted(scores)
    assert scores[0] == 0
    assert scores[-1] == 99


def test_about_one_in_a_thousand_calibration_probabilities_scores_highest() -> None:
    rng = np.random.default_rng(2)
    legit = rng.beta(1, 200, size=100_000)
    calibration = fit_calibration(legit)

    highest = np.mean([calibration.score(p) >= 75 for p in legit.tolist()])

    assert highest == pytest.approx(0.001, abs=0.0003)


def test_knots_must_increase() -> None:
    with pytest.raises(ValueError, match="increase"):
        Calibration(((0.0, 10.0), (0.0, 20.0)))


def test_the_default_model_scores_every_attempt_between_0_and_99() -> None:
    scorer = load_default()
    testing_history = [
        attempt(
            created=NOW - i,
            card=f"fp_{i}",
            email=f"x{i}@q.xyz",
            customer=f"cus_{i}",
            outcome=Outcome.DECLINED,
            decline_code="incorrect_number",
            ip_country="VN",
        )
        for i in range(1, 60)
    ]

    quiet = scorer.score(signals_for(attempt(ip=None), []))
    testing = scorer.score(
        signals_for(attempt(card="fp_new", customer="cus_new", ip_country="VN"), testing_history)
    )

    assert 0 <= quiet <= 99
    assert 0 <= testing <= 99
    assert testing >= 75 > quiet
