"""Japan's qualified invoices and account-wide numbering, end to end (reference 5.4, 7.2,
G-7.5): tax once per rate per invoice, per-rate totals, the issuer's registration number."""

from __future__ import annotations

import stripe

from seikyu.billing import invoice_settings
from seikyu.db.uow import Database
from tests.conftest import TestAccount
from tests.support.billing import item


def jct(client: stripe.StripeClient, percentage: int) -> stripe.TaxRate:
    return client.v1.tax_rates.create(
        params={
            "display_name": "JCT",
            "percentage": percentage,
            "inclusive": False,
            "country": "JP",
            "tax_type": "jct",
        }
    )


def g75_invoice(client: stripe.StripeClient) -> stripe.Invoice:
    """G-7.5: three ¥105 lines at 8% and one ¥2,980 line at 10%, exclusive."""
    customer = client.v1.customers.create(params={"name": "株式会社テスト"})
    reduced, standard = jct(client, 8), jct(client, 10)
    for _ in range(3):
        item(client, customer.id, 105, currency="jpy", tax_rates=[reduced.id])
    item(client, customer.id, 2980, currency="jpy", tax_rates=[standard.id])
    invoice = client.v1.invoices.create(
        params={"customer": customer.id, "pending_invoice_items_behavior": "include"}
    )
    return client.v1.invoices.finalize_invoice(invoice.id)


def test_tax_is_rounded_per_line_by_default(client: stripe.StripeClient) -> None:
    invoice = g75_invoice(client)
    assert sum(tax.amount for tax in invoice.total_taxes) == 322
    assert invoice.total == 3617
    assert invoice.qualified_invoice is None


def test_qualified_invoices_round_once_per_rate(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    with db.unit() as uow:
        invoice_settings.update(
            uow, account.id, qualified_invoice=True, registration_number="T8010601046367"
        )
    invoice = g75_invoice(client)
    rows = {row.tax_rate_details.percentage: row for row in invoice.total_taxes}
    assert (rows["8"].taxable_amount, rows["8"].amount) == (315, 25)
    assert (rows["10"].taxable_amount, rows["10"].amount) == (2980, 298)
    assert (invoice.total_excluding_tax, invoice.total) == (3295, 3618)
    assert invoice.qualified_invoice.registration_number == "T8010601046367"


def test_account_wide_numbering_shares_one_sequence(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    """G-5.4's account-level scheme: RKTRIDE-0001 for A, -0002 for B, -0003 for A."""
    with db.unit() as uow:
        invoice_settings.update(uow, account.id, numbering="account", prefix="RKTRIDE")
    a = client.v1.customers.create(params={"name": "A"})
    b = client.v1.customers.create(params={"name": "B"})
    numbers = []
    for customer in (a, b, a):
        item(client, customer.id, 1000)
        draft = client.v1.invoices.create(
            params={"customer": customer.id, "pending_invoice_items_behavior": "include"}
        )
        numbers.append(client.v1.invoices.finalize_invoice(draft.id).number)
    assert numbers == ["RKTRIDE-0001", "RKTRIDE-0002", "RKTRIDE-0003"]
