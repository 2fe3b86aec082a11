"""What a request asks to change on a subscription: the update endpoint, the item endpoints
and `create_preview`'s `subscription_details` all describe their change with these, so
they are applied (and previewed) by the same code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from seikyu.billing.discounts import DiscountRequest
from seikyu.billing.subscription_create import InvoiceItemRequest


class Keep(Enum):
    """A field the request leaves as it is (distinct from None, which clears it)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class ItemChange:
    """One entry of `items[]`: an existing item (`id`) changed or deleted, or a new one."""

    id: str | None = None
    price: str | None = None
    price_data: dict[str, Any] | None = None
    quantity: int | None = None
    # None: unchanged; []: cleared (the subscription's default rates apply).
    tax_rates: list[str] | None = None
    discounts: list[DiscountRequest] | None = None
    metadata: dict[str, str] | None = None
    deleted: bool = False
    clear_usage: bool = False


@dataclass(frozen=True)
class PauseCollection:
    behavior: str  # keep_as_draft, mark_uncollectible or void
    resumes_at: datetime | None = None


@dataclass(frozen=True)
class SubscriptionChanges:
    items: list[ItemChange] = field(default_factory=list)
    proration_behavior: str = "create_prorations"
    proration_date: datetime | None = None
    # "now" is given as the request's own time; KEEP leaves the trial as it is.
    trial_end: datetime | Keep = KEEP
    trial_from_plan: bool = False
    cancel_at: datetime | Keep | None = KEEP
    cancel_at_period_end: bool | Keep = KEEP
    billing_cycle_anchor: str = "unchanged"  # or "now"
    pause_collection: PauseCollection | Keep | None = KEEP
    default_payment_method: str | Keep | None = KEEP
    default_tax_rates: list[str] | Keep | None = KEEP
    discounts: list[DiscountRequest] | Keep | None = KEEP
    collection_method: str | Keep = KEEP
    days_until_due: int | Keep = KEEP
    description: str | Keep | None = KEEP
    cancellation_details: dict[str, Any] | Keep = KEEP
    payment_behavior: str = "allow_incomplete"
    off_session: bool = False
    add_invoice_items: list[InvoiceItemRequest] = field(default_factory=list)
    metadata: dict[str, str] | Keep | None = KEEP
