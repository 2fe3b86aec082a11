"""Account-wide settings that change how amounts are computed.

Tax rounding: Stripe rounds manual tax rates per line item by default, and lets an
account round once per rate after subtotaling instead (Japan's qualified invoices require
it). The rounding direction at that level is the account's choice too: round down, half up
or up, the three Japanese businesses use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from seikyu.accounts import repository
from seikyu.core.errors import Kind, SeikyuError
from seikyu.core.ids import random_token
from seikyu.db.uow import UnitOfWork

TAX_LEVELS = ("line_item", "invoice")
TAX_ROUNDINGS = ("down", "half_up", "up")


@dataclass(frozen=True)
class TaxRounding:
    level: str = "line_item"
    rounding: str = "half_up"


def tax_rounding(uow: UnitOfWork, account_id: str) -> TaxRounding:
    account = repository.get_account(uow.session, account_id)
    if account is None:
        raise SeikyuError(f"No such account: '{account_id}'", kind=Kind.NOT_FOUND)
    stored = account.settings.get("tax_rounding") or {}
    return TaxRounding(**stored)


def set_tax_rounding(
    uow: UnitOfWork, account_id: str, *, level: str | None = None, rounding: str | None = None
) -> TaxRounding:
    """Change either part of the setting; the other keeps its current value."""
    current = tax_rounding(uow, account_id)
    if level is not None and level not in TAX_LEVELS:
        raise SeikyuError(f"Invalid level: must be one of {', '.join(TAX_LEVELS)}", param="level")
    if rounding is not None and rounding not in TAX_ROUNDINGS:
        raise SeikyuError(
            f"Invalid rounding: must be one of {', '.join(TAX_ROUNDINGS)}", param="rounding"
        )
    updated = TaxRounding(level or current.level, rounding or current.rounding)
    account = repository.get_account(uow.session, account_id)
    assert account is not None  # tax_rounding above found it
    # A new dict, not an in-place change: the JSON column only notices reassignment.
    account.settings = {
        **account.settings,
        "tax_rounding": {"level": updated.level, "rounding": updated.rounding},
    }
    return updated


def card_fingerprint_key(uow: UnitOfWork, account_id: str) -> bytes:
    """The account's secret for card fingerprints, made on first use.

    A keyed hash lets an account recognise a card it has seen without anyone being able
    to test guesses of card numbers against stored fingerprints.
    """
    account = repository.get_account(uow.session, account_id)
    if account is None:
        raise SeikyuError(f"No such account: '{account_id}'", kind=Kind.NOT_FOUND)
    key = account.settings.get("card_fingerprint_key")
    if key is None:
        # Two first uses at once must agree on one key: lock the row and look again.
        account = repository.lock_account(uow.session, account_id)
        key = account.settings.get("card_fingerprint_key")
        if key is None:
            key = random_token(43)
            account.settings = {**account.settings, "card_fingerprint_key": key}
    return str(key).encode()


@dataclass(frozen=True)
class InvoiceSettings:
    """How the account numbers and labels its invoices.

    `numbering` is "customer" (each customer its own prefix and sequence, Stripe's default)
    or "account" (one prefix and sequence for all customers). `registration_number` is the
    issuer's number under Japan's qualified invoice system (T and 13 digits); with
    `qualified_invoice` on, invoices round tax once per rate and show it.
    """

    numbering: str = "customer"
    prefix: str | None = None
    next_sequence: int = 1
    qualified_invoice: bool = False
    registration_number: str | None = None


def invoice_settings(uow: UnitOfWork, account_id: str, *, lock: bool = False) -> InvoiceSettings:
    account = (
        repository.lock_account(uow.session, account_id)
        if lock
        else repository.get_account(uow.session, account_id)
    )
    if account is None:
        raise SeikyuError(f"No such account: '{account_id}'", kind=Kind.NOT_FOUND)
    return InvoiceSettings(**(account.settings.get("invoice_settings") or {}))


def set_invoice_settings(uow: UnitOfWork, account_id: str, updated: InvoiceSettings) -> None:
    """Store the settings; the caller has checked them (and holds the account lock when it
    consumed a number)."""
    account = repository.lock_account(uow.session, account_id)
    account.settings = {**account.settings, "invoice_settings": asdict(updated)}
