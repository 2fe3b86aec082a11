"""Fraud screening of card payments and card setups, between the intent and the processor.

Before a confirmation reaches the processor it is screened (`seikyu.risk.screening`):
- a block fails it at once, as a charge Radar blocked (Stripe's `card_declined` error with
  the decline code `fraudulent`; the processor never hears of it);
- a "Request 3D Secure" rule makes the customer authenticate first, and screening runs
  again on the authenticated attempt;
- a review lets it through and opens a review of the charge.
Whatever the processor then answers is kept for the velocities of later attempts. The
charge's `outcome` shows the risk level and score and the rule that decided.
"""

from __future__ import annotations

from typing import Any

from seikyu.core.clock import to_unix
from seikyu.core.money import exponent
from seikyu.customers import service as customers
from seikyu.db.models.charges import Charge
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.payment_methods import PaymentMethod
from seikyu.db.models.setup_intents import SetupIntent
from seikyu.db.uow import UnitOfWork
from seikyu.payments import payment_methods
from seikyu.payments.domain.processor import Outcome, OutcomeStatus
from seikyu.payments.domain.test_cards import RiskBehaviour, card_for_key
from seikyu.risk import disputes, early_fraud_warnings, ip_geolocation, reviews
from seikyu.risk import screening as radar
from seikyu.risk.domain.decision import DecisionReason
from seikyu.risk.domain.rule_facts import PaymentFacts
from seikyu.risk.screening import Candidate, ForcedRisk, Screening

# The scores Stripe's Radar test cards stand for: within `elevated` and `highest` at the
# default thresholds, whatever the model would say.
_FORCED = {
    RiskBehaviour.ELEVATED: ForcedRisk(70),
    RiskBehaviour.HIGHEST: ForcedRisk(90),
    RiskBehaviour.ALWAYS_BLOCKED: ForcedRisk(95, always_block=True),
}
BLOCKED_SELLER_MESSAGE = "Seikyu blocked this payment as too risky."
# The issuer of Seikyu's early fraud warning test card reports this.
TEST_FRAUD_TYPE = "made_with_stolen_card"


def screen_payment(
    uow: UnitOfWork, intent: PaymentIntent, payment_method: PaymentMethod, *, authenticated: bool
) -> Screening:
    shipping = (intent.shipping or {}).get("address") or {}
    return _screen(
        uow,
        intent.id,
        payment_method,
        customer_id=intent.customer_id,
        amount=intent.amount,
        currency=intent.currency,
        is_setup=False,
        off_session=intent.off_session,
        ip_address=intent.radar_ip_address,
        receipt_email=intent.receipt_email,
        shipping_country=shipping.get("country"),
        metadata=intent.metadata_,
        authenticated=authenticated,
    )


def screen_setup(
    uow: UnitOfWork, intent: SetupIntent, payment_method: PaymentMethod, *, authenticated: bool
) -> Screening:
    return _screen(
        uow,
        intent.id,
        payment_method,
        customer_id=intent.customer_id,
        amount=0,
        currency="usd",
        is_setup=True,
        off_session=intent.usage == "off_session",
        ip_address=intent.radar_ip_address,
        receipt_email=None,
        shipping_country=None,
        metadata=intent.metadata_,
        authenticated=authenticated,
    )


def asks_for_authentication(screening: Screening, *, authenticated: bool) -> bool:
    return screening.asks_for_three_d_secure and not authenticated


def blocked_outcome() -> Outcome:
    """The answer to a payment screening blocked: declined before the card network saw it."""
    return Outcome(
        OutcomeStatus.FAILED,
        None,
        decline_code="fraudulent",
        error_code="card_declined",
        message="Your card was declined.",
        network_status="not_sent_to_network",
        outcome_type="blocked",
        seller_message=BLOCKED_SELLER_MESSAGE,
    )


def charge_outcome(screening: Screening | None, outcome: Outcome) -> dict[str, Any]:
    """The risk part of the charge's `outcome`, and what a review or a block changes."""
    if screening is None:
        return {"risk_level": "not_assessed"}
    decision = screening.decision
    shown: dict[str, Any] = {"risk_level": decision.risk_level.value}
    if decision.risk_score is not None:
        shown["risk_score"] = decision.risk_score
    if decision.reason is DecisionReason.RULE and decision.rule is not None:
        shown["rule"] = decision.rule.id
    if screening.blocks:
        shown["reason"] = (decision.reason or DecisionReason.HIGHEST_RISK_LEVEL).value
    elif screening.reviews and outcome.status is OutcomeStatus.SUCCEEDED:
        shown["type"] = "manual_review"
        shown["reason"] = (decision.reason or DecisionReason.ELEVATED_RISK_LEVEL).value
        shown["seller_message"] = "Seikyu evaluated this payment as having elevated risk."
    return shown


