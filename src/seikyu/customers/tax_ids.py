"""Tax ID use cases: add to a customer or to the account itself, look up, list, delete.

A tax ID belongs to a customer (`owner.type=customer`) or to the account (`owner.type=self`,
the seller's own registration number, e.g. Japan's T-number printed on qualified invoices).
Tax IDs are immutable: to change one, delete it and add another.
"""

from __future__ import annotations

from dataclasses import dataclass

from seikyu.core.errors import SeikyuError, no_such
from seikyu.customers import repository as customers
from seikyu.customers import tax_id_repository as repository
from seikyu.customers.tax_id_formats import TYPES, check, country_of
from seikyu.customers.tax_id_verification import initial_verification, magic_number
from seikyu.db.models import Customer
from seikyu.db.models.tax_ids import TaxId
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork

# Stripe's limit for an account's own tax IDs, applied to customers too.
MAX_PER_OWNER = 25


@dataclass(frozen=True)
class TaxIdData:
    """A tax ID to add, as given: `type` and `value`."""

    type: str
    value: str


def validate(uow: UnitOfWork, data: TaxIdData, *, param_prefix: str = "") -> str | None:
    """Check `data` and return its country; raise Stripe's error naming the bad param.

    `param_prefix` places the params in the request, e.g. "tax_id_data[0]".
    """
    type_param, value_param = _params(param_prefix)
    if data.type not in TYPES:
        raise SeikyuError(
            f"Invalid {type_param}: must be one of {', '.join(sorted(TYPES))}",
            param=type_param,
            code="parameter_invalid_enum",
        )
    result = check(data.type, data.value)
    if result.valid:
        return result.country
    if not uow.livemode and magic_number(data.type, data.value) is not None:
        # Stripe's test-mode magic values need not have the type's shape (an ABN has 11
        # digits, the magic numbers 9).
        return country_of(data.type, data.value)
    raise SeikyuError(f"Invalid value for {data.type}.", param=value_param, code="tax_id_invalid")


def add_to_customer(
    uow: UnitOfWork, customer: Customer, items: list[TaxIdData], *, param: str = ""
) -> list[TaxId]:
    """Add tax IDs to a customer that exists; `param` names them in errors ("tax_id_data")."""
    prefixes = [f"{param}[{index}]" if param else "" for index in range(len(items))]
    countries = [
        validate(uow, item, param_prefix=prefix)
        for item, prefix in zip(items, prefixes, strict=True)
    ]
    repository.lock_owner(uow.session, uow.account_id, uow.livemode, customer.id)
    _check_room(uow, customer.id, len(items), param=param or None)
    return [
        _insert(uow, item, country, customer_id=customer.id)
        for item, country in zip(items, countries, strict=True)
    ]


def create_for_customer(
    uow: UnitOfWork, customer_id: str, data: TaxIdData, *, customer_param: str | None
) -> TaxId:
    customer = _active_customer(uow, customer_id, customer_param)
    return add_to_customer(uow, customer, [data])[0]


def create_for_account(uow: UnitOfWork, data: TaxIdData) -> TaxId:
    country = validate(uow, data)
    repository.lock_owner(uow.session, uow.account_id, uow.livemode, None)
    _check_room(uow, None, 1, param=None)
    return _insert(uow, data, country, customer_id=None)


def get(uow: UnitOfWork, tax_id: str, *, customer_id: str | None = None) -> TaxId:
    """A live tax ID of this account; with `customer_id`, one of that customer's."""
    found = repository.get(uow.session, uow.account_id, uow.livemode, tax_id)
    if found is None or (customer_id is not None and found.customer_id != customer_id):
        raise no_such("tax_id", tax_id)
    return found


def get_for_customer(uow: UnitOfWork, customer_id: str, tax_id: str) -> TaxId:
    _active_customer(uow, customer_id, "id")
    return get(uow, tax_id, customer_id=customer_id)


def first_page_of(uow: UnitOfWork, customer_id: str, limit: int = 10) -> Page[TaxId]:
    """The newest tax IDs of a customer, for embedding in it (a deleted customer has none)."""
    return repository.page(
        uow.session, uow.account_id, uow.livemode, Window(limit=limit), customer_id=customer_id
    )


def find(uow: UnitOfWork, tax_id: str) -> TaxId | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, tax_id)


def delete(uow: UnitOfWork, tax_id: str, *, customer_id: str | None = None) -> TaxId:
    if customer_id is not None:
        _active_customer(uow, customer_id, "id")
    found = get(uow, tax_id, customer_id=customer_id)
    if found.customer_id is not None:
        uow.emit_now("customer.tax_id.deleted", found)
    found.deleted_at = uow.now
    return found


def page_for_customer(
    uow: UnitOfWork, customer_id: str, window: Window, *, customer_param: str | None = "id"
) -> Page[TaxId]:
    _active_customer(uow, customer_id, customer_param)
    return repository.page(
        uow.session, uow.account_id, uow.livemode, window, customer_id=customer_id
    )


def page_for_account(uow: UnitOfWork, window: Window) -> Page[TaxId]:
    return repository.page(uow.session, uow.account_id, uow.livemode, window, customer_id=None)


def _params(prefix: str) -> tuple[str, str]:
    if not prefix:
        return "type", "value"
    return f"{prefix}[type]", f"{prefix}[value]"


def _active_customer(uow: UnitOfWork, customer_id: str, param: str | None) -> Customer:
    customer = customers.get(uow.session, uow.account_id, uow.livemode, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise no_such("customer", customer_id, param=param)
    return customer


def _check_room(
    uow: UnitOfWork, customer_id: str | None, adding: int, *, param: str | None
) -> None:
    present = repository.count(uow.session, uow.account_id, uow.livemode, customer_id=customer_id)
    if present + adding > MAX_PER_OWNER:
        owner = "A customer" if customer_id is not None else "An account"
        raise SeikyuError(
            f"{owner} can have at most {MAX_PER_OWNER} tax IDs; it has {present} and this "
            f"request adds {adding}. Delete one before adding another.",
            param=param,
        )


def _insert(
    uow: UnitOfWork, data: TaxIdData, country: str | None, *, customer_id: str | None
) -> TaxId:
    verification = initial_verification(data.type, data.value, livemode=uow.livemode)
    tax_id = TaxId(
        id=uow.new_id("txi"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        owner_type="self" if customer_id is None else "customer",
        customer_id=customer_id,
        type=data.type,
        value=data.value.strip(),
        country=country,
        verification_status=verification.status.value,
        verified_name=verification.verified_name,
        verified_address=verification.verified_address,
        deleted_at=None,
    )
    repository.add(uow.session, tax_id)
    if customer_id is not None:
        uow.emit("customer.tax_id.created", tax_id)
    return tax_id
