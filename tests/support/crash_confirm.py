"""Run one payment operation in this process with a processor that kills the process as
soon as it has acted: `python -m tests.support.crash_confirm URL ACCOUNT INTENT LEDGER OP`,
OP being `authorize` (confirm), `capture` or `refund` (all of the intent's charge)."""

from __future__ import annotations

import sys
from pathlib import Path

from seikyu.app import build_database
from seikyu.db.uow import Actor
from seikyu.payments import payment_intents, refunds
from seikyu.payments.payment_intents import Redirect
from tests.support.ledger_processor import LedgerProcessor


def main() -> None:
    url, account_id, intent_id, ledger, operation = sys.argv[1:6]
    db = build_database(url, pool_size=1)
    processor = LedgerProcessor(Path(ledger), die_after=operation)
    with db.unit(Actor(account_id)) as uow:
        if operation == "authorize":
            redirect = Redirect("http://localhost")
            payment_intents.confirm(uow, processor, intent_id, {}, redirect=redirect)
        elif operation == "capture":
            payment_intents.capture(uow, processor, intent_id, None)
        else:
            refunds.create(uow, processor, {"payment_intent": intent_id, "reason": "duplicate"})
    raise SystemExit("the processor should have killed this process")


if __name__ == "__main__":
    main()
