"""Checking and changing an account's invoice settings (numbering, Japan's qualified
invoices); `accounts.settings` stores them."""

from __future__ import annotations

import re
from dataclasses import replace

from seikyu.accounts import settings
from seikyu.accounts.settings import InvoiceSettings
from seikyu.billing.domain.invoice_numbering import check_invoice_prefix
from seikyu.core.errors import invalid
from seikyu.db.uow import UnitOfWork

_REGISTRATION_NUMBER = re.compile(r"T\d{13}")
NUMBERINGS = ("customer", "account")


def update(
    uow: UnitOfWork,
    account_id: str,
    *,
    numbering: str | None = None,
    prefix: str | None = None,
    qualified_invoice: bool | None = None,
    registration_number: str | None = None,
) -> InvoiceSettings:
    """Change the given settings; the others keep their values."""
    current = settings.invoice_settings(uow, account_id, lock=True)
    if numbering is not None and numbering not in NUMBERINGS:
        raise invalid(
            f"Invalid numbering: must be one of {', '.join(NUMBERINGS)}", param="numbering"
        )
    if prefix is not None:
        check_invoice_prefix(prefix)
    if registration_number is not None and not _REGISTRATION_NUMBER.fullmatch(registration_number):
        raise invalid(
            "A registration number is T followed by 13 digits, e.g. T8010601046367.",
            param="registration_number",
        )
    updated = replace(
        current,
        numbering=numbering or current.numbering,
        prefix=prefix or current.prefix,
        qualified_invoice=current.qualified_invoice
        if qualified_invoice is None
        else qualified_invoice,
        registration_number=registration_number or current.registration_number,
    )
    if updated.qualified_invoice and updated.registration_number is None:
        raise invalid(
            "Qualified invoices need the issuer's registration number.",
            param="registration_number",
        )
    settings.set_invoice_settings(uow, account_id, updated)
    return updated
