"""Tax IDs through the official SDK: under a customer, top level, on customer create, events."""

from __future__ import annotations

from typing import TYPE_CHECKING

import stripe

from seikyu.db.models.tax_ids import TaxId
from seikyu.db.uow import Database
from tests.contract.test_customers import count_rows, events_of
from tests.support.errors import assert_error, error_of

if TYPE_CHECKING:
    from tests.conftest import TestAccount

TAX_ID_FIELDS = {
    "id",
    "object",
    "country",
    "created",
    "customer",
    "customer_account",
    "livemode",
    "owner",
    "type",
    "value",
    "verification",
}
JP_TRN = "T8010601046367"


def _customer(client: stripe.StripeClient) -> stripe.Customer:
    return client.v1.customers.create(params={"name": "Kabushiki Kaisha"})


# --- under a customer -------------------------------------------------------------------


def test_a_japanese_registration_number_is_added_to_a_customer(
    client: stripe.StripeClient,
) -> None:
    customer = _customer(client)

    tax_id = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "jp_trn", "value": JP_TRN}
    )

    assert set(tax_id.to_dict()) == TAX_ID_FIELDS
    assert tax_id.id.startswith("txi_")
    assert (tax_id.type, tax_id.value, tax_id.country) == ("jp_trn", JP_TRN, "JP")
    assert tax_id.customer == customer.id
    assert tax_id.owner.to_dict() == {
        "type": "customer",
        "customer": customer.id,
        "customer_account": None,
    }
    # No register is consulted for jp_trn, on Stripe either.
    assert tax_id.verification.to_dict() == {
        "status": "unavailable",
        "verified_address": None,
        "verified_name": None,
    }
    assert tax_id.livemode is False


def test_an_eu_vat_number_takes_its_country_from_the_prefix_and_starts_pending(
    client: stripe.StripeClient,
) -> None:
    customer = _customer(client)

    tax_id = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "eu_vat", "value": "EL123456789"}
    )

    assert tax_id.country == "GR"
    assert tax_id.verification.status == "pending"


def test_test_mode_magic_values_resolve_verification(client: stripe.StripeClient) -> None:
    customer = _customer(client)

    verified = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "eu_vat", "value": "DE000000000"}
    )
    unverified = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "au_abn", "value": "111111111"}
    )

    assert verified.verification.status == "verified"
    assert unverified.verification.status == "unverified"
    assert unverified.country == "AU"


def test_a_customers_tax_ids_are_listed_newest_first(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    other = _customer(client)
    first = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "jp_trn", "value": JP_TRN}
    )
    second = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "us_ein", "value": "12-3456789"}
    )
    client.v1.customers.tax_ids.create(other.id, params={"type": "us_ein", "value": "98-7654321"})

    listed = client.v1.customers.tax_ids.list(customer.id)
    paged = client.v1.customers.tax_ids.list(customer.id, params={"limit": 1})

    assert [t.id for t in listed.data] == [second.id, first.id]
    assert listed.url == f"/v1/customers/{customer.id}/tax_ids"
    assert paged.has_more is True
    assert [t.id for t in paged.auto_paging_iter()] == [second.id, first.id]


def test_a_tax_id_is_retrieved_through_its_customer(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    created = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "jp_trn", "value": JP_TRN}
    )

    fetched = client.v1.customers.tax_ids.retrieve(customer.id, created.id)

    assert fetched.to_dict() == created.to_dict()


def test_another_customers_tax_id_is_not_found_through_this_one(
    client: stripe.StripeClient,
) -> None:
    owner = _customer(client)
    stranger = _customer(client)
    tax_id = client.v1.customers.tax_ids.create(
        owner.id, params={"type": "jp_trn", "value": JP_TRN}
    )

    error = error_of(lambda: client.v1.customers.tax_ids.retrieve(stranger.id, tax_id.id))
    delete = error_of(lambda: client.v1.customers.tax_ids.delete(stranger.id, tax_id.id))

    assert_error(error, status=404, code="resource_missing", param="id")
    assert_error(delete, status=404, code="resource_missing", param="id")


