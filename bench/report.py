"""Machine facts, result rows and the markdown table for docs/benchmarks.md."""

from __future__ import annotations

import math
import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path

from loadgen import Sample

BASELINE = "localstripe"

# The targets, checked (never enforced) against the figures measured.
CREATE_RATIO_TARGET = 10.0
RETRIEVE_RATIO_TARGET = 1.0
P99_TARGET_MS = 20.0


@dataclass(frozen=True)
class Measurement:
    """One measured batch at a checkpoint.

    Creates are the ones that brought the store up to ``customers``; retrieves
    ran with exactly ``customers`` in the store.
    """

    server: str
    customers: int
    operation: str  # "create" or "retrieve"
    sample: Sample


@dataclass(frozen=True)
class Growth:
    """Unmeasured-fill creates that took the store from ``start`` to ``end``."""

    start: int
    end: int
    sample: Sample


@dataclass
class ServerReport:
    """Everything one server's run produced, including why it did not run."""

    name: str
    facts: list[str] = field(default_factory=list)
    growth: list[Growth] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)
    failure: str | None = None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def machine_facts() -> list[str]:
    load1, load5, _ = os.getloadavg()
    return [
        f"nproc: {len(os.sched_getaffinity(0))} (cpu_count {os.cpu_count()})",
        f"CPU: {cpu_model()}",
        f"memory: {memory_total()}",
        f"kernel: {platform.system()} {platform.release()}",
        f"harness Python: {sys.version.split()[0]} ({platform.python_implementation()})",
        f"load average at start: {load1:.2f} (1 min), {load5:.2f} (5 min)",
    ]


def fmt_ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}"


def sample_line(sample: Sample) -> str:
    errors = f", {sample.errors} errors" if sample.errors else ""
    requests = max(1, sample.ok + sample.errors)
    cpu = f"cpu/req: client {sample.client_cpu_s / requests * 1000:.2f} ms"
    if sample.server_cpu_s is not None:
        cpu += f", server {sample.server_cpu_s / requests * 1000:.2f} ms"
    return (
        f"{sample.label:<34} {sample.ok:>5} ok {sample.elapsed_s:7.2f}s "
        f"{sample.rps:8.1f} req/s  p50 {fmt_ms(sample.p50_ms):>7} ms  "
        f"p99 {fmt_ms(sample.p99_ms):>7} ms  ({cpu}){errors}"
    )


def baseline_rps(reports: list[ServerReport], customers: int, operation: str) -> float | None:
    for report in reports:
        if report.name != BASELINE:
            continue
        for m in report.measurements:
            if m.customers == customers and m.operation == operation and m.sample.rps > 0:
                return m.sample.rps
    return None


def ratio_text(m: Measurement, reports: list[ServerReport]) -> str:
    base = baseline_rps(reports, m.customers, m.operation)
    return "n/a" if base is None else f"{m.sample.rps / base:.2f}x"


def markdown_table(reports: list[ServerReport]) -> str:
    rows = [
        "| Customers | Operation | Server | req/s | p50 ms | p99 ms | Errors | vs localstripe |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    measurements = [m for r in reports for m in r.measurements]
    order = {r.name: i for i, r in enumerate(reports)}
    for m in sorted(measurements, key=lambda m: (m.customers, m.operation, order[m.server])):
        s = m.sample
        rows.append(
            f"| {m.customers:,} | {m.operation} | {m.server} | {s.rps:,.0f} | {fmt_ms(s.p50_ms)} "
            f"| {fmt_ms(s.p99_ms)} | {s.errors} | {ratio_text(m, reports)} |"
        )
    return "\n".join(rows)


def growth_table(reports: list[ServerReport]) -> str:
    """Create req/s and p50 per fill segment: how each server slows as it grows."""
    ran = [r for r in reports if r.growth]
    if not ran:
        return ""
    by_segment: dict[tuple[int, int], dict[str, Sample]] = {}
    for r in ran:
        for g in r.growth:
            by_segment.setdefault((g.start, g.end), {})[r.name] = g.sample
    rows = [
        "| Customers | " + " | ".join(f"{r.name} req/s (p50 ms)" for r in ran) + " |",
        "|---|" + "---:|" * len(ran),
    ]
    for (start, end), samples in sorted(by_segment.items()):
        cells = [
            f"{samples[r.name].rps:,.0f} ({fmt_ms(samples[r.name].p50_ms)})"
            if r.name in samples
            else "-"
            for r in ran
        ]
        rows.append(f"| {start:,} to {end:,} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def target_checks(reports: list[ServerReport], top_customers: int) -> list[str]:
    """One line per Seikyu server and target: measured value, target, met or not."""
    lines: list[str] = []
    for report in reports:
        if report.name == BASELINE:
            continue
        for m in report.measurements:
            what = f"{report.name} {m.operation} @ {m.customers:,}"
            base = baseline_rps(reports, m.customers, m.operation)
            if m.customers == top_customers and base is not None:
                want = CREATE_RATIO_TARGET if m.operation == "create" else RETRIEVE_RATIO_TARGET
                got = m.sample.rps / base
                lines.append(
                    verdict(
                        f"{what}: {got:.2f}x localstripe",
                        got >= want,
                        f">= {want:g}x",
                    )
                )
            lines.append(
                verdict(
                    f"{what}: p99 {fmt_ms(m.sample.p99_ms)} ms",
                    m.sample.p99_ms < P99_TARGET_MS,
                    f"< {P99_TARGET_MS:g} ms",
                )
            )
    return lines


def verdict(what: str, met: bool, target: str) -> str:
    return f"{'MET    ' if met else 'NOT MET'}  {what} (target {target})"


def markdown_report(
    reports: list[ServerReport], machine: list[str], method: list[str], checks: list[str]
) -> str:
    parts = ["## Results: customers", "", "Machine:", ""]
    parts += [f"- {fact}" for fact in machine]
    parts += ["", "Method:", ""] + [f"- {line}" for line in method]
    for report in reports:
        parts += ["", f"{report.name}:", ""]
        parts += [f"- {fact}" for fact in report.facts]
        if report.failure:
            lines = report.failure.strip().splitlines()
            reason = lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
            parts.append(f"- did not complete: {reason}")
    parts += ["", markdown_table(reports), ""]
    growth = growth_table(reports)
    if growth:
        parts += ["Creates while growing (the unmeasured fill, for reference):", "", growth, ""]
    if checks:
        parts += ["Targets:", "", "```", *checks, "```", ""]
    return "\n".join(parts)
