"""Test clock statuses and the table that moves a clock between them: a ready clock starts
advancing; an advance ends ready, or in internal_failure when its work could not run."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from seikyu.core.errors import SeikyuError


class ClockStatus(StrEnum):
    READY = "ready"
    ADVANCING = "advancing"
    INTERNAL_FAILURE = "internal_failure"


class ClockAction(StrEnum):
    ADVANCE = "advance"
    FINISH = "finish"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Move:
    status: ClockStatus
    event: str


TRANSITIONS: dict[tuple[ClockStatus, ClockAction], Move] = {
    (ClockStatus.READY, ClockAction.ADVANCE): Move(
        ClockStatus.ADVANCING, "test_helpers.test_clock.advancing"
    ),
    (ClockStatus.ADVANCING, ClockAction.FINISH): Move(
        ClockStatus.READY, "test_helpers.test_clock.ready"
    ),
    (ClockStatus.ADVANCING, ClockAction.FAIL): Move(
        ClockStatus.INTERNAL_FAILURE, "test_helpers.test_clock.internal_failure"
    ),
}


def transition(status: ClockStatus, action: ClockAction) -> Move:
    move = TRANSITIONS.get((status, action))
    if move is None:
        raise SeikyuError(
            f"The test clock cannot {action.value} while its status is {status.value}.",
            code="test_clock_status_invalid",
        )
    return move
