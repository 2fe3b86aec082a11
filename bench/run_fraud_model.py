"""The fraud model's quality figures: the handbook yardstick and the SaaS simulation.

Run from the repository root:

    .venv/bin/python bench/run_fraud_model.py [--skip-selection] [--skip-saas]

1. The handbook's data set (1,754,155 transactions) and protocol, twice: with the book's 15
   features, then with Seikyu's added customer and terminal features. Each time a
   prequential grid picks LightGBM's setting on four validation blocks before the test
   week; the test figures are printed beside the book's published table, with pass/fail
   against its best tuned result (AP > 0.687 and CP@100 > 0.303). `--skip-selection` tests
   the grid's first setting only. Last, the CP@100 of catching every fraud with a visible
   trace (`handbook_ceiling`), on the test and validation weeks: where CP@100 stops.
2. The SaaS simulation: train on seed 1 (labels known at its end), evaluate on seed 2;
   prints card testing's recall at 0.1% false-positive rate (target >= 95%).
See docs/fraud-model.md for the figures measured.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import numpy.typing as npt

from seikyu.risk.model.dataset import dataset_from_simulation
from seikyu.risk.model.evaluation import evaluate
from seikyu.risk.model.handbook_ceiling import visible_card_precision
from seikyu.risk.model.handbook_features import ADDED_FEATURES, HANDBOOK_FEATURES
from seikyu.risk.model.handbook_protocol import (
    GRID,
    PUBLISHED,
    TRAINING_START_DAY,
    Figures,
    assess,
    handbook_data,
    select_and_test,
    validation_start_days,
    with_added_features,
)
from seikyu.risk.model.handbook_simulator import Transactions
from seikyu.risk.model.report import evaluation_markdown
from seikyu.risk.model.saas_simulator import SimulationConfig, simulate
from seikyu.risk.model.scorer import Scorer
from seikyu.risk.model.training import train_radar_model

CARD_TESTING_TARGET = 0.95
# The book's best tuned result on the test week (XGBoost after model selection).
TARGET_AP = 0.687
TARGET_CP = 0.303


def _select(
    tx: Transactions,
    features: npt.NDArray[np.float64],
    names: tuple[str, ...],
    title: str,
    skip_selection: bool,
) -> tuple[str, Figures]:
    started = time.perf_counter()
    if skip_selection:
        setting = GRID[0]
        test = assess(tx, features, TRAINING_START_DAY, setting, names)
        label = f"Seikyu LightGBM, {title}, {setting} (no selection)"
    else:
        selection = select_and_test(tx, features, feature_names=names)
        setting, test = selection.setting, selection.test
        print(f"\n{title}: prequential validation (mean of 4 folds), AUC ROC / AP / CP@100")
        print("  (num_leaves, learning_rate, rounds, min_data_in_leaf)")
        for candidate, figures in selection.grid:
            mark = "  <- selected" if candidate == setting else ""
            print(
                f"  {candidate}: {figures.auc_roc:.3f} / {figures.average_precision:.3f} / "
                f"{figures.card_precision_at_100:.3f}{mark}"
            )
        label = f"Seikyu LightGBM, {title}, {setting} (model selection)"
    print(f"  {title}: {time.perf_counter() - started:.0f} s")
    return label, test


def handbook(skip_selection: bool) -> None:
    started = time.perf_counter()
    tx, features = handbook_data()
    print(
        f"handbook data: {len(tx):,} transactions, {int(tx.fraud.sum()):,} frauds "
        f"({time.perf_counter() - started:.0f} s with features)"
    )
    wider, wider_names = with_added_features(tx, features)
    results = [
        _select(tx, features, HANDBOOK_FEATURES, "book's 15 features", skip_selection),
        _select(tx, wider, wider_names, f"with {len(ADDED_FEATURES)} added", skip_selection),
    ]
    rows = [(f"{name} [published]", auc, ap, cp) for name, auc, ap, cp in PUBLISHED]
    for label, test in results:
        rows.append((label, test.auc_roc, test.average_precision, test.card_precision_at_100))
    print("\ntest week 2018-08-08..14" + " " * 60 + "AUC ROC     AP   CP@100")
    for name, auc, ap, cp in rows:
        print(f"  {name:<80} {auc:.3f}  {ap:.3f}  {cp:.3f}")
    for label, test in results:
        ap_ok = test.average_precision > TARGET_AP
        cp_ok = test.card_precision_at_100 > TARGET_CP
        print(
            f"{label}: AP {test.average_precision:.3f} > {TARGET_AP} "
            f"{'PASS' if ap_ok else 'FAIL'}; CP@100 {test.card_precision_at_100:.3f} > "
            f"{TARGET_CP} {'PASS' if cp_ok else 'FAIL'}; "
            f"goal {'MET' if ap_ok and cp_ok else 'NOT MET'}"
        )
    _print_ceiling(tx)
    print(f"handbook total {time.perf_counter() - started:.0f} s")


def _print_ceiling(tx: Transactions) -> None:
    # Diagnostic only (it reads the simulator's scenarios): no choice depends on it.
    folds = [visible_card_precision(tx, start) for start in validation_start_days()]
    print(
        f"CP@100 of catching every visible fraud and nothing else: test week "
        f"{visible_card_precision(tx, TRAINING_START_DAY):.4f}; validation weeks "
        + " / ".join(f"{cp:.4f}" for cp in folds)
    )


def saas() -> None:
    started = time.perf_counter()
    train_sim = simulate(SimulationConfig(seed=1))
    trained = train_radar_model(dataset_from_simulation(train_sim), cutoff=train_sim.end)
    scorer = Scorer(trained.booster, trained.calibration)
    evaluation = evaluate(scorer, dataset_from_simulation(simulate(SimulationConfig(seed=2))))
    print()
    print(evaluation_markdown(evaluation, title="SaaS simulation: train seed 1, evaluate seed 2"))
    testing = next(k for k in evaluation.kinds if k.kind == "card_testing")
    verdict = "MET" if testing.recall_at_target_fpr >= CARD_TESTING_TARGET else "NOT MET"
    print(
        f"card testing recall at 0.1% FPR: {testing.recall_at_target_fpr:.2%} "
        f"(target >= {CARD_TESTING_TARGET:.0%}: {verdict}); "
        f"{time.perf_counter() - started:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-selection", action="store_true")
    parser.add_argument("--skip-saas", action="store_true")
    parser.add_argument("--skip-handbook", action="store_true")
    args = parser.parse_args()
    if not args.skip_handbook:
        handbook(args.skip_selection)
    if not args.skip_saas:
        saas()


if __name__ == "__main__":
    main()
