"""Invoice items through the official SDK: created from an amount, a price, inline price
data or a decimal unit amount; retrieved, updated, deleted and listed; put on a draft invoice,
and frozen once that invoice is finalized."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.billing import discounts
from seikyu.db.uow import Actor, Database
from tests.support.errors import assert_error, error_of
from tests.support.server import ServerProcess

if TYPE_CHECKING:
    from tests.conftest import TestAccount


def customer(client: stripe.StripeClient, **params: Any) -> str:
    return client.v1.customers.create(params=params).id  # type: ignore[arg-type]


def item(client: stripe.StripeClient, **params: Any) -> stripe.InvoiceItem:
    return client.v1.invoice_items.create(params=params)  # type: ignore[arg-type]


def price(client: stripe.StripeClient, **params: Any) -> stripe.Price:
    given: dict[str, Any] = {"currency": "usd", "product_data": {"name": "Setup fee"}, **params}
    return client.v1.prices.create(params=given)  # type: ignore[arg-type]


def tax_rate(client: stripe.StripeClient, percentage: str = "10", **extra: Any) -> str:
    params: dict[str, Any] = {
        "display_name": "VAT",
        "percentage": Decimal(percentage),
        "inclusive": False,
        **extra,
    }
    return client.v1.tax_rates.create(params=params).id  # type: ignore[arg-type]


def event_types(client: stripe.StripeClient) -> list[str]:
    return [e.type for e in client.v1.events.list(params={"limit": 100}).data]


@pytest.fixture
def cus(client: stripe.StripeClient) -> str:
    return customer(client, email="buyer@example.com")


# --- create --------------------------------------------------------------------------------


def test_an_amount_item_waits_for_the_next_invoice(client: stripe.StripeClient, cus: str) -> None:
    before = int(time.time())

    created = item(client, customer=cus, amount=2500, currency="usd", description="Setup")

    assert created.id.startswith("ii_")
    assert created.object == "invoiceitem"
    assert (created.amount, created.currency, created.customer) == (2500, "usd", cus)
    assert (created.quantity, created.quantity_decimal) == (1, Decimal(1))
    assert (created.description, created.discountable, created.proration) == (
        "Setup",
        True,
        False,
    )
    assert (created.invoice, created.parent, created.proration_details) == (None, None, None)
    assert created.discounts == []
    assert created.tax_rates == []
    assert created.net_amount is None
    assert created.livemode is False
    assert created.pricing is not None
    assert created.pricing.type == "price_details"
    assert created.pricing.price_details is None
    assert created.pricing.unit_amount_decimal == Decimal(2500)
    # With no period given, the item covers the instant it was created.
    assert created.period.start == created.period.end == created.date
    assert before <= created.date <= int(time.time()) + 1
    assert created.metadata is not None
    assert created.metadata.to_dict() == {}
    assert "invoiceitem.created" in event_types(client)


def test_the_first_item_gives_the_customer_its_currency(client: stripe.StripeClient) -> None:
    fresh = customer(client)

    item(client, customer=fresh, amount=700, currency="jpy")

    assert client.v1.customers.retrieve(fresh).currency == "jpy"
    # Later items take the customer's currency when none is given.
    assert item(client, customer=fresh, amount=300).currency == "jpy"


def test_a_credit_is_not_discountable_unless_asked(client: stripe.StripeClient, cus: str) -> None:
    credit = item(client, customer=cus, amount=-500, currency="usd")
    asked = item(client, customer=cus, amount=-500, currency="usd", discountable=True)

    assert (credit.amount, credit.discountable, credit.net_amount) == (-500, False, -500)
    assert (asked.discountable, asked.net_amount) == (True, None)


def test_a_price_item_bills_the_price_for_the_quantity_and_names_its_product(
    client: stripe.StripeClient, cus: str
) -> None:
    fee = price(client, unit_amount=1200)

    created = item(client, customer=cus, pricing={"price": fee.id}, quantity=3)

    assert (created.amount, created.quantity, created.currency) == (3600, 3, "usd")
    assert created.description == "Setup fee"
    assert created.pricing is not None
    assert created.pricing.price_details is not None
    assert created.pricing.price_details.price == fee.id
    assert created.pricing.price_details.product == fee.product
    assert created.pricing.unit_amount_decimal == Decimal(1200)


def test_a_price_item_bills_the_price_in_another_of_its_currencies(
    client: stripe.StripeClient,
) -> None:
    fee = price(client, unit_amount=1000, currency_options={"eur": {"unit_amount": 900}})
    euro_customer = customer(client)

    created = item(client, customer=euro_customer, pricing={"price": fee.id}, currency="eur")

    assert (created.amount, created.currency) == (900, "eur")


def test_a_tiered_price_item_bills_its_tiers(client: stripe.StripeClient, cus: str) -> None:
    tiered = price(
        client,
        billing_scheme="tiered",
        tiers_mode="graduated",
        tiers=[
            {"up_to": 10, "unit_amount": 100},
            {"up_to": "inf", "unit_amount": 50, "flat_amount": 200},
        ],
    )

    created = item(client, customer=cus, pricing={"price": tiered.id}, quantity=15)

    assert created.amount == 10 * 100 + 5 * 50 + 200
    assert created.pricing is not None
    assert created.pricing.unit_amount_decimal is None


def test_price_data_creates_an_archived_price_for_the_item(
    client: stripe.StripeClient, cus: str
) -> None:
    product = client.v1.products.create(params={"name": "Consulting"})

    created = item(
        client,
        customer=cus,
        price_data={"currency": "usd", "product": product.id, "unit_amount_decimal": "1250.5"},
        quantity=2,
    )

    assert (created.amount, created.description) == (2501, "Consulting")
    assert created.pricing is not None
    assert created.pricing.price_details is not None
    inline = client.v1.prices.retrieve(str(created.pricing.price_details.price))
    assert (inline.active, inline.product, inline.unit_amount_decimal) == (
        False,
        product.id,
        Decimal("1250.5"),
    )


@pytest.mark.parametrize(
    ("unit", "quantity", "amount"),
    [
        ("0.5", 3, 2),  # 1.5 rounds half up, once for the whole item
        ("0.5", 1, 1),
        ("0.4", 1, 0),
        ("0.333333333333", 3, 1),
        ("-0.5", 3, -2),  # a credit rounds as the mirror of the charge
        ("1250", 4, 5000),
    ],
)
def test_unit_amount_decimal_times_quantity_is_rounded_once(
    client: stripe.StripeClient, cus: str, unit: str, quantity: int, amount: int
) -> None:
    created = item(
        client,
        customer=cus,
        currency="usd",
        unit_amount_decimal=Decimal(unit),
        quantity=quantity,
    )

    assert (created.amount, created.quantity) == (amount, quantity)
    assert created.pricing is not None
    assert created.pricing.unit_amount_decimal == Decimal(unit)


def test_period_tax_rates_and_metadata_are_kept(client: stripe.StripeClient, cus: str) -> None:
    vat, reduced = tax_rate(client, "10"), tax_rate(client, "8", display_name="Reduced")

    created = item(
        client,
        customer=cus,
        amount=1000,
        currency="usd",
        period={"start": 1_700_000_000, "end": 1_702_592_000},
        tax_rates=[reduced, vat],
        metadata={"order": "A-17"},
    )

    assert (created.period.start, created.period.end) == (1_700_000_000, 1_702_592_000)
    assert created.tax_rates is not None
    assert [(r.id, r.percentage) for r in created.tax_rates] == [(reduced, 8.0), (vat, 10.0)]
    assert created.metadata is not None
    assert created.metadata.to_dict() == {"order": "A-17"}


def test_an_item_put_on_a_draft_invoice_becomes_one_of_its_lines(
    client: stripe.StripeClient, cus: str
) -> None:
    draft = client.v1.invoices.create(params={"customer": cus, "currency": "usd"})

    created = item(client, customer=cus, amount=1500, invoice=draft.id)

    assert (created.invoice, created.currency) == (draft.id, "usd")
    assert draft.id is not None
    after = client.v1.invoices.retrieve(draft.id)
    assert after.total == 1500
    assert [line.amount for line in after.lines.data] == [1500]
    expanded = client.v1.invoice_items.retrieve(created.id, params={"expand": ["invoice"]})
    assert isinstance(expanded.invoice, stripe.Invoice)
    assert expanded.invoice.id == draft.id


def test_expand_resolves_the_customer_and_the_price(client: stripe.StripeClient, cus: str) -> None:
    fee = price(client, unit_amount=300)
    created = item(client, customer=cus, pricing={"price": fee.id})

    shown = client.v1.invoice_items.retrieve(
        created.id, params={"expand": ["customer", "pricing.price_details.price"]}
    )

    assert isinstance(shown.customer, stripe.Customer)
    assert shown.customer.id == cus
    assert shown.pricing is not None
    assert shown.pricing.price_details is not None
    assert isinstance(shown.pricing.price_details.price, stripe.Price)


# --- retrieve, update, delete ------------------------------------------------------------


def test_retrieve_reads_back_what_was_created(client: stripe.StripeClient, cus: str) -> None:
    created = item(client, customer=cus, amount=990, currency="usd", metadata={"a": "1"})

    found = client.v1.invoice_items.retrieve(created.id)

    assert found.to_dict() == created.to_dict()


def test_update_changes_the_fields_named(client: stripe.StripeClient, cus: str) -> None:
    vat = tax_rate(client)
    created = item(client, customer=cus, amount=1000, currency="usd", metadata={"a": "1"})

    updated = client.v1.invoice_items.update(
        created.id,
        params={
            "description": "Changed",
            "discountable": False,
            "metadata": {"b": "2"},
            "period": {"start": 1_700_000_000, "end": 1_700_086_400},
            "tax_rates": [vat],
        },
    )

    assert (updated.amount, updated.description, updated.discountable) == (
        1000,
        "Changed",
        False,
    )
    assert updated.metadata is not None
    assert updated.metadata.to_dict() == {"a": "1", "b": "2"}
    assert (updated.period.start, updated.period.end) == (1_700_000_000, 1_700_086_400)
    assert updated.tax_rates is not None
    assert [r.id for r in updated.tax_rates] == [vat]
    assert client.v1.invoice_items.retrieve(created.id).to_dict() == updated.to_dict()


def test_update_reprices_an_item(client: stripe.StripeClient, cus: str) -> None:
    fee = price(client, unit_amount=400)
    created = item(client, customer=cus, amount=1000, currency="usd")

    by_quantity = client.v1.invoice_items.update(created.id, params={"quantity": 3})
    by_price = client.v1.invoice_items.update(created.id, params={"pricing": {"price": fee.id}})
    by_decimal = client.v1.invoice_items.update(
        created.id, params={"unit_amount_decimal": Decimal("0.75")}
    )

    assert (by_quantity.amount, by_quantity.quantity) == (3000, 3)
    assert (by_price.amount, by_price.quantity) == (1200, 3)
    assert by_price.pricing is not None
    assert by_price.pricing.price_details is not None
    assert (by_decimal.amount, by_decimal.quantity) == (2, 3)  # 2.25 rounds to 2
    assert by_decimal.pricing is not None
    assert by_decimal.pricing.price_details is None


def test_update_clears_tax_rates_and_description(client: stripe.StripeClient, cus: str) -> None:
    created = item(
        client,
        customer=cus,
        amount=1000,
        currency="usd",
        description="Old",
        tax_rates=[tax_rate(client)],
    )

    cleared = client.v1.invoice_items.update(
        created.id, params={"tax_rates": "", "description": ""}
    )

    assert (cleared.tax_rates, cleared.description) == ([], None)


def test_an_item_on_a_draft_follows_its_updates_and_deletion(
    client: stripe.StripeClient, cus: str
) -> None:
    draft = client.v1.invoices.create(params={"customer": cus, "currency": "usd"})
    assert draft.id is not None
    created = item(client, customer=cus, amount=1500, invoice=draft.id)

    client.v1.invoice_items.update(created.id, params={"amount": 2000})
    assert client.v1.invoices.retrieve(draft.id).total == 2000

    client.v1.invoice_items.delete(created.id)
    after = client.v1.invoices.retrieve(draft.id)
    assert (after.total, after.lines.data) == (0, [])


def test_an_item_on_a_finalized_invoice_cannot_change(
    client: stripe.StripeClient, cus: str
) -> None:
    draft = client.v1.invoices.create(
        params={"customer": cus, "currency": "usd", "collection_method": "send_invoice"}
    )
    assert draft.id is not None
    created = item(client, customer=cus, amount=1500, invoice=draft.id)
    client.v1.invoices.finalize_invoice(draft.id)

    changing = error_of(lambda: client.v1.invoice_items.update(created.id, params={"amount": 1}))
    deleting = error_of(lambda: client.v1.invoice_items.delete(created.id))
    adding = error_of(lambda: item(client, customer=cus, amount=100, invoice=draft.id))

    assert_error(changing, code="invoice_not_editable", param=None)
    assert_error(deleting, code="invoice_not_editable", param=None)
    assert_error(adding, code="invoice_not_editable", param="invoice")
    assert client.v1.invoice_items.retrieve(created.id).amount == 1500


def test_delete_answers_with_the_deleted_stub(client: stripe.StripeClient, cus: str) -> None:
    created = item(client, customer=cus, amount=1000, currency="usd")

    deleted = client.v1.invoice_items.delete(created.id)

    assert deleted.to_dict() == {"id": created.id, "object": "invoiceitem", "deleted": True}
    assert client.v1.invoice_items.retrieve(created.id).to_dict() == deleted.to_dict()
    assert client.v1.invoice_items.list(params={"customer": cus}).data == []
    types = event_types(client)
    assert types.index("invoiceitem.deleted") < types.index("invoiceitem.created")
    again = error_of(lambda: client.v1.invoice_items.delete(created.id))
    assert_error(again, status=404, code="resource_missing", param="id")


def test_the_deleted_event_shows_the_item_as_it_was(client: stripe.StripeClient, cus: str) -> None:
    created = item(client, customer=cus, amount=1000, currency="usd")
    client.v1.invoice_items.delete(created.id)

    event = client.v1.events.list(params={"type": "invoiceitem.deleted"}).data[0]

    assert event.data.object["id"] == created.id
    assert event.data.object["amount"] == 1000


# --- list -----------------------------------------------------------------------------------


def test_list_filters_by_customer_invoice_and_pending(client: stripe.StripeClient) -> None:
    first, second = customer(client), customer(client)
    pending_one = item(client, customer=first, amount=100, currency="usd")
    other = item(client, customer=second, amount=200, currency="usd")
    draft = client.v1.invoices.create(params={"customer": first, "currency": "usd"})
    assert draft.id is not None
    on_draft = item(client, customer=first, amount=300, invoice=draft.id)

    def ids(**params: Any) -> list[str]:
        found = client.v1.invoice_items.list(params=params)  # type: ignore[arg-type]
        return [i.id for i in found.data]

    assert ids() == [on_draft.id, other.id, pending_one.id]
    assert ids(customer=first) == [on_draft.id, pending_one.id]
    assert ids(invoice=draft.id) == [on_draft.id]
    assert ids(pending=True) == [other.id, pending_one.id]
    assert ids(pending=False) == [on_draft.id]
    assert ids(customer=first, pending=True) == [pending_one.id]


def test_list_pages_newest_first(client: stripe.StripeClient, cus: str) -> None:
    made = [item(client, customer=cus, amount=n, currency="usd").id for n in range(1, 6)]

    first = client.v1.invoice_items.list(params={"limit": 2})
    second = client.v1.invoice_items.list(params={"limit": 2, "starting_after": first.data[-1].id})
    back = client.v1.invoice_items.list(params={"limit": 2, "ending_before": second.data[0].id})
    every = list(client.v1.invoice_items.list(params={"limit": 2}).auto_paging_iter())

    assert [i.id for i in first.data] == made[::-1][:2]
    assert [i.id for i in second.data] == made[::-1][2:4]
    assert [i.id for i in back.data] == made[::-1][:2]
    assert (first.has_more, second.has_more) == (True, True)
    assert [i.id for i in every] == made[::-1]


def test_list_filters_by_created(client: stripe.StripeClient, cus: str) -> None:
    created = item(client, customer=cus, amount=100, currency="usd")

    later = client.v1.invoice_items.list(params={"created": {"gt": created.date}})
    same = client.v1.invoice_items.list(params={"created": {"gte": created.date}})

    assert later.data == []
    assert [i.id for i in same.data] == [created.id]


def test_another_accounts_item_is_not_found(
    client: stripe.StripeClient, other_client: stripe.StripeClient, cus: str
) -> None:
    created = item(client, customer=cus, amount=100, currency="usd")

    missing = error_of(lambda: other_client.v1.invoice_items.retrieve(created.id))

    assert_error(missing, status=404, code="resource_missing", param="id")
    assert other_client.v1.invoice_items.list().data == []


@pytest.fixture
def other_client(db: Database, server: ServerProcess) -> stripe.StripeClient:
    """A client of another account on the same server."""
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, other.id)
    return stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )


# --- discounts ------------------------------------------------------------------------------


def test_item_discounts_are_redeemed_kept_in_order_and_cleared(
    client: stripe.StripeClient, cus: str
) -> None:
    tenth = client.v1.coupons.create(params={"percent_off": 10, "duration": "once"})
    fiver = client.v1.coupons.create(
        params={"amount_off": 500, "currency": "usd", "duration": "once"}
    )

    created = item(
        client,
        customer=cus,
        amount=5000,
        currency="usd",
        discounts=[{"coupon": fiver.id}, {"coupon": tenth.id}],
    )
    assert created.discounts is not None
    redeemed = [str(d) for d in created.discounts]
    shown = client.v1.invoice_items.retrieve(created.id, params={"expand": ["discounts"]})
    kept = client.v1.invoice_items.update(
        created.id, params={"discounts": [{"discount": redeemed[1]}]}
    )
    cleared = client.v1.invoice_items.update(created.id, params={"discounts": ""})

    assert [d.startswith("di_") for d in redeemed] == [True, True]
    assert shown.discounts is not None
    coupons = [d.source.coupon for d in shown.discounts]  # type: ignore[union-attr]
    assert [getattr(c, "id", c) for c in coupons] == [fiver.id, tenth.id]
    assert kept.discounts == [redeemed[1]]
    assert cleared.discounts == []
    assert client.v1.coupons.retrieve(fiver.id).times_redeemed == 1


def test_a_deleted_item_gives_up_its_discounts(
    client: stripe.StripeClient, cus: str, db: Database, account: TestAccount
) -> None:
    tenth = client.v1.coupons.create(params={"percent_off": 10, "duration": "once"})
    created = item(
        client, customer=cus, amount=5000, currency="usd", discounts=[{"coupon": tenth.id}]
    )
    assert created.discounts is not None
    discount_id = str(created.discounts[0])

    client.v1.invoice_items.delete(created.id)

    with db.unit(Actor(account.id)) as uow:
        found = discounts.find(uow, discount_id)
        assert found is not None
        assert found.deleted_at is not None
