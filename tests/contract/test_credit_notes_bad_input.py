"""Every credit note endpoint refuses bad input with Stripe's error naming the parameter, and
a refused request changes nothing: no credit note, no event, the invoice, the customer's
balance and the charge as they were."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.support.billing import customer_with_card, invoice_of
from tests.support.errors import assert_error, error_of

LONG = "x" * 5001
# Stand for the test's objects in the tables below.
INV = "{invoice}"
LINE = "{line}"
DRAFT = "{draft}"
OOB = "{paid_out_of_band}"
TXR = "{tax_rate}"
OLD_TXR = "{archived_tax_rate}"
OTHER_REFUND = "{other_refund}"


@pytest.fixture
def objects(client: stripe.StripeClient) -> dict[str, str]:
    """A card-paid invoice of 1000 with one line, an invoice paid out of band, a draft, tax
    rates, and a refund of another customer's payment."""
    customer = customer_with_card(client, email="a@example.com")
    paid = client.v1.invoices.pay(
        client.v1.invoices.finalize_invoice(invoice_of(client, customer.id, 1000).id).id
    )
    oob = client.v1.invoices.finalize_invoice(invoice_of(client, customer.id, 700).id)
    client.v1.invoices.pay(oob.id, params={"paid_out_of_band": True})
    draft = invoice_of(client, customer.id, 300)
    rate: Any = {"display_name": "VAT", "percentage": 10, "inclusive": False}
    tax_rate = client.v1.tax_rates.create(params=rate).id
    old = client.v1.tax_rates.create(params={**rate, "active": False}).id
    elsewhere = client.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "payment_method": "pm_card_visa",
                "confirm": True}
    )  # fmt: skip
    other = client.v1.refunds.create(params={"payment_intent": elsewhere.id, "amount": 100})
    return {
        INV: paid.id,
        LINE: paid.lines.data[0].id,
        DRAFT: draft.id,
        OOB: oob.id,
        TXR: tax_rate,
        OLD_TXR: old,
        OTHER_REFUND: other.id,
        "customer": customer.id,
    }


def filled(value: Any, objects: dict[str, str]) -> Any:
    if isinstance(value, str):
        return objects.get(value, value)
    if isinstance(value, dict):
        return {k: filled(v, objects) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, objects) for v in value]
    return value


def assert_nothing_written(client: stripe.StripeClient, objects: dict[str, str]) -> None:
    assert client.v1.credit_notes.list().data == []
    events = [e.type for e in client.v1.events.list(params={"limit": 100}).data]
    assert not [t for t in events if t.startswith("credit_note")]
    invoice = client.v1.invoices.retrieve(objects[INV])
    assert (invoice.amount_due, invoice.post_payment_credit_notes_amount) == (1000, 0)
    assert client.v1.customers.retrieve(objects["customer"]).balance == 0
    assert len(client.v1.refunds.list().data) == 1


def invoice_line(**fields: Any) -> dict[str, Any]:
    return {"type": "invoice_line_item", "invoice_line_item": LINE, **fields}


def custom(**fields: Any) -> dict[str, Any]:
    return {"type": "custom_line_item", "description": "Goodwill", **fields}


