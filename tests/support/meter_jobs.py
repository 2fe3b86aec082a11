"""Meter event jobs as the API hands them to the ingester, and what they left stored, for
tests of the writers below the HTTP edge."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from seikyu.api import meter_event_params as params
from seikyu.api import meter_event_render as render
from seikyu.core.clock import monotonic
from seikyu.customers import service as customers
from seikyu.db.models import IdempotencyKey, RequestLog
from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.models.meter_rollups import MeterRollup
from seikyu.db.uow import Actor, Database
from seikyu.metering import meters
from seikyu.metering.domain.meter_rules import NewMeter
from seikyu.metering.ingest_jobs import Job, RequestContext
from tests.conftest import TestAccount

EVENT_NAME = "writer_calls"


def metered_customer(backend: str, db: Database, account: TestAccount) -> str:
    """A customer of the account, which has a meter (formula sum) for EVENT_NAME; skips
    on SQLite, whose writes stay in the ingester's thread."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL's writers (SQLite writes in the ingester's thread)")
    with db.unit(Actor(account.id)) as uow:
        meters.create(uow, NewMeter("Calls", EVENT_NAME, "sum"))
        return customers.create(uow, {}).id


def v1_job(db: Database, account: TestAccount, customer: str, identifier: str, key: str) -> Job:
    raw = {
        "event_name": EVENT_NAME,
        "identifier": identifier,
        "payload": {"stripe_customer_id": customer, "value": "5"},
    }
    request_id = db.ids.new("req")
    return Job(
        _context(db, account, request_id, "/v1/billing/meter_events", key, f"fp-{identifier}"),
        render.responder(request_id, lambda out: render.v1_event(out[0], False)),
        events=[params.v1_event(raw)],
    )


def stream_job(db: Database, account: TestAccount, customer: str, identifiers: list[str]) -> Job:
    raw = {
        "events": [
            {
                "event_name": EVENT_NAME,
                "identifier": identifier,
                "payload": {"stripe_customer_id": customer, "value": "5"},
            }
            for identifier in identifiers
        ]
    }
    request_id = db.ids.new("req")
    return Job(
        _context(db, account, request_id, "/v2/billing/meter_event_stream", None, None),
        render.responder(request_id, lambda _: {}, status=202),
        events=params.v2_stream(raw),
        strict=False,
    )


def _context(
    db: Database,
    account: TestAccount,
    request_id: str,
    path: str,
    key: str | None,
    fingerprint: str | None,
) -> RequestContext:
    return RequestContext(
        request_id=request_id,
        account_id=account.id,
        livemode=False,
        api_key_id=None,
        method="POST",
        path=path,
        received=db.clock.now(),
        started=monotonic(),
        idempotency_key=key,
        fingerprint=fingerprint,
    )


def stored(db: Database, customer: str) -> tuple[int, int, int]:
    """Events stored for the customer, their total value, and the rollups' total."""
    with db.unit(readonly=True) as uow:
        count, total = uow.session.execute(
            select(func.count(), func.coalesce(func.sum(MeterEvent.value), 0)).where(
                MeterEvent.customer_id == customer
            )
        ).one()
        rolled = uow.session.scalar(
            select(func.coalesce(func.sum(MeterRollup.sum_value), 0)).where(
                MeterRollup.customer_id == customer
            )
        )
    return int(count), int(total), int(rolled or 0)


def logged(db: Database, account: TestAccount) -> int:
    with db.unit(readonly=True) as uow:
        return int(
            uow.session.scalar(select(func.count()).where(RequestLog.account_id == account.id)) or 0
        )


def kept_status(db: Database, account: TestAccount, key: str) -> int | None:
    with db.unit(readonly=True) as uow:
        return uow.session.scalar(
            select(IdempotencyKey.status).where(
                IdempotencyKey.account_id == account.id, IdempotencyKey.key == key
            )
        )
