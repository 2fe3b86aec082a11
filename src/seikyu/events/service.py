"""Events: every state change is written as an event in the transaction that made it."""

from __future__ import annotations

from typing import Any

from seikyu.core.api_version import API_VERSION
from seikyu.core.errors import no_such
from seikyu.db.models import Event
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import PendingEvent, UnitOfWork
from seikyu.events import delivery_status, endpoint_repository, endpoints, event_types, repository


def record(uow: UnitOfWork, pending: list[PendingEvent]) -> None:
    """The unit of work's event sink: render each object and write its event row, and
    with it one delivery to each enabled endpoint subscribed to its type."""
    rows = []
    # Nothing changes while the events are written: an object several events carry (an
    # invoice created, finalized and paid in one transaction) is rendered once.
    rendered: dict[int, dict[str, Any]] = {}
    for item in pending:
        current = item.snapshot
        if current is None:
            current = rendered.get(id(item.entity))
            if current is None:
                current = rendered[id(item.entity)] = uow.render(item.entity)
        data: dict[str, Any] = {"object": current}
        if item.before is not None:
            previous = previous_attributes(item.before, current)
            if not previous:
                continue  # nothing visible changed: no event
            data["previous_attributes"] = previous
        actor = uow.actor
        rows.append(
            Event(
                id=uow.new_id("evt"),
                account_id=uow.account_id,
                livemode=uow.livemode,
                created=uow.now,
                type=item.type,
                api_version=API_VERSION,
                object_id=current.get("id"),
                data=data,
                request_id=actor.request_id if actor else None,
                idempotency_key=actor.idempotency_key if actor else None,
                pending_webhooks=0,
            )
        )
    if rows:
        _owe_deliveries(uow, rows)
    repository.add_all(uow.session, rows)


def _owe_deliveries(uow: UnitOfWork, rows: list[Event]) -> None:
    """Write the deliveries in the events' transaction, so that an event is never written
    without them nor they without it, and set each event's `pending_webhooks`."""
    subscribed = endpoints.subscriptions(uow)
    if not subscribed:
        return
    # Real time, not `uow.now`: under a test clock that is simulated, and the delivery
    # worker runs in real time.
    due = uow.real_now()
    deliveries: list[dict[str, Any]] = []
    for event in rows:
        owed = [
            endpoint_id
            for endpoint_id, enabled in subscribed
            if event_types.matches(enabled, event.type)
        ]
        event.pending_webhooks = len(owed)
        deliveries.extend(
            {
                "id": uow.new_id(delivery_status.DELIVERY_PREFIX),
                "account_id": event.account_id,
                "livemode": event.livemode,
                "created": due,
                "event_id": event.id,
                "endpoint_id": endpoint_id,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": due,
                "claimed_until": None,
                "last_attempt_at": None,
                "last_status_code": None,
            }
            for endpoint_id in owed
        )
    endpoint_repository.add_deliveries(uow.session, deliveries)


def previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Old values of the top-level fields that changed; for hashes, of the changed keys."""
    changed: dict[str, Any] = {}
    for key, old in before.items():
        new = after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and key == "metadata":
            changed[key] = {k: old.get(k) for k in set(old) | set(new) if old.get(k) != new.get(k)}
        else:
            changed[key] = old
    return changed


def get(uow: UnitOfWork, event_id: str) -> Event:
    event = repository.get(uow.session, uow.account_id, uow.livemode, event_id)
    if event is None:
        raise no_such("event", event_id)
    return event


def find(uow: UnitOfWork, event_id: str) -> Event | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, event_id)


def page(
    uow: UnitOfWork,
    window: Window,
    *,
    types: list[str] | None,
    object_id: str | None = None,
    delivery_success: bool | None = None,
) -> Page[Event]:
    """Events newest first; `types` are exact names or patterns with `*` wildcards."""
    return repository.page(
        uow.session,
        uow.account_id,
        uow.livemode,
        window,
        types=types,
        object_id=object_id,
        delivery_success=delivery_success,
    )


def caused_by(uow: UnitOfWork, request_id: str, limit: int) -> list[Event]:
    """The first `limit` events the request recorded, oldest first."""
    return repository.caused_by(uow.session, uow.account_id, uow.livemode, request_id, limit)
