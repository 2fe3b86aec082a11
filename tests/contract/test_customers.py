"""Customers through the official SDK: fields, updates, deletion, lists and events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import stripe
from sqlalchemy import func, select

from seikyu.db.uow import Database
from tests.support.errors import assert_error, error_of

if TYPE_CHECKING:
    from tests.conftest import TestAccount

CUSTOMER_FIELDS = {
    "id",
    "object",
    "address",
    "balance",
    "business_name",
    "created",
    "currency",
    "customer_account",
    "default_source",
    "delinquent",
    "description",
    "discount",
    "email",
    "individual_name",
    "invoice_prefix",
    "invoice_settings",
    "livemode",
    "metadata",
    "name",
    "next_invoice_sequence",
    "phone",
    "preferred_locales",
    "shipping",
    "tax_exempt",
    "test_clock",
}


# --- helpers shared with the other customer and tax ID test modules ---------------------


def count_rows(db: Database, account: TestAccount, model: Any) -> int:
    with db.unit() as uow:
        stmt = select(func.count()).select_from(model).where(model.account_id == account.id)
        return int(uow.session.scalar(stmt) or 0)


def events_of(client: stripe.StripeClient, event_type: str) -> list[stripe.Event]:
    return list(client.v1.events.list(params={"type": event_type, "limit": 100}).data)


# --- create and retrieve ----------------------------------------------------------------


def test_a_new_customer_has_stripes_fields_and_defaults(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()

    assert set(customer.to_dict()) == CUSTOMER_FIELDS
    assert customer.id.startswith("cus_")
    assert customer.balance == 0
    assert customer.tax_exempt == "none"
    assert customer.preferred_locales == []
    assert customer.metadata.to_dict() == {}
    assert customer.next_invoice_sequence == 1
    assert customer.address is None
    assert customer.shipping is None
    assert customer.invoice_settings.to_dict() == {
        "custom_fields": None,
        "default_payment_method": None,
        "footer": None,
        "rendering_options": None,
    }
    assert "tax_ids" not in customer.to_dict()


def test_every_writable_field_round_trips(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(
        params={
            "email": "hanako@example.jp",
            "name": "山田 花子",
            "business_name": "Yamada Shoji K.K.",
            "individual_name": "Hanako Yamada",
            "phone": "+81 3-1234-5678",
            "description": "Enterprise plan",
            "address": {"country": "JP", "postal_code": "100-0001", "city": "Chiyoda"},
            "shipping": {"name": "Hanako", "address": {"line1": "1-1 Marunouchi"}},
            "balance": -500,
            "invoice_prefix": "HANAKO1",
            "next_invoice_sequence": 42,
            "invoice_settings": {
                "custom_fields": [{"name": "PO", "value": "12345"}],
                "footer": "Thank you",
                "rendering_options": {"amount_tax_display": "include_inclusive_tax"},
            },
            "preferred_locales": ["ja", "en-GB"],
            "tax_exempt": "reverse",
            "metadata": {"plan": "enterprise"},
        }
    )
    fetched = client.v1.customers.retrieve(created.id)

    assert fetched.to_dict() == created.to_dict()
    assert fetched.name == "山田 花子"
    assert fetched.address.to_dict() == {
        "city": "Chiyoda",
        "country": "JP",
        "line1": None,
        "line2": None,
        "postal_code": "100-0001",
        "state": None,
    }
    assert fetched.shipping.name == "Hanako"
    assert fetched.shipping.address.line1 == "1-1 Marunouchi"
    assert fetched.balance == -500
    assert fetched.business_name == "Yamada Shoji K.K."
    assert fetched.individual_name == "Hanako Yamada"
    assert fetched.invoice_prefix == "HANAKO1"
    assert fetched.next_invoice_sequence == 42
    assert fetched.invoice_settings.custom_fields[0].to_dict() == {"name": "PO", "value": "12345"}
    assert fetched.invoice_settings.rendering_options.amount_tax_display == (
        "include_inclusive_tax"
    )
    assert fetched.preferred_locales == ["ja", "en-GB"]
    assert fetched.tax_exempt == "reverse"
    assert fetched.metadata.to_dict() == {"plan": "enterprise"}


def test_each_customer_gets_its_own_invoice_prefix(client: stripe.StripeClient) -> None:
    first = client.v1.customers.create()
    second = client.v1.customers.create()

    assert first.invoice_prefix != second.invoice_prefix
    assert len(first.invoice_prefix) == 8


def test_an_invoice_prefix_in_use_is_refused(client: stripe.StripeClient) -> None:
    client.v1.customers.create(params={"invoice_prefix": "ACME"})

    error = error_of(lambda: client.v1.customers.create(params={"invoice_prefix": "ACME"}))

    assert_error(error, code="invoice_prefix_in_use", param="invoice_prefix")


def test_retrieving_an_unknown_customer_is_a_404(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.customers.retrieve("cus_missing"))

    assert_error(error, status=404, code="resource_missing", param="id")
    assert isinstance(error, stripe.InvalidRequestError)


def test_creation_emits_customer_created(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})

    (event,) = events_of(client, "customer.created")
    assert event.data.object.id == customer.id
    assert event.data.object.email == "a@example.com"


# --- update -----------------------------------------------------------------------------


def test_update_changes_named_fields_and_keeps_the_rest(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com", "name": "Ann"})

    updated = client.v1.customers.update(customer.id, params={"name": "Anna"})

    assert updated.name == "Anna"
    assert updated.email == "a@example.com"


def test_an_empty_string_clears_an_optional_field(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={
            "email": "a@example.com",
            "phone": "+1 555 0100",
            "address": {"country": "US"},
            "shipping": {"name": "A", "address": {"country": "US"}},
            "preferred_locales": ["en"],
            "tax_exempt": "exempt",
        }
    )

    updated = client.v1.customers.update(
        customer.id,
        params={
            "email": "",
            "phone": "",
            "address": "",
            "shipping": "",
            "tax_exempt": "",
            "preferred_locales": "",
        },
    )

    assert (updated.email, updated.phone, updated.address, updated.shipping) == (
        None,
        None,
        None,
        None,
    )
    assert updated.tax_exempt == "none"
    assert updated.preferred_locales == []


def test_metadata_merges_and_an_empty_value_removes_a_key(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"metadata": {"a": "1", "b": "2"}})

    updated = client.v1.customers.update(customer.id, params={"metadata": {"b": "", "c": "3"}})
    cleared = client.v1.customers.update(customer.id, params={"metadata": ""})

    assert updated.metadata.to_dict() == {"a": "1", "c": "3"}
    assert cleared.metadata.to_dict() == {}


def test_invoice_settings_merge_by_sub_field(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"invoice_settings": {"footer": "F", "custom_fields": [{"name": "n", "value": "v"}]}}
    )

    updated = client.v1.customers.update(
        customer.id, params={"invoice_settings": {"custom_fields": ""}}
    )

    assert updated.invoice_settings.footer == "F"
    assert updated.invoice_settings.custom_fields is None


def test_update_emits_customer_updated_with_previous_attributes(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create(
        params={"name": "Ann", "email": "a@example.com", "metadata": {"k": "old"}}
    )

    client.v1.customers.update(customer.id, params={"name": "Anna", "metadata": {"k": "new"}})

    (event,) = events_of(client, "customer.updated")
    assert event.data.object.name == "Anna"
    assert event.data.previous_attributes.to_dict() == {"name": "Ann", "metadata": {"k": "old"}}


def test_an_update_that_changes_nothing_emits_no_event(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"name": "Ann"})

    client.v1.customers.update(customer.id, params={"name": "Ann"})

    assert events_of(client, "customer.updated") == []


# --- delete -----------------------------------------------------------------------------


def test_delete_returns_the_stub_and_retrieve_keeps_returning_it(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})

    deleted = client.v1.customers.delete(customer.id)
    fetched = client.v1.customers.retrieve(customer.id)

    stub = {"id": customer.id, "object": "customer", "deleted": True}
    assert deleted.to_dict() == stub
    assert fetched.to_dict() == stub


def test_a_deleted_customer_cannot_be_updated_or_deleted_again(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create()
    client.v1.customers.delete(customer.id)

    update = error_of(lambda: client.v1.customers.update(customer.id, params={"name": "x"}))
    again = error_of(lambda: client.v1.customers.delete(customer.id))

    assert_error(update, status=404, code="resource_missing", param="id")
    assert_error(again, status=404, code="resource_missing", param="id")


def test_delete_emits_customer_deleted_with_the_last_state(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "gone@example.com"})

    client.v1.customers.delete(customer.id)

    (event,) = events_of(client, "customer.deleted")
    assert event.data.object.id == customer.id
    assert event.data.object.email == "gone@example.com"


def test_deleted_customers_leave_the_list(client: stripe.StripeClient) -> None:
    kept = client.v1.customers.create()
    gone = client.v1.customers.create()
    client.v1.customers.delete(gone.id)

    listed = client.v1.customers.list()

    assert [c.id for c in listed.data] == [kept.id]


# --- list -------------------------------------------------------------------------------


def test_list_is_newest_first_and_pages_both_ways(client: stripe.StripeClient) -> None:
    ids = [client.v1.customers.create().id for _ in range(5)]
    newest_first = list(reversed(ids))

    first = client.v1.customers.list(params={"limit": 2})
    second = client.v1.customers.list(params={"limit": 2, "starting_after": first.data[-1].id})
    back = client.v1.customers.list(params={"limit": 2, "ending_before": second.data[0].id})

    assert [c.id for c in first.data] == newest_first[:2]
    assert first.has_more is True
    assert [c.id for c in second.data] == newest_first[2:4]
    assert [c.id for c in back.data] == newest_first[:2]
    assert first.url == "/v1/customers"
    assert [c.id for c in client.v1.customers.list().auto_paging_iter()] == newest_first


def test_list_filters_by_exact_email(client: stripe.StripeClient) -> None:
    match = client.v1.customers.create(params={"email": "a@example.com"})
    client.v1.customers.create(params={"email": "b@example.com"})

    listed = client.v1.customers.list(params={"email": "a@example.com"})

    assert [c.id for c in listed.data] == [match.id]


def test_list_filters_by_created(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()

    same_second = client.v1.customers.list(params={"created": customer.created})
    later = client.v1.customers.list(params={"created": {"gt": customer.created}})
    range_ = client.v1.customers.list(
        params={"created": {"gte": customer.created, "lte": customer.created}}
    )

    assert [c.id for c in same_second.data] == [customer.id]
    assert later.data == []
    assert [c.id for c in range_.data] == [customer.id]


def test_expand_tax_ids_on_a_list_of_customers(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"tax_id_data": [{"type": "jp_trn", "value": "T8010601046367"}]}
    )

    listed = client.v1.customers.list(params={"expand": ["data.tax_ids"]})

    (only,) = listed.data
    assert only.id == customer.id
    assert [t.value for t in only.tax_ids.data] == ["T8010601046367"]
