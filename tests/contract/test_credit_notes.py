"""Credit notes through the official SDK: reducing what an open invoice asks for, giving back
what a paid one took (to the balance, as a refund, out of band, or split), lines by quantity
and by amount with their taxes and discounts, previews, voiding, numbering and lists."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import stripe

from tests.support.billing import customer_with_card, event_types, invoice_of, item
from tests.support.errors import assert_error, error_of


def open_invoice(client: stripe.StripeClient, *amounts: int, **fields: Any) -> stripe.Invoice:
    customer = customer_with_card(client, email="a@example.com")
    draft = invoice_of(client, customer.id, *amounts, **fields)
    return client.v1.invoices.finalize_invoice(draft.id)


def paid_invoice(client: stripe.StripeClient, *amounts: int, **fields: Any) -> stripe.Invoice:
    return client.v1.invoices.pay(open_invoice(client, *amounts, **fields).id)


def create(client: stripe.StripeClient, **params: Any) -> stripe.CreditNote:
    return client.v1.credit_notes.create(params=params)  # type: ignore[arg-type]


def intent_of(client: stripe.StripeClient, invoice: stripe.Invoice) -> stripe.PaymentIntent:
    shown = client.v1.invoices.retrieve(invoice.id, params={"expand": ["payments"]})
    return client.v1.payment_intents.retrieve(shown.payments.data[0].payment.payment_intent)


def vat(client: stripe.StripeClient, percentage: int = 10, *, inclusive: bool = False) -> str:
    params: Any = {"display_name": "VAT", "percentage": percentage, "inclusive": inclusive}
    return client.v1.tax_rates.create(params=params).id


# --- before payment -----------------------------------------------------------------


def test_a_credit_on_an_open_invoice_lowers_what_is_due_and_its_payment(
    client: stripe.StripeClient,
) -> None:
    invoice = open_invoice(client, 1000)
    note = create(client, invoice=invoice.id, amount=300, reason="order_change", memo="Sorry")
    assert (note.object, note.status, note.type) == ("credit_note", "issued", "pre_payment")
    assert (note.amount, note.total, note.subtotal) == (300, 300, 300)
    assert (note.pre_payment_amount, note.post_payment_amount) == (300, 0)
    assert (note.reason, note.memo, note.invoice, note.customer) == (
        "order_change",
        "Sorry",
        invoice.id,
        invoice.customer,
    )
    assert note.number == f"{invoice.number}-CN-01"
    assert (note.out_of_band_amount, note.refunds, note.customer_balance_transaction) == (
        None,
        [],
        None,
    )
    after = client.v1.invoices.retrieve(invoice.id, params={"expand": ["payments"]})
    assert (after.status, after.amount_due, after.amount_remaining, after.total) == (
        "open",
        700,
        700,
        1000,
    )
    assert (after.pre_payment_credit_notes_amount, after.post_payment_credit_notes_amount) == (
        300,
        0,
    )
    assert after.payments.data[0].amount_requested == 700
    assert intent_of(client, invoice).amount == 700
    events = client.v1.events.list(params={"limit": 5}).data
    created = next(e for e in events if e.type == "credit_note.created")
    assert created.data.object["id"] == note.id
    updated = next(e for e in events if e.type == "invoice.updated")
    assert updated.data.object["amount_due"] == 700
    assert updated.data.previous_attributes is not None
    assert updated.data.previous_attributes["amount_due"] == 1000
    assert "invoice.paid" not in [e.type for e in events]
    paid = client.v1.invoices.pay(invoice.id)
    assert (paid.status, paid.amount_paid) == ("paid", 700)


def test_crediting_all_that_is_due_pays_the_invoice(client: stripe.StripeClient) -> None:
    invoice = open_invoice(client, 1000)
    intent = intent_of(client, invoice)
    note = create(client, invoice=invoice.id, amount=1000)
    assert (note.type, note.pre_payment_amount) == ("pre_payment", 1000)
    after = client.v1.invoices.retrieve(invoice.id)
    assert (after.status, after.amount_due, after.amount_paid, after.amount_remaining) == (
        "paid",
        0,
        0,
        0,
    )
    assert after.status_transitions.paid_at is not None
    assert client.v1.payment_intents.retrieve(intent.id).status == "canceled"
    assert "invoice.paid" in event_types(client)


def test_a_credit_larger_than_what_is_due_is_mixed(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    client.v1.customers.balance_transactions.create(
        customer.id, params={"amount": -300, "currency": "usd"}
    )
    draft = invoice_of(client, customer.id, 1000)
    invoice = client.v1.invoices.finalize_invoice(draft.id)
    assert invoice.amount_due == 700
    # 700 still due is credited first; the 300 the balance paid goes back to the balance.
    note = create(client, invoice=invoice.id, amount=1000, credit_amount=300)
    assert (note.type, note.pre_payment_amount, note.post_payment_amount) == ("mixed", 700, 300)
    after = client.v1.invoices.retrieve(invoice.id)
    assert (after.status, after.pre_payment_credit_notes_amount) == ("paid", 700)
    assert after.post_payment_credit_notes_amount == 300
    assert client.v1.customers.retrieve(customer.id).balance == -300


def test_an_open_invoice_cannot_be_credited_past_its_total(client: stripe.StripeClient) -> None:
    invoice = open_invoice(client, 1000)
    error = error_of(lambda: create(client, invoice=invoice.id, amount=1001, credit_amount=1))
    assert_error(error, code=None, param="amount")
    assert client.v1.invoices.retrieve(invoice.id).amount_due == 1000


def test_a_credit_may_not_leave_less_due_than_can_be_charged(
    client: stripe.StripeClient,
) -> None:
    invoice = open_invoice(client, 1000)
    # 20 cents would be left, under the 50 cent minimum charge in usd.
    error = error_of(lambda: create(client, invoice=invoice.id, amount=980))
    assert_error(error, code=None, param="amount")
    assert intent_of(client, invoice).amount == 1000


def test_an_uncollectible_invoice_credited_in_full_is_paid(client: stripe.StripeClient) -> None:
    invoice = open_invoice(client, 800)
    client.v1.invoices.mark_uncollectible(invoice.id)
    note = create(client, invoice=invoice.id, amount=800)
    assert (note.type, note.pre_payment_amount) == ("pre_payment", 800)
    after = client.v1.invoices.retrieve(invoice.id)
    assert (after.status, after.amount_due, after.amount_paid) == ("paid", 0, 0)


# --- after payment ------------------------------------------------------------------


def test_a_credit_to_the_balance_changes_it_exactly(client: stripe.StripeClient) -> None:
    invoice = paid_invoice(client, 1000)
    note = create(
        client,
        invoice=invoice.id,
        amount=400,
        credit_amount=400,
        expand=["customer_balance_transaction"],
    )
    assert (note.type, note.pre_payment_amount, note.post_payment_amount) == (
        "post_payment",
        0,
        400,
    )
    transaction = note.customer_balance_transaction
    assert (transaction.type, transaction.amount, transaction.ending_balance) == (
        "credit_note",
        -400,
        -400,
    )
    assert (transaction.credit_note, transaction.invoice) == (note.id, invoice.id)
    assert client.v1.customers.retrieve(invoice.customer).balance == -400
    after = client.v1.invoices.retrieve(invoice.id)
    assert (after.amount_paid, after.amount_due, after.post_payment_credit_notes_amount) == (
        1000,
        1000,
        400,
    )
    # The credit pays the customer's next invoice.
    nxt = client.v1.invoices.finalize_invoice(invoice_of(client, invoice.customer, 1500).id)
    assert nxt.amount_due == 1100


def test_a_refund_gives_the_amount_back_to_the_card(client: stripe.StripeClient) -> None:
    invoice = paid_invoice(client, 1000)
    charge = intent_of(client, invoice).latest_charge
    note = create(
        client,
        invoice=invoice.id,
        amount=250,
        refund_amount=250,
        reason="duplicate",
        expand=["refunds.refund"],
    )
    refund = note.refunds[0].refund
    assert (refund.object, refund.amount, refund.charge, refund.status) == (
        "refund",
        250,
        charge,
        "succeeded",
    )
    assert refund.reason == "duplicate"
    assert (note.refunds[0].amount_refunded, note.refunds[0].type) == (250, "refund")
    listed = client.v1.refunds.list(params={"charge": str(charge)})
    assert [r.id for r in listed.data] == [refund.id]
    assert client.v1.charges.retrieve(str(charge)).amount_refunded == 250
    assert client.v1.customers.retrieve(invoice.customer).balance == 0


def test_money_returned_out_of_band_moves_nothing(client: stripe.StripeClient) -> None:
    invoice = paid_invoice(client, 1000)
    note = create(client, invoice=invoice.id, amount=300, out_of_band_amount=300)
    assert (note.out_of_band_amount, note.refunds, note.customer_balance_transaction) == (
        300,
        [],
        None,
    )
    assert client.v1.customers.retrieve(invoice.customer).balance == 0
    charge = intent_of(client, invoice).latest_charge
    assert client.v1.charges.retrieve(str(charge)).amount_refunded == 0


def test_the_post_payment_amount_splits_three_ways(client: stripe.StripeClient) -> None:
    invoice = paid_invoice(client, 1000)
    note = create(
        client,
        invoice=invoice.id,
        amount=600,
        credit_amount=100,
        refund_amount=200,
        out_of_band_amount=300,
    )
    assert (note.post_payment_amount, note.out_of_band_amount) == (600, 300)
    assert client.v1.customers.retrieve(invoice.customer).balance == -100
    assert client.v1.refunds.retrieve(note.refunds[0].refund).amount == 200
    error = error_of(
        lambda: create(client, invoice=invoice.id, amount=100, credit_amount=40, refund_amount=50)
    )
    assert_error(error, code=None, param="credit_amount")
    error = error_of(lambda: create(client, invoice=invoice.id, amount=100))
    assert_error(error, code=None, param="out_of_band_amount")


def test_a_paid_invoice_is_never_credited_past_its_total(client: stripe.StripeClient) -> None:
    invoice = paid_invoice(client, 1000)
    create(client, invoice=invoice.id, amount=600, out_of_band_amount=600)
    error = error_of(lambda: create(client, invoice=invoice.id, amount=500, out_of_band_amount=500))
    assert_error(error, code=None, param="amount")
    last = create(client, invoice=invoice.id, amount=400, out_of_band_amount=400)
    assert last.number == f"{invoice.number}-CN-02"
    assert client.v1.invoices.retrieve(invoice.id).post_payment_credit_notes_amount == 1000


def test_a_refund_made_outside_credit_notes_counts_against_the_total(
    client: stripe.StripeClient,
) -> None:
    invoice = paid_invoice(client, 1000)
    intent = intent_of(client, invoice)
    outside = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 300})
    error = error_of(lambda: create(client, invoice=invoice.id, amount=800, out_of_band_amount=800))
    assert_error(error, code=None, param="amount")
    # Linking that refund to a credit note accounts for it.
    note = create(client, invoice=invoice.id, amount=1000, refunds=[{"refund": outside.id}],
                  out_of_band_amount=700)  # fmt: skip
    assert (note.refunds[0].refund, note.refunds[0].amount_refunded) == (outside.id, 300)
    assert client.v1.charges.retrieve(str(intent.latest_charge)).amount_refunded == 300


# --- lines --------------------------------------------------------------------------


def taxed_invoice(client: stripe.StripeClient) -> tuple[stripe.Invoice, str, str, str]:
    """Paid: 3 seats at 1000 and a 500 setup fee, both at 10% VAT, less 10% off the seats."""
    rate = vat(client)
    customer = customer_with_card(client, email="a@example.com")
    coupon = client.v1.coupons.create(params={"percent_off": 10})
    seats = client.v1.invoice_items.create(
        params={
            "customer": customer.id,
            "currency": "usd",
            "quantity": 3,
            "unit_amount_decimal": Decimal(1000),
            "tax_rates": [rate],
            "discounts": [{"coupon": coupon.id}],
        }
    )
    fee = item(client, customer.id, 500, tax_rates=[rate])
    draft = client.v1.invoices.create(
        params={"customer": customer.id, "pending_invoice_items_behavior": "include"}
    )
    invoice = client.v1.invoices.pay(client.v1.invoices.finalize_invoice(draft.id).id)
    by_item = {
        line.parent.invoice_item_details.invoice_item: line.id for line in invoice.lines.data
    }
    return invoice, by_item[seats.id], by_item[fee.id], rate


def test_lines_by_quantity_and_by_amount_credit_their_taxes(client: stripe.StripeClient) -> None:
    invoice, seats, fee, rate = taxed_invoice(client)
    # Seats: 3000 - 300 = 2700 + 270 tax; fee: 500 + 50 tax.
    assert (invoice.total, invoice.amount_paid) == (3520, 3520)
    note = create(
        client,
        invoice=invoice.id,
        lines=[
            {"type": "invoice_line_item", "invoice_line_item": seats, "quantity": 1},
            {"type": "invoice_line_item", "invoice_line_item": fee, "amount": 200},
        ],
        out_of_band_amount=1210,
    )
    first, second = note.lines.data
    assert (first.type, first.invoice_line_item, first.quantity) == ("invoice_line_item", seats, 1)
    assert (first.amount, first.unit_amount, first.discount_amount) == (1000, 1000, 100)
    assert [(t.amount, t.taxable_amount) for t in first.taxes] == [(90, 900)]
    assert [r.id for r in first.tax_rates] == [rate]
    assert first.tax_rates[0].percentage == 10.0
    assert (second.amount, second.discount_amount) == (200, 0)
    assert [(t.amount, t.taxable_amount) for t in second.taxes] == [(20, 200)]
    assert (note.subtotal, note.discount_amount, note.total) == (1100, 100, 1210)
    assert (note.total_excluding_tax, note.amount) == (1100, 1210)
    assert [(t.amount, t.taxable_amount) for t in note.total_taxes] == [(110, 1100)]
    assert note.discount_amounts[0].amount == 100
    # The rest of the seats by quantity; by amount they are refused.
    error = error_of(
        lambda: create(
            client,
            invoice=invoice.id,
            lines=[{"type": "invoice_line_item", "invoice_line_item": seats, "amount": 10}],
            out_of_band_amount=11,
        )
    )
    assert_error(error, code=None, param="lines[0][amount]")
    error = error_of(
        lambda: create(
            client,
            invoice=invoice.id,
            lines=[{"type": "invoice_line_item", "invoice_line_item": seats, "quantity": 3}],
            out_of_band_amount=1,
        )
    )
    assert_error(error, code=None, param="lines[0][quantity]")
    rest = create(
        client,
        invoice=invoice.id,
        lines=[{"type": "invoice_line_item", "invoice_line_item": seats, "quantity": 2}],
        out_of_band_amount=1980,
    )
    assert (rest.amount, rest.discount_amount, rest.total_taxes[0].amount) == (1980, 200, 180)


def test_a_custom_line_is_priced_and_taxed_as_given(client: stripe.StripeClient) -> None:
    invoice = paid_invoice(client, 5000)
    rate = vat(client, 20, inclusive=True)
    note = create(
        client,
        invoice=invoice.id,
        lines=[
            {"type": "custom_line_item", "description": "Goodwill", "unit_amount": 600,
             "quantity": 2, "tax_rates": [rate], "metadata": {"ticket": "42"}},
            {"type": "custom_line_item", "unit_amount_decimal": Decimal("0.5"), "quantity": 3},
        ],
        credit_amount=1202,
    )  # fmt: skip
    goodwill, small = note.lines.data
    assert (goodwill.type, goodwill.description, goodwill.amount) == (
        "custom_line_item",
        "Goodwill",
        1200,
    )
    assert (goodwill.unit_amount, goodwill.quantity) == (600, 2)
    assert goodwill.metadata is not None
    assert goodwill.metadata.to_dict() == {"ticket": "42"}
    assert [(t.amount, t.taxable_amount, t.tax_behavior) for t in goodwill.taxes] == [
        (200, 1000, "inclusive")
    ]
    assert "invoice_line_item" not in goodwill
    assert (small.amount, small.unit_amount, small.unit_amount_decimal) == (2, None, Decimal("0.5"))
    assert (note.total, note.total_excluding_tax) == (1202, 1002)


# --- preview ------------------------------------------------------------------------


def test_a_preview_shows_what_create_issues_and_writes_nothing(
    client: stripe.StripeClient,
) -> None:
    invoice, seats, fee, _ = taxed_invoice(client)
    params: dict[str, Any] = {
        "invoice": invoice.id,
        "lines": [
            {"type": "invoice_line_item", "invoice_line_item": seats, "quantity": 2},
            {"type": "invoice_line_item", "invoice_line_item": fee, "amount": 500},
            {"type": "custom_line_item", "description": "Extra", "unit_amount": 100},
        ],
        "credit_amount": 2630,
    }
    before = event_types(client, 100)
    preview = client.v1.credit_notes.preview(params=params)  # type: ignore[arg-type]
    lines = client.v1.credit_notes.preview_lines.list(params={**params, "limit": 2})  # type: ignore[arg-type]
    assert [line.amount for line in lines.data] == [2000, 500]
    assert lines.has_more is True
    rest = client.v1.credit_notes.preview_lines.list(
        params={**params, "starting_after": lines.data[-1].id}  # type: ignore[arg-type]
    )
    assert [line.amount for line in rest.data] == [100]
    assert event_types(client, 100) == before
    assert client.v1.credit_notes.list().data == []
    assert client.v1.customers.retrieve(invoice.customer).balance == 0
    created = create(client, **params)
    fields = ("amount", "subtotal", "total", "total_excluding_tax", "discount_amount", "type",
              "pre_payment_amount", "post_payment_amount", "out_of_band_amount")  # fmt: skip
    for name in fields:
        assert getattr(preview, name) == getattr(created, name), name
    assert preview.number == created.number
    assert preview.total == 2000 - 200 + 180 + 500 + 50 + 100
    assert shown_lines(preview) == shown_lines(created)
    assert preview.lines.url == "/v1/credit_notes/preview/lines"
    assert client.v1.customers.retrieve(invoice.customer).balance == -2630


def test_a_preview_refuses_what_create_would_refuse(client: stripe.StripeClient) -> None:
    invoice = paid_invoice(client, 1000)
    params: Any = {"invoice": invoice.id, "amount": 1001, "out_of_band_amount": 1001}
    error = error_of(lambda: client.v1.credit_notes.preview(params=params))
    assert_error(error, code=None, param="amount")


def shown_lines(note: stripe.CreditNote) -> list[tuple[Any, ...]]:
    return [
        (line.amount, line.quantity, line.discount_amount, [t.amount for t in line.taxes])
        for line in note.lines.data
    ]


# --- void ---------------------------------------------------------------------------


def test_voiding_takes_the_balance_credit_back(client: stripe.StripeClient) -> None:
    invoice = paid_invoice(client, 1000)
    note = create(client, invoice=invoice.id, amount=400, credit_amount=400)
    voided = client.v1.credit_notes.void_credit_note(note.id)
    assert (voided.status, voided.voided_at is not None) == ("void", True)
    customer = client.v1.customers.retrieve(invoice.customer)
    assert customer.balance == 0
    kinds = client.v1.customers.balance_transactions.list(invoice.customer).data
    assert [(t.type, t.amount, t.credit_note) for t in kinds] == [
        ("credit_note", 400, note.id),
        ("credit_note", -400, note.id),
    ]
    assert client.v1.invoices.retrieve(invoice.id).post_payment_credit_notes_amount == 0
    assert "credit_note.voided" in event_types(client)
    error = error_of(lambda: client.v1.credit_notes.void_credit_note(note.id))
    assert_error(error, code="status_transition_invalid", param=None)
    # What it credited may be credited again.
    again = create(client, invoice=invoice.id, amount=1000, out_of_band_amount=1000)
    assert again.number == f"{invoice.number}-CN-02"


def test_voiding_a_pre_payment_credit_asks_for_the_amount_again(
    client: stripe.StripeClient,
) -> None:
    invoice = open_invoice(client, 1000)
    note = create(client, invoice=invoice.id, amount=300)
    client.v1.credit_notes.void_credit_note(note.id)
    after = client.v1.invoices.retrieve(invoice.id)
    assert (after.amount_due, after.pre_payment_credit_notes_amount) == (1000, 0)
    assert intent_of(client, invoice).amount == 1000


def test_a_credit_note_with_a_refund_cannot_be_voided(client: stripe.StripeClient) -> None:
    invoice = paid_invoice(client, 1000)
    note = create(client, invoice=invoice.id, amount=100, refund_amount=100)
    error = error_of(lambda: client.v1.credit_notes.void_credit_note(note.id))
    assert_error(error, code=None, param=None)
    assert client.v1.credit_notes.retrieve(note.id).status == "issued"


# --- invoices that cannot be credited -----------------------------------------------


def test_draft_and_void_invoices_cannot_be_credited(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    draft = invoice_of(client, customer.id, 1000)
    error = error_of(lambda: create(client, invoice=draft.id, amount=100))
    assert_error(error, code=None, param="invoice")
    assert "draft" in str(error.user_message)
    client.v1.invoices.finalize_invoice(draft.id)
    client.v1.invoices.void_invoice(draft.id)
    error = error_of(lambda: create(client, invoice=draft.id, amount=100))
    assert_error(error, code=None, param="invoice")
    assert "void" in str(error.user_message)
    assert client.v1.credit_notes.list().data == []


# --- reading ------------------------------------------------------------------------


def test_retrieve_update_and_lines(client: stripe.StripeClient) -> None:
    invoice = paid_invoice(client, 1000)
    custom = [{"type": "custom_line_item", "description": f"#{n}", "unit_amount": 10}
              for n in range(12)]  # fmt: skip
    note = create(client, invoice=invoice.id, lines=custom, out_of_band_amount=120,
                  metadata={"a": "1"})  # fmt: skip
    assert (len(note.lines.data), note.lines.has_more) == (10, True)
    first = client.v1.credit_notes.line_items.list(note.id, params={"limit": 5})
    assert [line.description for line in first.data] == ["#0", "#1", "#2", "#3", "#4"]
    rest = client.v1.credit_notes.line_items.list(
        note.id, params={"starting_after": first.data[-1].id, "limit": 100}
    )
    assert [line.description for line in rest.data][-1] == "#11"
    assert (len(rest.data), rest.has_more) == (7, False)
    updated = client.v1.credit_notes.update(
        note.id, params={"memo": "Thanks", "metadata": {"a": "", "b": "2"}}
    )
    assert updated.memo == "Thanks"
    assert updated.metadata is not None
    assert updated.metadata.to_dict() == {"b": "2"}
    assert client.v1.credit_notes.retrieve(note.id).memo == "Thanks"
    assert "credit_note.updated" in event_types(client)
    shown = client.v1.credit_notes.retrieve(note.id, params={"expand": ["invoice", "customer"]})
    assert (shown.invoice.id, shown.customer.id) == (invoice.id, invoice.customer)


def test_lists_filter_and_page(client: stripe.StripeClient, http: httpx.Client) -> None:
    one = paid_invoice(client, 1000)
    two = paid_invoice(client, 1000)
    made = [
        create(client, invoice=one.id, amount=100, out_of_band_amount=100),
        create(client, invoice=two.id, amount=100, out_of_band_amount=100),
        create(client, invoice=one.id, amount=200, out_of_band_amount=200),
    ]
    everything = client.v1.credit_notes.list()
    assert [n.id for n in everything.data] == [n.id for n in reversed(made)]
    by_invoice = client.v1.credit_notes.list(params={"invoice": one.id})
    assert [n.id for n in by_invoice.data] == [made[2].id, made[0].id]
    by_customer = client.v1.credit_notes.list(params={"customer": two.customer})
    assert [n.id for n in by_customer.data] == [made[1].id]
    page = client.v1.credit_notes.list(params={"limit": 2})
    assert ([n.id for n in page.data], page.has_more) == ([made[2].id, made[1].id], True)
    nxt = client.v1.credit_notes.list(params={"limit": 2, "starting_after": made[1].id})
    assert ([n.id for n in nxt.data], nxt.has_more) == ([made[0].id], False)
    later = client.v1.credit_notes.list(params={"created": {"gt": made[2].created + 1}})
    assert later.data == []
    expanded = http.get("/v1/credit_notes", params={"expand[]": "data.invoice"}).json()
    assert expanded["data"][0]["invoice"]["id"] == one.id


# --- concurrency --------------------------------------------------------------------


def all_at_once(http: httpx.Client, forms: list[dict[str, Any]]) -> list[httpx.Response]:
    start = threading.Barrier(len(forms))

    def post(form: dict[str, Any]) -> httpx.Response:
        start.wait(timeout=10)
        return http.post("/v1/credit_notes", data=form)

    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        return list(pool.map(post, forms))


def test_concurrent_credit_notes_never_credit_past_the_total(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    invoice = paid_invoice(client, 1000)
    form = {"invoice": invoice.id, "amount": 300, "credit_amount": 300}
    responses = all_at_once(http, [form] * 6)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 400, 400, 400], [r.text for r in responses]
    numbers = sorted(r.json()["number"] for r in responses if r.status_code == 200)
    assert numbers == [f"{invoice.number}-CN-0{n}" for n in (1, 2, 3)]
    after = client.v1.invoices.retrieve(invoice.id)
    assert after.post_payment_credit_notes_amount == 900
    assert client.v1.customers.retrieve(invoice.customer).balance == -900
    ledger = client.v1.customers.balance_transactions.list(invoice.customer).data
    assert sorted(t.ending_balance for t in ledger) == [-900, -600, -300]


def test_concurrent_credits_of_an_open_invoice_keep_its_payment_in_step(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    invoice = open_invoice(client, 1000)
    responses = all_at_once(http, [{"invoice": invoice.id, "amount": 300}] * 4)
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 400]
    after = client.v1.invoices.retrieve(invoice.id)
    assert (after.status, after.amount_due, after.pre_payment_credit_notes_amount) == (
        "open",
        100,
        900,
    )
    assert intent_of(client, invoice).amount == 100
