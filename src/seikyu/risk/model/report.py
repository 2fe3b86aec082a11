"""Evaluation reports, as JSON for machines and Markdown for people."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import orjson

from seikyu.risk.model.evaluation import ELEVATED, HIGHEST, Evaluation


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    return asdict(evaluation)


def evaluation_markdown(evaluation: Evaluation, *, title: str = "Radar model evaluation") -> str:
    e = evaluation
    fpr = f"{e.target_fpr:.1%}"
    lines = [
        f"# {title}",
        "",
        f"{e.attempts:,} attempts, {e.fraud:,} fraudulent ({e.fraud / e.attempts:.2%}).",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| AUC ROC | {e.auc_roc:.4f} |",
        f"| average precision | {e.average_precision:.4f} |",
        f"| recall at {fpr} false-positive rate | {e.recall_at_target_fpr:.2%} |",
        f"| legitimate attempts scoring >= {HIGHEST} (highest) | {e.legit_share_highest:.3%} |",
        f"| legitimate attempts scoring >= {ELEVATED} (elevated) | {e.legit_share_elevated:.3%} |",
        "",
        f"| fraud kind | attempts | recall at {fpr} FPR | >= {HIGHEST} | >= {ELEVATED} |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {k.kind} | {k.attempts:,} | {k.recall_at_target_fpr:.2%} | "
        f"{k.share_highest:.2%} | {k.share_elevated:.2%} |"
        for k in e.kinds
    ]
    lines += ["", "Top features by gain:", "", "| feature | share of gain |", "| --- | ---: |"]
    lines += [f"| {name} | {share:.1%} |" for name, share in e.top_features]
    return "\n".join(lines) + "\n"


def write_report(evaluation: Evaluation, path: Path) -> None:
    """Markdown when `path` ends in `.md`, JSON otherwise."""
    if path.suffix == ".md":
        path.write_text(evaluation_markdown(evaluation), encoding="utf-8")
    else:
        path.write_bytes(
            orjson.dumps(evaluation_json(evaluation), option=orjson.OPT_INDENT_2) + b"\n"
        )