CREATE_CASES = [
    # missing
    ({"amount": 100}, "parameter_missing", "invoice"),
    ({"invoice": INV, "out_of_band_amount": 100}, None, "lines"),
    ({"invoice": INV, "lines": [{"invoice_line_item": LINE, "quantity": 1}]},
     "parameter_missing", "lines[0][type]"),
    ({"invoice": INV, "lines": [{"type": "invoice_line_item", "quantity": 1}]},
     "parameter_missing", "lines[0][invoice_line_item]"),
    ({"invoice": INV, "lines": [invoice_line()]}, None, "lines[0][quantity]"),
    ({"invoice": INV, "lines": [custom()]}, "parameter_missing", "lines[0][unit_amount]"),
    ({"invoice": INV, "amount": 100, "refunds": [{"amount_refunded": 5}]},
     "parameter_missing", "refunds[0][refund]"),
    # unknown
    ({"invoice": INV, "amount": 100, "colour": "red"}, "parameter_unknown", "colour"),
    ({"invoice": INV, "lines": [invoice_line(quantity=1, price="p")]}, "parameter_unknown",
     "lines[0][price]"),
    ({"invoice": INV, "amount": 100, "refunds": [{"refund": "re_1", "x": 1}]},
     "parameter_unknown", "refunds[0][x]"),
    # wrongly typed
    ({"invoice": INV, "amount": "ten"}, "parameter_invalid_integer", "amount"),
    ({"invoice": INV, "amount": 100, "credit_amount": "1.5"}, "parameter_invalid_integer",
     "credit_amount"),
    ({"invoice": INV, "lines": "all"}, "parameter_invalid_array", "lines"),
    ({"invoice": INV, "lines": [invoice_line(quantity="one")]}, "parameter_invalid_integer",
     "lines[0][quantity]"),
    ({"invoice": INV, "lines": [custom(unit_amount_decimal="1.2.3")]},
     "parameter_invalid_decimal", "lines[0][unit_amount_decimal]"),
    ({"invoice": INV, "lines": [{"type": "shipping", "amount": 1}]}, "parameter_invalid_enum",
     "lines[0][type]"),
    ({"invoice": INV, "amount": 100, "reason": "bored"}, "parameter_invalid_enum", "reason"),
    ({"invoice": INV, "amount": 100, "email_type": "fax"}, "parameter_invalid_enum",
     "email_type"),
    ({"invoice": INV, "amount": 100, "metadata": "plain"}, "parameter_invalid_hash", "metadata"),
    ({"invoice": {"id": "in_1"}, "amount": 100}, "parameter_invalid_string", "invoice"),
    ({"invoice": INV, "amount": 100, "effective_at": "soon"}, "parameter_invalid_integer",
     "effective_at"),
    # out of range
    ({"invoice": INV, "amount": 0}, "parameter_invalid_integer", "amount"),
    ({"invoice": INV, "amount": 100, "out_of_band_amount": -1}, "parameter_invalid_integer",
     "out_of_band_amount"),
    ({"invoice": INV, "lines": [invoice_line(quantity=0)]}, "parameter_invalid_integer",
     "lines[0][quantity]"),
    ({"invoice": INV, "lines": [invoice_line(quantity=2)], "out_of_band_amount": 2000}, None,
     "lines[0][quantity]"),
    ({"invoice": INV, "lines": [invoice_line(amount=1001)], "out_of_band_amount": 1001}, None,
     "lines[0][amount]"),
    ({"invoice": INV, "lines": [custom(unit_amount=-1)]}, "parameter_invalid_integer",
     "lines[0][unit_amount]"),
    ({"invoice": INV, "lines": [custom(unit_amount_decimal="0.0000000000001")]},
     "parameter_invalid_decimal", "lines[0][unit_amount_decimal]"),
    ({"invoice": INV, "lines": [custom(unit_amount=0)]}, None, "lines"),
    ({"invoice": INV, "amount": 1001, "out_of_band_amount": 1001}, None, "amount"),
    ({"invoice": INV, "amount": 100, "memo": LONG}, "parameter_invalid_string_too_long", "memo"),
    ({"invoice": INV, "amount": 100, "effective_at": 10**15}, "parameter_invalid_integer",
     "effective_at"),
    ({"invoice": INV, "lines": [custom(unit_amount=1, tax_rates=[TXR] * 6)]},
     "parameter_invalid_array", "lines[0][tax_rates]"),
    ({"invoice": INV, "amount": 100, "metadata": {"k" * 41: "v"}}, None, "metadata"),
    # fields that do not go together
    ({"invoice": INV, "lines": [invoice_line(quantity=1, amount=5)]}, "parameters_exclusive",
     "lines[0][amount]"),
    ({"invoice": INV, "lines": [invoice_line(quantity=1, unit_amount=5)]}, None,
     "lines[0][unit_amount]"),
    ({"invoice": INV, "lines": [custom(unit_amount=5, amount=5)]}, None, "lines[0][amount]"),
    ({"invoice": INV, "lines": [custom(unit_amount=5, unit_amount_decimal="5")]},
     "parameters_exclusive", "lines[0][unit_amount_decimal]"),
    ({"invoice": INV, "lines": [invoice_line(quantity=1)], "amount": 5,
      "out_of_band_amount": 1000}, None, "amount"),
    ({"invoice": INV, "lines": [invoice_line(quantity=1), invoice_line(amount=1)],
      "out_of_band_amount": 1000}, None, "lines[1][invoice_line_item]"),
    ({"invoice": INV, "amount": 100, "refund_amount": 50,
      "refunds": [{"refund": OTHER_REFUND}]}, "parameters_exclusive", "refunds"),
    # where the credit goes
    ({"invoice": INV, "amount": 100}, None, "out_of_band_amount"),
    ({"invoice": INV, "amount": 100, "credit_amount": 60, "out_of_band_amount": 60}, None,
     "credit_amount"),
    ({"invoice": OOB, "amount": 100, "refund_amount": 100}, None, "refund_amount"),
    # objects that do not exist or cannot be used
    ({"invoice": "in_nope", "amount": 100}, "resource_missing", "invoice"),
    ({"invoice": DRAFT, "amount": 100}, None, "invoice"),
    ({"invoice": INV, "lines": [invoice_line(quantity=1, invoice_line_item="il_nope")],
      "out_of_band_amount": 1000}, "resource_missing", "lines[0][invoice_line_item]"),
    ({"invoice": INV, "lines": [custom(unit_amount=10, tax_rates=["txr_nope"])],
      "out_of_band_amount": 11}, "resource_missing", "lines[0][tax_rates][0]"),
    ({"invoice": INV, "lines": [custom(unit_amount=10, tax_rates=[OLD_TXR])],
      "out_of_band_amount": 11}, None, "lines[0][tax_rates][0]"),
    ({"invoice": INV, "amount": 100, "refunds": [{"refund": "re_nope"}]}, "resource_missing",
     "refunds[0][refund]"),
    ({"invoice": INV, "amount": 100, "refunds": [{"refund": OTHER_REFUND}]}, None,
     "refunds[0][refund]"),
    # what Seikyu cannot honour
    ({"invoice": INV, "lines": [invoice_line(quantity=1, tax_amounts=[
        {"amount": 1, "tax_rate": TXR, "taxable_amount": 10}])]}, None, "lines[0][tax_amounts]"),
    ({"invoice": INV, "amount": 100, "shipping_cost": {"shipping_rate": "shr_1"}}, None,
     "shipping_cost"),
    ({"invoice": INV, "amount": 100, "refunds": [{"type": "payment_record_refund"}]}, None,
     "refunds[0][type]"),
]  # fmt: skip


