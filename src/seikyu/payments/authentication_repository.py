"""SQL for finding an intent from the 3D Secure page, which has no account to scope by."""

from __future__ import annotations

from sqlalchemy.orm import Session

from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.setup_intents import SetupIntent


def intent_by_id(session: Session, intent_id: str) -> PaymentIntent | SetupIntent | None:
    if intent_id.startswith("seti_"):
        return session.get(SetupIntent, intent_id)
    return session.get(PaymentIntent, intent_id)