def test_delete_returns_the_stub_and_the_tax_id_is_gone(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    tax_id = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "jp_trn", "value": JP_TRN}
    )

    deleted = client.v1.customers.tax_ids.delete(customer.id, tax_id.id)

    assert deleted.to_dict() == {"id": tax_id.id, "object": "tax_id", "deleted": True}
    assert client.v1.customers.tax_ids.list(customer.id).data == []
    missing = error_of(lambda: client.v1.customers.tax_ids.retrieve(customer.id, tax_id.id))
    assert_error(missing, status=404, code="resource_missing", param="id")
    again = error_of(lambda: client.v1.customers.tax_ids.delete(customer.id, tax_id.id))
    assert_error(again, status=404, code="resource_missing", param="id")


def test_adding_and_deleting_emit_customer_tax_id_events(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    tax_id = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "jp_trn", "value": JP_TRN}
    )
    client.v1.customers.tax_ids.delete(customer.id, tax_id.id)

    (created,) = events_of(client, "customer.tax_id.created")
    (deleted,) = events_of(client, "customer.tax_id.deleted")
    assert created.data.object.id == tax_id.id
    assert created.data.object.value == JP_TRN
    assert deleted.data.object.id == tax_id.id
    assert deleted.data.object.value == JP_TRN  # the last state, not the stub


def test_a_deleted_customers_tax_ids_are_gone_with_it(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    tax_id = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "jp_trn", "value": JP_TRN}
    )
    client.v1.customers.delete(customer.id)

    listing = error_of(lambda: client.v1.customers.tax_ids.list(customer.id))
    adding = error_of(
        lambda: client.v1.customers.tax_ids.create(
            customer.id, params={"type": "jp_trn", "value": JP_TRN}
        )
    )
    top_level = error_of(lambda: client.v1.tax_ids.retrieve(tax_id.id))

    assert_error(listing, status=404, code="resource_missing", param="id")
    assert_error(adding, status=404, code="resource_missing", param="id")
    assert_error(top_level, status=404, code="resource_missing", param="id")


def test_a_customer_can_have_25_tax_ids_and_no_more(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    customer = _customer(client)
    for n in range(25):
        client.v1.customers.tax_ids.create(
            customer.id, params={"type": "us_ein", "value": f"12-{n:07d}"}
        )

    error = error_of(
        lambda: client.v1.customers.tax_ids.create(
            customer.id, params={"type": "us_ein", "value": "99-9999999"}
        )
    )

    assert_error(error, code=None, param=None)
    assert "at most 25 tax IDs" in str(error.user_message)
    assert count_rows(db, account, TaxId) == 25


def test_deleting_one_makes_room_for_another(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    created = [
        client.v1.customers.tax_ids.create(
            customer.id, params={"type": "us_ein", "value": f"12-{n:07d}"}
        )
        for n in range(25)
    ]
    client.v1.customers.tax_ids.delete(customer.id, created[0].id)

    replacement = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "us_ein", "value": "99-9999999"}
    )

    assert replacement.value == "99-9999999"


# --- top level: /v1/tax_ids -------------------------------------------------------------


def test_top_level_create_with_a_customer_owner(client: stripe.StripeClient) -> None:
    customer = _customer(client)

    tax_id = client.v1.tax_ids.create(
        params={
            "type": "gb_vat",
            "value": "GB123456789",
            "owner": {"type": "customer", "customer": customer.id},
        }
    )

    assert tax_id.customer == customer.id
    assert tax_id.owner.type == "customer"
    assert [t.id for t in client.v1.customers.tax_ids.list(customer.id).data] == [tax_id.id]
    assert client.v1.tax_ids.retrieve(tax_id.id).to_dict() == tax_id.to_dict()
    listed = client.v1.tax_ids.list(params={"owner": {"type": "customer", "customer": customer.id}})
    assert [t.id for t in listed.data] == [tax_id.id]


