"""test_helpers.test_clock -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import deleted_stub, ts
from seikyu.db.models.test_clocks import TestClock

OBJECT = "test_helpers.test_clock"


def render_test_clock(clock: TestClock) -> dict[str, Any]:
    if clock.deleted_at is not None:
        return deleted_stub(clock.id, OBJECT)
    details: dict[str, Any] = {}
    if clock.status == "advancing":
        details["advancing"] = {"target_frozen_time": ts(clock.target_frozen_time)}
    return {
        "id": clock.id,
        "object": OBJECT,
        "created": ts(clock.created),
        "deletes_after": ts(clock.deletes_after),
        "frozen_time": ts(clock.frozen_time),
        "livemode": clock.livemode,
        "name": clock.name,
        "status": clock.status,
        "status_details": details,
    }
