"""Simulated histories on disk, and the feature matrices the model trains and is judged on.

A simulation file is JSON lines, gzip-compressed when its name ends in `.gz`: a header
object (`format`, `version`, `config`), then one object per attempt with the `Attempt`
fields plus `fraud`, `kind` and `label_available_at`. Attempts are stored raw, not as
features, so a file stays valid when features change: signals are recomputed on load.
"""

from __future__ import annotations

import gc
import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import orjson

from seikyu.risk.domain.features import FEATURE_NAMES, feature_vector
from seikyu.risk.domain.signals import Attempt, Outcome, SignalTracker
from seikyu.risk.model.saas_simulator import (
    FraudKind,
    LabeledAttempt,
    Simulation,
    SimulationConfig,
)

FORMAT = "seikyu-radar-simulation"
VERSION = 1
_ATTEMPT_FIELDS = tuple(f.name for f in fields(Attempt))


@dataclass(frozen=True, slots=True)
class Dataset:
    """One row per attempt, in time order."""

    features: npt.NDArray[np.float64]
    fraud: npt.NDArray[np.bool_]
    kind: npt.NDArray[np.str_]
    created: npt.NDArray[np.int64]
    label_available_at: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.fraud.size)

    def rows(self, mask: npt.NDArray[np.bool_]) -> Dataset:
        return Dataset(
            self.features[mask],
            self.fraud[mask],
            self.kind[mask],
            self.created[mask],
            self.label_available_at[mask],
        )


@contextmanager
def _collection_paused() -> Iterator[None]:
    # The tracker keeps hundreds of thousands of small containers alive for the whole run;
    # the cyclic collector would rescan them over and over and double the run time, and
    # none of them can form a cycle.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def dataset_from_simulation(simulation: Simulation) -> Dataset:
    """Signals and features of every attempt against the attempts before it."""
    rows = []
    tracker = SignalTracker()
    with _collection_paused():
        for labeled in simulation.attempts:
            rows.append(feature_vector(tracker.signals(labeled.attempt)))
            tracker.record(labeled.attempt)
    attempts = simulation.attempts
    return Dataset(
        features=np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES)),
        fraud=np.fromiter((a.fraud for a in attempts), dtype=bool, count=len(attempts)),
        kind=np.asarray([a.kind.value for a in attempts], dtype=np.str_),
        created=np.fromiter((a.attempt.created for a in attempts), np.int64, len(attempts)),
        label_available_at=np.fromiter(
            (a.label_available_at for a in attempts), np.int64, len(attempts)
        ),
    )


def _open(path: Path, mode: str) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, mode + "b")  # type: ignore[return-value]
    return path.open(mode + "b")


def save_simulation(simulation: Simulation, path: Path) -> None:
    with _open(path, "w") as out:
        header = {"format": FORMAT, "version": VERSION, "config": asdict(simulation.config)}
        out.write(orjson.dumps(header) + b"\n")
        for labeled in simulation.attempts:
            record: dict[str, Any] = {
                name: getattr(labeled.attempt, name) for name in _ATTEMPT_FIELDS
            }
            record["fraud"] = labeled.fraud
            record["kind"] = labeled.kind.value
            record["label_available_at"] = labeled.label_available_at
            out.write(orjson.dumps(record) + b"\n")


def load_simulation(path: Path) -> Simulation:
    with _open(path, "r") as source:
        header = orjson.loads(source.readline() or b"null")
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError(f"{path} is not a Seikyu radar simulation file")
        if header.get("version") != VERSION:
            raise ValueError(f"{path}: unsupported simulation file version")
        config = SimulationConfig(**header["config"])
        attempts = []
        for line in source:
            record = orjson.loads(line)
            values = {name: record[name] for name in _ATTEMPT_FIELDS}
            values["outcome"] = Outcome(values["outcome"])
            attempts.append(
                LabeledAttempt(
                    Attempt(**values),
                    bool(record["fraud"]),
                    FraudKind(record["kind"]),
                    int(record["label_available_at"]),
                )
            )
    return Simulation(config, tuple(attempts))
