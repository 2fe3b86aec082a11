"""Calls that can move money, journaled before they are sent.

Each call is written to `processor_calls` in a transaction of its own before the processor
hears of it, and marked settled in the same transaction that records its outcome. So a row
left unsettled means the processor may have acted while Seikyu recorded nothing: the request
was rolled back, or its process died. `reconciliation` finds such rows and asks the processor
again under the same idempotency key; nothing is ever guessed.

On SQLite the journal row is written in the request's own transaction, because an open unit
holds SQLite's only write lock: a crash there leaves no row, and the next confirmation of the
intent sends the same key again instead. SQLite admits one process and suits the test
processor, which moves no real money; run PostgreSQL with a real processor.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from seikyu.db.uow import UnitOfWork
from seikyu.payments import processor_call_repository as repository
from seikyu.payments.domain.processor import CardRequest, Outcome, Processor

RECORDED = "recorded"


def authorize(
    uow: UnitOfWork, processor: Processor, intent_id: str, request: CardRequest
) -> Outcome:
    _sent(uow, "authorize", intent_id, request.idempotency_key, asdict(request))
    return _settled(uow, request.idempotency_key, processor.authorize(request))


def capture(
    uow: UnitOfWork, processor: Processor, intent_id: str, reference: str, amount: int, key: str
) -> Outcome:
    _sent(uow, "capture", intent_id, key, {"reference": reference, "amount": amount})
    return _settled(uow, key, processor.capture(reference, amount, key))


def cancel(
    uow: UnitOfWork, processor: Processor, intent_id: str, reference: str, key: str
) -> Outcome:
    _sent(uow, "cancel", intent_id, key, {"reference": reference})
    return _settled(uow, key, processor.cancel(reference, key))


def refund(
    uow: UnitOfWork,
    processor: Processor,
    refund_id: str,
    reference: str,
    amount: int,
    key: str,
    *,
    context: dict[str, Any],
) -> Outcome:
    """`context`: what reconciliation needs to record the refund if this request is lost
    (the charge id, the reason, the metadata)."""
    request = {"reference": reference, "amount": amount, **context}
    _sent(uow, "refund", refund_id, key, request)
    return _settled(uow, key, processor.refund(reference, amount, key))


def _sent(
    uow: UnitOfWork, operation: str, subject_id: str, key: str, request: dict[str, Any]
) -> None:
    values = {
        "idempotency_key": key,
        "account_id": uow.account_id,
        "livemode": uow.livemode,
        "operation": operation,
        "subject_id": subject_id,
        "request": request,
        "sent_at": uow.now,
        "settled": False,
    }
    if uow.autonomous is None:
        repository.record_sent(uow.session, values)
        return
    with uow.autonomous() as session:
        repository.record_sent(session, values)


def _settled(uow: UnitOfWork, key: str, outcome: Outcome) -> Outcome:
    repository.settle(uow.session, key, RECORDED, uow.now)
    return outcome
