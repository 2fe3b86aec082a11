"""The serving process's background jobs run on both databases and survive a failing one."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from seikyu.db.uow import Database
from seikyu.payments.test_processor import TestProcessor
from seikyu.worker.maintenance import MaintenanceThread, jobs


def test_every_job_runs_a_pass(db: Database) -> None:
    for name, job in jobs(db, TestProcessor()).items():
        assert job() >= 0, name


def test_a_failing_job_does_not_stop_the_others(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def broken(_db: Database) -> int:
        raise RuntimeError("database away")

    def recording(name: str) -> Callable[[Database, object], int]:
        def job(_db: Database, _processor: object) -> int:
            ran.append(name)
            return 0

        return job

    monkeypatch.setattr("seikyu.worker.maintenance.prune_idempotency_keys", broken)
    monkeypatch.setattr("seikyu.worker.maintenance.reconcile", recording("reconcile"))
    monkeypatch.setattr("seikyu.worker.maintenance.settle_refunds", recording("settle"))
    with caplog.at_level(logging.ERROR, logger="seikyu.worker"):
        MaintenanceThread(db, TestProcessor()).run_once()

    assert ran == ["reconcile", "settle"]
    assert "pruned expired idempotency keys failed" in caplog.text