def test_without_an_owner_the_tax_id_is_the_accounts_own(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    client.v1.customers.tax_ids.create(customer.id, params={"type": "jp_trn", "value": JP_TRN})

    own = client.v1.tax_ids.create(params={"type": "jp_trn", "value": "T7123456789012"})
    explicit = client.v1.tax_ids.list(params={"owner": {"type": "self"}})

    assert own.owner.to_dict() == {"type": "self"}
    assert own.customer is None
    assert [t.id for t in client.v1.tax_ids.list().data] == [own.id]
    assert [t.id for t in explicit.data] == [own.id]
    # The account's own tax IDs are not a customer's: no customer.tax_id events.
    assert own.id not in [e.data.object.id for e in events_of(client, "customer.tax_id.created")]


def test_top_level_delete(client: stripe.StripeClient) -> None:
    own = client.v1.tax_ids.create(params={"type": "jp_trn", "value": JP_TRN})

    deleted = client.v1.tax_ids.delete(own.id)

    assert deleted.to_dict() == {"id": own.id, "object": "tax_id", "deleted": True}
    assert client.v1.tax_ids.list().data == []


def test_tax_ids_of_other_accounts_are_invisible(
    client: stripe.StripeClient, server: object, db: Database
) -> None:
    from seikyu.accounts import service as accounts
    from tests.support.server import ServerProcess

    assert isinstance(server, ServerProcess)
    own = client.v1.tax_ids.create(params={"type": "jp_trn", "value": JP_TRN})
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, other.id)
    stranger = stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )

    error = error_of(lambda: stranger.v1.tax_ids.retrieve(own.id))

    assert_error(error, status=404, code="resource_missing", param="id")
    assert stranger.v1.tax_ids.list().data == []


# --- on the customer --------------------------------------------------------------------


def test_tax_id_data_adds_tax_ids_when_the_customer_is_created(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create(
        params={
            "name": "Acme KK",
            "tax_id_data": [
                {"type": "jp_trn", "value": JP_TRN},
                {"type": "eu_vat", "value": "DE123456789"},
            ],
        }
    )

    listed = client.v1.customers.tax_ids.list(customer.id)

    assert sorted((t.type, t.value) for t in listed.data) == [
        ("eu_vat", "DE123456789"),
        ("jp_trn", JP_TRN),
    ]
    assert {t.customer for t in listed.data} == {customer.id}
    assert len(events_of(client, "customer.tax_id.created")) == 2


def test_tax_ids_appear_on_a_customer_only_when_expanded(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"tax_id_data": [{"type": "jp_trn", "value": JP_TRN}]}
    )

    plain = client.v1.customers.retrieve(customer.id)
    expanded = client.v1.customers.retrieve(customer.id, params={"expand": ["tax_ids"]})

    assert "tax_ids" not in plain.to_dict()
    assert expanded.tax_ids.object == "list"
    assert expanded.tax_ids.url == f"/v1/customers/{customer.id}/tax_ids"
    assert expanded.tax_ids.has_more is False
    assert [t.value for t in expanded.tax_ids.data] == [JP_TRN]


def test_expand_tax_ids_on_create(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"tax_id_data": [{"type": "jp_trn", "value": JP_TRN}], "expand": ["tax_ids"]}
    )

    assert [t.value for t in customer.tax_ids.data] == [JP_TRN]


def test_the_customer_of_a_tax_id_expands(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    tax_id = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "jp_trn", "value": JP_TRN}
    )

    expanded = client.v1.tax_ids.retrieve(
        tax_id.id, params={"expand": ["customer", "owner.customer"]}
    )

    assert expanded.customer.id == customer.id
    assert expanded.customer.name == "Kabushiki Kaisha"
    assert expanded.owner.customer.id == customer.id