@pytest.mark.parametrize(("params", "code", "param"), CREATE_CASES)
def test_create_refuses_bad_input(
    client: stripe.StripeClient,
    objects: dict[str, str],
    params: dict[str, Any],
    code: str | None,
    param: str | None,
) -> None:
    given = filled(params, objects)

    error = error_of(lambda: client.v1.credit_notes.create(params=given))

    assert_error(error, code=code, param=param)
    assert_nothing_written(client, objects)


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"amount": 100}, "parameter_missing", "invoice"),
        ({"invoice": INV, "amount": 100, "colour": "red"}, "parameter_unknown", "colour"),
        ({"invoice": INV, "amount": "ten"}, "parameter_invalid_integer", "amount"),
        ({"invoice": INV, "amount": 1001, "out_of_band_amount": 1001}, None, "amount"),
        ({"invoice": DRAFT, "amount": 100}, None, "invoice"),
    ],
)
def test_preview_refuses_what_create_refuses(
    client: stripe.StripeClient,
    objects: dict[str, str],
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    given = filled(params, objects)
    error = error_of(lambda: client.v1.credit_notes.preview(params=given))
    assert_error(error, code=code, param=param)
    error = error_of(lambda: client.v1.credit_notes.preview_lines.list(params=given))
    assert_error(error, code=code, param=param)
    assert_nothing_written(client, objects)


@pytest.mark.parametrize(
    ("extra", "code", "param"),
    [
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"starting_after": "cnli_nope"}, "resource_missing", "starting_after"),
    ],
)
def test_preview_lines_refuse_bad_paging(
    client: stripe.StripeClient,
    objects: dict[str, str],
    extra: dict[str, Any],
    code: str,
    param: str,
) -> None:
    given: Any = {"invoice": objects[INV], "amount": 100, "out_of_band_amount": 100, **extra}
    error = error_of(lambda: client.v1.credit_notes.preview_lines.list(params=given))
    assert_error(error, code=code, param=param)


