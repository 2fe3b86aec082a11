"""SQL for events."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from seikyu.db.models import Event
from seikyu.db.pagination import Page, Window, paginate


def add_all(session: Session, events: list[Event]) -> None:
    session.add_all(events)


def get(session: Session, account_id: str, livemode: bool, event_id: str) -> Event | None:
    return session.scalar(
        select(Event).where(
            Event.id == event_id, Event.account_id == account_id, Event.livemode == livemode
        )
    )


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    types: list[str] | None = None,
    object_id: str | None = None,
) -> Page[Event]:
    stmt = select(Event).where(Event.account_id == account_id, Event.livemode == livemode)
    if types:
        exact = [t for t in types if "*" not in t]
        wildcards = [t[:-1] for t in types if t.endswith("*")]
        conditions: list[ColumnElement[bool]] = [Event.type.in_(exact)] if exact else []
        conditions += [Event.type.startswith(prefix, autoescape=True) for prefix in wildcards]
        stmt = stmt.where(or_(*conditions))
    if object_id is not None:
        stmt = stmt.where(Event.object_id == object_id)
    return paginate(session, stmt, Event.id, Event.created, window)
