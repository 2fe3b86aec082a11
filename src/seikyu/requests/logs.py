"""Reading the request log: an account's own lines, filtered, newest first, and the events
each request caused."""

from __future__ import annotations

from datetime import datetime

from seikyu.core.errors import no_such
from seikyu.db.models import Event, RequestLog
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.events import service as events
from seikyu.requests import repository
from seikyu.requests.repository import LogFilter

# One request causes a handful of events; a cap keeps a pathological one from making its
# log line unbounded.
MAX_EVENTS_SHOWN = 100

__all__ = ["MAX_EVENTS_SHOWN", "LogFilter", "events_caused", "find", "get", "page", "prune"]


def page(uow: UnitOfWork, window: Window, where: LogFilter) -> Page[RequestLog]:
    return repository.page_logs(uow.session, uow.account_id, uow.livemode, window, where)


def find(uow: UnitOfWork, request_id: str) -> RequestLog | None:
    return repository.find_log(uow.session, uow.account_id, uow.livemode, request_id)


def get(uow: UnitOfWork, request_id: str) -> RequestLog:
    found = find(uow, request_id)
    if found is None:
        raise no_such("request_log", request_id)
    return found


def events_caused(uow: UnitOfWork, request_id: str) -> list[Event]:
    """The first events the request recorded, oldest first; events past the retention
    period are gone, so an old request may show fewer than it caused."""
    return events.caused_by(uow, request_id, MAX_EVENTS_SHOWN)


def prune(uow: UnitOfWork, older_than: datetime, limit: int) -> int:
    """Delete up to `limit` of the oldest lines written before `older_than`, every account's.

    A line's `created` is the server's real time (never a test clock's), so it tells age.
    """
    return repository.delete_logs(
        uow.session, repository.oldest_log_ids(uow.session, older_than, limit)
    )
