"""What the account says of a charge: fraudulent (refunded as fraud, or reported), or safe.

A charge reported fraudulent puts its card and email on the default block lists, as
Radar does, so the same card or email is blocked from then on; `fraud_details` shows
the report.
"""

from __future__ import annotations

from seikyu.customers import service as customers
from seikyu.db.models.charges import Charge
from seikyu.db.uow import UnitOfWork
from seikyu.risk import value_lists

FRAUDULENT = "fraudulent"
SAFE = "safe"


def report(uow: UnitOfWork, charge: Charge, user_report: str) -> None:
    """Record the account's report on the charge; a fraudulent one feeds the block lists."""
    charge.fraud_details = {**(charge.fraud_details or {}), "user_report": user_report}
    if user_report != FRAUDULENT:
        return
    card = (charge.payment_method_details or {}).get("card") or {}
    fingerprint = card.get("fingerprint")
    if fingerprint:
        value_lists.add_to_default_block_list(uow, "card_fingerprint", str(fingerprint))
    email = _email(uow, charge)
    if email:
        value_lists.add_to_default_block_list(uow, "email", email)


def _email(uow: UnitOfWork, charge: Charge) -> str | None:
    billing = charge.billing_details or {}
    if billing.get("email"):
        return str(billing["email"])
    customer = customers.find(uow, charge.customer_id) if charge.customer_id else None
    if customer is not None and customer.email:
        return customer.email
    return charge.receipt_email
