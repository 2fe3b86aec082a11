"""SQL for what metered items were billed for, and the meters their prices name."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from seikyu.db.models.billing_meters import BillingMeter
from seikyu.db.models.usage_billings import UsageBilling


def meters(
    session: Session, account_id: str, livemode: bool, meter_ids: Collection[str]
) -> dict[str, BillingMeter]:
    """The account's meters among `meter_ids`, by id (inactive ones included: usage
    reported before a meter was deactivated is still owed)."""
    if not meter_ids:
        return {}
    rows = session.scalars(
        select(BillingMeter).where(
            BillingMeter.account_id == account_id,
            BillingMeter.livemode == livemode,
            BillingMeter.id.in_(sorted(meter_ids)),
        )
    )
    return {row.id: row for row in rows}


def billed_since(
    session: Session, item_ids: Collection[str], ended_after: int
) -> list[UsageBilling]:
    """What the items were billed for usage periods ending after `ended_after` (epoch s),
    oldest first."""
    if not item_ids:
        return []
    return list(
        session.scalars(
            select(UsageBilling)
            .where(
                UsageBilling.subscription_item_id.in_(sorted(item_ids)),
                UsageBilling.period_end > ended_after,
            )
            .order_by(UsageBilling.subscription_item_id, UsageBilling.period_start)
        )
    )


def get(session: Session, item_id: str, period_start: int) -> UsageBilling | None:
    """What an item's usage window starting at `period_start` was billed, if it was."""
    return session.get(UsageBilling, (item_id, period_start))


def add(session: Session, row: UsageBilling) -> None:
    session.add(row)


def billed_by(session: Session, item_ids: Collection[str], invoice_id: str) -> list[UsageBilling]:
    """The items' usage windows whose latest bill is `invoice_id`."""
    if not item_ids:
        return []
    return list(
        session.scalars(
            select(UsageBilling)
            .where(
                UsageBilling.subscription_item_id.in_(sorted(item_ids)),
                UsageBilling.invoice_id == invoice_id,
            )
            .order_by(UsageBilling.subscription_item_id, UsageBilling.period_start)
        )
    )
