"""`core` and every `domain` package stay pure: no clock reads, randomness or I/O.

import-linter keeps third-party and storage imports out; this catches what it cannot see,
standard-library modules and calls that read the outside world.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import seikyu

SOURCE = Path(seikyu.__file__).parent
# The clock module is the one place allowed to read the wall clock; ids draw randomness.
ALLOWED = {SOURCE / "core" / "clock.py", SOURCE / "core" / "ids.py"}
IMPURE_MODULES = {"time", "random", "secrets", "os", "socket", "subprocess", "io", "pathlib"}
IMPURE_CALLS = {"now", "utcnow", "today", "monotonic", "perf_counter", "open"}


def pure_modules() -> list[Path]:
    paths = [*(SOURCE / "core").glob("*.py"), *SOURCE.glob("*/domain/**/*.py")]
    return sorted(p for p in paths if p not in ALLOWED)


def impurities(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in IMPURE_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in IMPURE_MODULES or node.module == "seikyu.core.clock":
                found.append(node.module)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in IMPURE_CALLS:
                found.append(f"{name}() at line {node.lineno}")
    return found


def test_the_billing_domain_is_checked() -> None:
    assert SOURCE / "billing" / "domain" / "invoice.py" in pure_modules()


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_module_reads_no_clock_randomness_or_files(path: Path) -> None:
    assert impurities(path) == []


def test_the_check_catches_a_clock_read(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text("from datetime import datetime, UTC\nNOW = datetime.now(UTC)\n")
    assert impurities(module) == ["now() at line 2"]
