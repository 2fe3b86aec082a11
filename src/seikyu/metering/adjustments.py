"""Canceling a meter event: it stops counting, in its raw row and in its hour's rollup."""

from __future__ import annotations

from typing import Any

from seikyu.core.clock import to_unix
from seikyu.core.errors import invalid
from seikyu.db.models.meter_event_adjustments import MeterEventAdjustment
from seikyu.db.uow import UnitOfWork
from seikyu.metering import ingest_repository as repo
from seikyu.metering import usage_repository
from seikyu.metering.domain.aggregation import HOUR, Formula, hour_floor
from seikyu.metering.domain.ingest_rules import CANCEL_WINDOW, Naming


def cancel(uow: UnitOfWork, event_name: str, identifier: str, naming: Naming) -> dict[str, Any]:
    """Cancel the event with `identifier`, received less than 24 hours ago (real time: a
    test clock does not stretch the window). Returns the adjustment's fields."""
    session = uow.session
    param = naming("cancel", "identifier")
    event = repo.event_to_cancel(session, uow.account_id, uow.livemode, identifier)
    if event is None:
        raise invalid(f"No meter event with identifier '{identifier}' was found.", param=param)
    if event.canceled:
        raise invalid(f"The meter event '{identifier}' is already canceled.", param=param)
    # `uow.now` is the real time the request was received (the ingester sets it so).
    if event.received < to_unix(uow.now) - CANCEL_WINDOW:
        raise invalid(
            f"The meter event '{identifier}' was received more than 24 hours ago; only "
            "events received in the last 24 hours can be canceled.",
            param=param,
        )
    if repo.event_name_of_meter(session, event.meter_id) != event_name:
        raise invalid(
            f"The meter event '{identifier}' was not reported with event_name '{event_name}'.",
            param=naming("event_name"),
        )
    event.canceled = True
    session.flush()
    bucket = hour_floor(event.timestamp)
    rest = usage_repository.raw_usage(
        session, event.meter_id, event.customer_id, bucket, bucket + HOUR, Formula.LAST
    )
    repo.take_from_rollup(session, event, bucket, rest)
    adjustment = MeterEventAdjustment(
        id=uow.new_id("mtrevtadj"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        event_name=event_name,
        type="cancel",
        identifier=identifier,
        status="complete",
    )
    session.add(adjustment)
    return {
        "id": adjustment.id,
        "created": adjustment.created,
        "event_name": event_name,
        "identifier": identifier,
        "livemode": uow.livemode,
        "status": adjustment.status,
        "type": adjustment.type,
    }
