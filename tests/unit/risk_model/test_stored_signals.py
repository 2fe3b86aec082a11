"""Signals stored by screening (`dataclasses.asdict`, through JSON) read back unchanged."""

from __future__ import annotations

from dataclasses import asdict

import orjson
import pytest

from seikyu.risk.domain.features import feature_vector
from seikyu.risk.domain.signals import Outcome, signals_for
from seikyu.risk.training_data import signals_from_json
from tests.unit.risk_model.factories import NOW, attempt


def test_stored_signals_read_back_equal_with_the_same_features() -> None:
    history = [
        attempt(
            created=NOW - 60, card="fp_x", outcome=Outcome.DECLINED, decline_code="incorrect_cvc"
        ),
        attempt(created=NOW - 30),
    ]
    signals = signals_for(attempt(created=NOW), history)

    stored = orjson.loads(orjson.dumps(asdict(signals)))
    read = signals_from_json(stored)

    assert read == signals
    assert feature_vector(read) == feature_vector(signals)


def test_signals_missing_a_field_are_refused() -> None:
    stored = asdict(signals_for(attempt(), []))
    del stored["velocities"]["ip"]

    with pytest.raises(KeyError):
        signals_from_json(stored)
