"""Tax rates kept as ids on subscriptions, their items and invoices, loaded for showing.

Stripe shows these fields as whole tax rate objects. They are loaded through the session
that loaded the object being shown, whose identity map keeps each rate once, so a page of
subscriptions sharing two rates costs two lookups.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import object_session

from seikyu.db.models.tax_rates import TaxRate


def of(owner: object, ids: Sequence[str] | None) -> list[TaxRate]:
    """The rates with `ids`, in order, through `owner`'s session."""
    if not ids:
        return []
    session = object_session(owner)
    if session is None:
        raise RuntimeError(f"{type(owner).__name__} is not attached to a session")
    rates = [session.get(TaxRate, rate_id) for rate_id in ids]
    return [rate for rate in rates if rate is not None]