# --- one credit note ----------------------------------------------------------------


@pytest.fixture
def note(client: stripe.StripeClient, objects: dict[str, str]) -> stripe.CreditNote:
    return client.v1.credit_notes.create(
        params={"invoice": objects[INV], "amount": 100, "out_of_band_amount": 100,
                "memo": "kept", "metadata": {"k": "v"}}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/credit_notes/cn_nope"),
        ("POST", "/v1/credit_notes/cn_nope"),
        ("POST", "/v1/credit_notes/cn_nope/void"),
        ("GET", "/v1/credit_notes/cn_nope/lines"),
    ],
)
def test_an_unknown_credit_note_is_missing(http: httpx.Client, method: str, path: str) -> None:
    response = http.request(method, path)
    assert response.status_code == 404
    body = response.json()["error"]
    assert (body["code"], body["param"]) == ("resource_missing", "id")


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"amount": 5}, "parameter_unknown", "amount"),
        ({"reason": "duplicate"}, "parameter_unknown", "reason"),
        ({"memo": LONG}, "parameter_invalid_string_too_long", "memo"),
        ({"metadata": "plain"}, "parameter_invalid_hash", "metadata"),
        ({"metadata[" + "k" * 41 + "]": "v"}, None, "metadata"),
        ({"expand": "invoice"}, "parameter_invalid_array", "expand"),
    ],
)
def test_update_refuses_bad_input_and_changes_nothing(
    http: httpx.Client,
    client: stripe.StripeClient,
    note: stripe.CreditNote,
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    response = http.post(f"/v1/credit_notes/{note.id}", data=params)

    assert response.status_code == 400
    body = response.json()["error"]
    assert (body.get("code"), body.get("param")) == (code, param)
    after = client.v1.credit_notes.retrieve(note.id)
    assert after.memo == "kept"
    assert after.metadata is not None
    assert after.metadata.to_dict() == {"k": "v"}
    assert after.amount == 100


def test_void_refuses_unknown_parameters(
    http: httpx.Client, client: stripe.StripeClient, note: stripe.CreditNote
) -> None:
    response = http.post(f"/v1/credit_notes/{note.id}/void", data={"reason": "bored"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "reason"
    assert client.v1.credit_notes.retrieve(note.id).status == "issued"


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"starting_after": "cnli_nope"}, "resource_missing", "starting_after"),
        ({"ending_before": "cnli_nope"}, "resource_missing", "ending_before"),
    ],
)
def test_lines_refuse_bad_input(
    http: httpx.Client,
    note: stripe.CreditNote,
    params: dict[str, Any],
    code: str,
    param: str,
) -> None:
    response = http.get(f"/v1/credit_notes/{note.id}/lines", params=params)
    assert response.status_code == 400
    body = response.json()["error"]
    assert (body.get("code"), body.get("param")) == (code, param)


# --- list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"customer": "cus_nope"}, "resource_missing", "customer"),
        ({"invoice": "in_nope"}, "resource_missing", "invoice"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"created[gt]": "soon"}, "parameter_invalid_integer", "created[gt]"),
        ({"created[after]": 1}, "parameter_unknown", "created[after]"),
        ({"starting_after": "cn_a", "ending_before": "cn_b"}, None, None),
    ],
)
def test_list_refuses_bad_input(
    http: httpx.Client, params: dict[str, Any], code: str | None, param: str | None
) -> None:
    response = http.get("/v1/credit_notes", params=params)
    assert response.status_code == 400
    body = response.json()["error"]
    assert (body.get("code"), body.get("param")) == (code, param)
