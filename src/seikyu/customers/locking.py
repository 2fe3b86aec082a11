"""The customer row as a lock, for changes that must happen one transaction at a time."""

from __future__ import annotations

from seikyu.core.errors import no_such
from seikyu.customers import repository
from seikyu.db.models.customers import Customer
from seikyu.db.uow import UnitOfWork


def lock(uow: UnitOfWork, customer_id: str, *, param: str | None = "customer") -> Customer:
    """The live customer, locked until the transaction ends (its balance and its invoice
    sequence are read and changed under this lock); a deleted one is missing."""
    customer = repository.locked(uow.session, uow.account_id, uow.livemode, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise no_such("customer", customer_id, param=param)
    return customer