def after_charge(
    uow: UnitOfWork, screening: Screening, charge: Charge, payment_method: PaymentMethod
) -> None:
    """Keep the attempt for later velocities, open a review it asked for, and raise the
    early fraud warning or open the dispute of the test card that has one."""
    if screening.blocks:
        outcome, code = "blocked", None
    elif charge.status == "succeeded":
        outcome, code = "authorized", None
    else:
        outcome, code = "declined", charge.failure_code
        decline = (charge.outcome or {}).get("reason")
        if code == "card_declined" and decline:
            code = str(decline)
    radar.record(uow, screening, outcome=outcome, decline_code=code, charge_id=charge.id)
    if charge.status != "succeeded":
        return
    if screening.reviews:
        decision = screening.decision
        reviews.open_review(
            uow,
            charge,
            reason="rule",
            rule_id=decision.rule.id if decision.rule else None,
            ip_address=screening.candidate.payment.ip_address,
        )
    test_card = card_for_key(payment_method.processor_card)
    if test_card is not None and test_card.early_fraud_warning:
        early_fraud_warnings.create_warning(uow, charge, TEST_FRAUD_TYPE)
    # A cardholder disputes money taken, so an authorization alone is never disputed: a
    # charge captured later is disputed then (`after_capture`).
    if charge.captured:
        _dispute_test_card(uow, charge, payment_method)


def after_capture(uow: UnitOfWork, charge: Charge) -> None:
    """Open the dispute of a test card whose authorization has now been captured."""
    if charge.payment_method_id is None or charge.disputed:
        return
    payment_method = payment_methods.find(uow, charge.payment_method_id)
    if payment_method is not None:
        _dispute_test_card(uow, charge, payment_method)


def _dispute_test_card(uow: UnitOfWork, charge: Charge, payment_method: PaymentMethod) -> None:
    test_card = card_for_key(payment_method.processor_card)
    if test_card is not None and test_card.dispute is not None:
        dispute = test_card.dispute
        disputes.open_dispute(uow, charge, reason=dispute.reason, inquiry=dispute.inquiry)


def after_setup(uow: UnitOfWork, screening: Screening, outcome: Outcome) -> None:
    if screening.blocks:
        result, code = "blocked", None
    elif outcome.status is OutcomeStatus.SUCCEEDED:
        result, code = "authorized", None
    else:
        result, code = "declined", outcome.decline_code or outcome.error_code
    radar.record(uow, screening, outcome=result, decline_code=code)


def _screen(
    uow: UnitOfWork,
    subject_id: str,
    payment_method: PaymentMethod,
    *,
    customer_id: str | None,
    amount: int,
    currency: str,
    is_setup: bool,
    off_session: bool,
    ip_address: str | None,
    receipt_email: str | None,
    shipping_country: str | None,
    metadata: dict[str, Any],
    authenticated: bool,
) -> Screening:
    customer = customers.find(uow, customer_id) if customer_id else None
    details = payment_method.billing_details or {}
    email = details.get("email") or (customer.email if customer else None) or receipt_email
    test_card = card_for_key(payment_method.processor_card)
    forced = _FORCED.get(test_card.risk) if test_card is not None else None
    payment = PaymentFacts(
        amount=amount,
        currency=currency,
        currency_exponent=exponent(currency),
        is_setup=is_setup,
        is_off_session=off_session,
        card_fingerprint=payment_method.card_fingerprint,
        card_bin=payment_method.card_bin,
        card_brand=payment_method.card_brand,
        card_funding=payment_method.card_funding,
        card_country=payment_method.card_country,
        cvc_check=payment_method.cvc_check,
        billing_country=(details.get("address") or {}).get("country"),
        shipping_country=shipping_country,
        ip_address=ip_address,
        ip_country=ip_geolocation.country_of(ip_address),
        email=email,
        customer_id=customer_id,
        three_d_secure_authenticated=authenticated,
    )
    candidate = Candidate(
        subject_id=subject_id,
        payment=payment,
        customer_created=to_unix(customer.created) if customer else None,
        metadata={str(k): str(v) for k, v in metadata.items()},
        customer_metadata=dict(customer.metadata_) if customer else {},
        payment_method_metadata=dict(payment_method.metadata_),
        forced=forced,
    )
    return radar.screen(uow, candidate)
