"""The job that settles journaled processor calls whose outcome nobody recorded.

Such a call was sent by a request that then rolled back or died (see processor_journal).
Each one is sent again under its own idempotency key, so the processor answers with what it
did the first time, and then:

- an authorization: money it moved is given back (an authorization canceled, a charge
  refunded), because the customer was never told the payment went through; the intent's
  attempt number moves past the lost attempt, so that a later confirmation is a new attempt
  and not a replay of the reversed one;
- a capture or a cancel: applied to the intent if it still waits for it;
- a refund: recorded, as the lost request would have recorded it, if the charge still has
  that much to refund.

Each call is settled in a unit of its own, locking the intent before the journal row, the
same order a confirmation takes, so a confirmation retried at that moment and the job never
deadlock and never both act.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.processor_calls import ProcessorCall
from seikyu.db.uow import Actor, Database, UnitOfWork
from seikyu.payments import payment_intent_repository as intents
from seikyu.payments import payment_intents, refunds
from seikyu.payments import processor_call_repository as repository
from seikyu.payments.domain.processor import CardRequest, OutcomeStatus, Processor

log = logging.getLogger("seikyu.worker")

# Longer than any request takes, so a call still on its way is not taken for a lost one.
GRACE = timedelta(minutes=2)


def reconcile(
    db: Database,
    processor: Processor,
    *,
    limit: int = 100,
) -> int:
    """One pass over the calls left unsettled for longer than GRACE; returns how many it
    settled. Safe to run in several processes at once."""
    with db.unit(readonly=True) as uow:
        keys = repository.open_keys(uow.session, uow.now - GRACE, limit)
    settled = 0
    for key in keys:
        try:
            with db.unit() as uow:
                if _settle_one(uow, processor, key):
                    settled += 1
        except Exception:
            log.exception("could not reconcile processor call %s; next pass retries", key)
    return settled


def _settle_one(uow: UnitOfWork, processor: Processor, key: str) -> bool:
    peek = repository.get(uow.session, key)
    if peek is None or peek.settled:
        return False
    uow.actor = Actor(peek.account_id, peek.livemode)
    intent = None
    if peek.operation in ("authorize", "capture", "cancel"):
        intent = intents.get(
            uow.session, peek.account_id, peek.livemode, peek.subject_id, for_update=True
        )
    elif peek.operation == "refund":
        refunds.lock_charge(uow, peek.request["charge"])
    call = repository.get(uow.session, key, for_update=True)
    if call is None or call.settled:
        return False  # settled meanwhile: by the request retried, or another worker
    match call.operation:
        case "authorize":
            resolution = _authorization(uow, processor, call, intent)
        case "capture" | "cancel":
            resolution = _capture_or_cancel(uow, processor, call, intent)
        case "refund":
            outcome = processor.refund(call.request["reference"], call.request["amount"], key)
            resolution = refunds.recover(uow, call.subject_id, call.request, outcome)
        case _:
            resolution = "unrecorded"
    repository.settle(uow.session, key, resolution, uow.now)
    log.warning("reconciled processor call %s (%s): %s", key, call.operation, resolution)
    return True


def _authorization(
    uow: UnitOfWork, processor: Processor, call: ProcessorCall, intent: PaymentIntent | None
) -> str:
    request = CardRequest(**call.request)
    outcome = processor.authorize(request)
    if intent is not None:
        payment_intents.skip_attempt(intent, call.idempotency_key)
    if outcome.status is not OutcomeStatus.SUCCEEDED or outcome.reference is None:
        return "nothing_moved"
    reversal = f"{call.idempotency_key}:reversal"
    if request.capture:
        processor.refund(outcome.reference, request.amount, reversal)
        return "refunded"
    processor.cancel(outcome.reference, reversal)
    return "released"


def _capture_or_cancel(
    uow: UnitOfWork, processor: Processor, call: ProcessorCall, intent: PaymentIntent | None
) -> str:
    reference = call.request["reference"]
    if call.operation == "capture":
        outcome = processor.capture(reference, call.request["amount"], call.idempotency_key)
    else:
        outcome = processor.cancel(reference, call.idempotency_key)
    waiting = intent is not None and intent.status == "requires_capture"
    if intent is None or not waiting or outcome.status is not OutcomeStatus.SUCCEEDED:
        return "nothing_to_apply"
    if call.operation == "capture":
        payment_intents.record_capture(uow, intent, call.request["amount"])
    else:
        payment_intents.record_cancel(uow, intent, "abandoned")
    return "applied"
