"""A processor with a memory, kept in a file so that several processes share it.

It answers like the built-in test processor, but remembers each idempotency key's first
outcome (a key sent again gets it back and moves nothing), and keeps a ledger of the money
each charge moved, so a test can check what the customer was really charged. `die_after`
names an operation after which the process kills itself, the processor having acted: the
crash the journal exists for.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from seikyu.payments.domain.processor import (
    CardRequest,
    Outcome,
    OutcomeStatus,
    SetupRequest,
)
from seikyu.payments.test_processor import TestProcessor


class LedgerProcessor:
    def __init__(self, path: Path, *, die_after: str | None = None) -> None:
        self.path = path
        self.die_after = die_after
        self._cards = TestProcessor()

    # --- what the test reads --------------------------------------------------------

    def ledger(self) -> dict[str, dict[str, int]]:
        """Per charge reference: amounts captured, refunded and still authorized."""
        with self._state() as state:
            return dict(state["ledger"])

    def net_charged(self) -> int:
        return sum(c["captured"] - c["refunded"] for c in self.ledger().values())

    def calls(self) -> list[str]:
        with self._state() as state:
            return list(state["outcomes"])

    # --- the Processor protocol -----------------------------------------------------

    def attach_check(self, card_key: str) -> Outcome:
        return self._cards.attach_check(card_key)

    def setup(self, request: SetupRequest) -> Outcome:
        return self._cards.setup(request)

    def authorize(self, request: CardRequest) -> Outcome:
        def act(ledger: dict[str, dict[str, int]]) -> Outcome:
            outcome = self._cards.authorize(request)
            if outcome.status is OutcomeStatus.SUCCEEDED and outcome.reference is not None:
                captured = request.amount if request.capture else 0
                ledger[outcome.reference] = {
                    "authorized": request.amount - captured,
                    "captured": captured,
                    "refunded": 0,
                }
            return outcome

        return self._once("authorize", request.idempotency_key, act)

    def capture(self, reference: str, amount: int, idempotency_key: str) -> Outcome:
        def act(ledger: dict[str, dict[str, int]]) -> Outcome:
            entry = ledger[reference]
            if amount > entry["authorized"]:
                raise ValueError("capture beyond the authorization")
            entry.update(authorized=0, captured=amount)
            return self._cards.capture(reference, amount, idempotency_key)

        return self._once("capture", idempotency_key, act)

    def cancel(self, reference: str, idempotency_key: str) -> Outcome:
        def act(ledger: dict[str, dict[str, int]]) -> Outcome:
            ledger[reference]["authorized"] = 0
            return Outcome(OutcomeStatus.SUCCEEDED, reference)

        return self._once("cancel", idempotency_key, act)

    def refund(self, reference: str, amount: int, idempotency_key: str) -> Outcome:
        def act(ledger: dict[str, dict[str, int]]) -> Outcome:
            entry = ledger[reference]
            if entry["refunded"] + amount > entry["captured"]:
                raise ValueError("refund beyond the captured amount")
            entry["refunded"] += amount
            return self._cards.refund(reference, amount, idempotency_key)

        return self._once("refund", idempotency_key, act)

    def __getattr__(self, name: str) -> Any:
        # Operations the test does not track (refund status and the like) answer as the
        # built-in test processor does.
        return getattr(self._cards, name)

    # --- memory -----------------------------------------------------------------------

    def _once(
        self, operation: str, key: str, act: Callable[[dict[str, dict[str, int]]], Outcome]
    ) -> Outcome:
        with self._state() as state:
            seen = state["outcomes"].get(key)
            if seen is not None:
                return _outcome(seen)
            outcome = act(state["ledger"])
            state["outcomes"][key] = asdict(outcome)
        if self.die_after == operation:
            os.kill(os.getpid(), signal.SIGKILL)
        return outcome

    @contextmanager
    def _state(self) -> Iterator[dict[str, Any]]:
        with open(self.path, "a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            text = handle.read()
            state = json.loads(text) if text else {"outcomes": {}, "ledger": {}}
            yield state
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(state))


def _outcome(data: dict[str, Any]) -> Outcome:
    return Outcome(**{**data, "status": OutcomeStatus(data["status"])})
