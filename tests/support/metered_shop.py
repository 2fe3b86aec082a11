"""A shop selling metered prices, driven through the billing services with the clock
chosen per unit of work, and the invoice lines it cuts read as plain values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from seikyu.billing import subscription_create, subscription_cycle, subscriptions
from seikyu.billing.subscription_create import ItemRequest, NewSubscription
from seikyu.catalog import prices, products
from seikyu.catalog.price_rules import PriceInput, Recurring
from seikyu.catalog.prices import NewPrice
from seikyu.customers import service as customers
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.usage_billings import UsageBilling
from seikyu.db.uow import Actor, Database
from seikyu.payments import payment_methods
from seikyu.payments.payment_intents import Redirect
from seikyu.payments.test_processor import TestProcessor
from tests.support import metered_usage

if TYPE_CHECKING:
    from tests.conftest import TestAccount

START = datetime(2025, 3, 1, tzinfo=UTC)
APRIL = datetime(2025, 4, 1, tzinfo=UTC)
MAY = datetime(2025, 5, 1, tzinfo=UTC)
REDIRECT = Redirect("http://localhost")


def day(n: int, hour: int = 12) -> datetime:
    """A time in March 2025, the first period."""
    return datetime(2025, 3, n, hour, tzinfo=UTC)


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int | None
    amount: int
    period: tuple[datetime, datetime]
    price: str | None


@dataclass
class Shop:
    db: Database
    account: TestAccount

    def unit(self, now: datetime) -> Any:
        return self.db.unit(Actor(self.account.id), now=now)

    def meter(self, formula: str = "sum") -> str:
        with self.unit(START) as uow:
            return metered_usage.meter(uow, formula=formula)

    def price(self, meter_id: str | None, **terms: Any) -> str:
        """A monthly usd price; metered on `meter_id` unless it is None."""
        recurring = (
            Recurring("month")
            if meter_id is None
            else Recurring("month", usage_type="metered", meter=meter_id)
        )
        with self.unit(START) as uow:
            product = products.create(uow, {"name": "API calls" if meter_id else "Base plan"})
            price = prices.create(
                uow,
                NewPrice(
                    terms=PriceInput(currency="usd", recurring=recurring, **terms),
                    product=product.id,
                ),
            )
            return price.id

    def subscribe(self, *price_ids: str, now: datetime = START, **fields: Any) -> tuple[str, str]:
        """A card-paid subscription to the prices; returns (subscription, customer)."""
        processor = TestProcessor()
        with self.unit(now) as uow:
            customer = customers.create(uow, {"email": "buyer@example.com"})
            card = payment_methods.attach(uow, processor, "pm_card_visa", customer.id)
            subscription = subscription_create.create(
                uow,
                processor,
                NewSubscription(
                    customer=customer.id,
                    items=[ItemRequest(price=price_id) for price_id in price_ids],
                    default_payment_method=card.id,
                    **fields,
                ),
                redirect=REDIRECT,
            )
            return subscription.id, customer.id

    def report(self, meter_id: str, customer_id: str, *values: tuple[int, datetime]) -> None:
        received = max(at for _, at in values)
        with self.unit(received) as uow:
            metered_usage.report_all(uow, meter_id, customer_id, list(values))

    def renew(self, subscription_id: str, now: datetime) -> list[Line]:
        with self.unit(now) as uow:
            invoice = subscription_cycle.renew(uow, subscription_id)
            assert invoice is not None
            return lines_of(invoice)

    def renewed_total(self, subscription_id: str, now: datetime) -> int:
        with self.unit(now) as uow:
            invoice = subscription_cycle.renew(uow, subscription_id)
            assert invoice is not None
            return invoice.total

    def billings(self, subscription_id: str) -> list[tuple[datetime, datetime, int, str]]:
        with self.unit(START) as uow:
            found = subscriptions.get(uow, subscription_id)
            ids = [item.id for item in found.items]
            rows = uow.session.scalars(
                select(UsageBilling)
                .where(UsageBilling.subscription_item_id.in_(ids))
                .order_by(UsageBilling.period_start)
            )
            return [
                (at(row.period_start), at(row.period_end), row.quantity, row.invoice_id)
                for row in rows
            ]


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def lines_of(invoice: Invoice) -> list[Line]:
    return [
        Line(
            line.description or "",
            line.quantity,
            line.amount,
            (line.period_start, line.period_end),
            line.price_id,
        )
        for line in sorted(invoice.lines, key=lambda line: line.position)
    ]


def usage_lines(lines: Sequence[Line], price_id: str) -> list[Line]:
    return [line for line in lines if line.price == price_id]
