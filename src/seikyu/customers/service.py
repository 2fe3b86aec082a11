"""Customer use cases: create, update, delete, look up, search."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any, TypedDict

from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, no_such
from seikyu.customers import balance_transactions, repository, rules, tax_ids
from seikyu.customers.tax_ids import TaxIdData
from seikyu.db.models import Customer
from seikyu.db.pagination import Page, Window
from seikyu.db.search import SearchQueryLike
from seikyu.db.uow import UnitOfWork

_PREFIX_ALPHABET = "0123456789ABCDEF"


class CustomerFields(TypedDict, total=False):
    """Fields a request may set; a None value clears the field."""

    email: str | None
    name: str | None
    business_name: str | None
    individual_name: str | None
    phone: str | None
    description: str | None
    address: dict[str, Any] | None
    shipping: dict[str, Any] | None
    balance: int
    invoice_prefix: str
    next_invoice_sequence: int
    invoice_settings: dict[str, Any] | None
    preferred_locales: list[str] | None
    tax_exempt: str
    metadata: dict[str, str] | None


EMPTY_INVOICE_SETTINGS: dict[str, Any] = {
    "custom_fields": None,
    "default_payment_method": None,
    "footer": None,
    "rendering_options": None,
}


def create(
    uow: UnitOfWork,
    fields: CustomerFields,
    *,
    tax_id_data: Sequence[TaxIdData] = (),
    test_clock: str | None = None,
) -> Customer:
    """A new customer, with its tax IDs; nothing is written unless everything is valid.
    `test_clock` is a clock the caller has checked has room for it."""
    _check_fields(fields, creating=True)
    for index, item in enumerate(tax_id_data):
        tax_ids.validate(uow, item, param_prefix=f"tax_id_data[{index}]")
    if len(tax_id_data) > tax_ids.MAX_PER_OWNER:
        raise SeikyuError(
            f"A customer can have at most {tax_ids.MAX_PER_OWNER} tax IDs.",
            param="tax_id_data",
        )
    prefix = fields.get("invoice_prefix")
    if prefix:
        _check_prefix_free(uow, prefix)
    else:
        prefix = _new_prefix(uow)
    customer = Customer(
        id=uow.new_id("cus"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        email=fields.get("email"),
        name=fields.get("name"),
        business_name=fields.get("business_name"),
        individual_name=fields.get("individual_name"),
        phone=fields.get("phone"),
        description=fields.get("description"),
        address=fields.get("address"),
        shipping=fields.get("shipping"),
        # No transaction records this balance: a new customer has no currency yet, and the
        # first transaction that gives it one records it as `initial`.
        balance=fields.get("balance") or 0,
        currency=None,
        invoice_prefix=prefix,
        next_invoice_sequence=fields.get("next_invoice_sequence") or 1,
        invoice_settings=merge_invoice_settings(
            EMPTY_INVOICE_SETTINGS, fields.get("invoice_settings")
        ),
        preferred_locales=fields.get("preferred_locales") or [],
        tax_exempt=fields.get("tax_exempt") or "none",
        delinquent=False,
        test_clock=test_clock,
        metadata_=metadata.initial(fields.get("metadata")),
        deleted_at=None,
    )
    repository.add(uow.session, customer)
    uow.emit("customer.created", customer)
    if tax_id_data:
        tax_ids.add_to_customer(uow, customer, list(tax_id_data), param="tax_id_data")
    return customer


def update(uow: UnitOfWork, customer_id: str, fields: CustomerFields) -> Customer:
    """Update a customer. A default payment method named in `invoice_settings` must have
    been checked by the caller to be attached to this customer (the payments context owns
    payment methods)."""
    customer = get_active(uow, customer_id)
    _check_fields(fields, creating=False)
    uow.before_update("customer.updated", customer)
    for name in (
        "email",
        "name",
        "business_name",
        "individual_name",
        "phone",
        "description",
        "address",
        "shipping",
    ):
        if name in fields:
            setattr(customer, name, fields[name])
    if "balance" in fields:
        balance_transactions.set_balance(uow, customer.id, fields["balance"])
    if "tax_exempt" in fields:
        customer.tax_exempt = fields["tax_exempt"] or "none"
    if "preferred_locales" in fields:
        customer.preferred_locales = fields["preferred_locales"] or []
    if "invoice_prefix" in fields and fields["invoice_prefix"] != customer.invoice_prefix:
        _check_prefix_free(uow, fields["invoice_prefix"])
        customer.invoice_prefix = fields["invoice_prefix"]
    if "next_invoice_sequence" in fields:
        customer.next_invoice_sequence = fields["next_invoice_sequence"]
    if "invoice_settings" in fields:
        customer.invoice_settings = merge_invoice_settings(
            customer.invoice_settings, fields["invoice_settings"]
        )
    if "metadata" in fields:
        customer.metadata_ = metadata.merge(customer.metadata_, fields["metadata"])
    return customer


def delete(uow: UnitOfWork, customer_id: str) -> Customer:
    customer = get_active(uow, customer_id)
    uow.emit_now("customer.deleted", customer)
    customer.deleted_at = uow.now
    return customer


def get(uow: UnitOfWork, customer_id: str) -> Customer:
    """The customer, or its deleted stub: retrieving a deleted customer is not an error."""
    customer = repository.get(uow.session, uow.account_id, uow.livemode, customer_id)
    if customer is None:
        raise no_such("customer", customer_id)
    return customer


def get_active(uow: UnitOfWork, customer_id: str, *, param: str | None = "id") -> Customer:
    """A customer that exists and is not deleted, for anything that acts on or links to it."""
    customer = repository.get(uow.session, uow.account_id, uow.livemode, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise no_such("customer", customer_id, param=param)
    return customer


def find(uow: UnitOfWork, customer_id: str) -> Customer | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, customer_id)


def page(
    uow: UnitOfWork, window: Window, *, email: str | None, test_clock: str | None
) -> Page[Customer]:
    """Customers newest first. Like Stripe, customers on a test clock are listed only when
    that clock is asked for."""
    return repository.page(
        uow.session, uow.account_id, uow.livemode, window, email=email, test_clock=test_clock
    )


def search_fields() -> dict[str, str]:
    """The searchable fields and their kinds, to validate a parsed query against."""
    return repository.SEARCH.fields()


def search(
    uow: UnitOfWork, query: SearchQueryLike, *, offset: int, limit: int
) -> tuple[list[Customer], bool]:
    """One page of customers matching a validated query; the bool says whether more follow."""
    return repository.SEARCH.page(
        uow.session, uow.account_id, uow.livemode, query, offset=offset, limit=limit
    )


def count(uow: UnitOfWork, query: SearchQueryLike) -> int:
    return repository.SEARCH.count(uow.session, uow.account_id, uow.livemode, query)


def merge_invoice_settings(
    current: dict[str, Any], change: dict[str, Any] | None
) -> dict[str, Any]:
    """Sub-fields not named keep their value; `invoice_settings=` clears all of them."""
    if change is None:
        return dict(EMPTY_INVOICE_SETTINGS)
    merged = {**EMPTY_INVOICE_SETTINGS, **current}
    for key, value in change.items():
        if key == "rendering_options" and isinstance(value, dict):
            merged[key] = {**(merged.get(key) or {}), **value}
        else:
            merged[key] = value
    return merged


def forget_payment_method(uow: UnitOfWork, customer_id: str, payment_method_id: str) -> None:
    """A payment method left the customer: it can no longer be the default."""
    customer = find(uow, customer_id)
    if customer is None:
        return
    settings = customer.invoice_settings or {}
    if settings.get("default_payment_method") == payment_method_id:
        uow.before_update("customer.updated", customer)
        customer.invoice_settings = {**settings, "default_payment_method": None}


def _check_fields(fields: CustomerFields, *, creating: bool) -> None:
    rules.check_email(fields.get("email"))
    rules.check_locales(fields.get("preferred_locales"))
    settings = fields.get("invoice_settings") or {}
    payment_method = settings.get("default_payment_method")
    if payment_method is not None and creating:
        # A customer being created has no payment method attached yet.
        raise no_such(
            "PaymentMethod", payment_method, param="invoice_settings[default_payment_method]"
        )


def _new_prefix(uow: UnitOfWork) -> str:
    for _ in range(20):
        prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(8))
        if not repository.prefix_taken(uow.session, uow.account_id, uow.livemode, prefix):
            return prefix
    raise SeikyuError("Could not allocate an invoice prefix; retry the request.")


def _check_prefix_free(uow: UnitOfWork, prefix: str) -> None:
    if repository.prefix_taken(uow.session, uow.account_id, uow.livemode, prefix):
        raise SeikyuError(
            f"Invoice prefix {prefix} is already in use by another customer.",
            param="invoice_prefix",
            code="invoice_prefix_in_use",
        )
