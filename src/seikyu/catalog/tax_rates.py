"""Tax rate use cases: create, update, look up, list.

A tax rate's percentage and inclusiveness never change once created: invoices that used
it must keep meaning the same thing. Archive it (`active=false`) and create another.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from seikyu.catalog import tax_rate_repository as repository
from seikyu.catalog import tax_rate_rules as rules
from seikyu.core import metadata
from seikyu.core.errors import no_such
from seikyu.db.models.tax_rates import TaxRate
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork


class TaxRateFields(TypedDict, total=False):
    """Fields a request may set; a None value clears an optional field."""

    display_name: str
    percentage: Decimal
    inclusive: bool
    active: bool
    country: str | None
    description: str | None
    jurisdiction: str | None
    state: str | None
    tax_type: str | None
    metadata: dict[str, str] | None


def create(uow: UnitOfWork, fields: TaxRateFields) -> TaxRate:
    percentage = rules.check_percentage(fields["percentage"])
    tax_rate = TaxRate(
        id=uow.new_id("txr"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        display_name=fields["display_name"],
        description=fields.get("description"),
        jurisdiction=fields.get("jurisdiction"),
        country=rules.check_country(fields.get("country")),
        state=rules.check_state(fields.get("state")),
        tax_type=rules.check_tax_type(fields.get("tax_type")),
        percentage=percentage,
        inclusive=fields["inclusive"],
        active=fields.get("active", True),
        metadata_=metadata.initial(fields.get("metadata")),
    )
    repository.add(uow.session, tax_rate)
    uow.emit("tax_rate.created", tax_rate)
    return tax_rate


def update(uow: UnitOfWork, tax_rate_id: str, fields: TaxRateFields) -> TaxRate:
    tax_rate = get(uow, tax_rate_id)
    # Validate everything before touching the row: a refused update changes nothing.
    country = rules.check_country(fields.get("country"))
    state = rules.check_state(fields.get("state"))
    tax_type = rules.check_tax_type(fields.get("tax_type"))
    uow.before_update("tax_rate.updated", tax_rate)
    if "display_name" in fields:
        tax_rate.display_name = fields["display_name"]
    if "active" in fields:
        tax_rate.active = fields["active"]
    if "description" in fields:
        tax_rate.description = fields["description"]
    if "jurisdiction" in fields:
        tax_rate.jurisdiction = fields["jurisdiction"]
    if "country" in fields:
        tax_rate.country = country
    if "state" in fields:
        tax_rate.state = state
    if "tax_type" in fields:
        tax_rate.tax_type = tax_type
    if "metadata" in fields:
        tax_rate.metadata_ = metadata.merge(tax_rate.metadata_, fields["metadata"])
    return tax_rate


def get(uow: UnitOfWork, tax_rate_id: str, *, param: str | None = "id") -> TaxRate:
    tax_rate = find(uow, tax_rate_id)
    if tax_rate is None:
        raise no_such("tax_rate", tax_rate_id, param=param)
    return tax_rate


def find(uow: UnitOfWork, tax_rate_id: str) -> TaxRate | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, tax_rate_id)


def page(
    uow: UnitOfWork, window: Window, *, active: bool | None, inclusive: bool | None
) -> Page[TaxRate]:
    return repository.page(
        uow.session, uow.account_id, uow.livemode, window, active=active, inclusive=inclusive
    )
