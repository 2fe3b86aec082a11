"""3D Secure for both kinds of intent: finding one from its page, and completing or failing it.

The page is the customer's, not the integration's: it carries no API key, so the intent is
found by its id alone and the customer proves the right to it with the client secret, which
only the integration and the customer it gave it to know.
"""

from __future__ import annotations

import hmac

from seikyu.core.errors import SeikyuError, no_such
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.setup_intents import SetupIntent
from seikyu.db.uow import UnitOfWork
from seikyu.payments import authentication_repository as repository
from seikyu.payments import payment_intents, setup_intents
from seikyu.payments.domain.authentication import return_url_of
from seikyu.payments.domain.processor import Processor

Intent = PaymentIntent | SetupIntent


def for_customer(uow: UnitOfWork, intent_id: str, client_secret: str) -> Intent | None:
    """The intent the page link names, if the secret is its own; None for any mismatch."""
    intent = repository.intent_by_id(uow.session, intent_id)
    if intent is None or not hmac.compare_digest(intent.client_secret, client_secret):
        return None
    return intent


def waiting(intent: Intent) -> bool:
    """Whether the customer still has an authentication to complete or fail."""
    return intent.status == "requires_action"


def return_url(intent: Intent) -> str | None:
    return return_url_of(intent.next_action)


def authenticate(
    uow: UnitOfWork, processor: Processor, intent_id: str, *, completed: bool
) -> Intent:
    """Complete (`completed`) or fail the pending authentication of a payment or setup."""
    if intent_id.startswith("seti_"):
        return setup_intents.authenticate(uow, processor, intent_id, completed=completed)
    if intent_id.startswith("pi_"):
        return payment_intents.authenticate(uow, processor, intent_id, completed=completed)
    raise no_such("payment_intent", intent_id)


def require_test_mode(uow: UnitOfWork) -> None:
    if uow.livemode:
        raise SeikyuError(
            "Test helpers can only be used with a test mode API key.", code="livemode_mismatch"
        )
