"""`seikyu radar`: simulate a small account, train on it, evaluate on another."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from seikyu.cli import app


def test_simulate_train_and_evaluate(tmp_path: Path) -> None:
    runner = CliRunner()
    common = ["--days", "70", "--subscribers", "500", "--signups-per-day", "8"]
    train, held_out = tmp_path / "train.jsonl.gz", tmp_path / "eval.jsonl"
    model, report = tmp_path / "model.txt", tmp_path / "report.json"

    simulated = runner.invoke(
        app, ["radar", "simulate", "--seed", "1", "--out", str(train), *common]
    )
    other = runner.invoke(
        app, ["radar", "simulate", "--seed", "2", "--out", str(held_out), *common]
    )
    trained = runner.invoke(
        app, ["radar", "train", "--from-simulation", str(train), "--out", str(model)]
    )
    evaluated = runner.invoke(
        app,
        [
            "radar",
            "evaluate",
            "--model",
            str(model),
            "--data",
            str(held_out),
            "--report",
            str(report),
        ],
    )

    assert simulated.exit_code == 0, simulated.output
    assert other.exit_code == 0, other.output
    assert trained.exit_code == 0, trained.output
    assert evaluated.exit_code == 0, evaluated.output
    assert model.with_suffix(".calibration.json").exists()
    figures = json.loads(report.read_text())
    assert 0.5 < figures["auc_roc"] <= 1
    assert {k["kind"] for k in figures["kinds"]} >= {"card_testing"}
    assert "AUC ROC" in evaluated.output


def test_evaluate_defaults_to_the_shipped_model(tmp_path: Path) -> None:
    runner = CliRunner()
    data, report = tmp_path / "eval.jsonl", tmp_path / "report.md"
    runner.invoke(
        app,
        [
            "radar",
            "simulate",
            "--seed",
            "3",
            "--days",
            "20",
            "--subscribers",
            "300",
            "--out",
            str(data),
        ],
    )

    result = runner.invoke(app, ["radar", "evaluate", "--data", str(data), "--report", str(report)])

    assert result.exit_code == 0, result.output
    assert report.read_text().startswith("# Radar model evaluation")
