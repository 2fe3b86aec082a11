"""Composition root for the API: wires the database, renderers, events and routes."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from seikyu.api import registry
from seikyu.api.meter_event_edge import MeterEventEdge
from seikyu.api.meter_event_routes import MeterEventFront
from seikyu.api.pipeline import Pipeline
from seikyu.api.resources import all_routers
from seikyu.api.server import build_asgi
from seikyu.billing.reactions import billing_reactions
from seikyu.core.clock import Clock
from seikyu.db.engine import sqlite_file
from seikyu.db.sqlite_checkpoints import Checkpointer
from seikyu.db.uow import Database
from seikyu.events import service as events
from seikyu.metering.ingester import Ingester
from seikyu.metering.loop_writer import LoopWriter
from seikyu.payments.test_processor import TestProcessor
from seikyu.requests.log_writer import RequestLogWriter
from seikyu.risk import ip_geolocation, screening

# A model trained on the account's own payments (`seikyu radar train`) instead of the one
# shipped with Seikyu.
RISK_MODEL_ENV = "SEIKYU_RISK_MODEL"


def build_database(url: str, *, clock: Clock | None = None, pool_size: int = 10) -> Database:
    db = Database(url, clock=clock, pool_size=pool_size)
    db.configure(
        render=registry.render,
        event_sink=events.record,
        reactions=billing_reactions(TestProcessor()),
    )
    return db


def build_app(db: Database) -> MeterEventFront:
    """The API; it starts its request-log writer and meter event ingester on startup and
    drains them on shutdown."""
    writer = RequestLogWriter(db)
    ingester = Ingester(db)
    loop_writer = None if db.is_sqlite else LoopWriter(db, ingester)
    checkpointer = _checkpointer(db)
    _choose_risk_model()
    app = build_asgi(
        Pipeline(db, writer, TestProcessor()),
        all_routers(),
        on_startup=[
            writer.start,
            ingester.start,
            screening.warm_up,
            ip_geolocation.warm_up,
            _settle_heap,
            *([checkpointer.start] if checkpointer is not None else []),
        ],
        on_shutdown=[
            *([checkpointer.stop] if checkpointer is not None else []),
            *([loop_writer.close] if loop_writer is not None else []),
            ingester.stop,
            writer.close,
        ],
    )
    # Meter event ingestion answers its paths itself, ahead of the pipeline's routes: it
    # commits in groups rather than a transaction per request.
    return MeterEventFront(app, MeterEventEdge(db, ingester, loop_writer))


def _checkpointer(db: Database) -> Checkpointer | None:
    """The WAL's checkpoints, off the writers' path: a SQLite file's only."""
    path = sqlite_file(db.url) if db.is_sqlite else None
    return Checkpointer(path) if path is not None else None


def _settle_heap() -> None:
    """Take what startup loaded (modules, the risk model, the geolocation data: some 250,000
    objects that live as long as the process) out of the garbage collector's sight. Else
    each full collection walks them all, and under ingestion load one came every second or
    two, holding every request for 100 ms and more."""
    gc.collect()
    gc.freeze()


def _choose_risk_model() -> None:
    path = os.environ.get(RISK_MODEL_ENV)
    if not path:
        screening.use_model(None)
        return

    def load() -> screening.Model:
        from seikyu.risk.model.scorer import Scorer

        return Scorer.from_file(Path(path))

    screening.use_model(load)


def app_from_environment() -> MeterEventFront:
    """The API for one of several server processes: its database from the environment."""
    from seikyu.db.engine import database_url

    return build_app(build_database(database_url(), pool_size=10))
