"""Account-wide settings that change how amounts are computed.

Tax rounding: Stripe rounds manual tax rates per line item by default, and lets an
account round once per rate after subtotaling instead (Japan's qualified invoices require
it). The rounding direction at that level is the account's choice too: round down, half up
or up, the three Japanese businesses use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

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


SUBSCRIPTION_OUTCOMES = ("cancel", "unpaid", "past_due")
INVOICE_OUTCOMES = ("open", "uncollectible")
MAX_RETRIES = 8
MAX_RETRY_WINDOW_DAYS = 60


@dataclass(frozen=True)
class BillingSettings:
    """How time-driven billing runs for the account.

    A subscription's new invoice is finalized `finalization_delay_seconds` after it is
    created (Stripe's hour); where webhook endpoints take `invoice.created`, that hour counts
    from their last acknowledgement, waited for at most `webhook_wait_seconds` after the
    invoice was created (Stripe's 72 hours). A failed automatic charge is retried `retries`
    times, spread evenly over `retry_window_days` (Stripe recommends 8 tries within 2
    weeks). When the last retry fails, the subscription is canceled, marked unpaid or left
    past_due, and the invoice is left open or marked uncollectible.
    """

    finalization_delay_seconds: int = 3600
    retries: int = 8
    retry_window_days: int = 14
    subscription_after_retries: str = "cancel"
    invoice_after_retries: str = "open"
    webhook_wait_seconds: int = 72 * 3600

    def check(self) -> None:
        if not 0 <= self.finalization_delay_seconds <= 72 * 3600:
            raise SeikyuError(
                "finalization_delay_seconds must be between 0 and 259200 (72 hours).",
                param="finalization_delay_seconds",
            )
        if not 0 <= self.webhook_wait_seconds <= 72 * 3600:
            raise SeikyuError(
                "webhook_wait_seconds must be between 0 and 259200 (72 hours).",
                param="webhook_wait_seconds",
            )
        if not 0 <= self.retries <= MAX_RETRIES:
            raise SeikyuError(f"retries must be between 0 and {MAX_RETRIES}.", param="retries")
        if not 1 <= self.retry_window_days <= MAX_RETRY_WINDOW_DAYS:
            raise SeikyuError(
                f"retry_window_days must be between 1 and {MAX_RETRY_WINDOW_DAYS}.",
                param="retry_window_days",
            )
        if self.subscription_after_retries not in SUBSCRIPTION_OUTCOMES:
            raise SeikyuError(
                f"subscription_after_retries must be one of {', '.join(SUBSCRIPTION_OUTCOMES)}.",
                param="subscription_after_retries",
            )
        if self.invoice_after_retries not in INVOICE_OUTCOMES:
            raise SeikyuError(
                f"invoice_after_retries must be one of {', '.join(INVOICE_OUTCOMES)}.",
                param="invoice_after_retries",
            )


def billing_settings(uow: UnitOfWork, account_id: str) -> BillingSettings:
    account = repository.get_account(uow.session, account_id)
    if account is None:
        raise SeikyuError(f"No such account: '{account_id}'", kind=Kind.NOT_FOUND)
    return BillingSettings(**(account.settings.get("billing_settings") or {}))


def set_billing_settings(uow: UnitOfWork, account_id: str, updated: BillingSettings) -> None:
    updated.check()
    account = repository.lock_account(uow.session, account_id)
    account.settings = {**account.settings, "billing_settings": asdict(updated)}


# Radar's default: `highest` from 75, `elevated` from 65. Moving the block threshold moves
# the review threshold with it, ten points below.
DEFAULT_BLOCK_THRESHOLD = 75
REVIEW_BELOW_BLOCK = 10


@dataclass(frozen=True)
class RadarSettings:
    """How fraud screening turns a risk score into a decision."""

    # Scores from this one up are `highest`; from ten below, `elevated`.
    block_threshold: int = DEFAULT_BLOCK_THRESHOLD
    # The two built-in rules: block `highest`, review `elevated`.
    block_if_high_risk: bool = True
    review_if_elevated_risk: bool = True

    @property
    def review_threshold(self) -> int:
        return self.block_threshold - REVIEW_BELOW_BLOCK

    def check(self) -> None:
        if not REVIEW_BELOW_BLOCK < self.block_threshold <= 99:
            raise SeikyuError(
                f"block_threshold must be an integer from {REVIEW_BELOW_BLOCK + 1} to 99.",
                param="block_threshold",
            )


def radar_settings(uow: UnitOfWork, account_id: str) -> RadarSettings:
    account = repository.get_account(uow.session, account_id)
    if account is None:
        raise SeikyuError(f"No such account: '{account_id}'", kind=Kind.NOT_FOUND)
    return radar_settings_of(account.settings)


def radar_settings_of(stored: Mapping[str, Any]) -> RadarSettings:
    """The Radar settings in an account's stored settings (read by a caller's own query)."""
    return RadarSettings(**(stored.get("radar") or {}))


def set_radar_settings(uow: UnitOfWork, account_id: str, updated: RadarSettings) -> None:
    updated.check()
    account = repository.lock_account(uow.session, account_id)
    account.settings = {**account.settings, "radar": asdict(updated)}
