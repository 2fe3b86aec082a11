"""Settling refunds: asking the processor what became of refunds that can still change.

A refund can still change while it is pending (it will succeed or fail) and for a while
after it succeeded (an issuer can return a card refund whose account was closed). One pass
asks the processor about each such refund, outside any transaction, and applies an answer
that changes something in a unit of work of its own, where the refund is locked and its
status read again. So a pass run twice, or by two processes at once, applies each answer
once; a refund that fails to settle is logged and left for the next pass.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from seikyu.db.uow import Actor, Database
from seikyu.payments import refund_repository as repository
from seikyu.payments import refunds
from seikyu.payments.domain.processor import Processor
from seikyu.payments.domain.refund_status import RefundStatus, settlement_action

log = logging.getLogger("seikyu.worker")

# How long after succeeding a card refund is still asked about. Issuers return refunds to
# closed accounts within days; a month leaves a wide margin.
FAILURE_WINDOW = timedelta(days=30)
BATCH = 100
_WAITING = (RefundStatus.PENDING.value, RefundStatus.REQUIRES_ACTION.value)


def settle_refunds(
    db: Database, processor: Processor, *, failure_window: timedelta = FAILURE_WINDOW
) -> int:
    """One pass over every account's refunds that can still change; returns how many
    changed status."""
    changed = 0
    after: str | None = None
    while True:
        with db.unit(readonly=True) as uow:
            batch = repository.unsettled(
                uow.session,
                waiting=_WAITING,
                succeeded_since=uow.now - failure_window,
                after_id=after,
                limit=BATCH,
            )
        for refund in batch:
            changed += _settle_one(db, processor, refund)
        if len(batch) < BATCH:
            return changed
        after = batch[-1].id


def _settle_one(db: Database, processor: Processor, refund: repository.Unsettled) -> int:
    try:
        answer = processor.refund_status(refund.processor_reference)
        if settlement_action(refund.status, answer.status) is None:
            return 0
        with db.unit(Actor(refund.account_id, refund.livemode)) as uow:
            return int(refunds.settle(uow, refund.id, answer))
    except Exception:
        # One refund the processor or the database cannot settle now must not stop the rest.
        log.exception("could not settle refund %s; trying again next pass", refund.id)
        return 0
