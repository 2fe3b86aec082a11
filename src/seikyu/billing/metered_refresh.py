"""A draft's usage lines measured again just before it is finalized.

A renewal draft waits (an hour by default) before it is finalized, and meter events keep
arriving with timestamps inside the period that just ended. Stripe bills the usage reported
during that grace period on the draft itself; so does Seikyu: finalizing a draft first
measures each of its metered lines again over the same window, at the same price, and
updates the line and the recorded `UsageBilling` when the billable quantity moved. Until a
draft is finalized its bill may also go down (an event canceled in the meantime). A line
for usage reported late for an older window keeps what earlier invoices billed as its floor:
they are final.
"""

from __future__ import annotations

from seikyu.billing import metered_lines, price_terms, usage_describe
from seikyu.billing import usage_billing_repository as repository
from seikyu.billing.domain.pricing import line_amount
from seikyu.billing.invoice_drafts import SUBSCRIPTION_LINE
from seikyu.catalog import prices
from seikyu.core.clock import from_unix, to_unix
from seikyu.core.periods import Period
from seikyu.db.models.billing_meters import BillingMeter
from seikyu.db.models.invoice_lines import InvoiceLine
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.prices import Price
from seikyu.db.models.usage_billings import UsageBilling
from seikyu.db.uow import UnitOfWork


def refresh_usage(uow: UnitOfWork, invoice: Invoice) -> None:
    """Bring the draft's metered lines in step with the meters.

    Only the lines and the usage records change: the caller computes the invoice's
    discounts, taxes and totals again. An invoice without usage lines runs no query."""
    lines = [line for line in invoice.lines if _may_bill_usage(invoice, line)]
    if not lines:
        return
    item_ids = {line.subscription_item_id or "" for line in lines}
    rows = {
        (row.subscription_item_id, row.period_start): row
        for row in repository.billed_by(uow.session, item_ids, invoice.id)
    }
    meters = repository.meters(
        uow.session, uow.account_id, uow.livemode, {row.meter_id for row in rows.values()}
    )
    removed = False
    for line in lines:
        row = rows.get((line.subscription_item_id or "", to_unix(line.period_start)))
        if row is None or row.price_id != line.price_id:
            # A licensed line, or a window a later bill took over: what the draft shows
            # stands, and the later bill measures it.
            continue
        meter = meters.get(row.meter_id)
        price = prices.find(uow, row.price_id)
        if meter is None or price is None:
            continue
        removed |= _remeasure(uow, invoice, line, row, price, meter)
    if removed:
        for position, line in enumerate(invoice.lines):
            line.position = position


def _may_bill_usage(invoice: Invoice, line: InvoiceLine) -> bool:
    # Usage is billed in arrears, so a usage line's period ends by the end of the invoice's
    # own period while a licensed line bills ahead: a renewal without usage lines has no
    # candidate and costs nothing here.
    return (
        line.parent_type == SUBSCRIPTION_LINE
        and not line.proration
        and line.subscription_item_id is not None
        and line.period_end <= invoice.period_end
    )


def _remeasure(
    uow: UnitOfWork,
    invoice: Invoice,
    line: InvoiceLine,
    row: UsageBilling,
    price: Price,
    meter: BillingMeter,
) -> bool:
    """Update the line and its record; True when the line was removed."""
    period = Period(from_unix(row.period_start), from_unix(row.period_end))
    measured = metered_lines.billable_usage(uow, meter, row.customer_id, period)
    # What earlier bills charged for the window: nothing for the window this draft bills
    # first, the earlier total for a late line, which may not go below it.
    earlier = row.quantity - (line.quantity or 0)
    total = max(measured, earlier)
    if total == row.quantity:
        return False
    pricing = price_terms.pricing(price, invoice.currency, param="items")
    line.quantity = total - earlier
    # The difference of the priced totals, so that tiers and packages price the whole window.
    line.amount += line_amount(pricing, total) - line_amount(pricing, row.quantity)
    row.quantity = total
    if _is_late(line, row):
        if line.quantity == 0:
            invoice.lines.remove(line)  # nothing is owed beyond what was billed before
            return True
        return False
    name = metered_lines.product_name(uow, price)
    line.description = usage_describe.describe(name, price, pricing, total, invoice.currency)
    return False


def _is_late(line: InvoiceLine, row: UsageBilling) -> bool:
    # The window a draft bills first is recorded together with its line; a late line's
    # window was recorded by an earlier bill.
    return row.created < line.created
