"""Radar value lists and their items through the official SDK: Stripe's shapes, the default
allow and block lists, canonical values and duplicates, paging and filters, deleting a list
with its items, the size limit, and the lookups refunds and screening call."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import stripe
import uvicorn

from seikyu.accounts import service as accounts
from seikyu.app import build_app
from seikyu.db.uow import Actor, Database
from seikyu.risk import value_lists
from seikyu.risk.domain import value_list_rules
from seikyu.risk.domain.value_list_rules import DEFAULT_ALIASES
from tests.conftest import TestAccount
from tests.support.errors import assert_error, invalid_request
from tests.support.server import ServerProcess, free_port

LIST_FIELDS = {
    "id",
    "object",
    "alias",
    "created",
    "created_by",
    "item_type",
    "list_items",
    "livemode",
    "metadata",
    "name",
}
ITEM_FIELDS = {"id", "object", "created", "created_by", "livemode", "value", "value_list"}


def new_list(client: stripe.StripeClient, **params: Any) -> stripe.radar.ValueList:
    defaults: dict[str, Any] = {"alias": "custom_ip_blocklist", "name": "Custom IP blocklist"}
    return client.v1.radar.value_lists.create(params={**defaults, **params})


def add(client: stripe.StripeClient, value_list: str, value: str) -> stripe.radar.ValueListItem:
    return client.v1.radar.value_list_items.create(
        params={"value_list": value_list, "value": value}
    )


def custom_lists(client: stripe.StripeClient, **params: Any) -> list[stripe.radar.ValueList]:
    found = client.v1.radar.value_lists.list(params={"limit": 100, **params}).data
    return [v for v in found if v.alias not in DEFAULT_ALIASES]


def item_values(client: stripe.StripeClient, value_list: str, **params: Any) -> list[str]:
    query = {"value_list": value_list, "limit": 100, **params}
    return [i.value for i in client.v1.radar.value_list_items.list(params=query).data]


def default_list(client: stripe.StripeClient, alias: str) -> stripe.radar.ValueList:
    (found,) = client.v1.radar.value_lists.list(params={"alias": alias}).data
    return found


# --- value lists ----------------------------------------------------------------------------


def test_a_new_list_has_stripes_fields_and_defaults(client: stripe.StripeClient) -> None:
    created = new_list(client, metadata={"team": "risk"})

    assert set(created.to_dict()) == LIST_FIELDS
    assert created.id.startswith("rsl_")
    assert created.object == "radar.value_list"
    assert (created.alias, created.name, created.item_type) == (
        "custom_ip_blocklist",
        "Custom IP blocklist",
        "string",
    )
    assert (created.created_by, created.livemode) == ("API", False)
    assert created.metadata.to_dict() == {"team": "risk"}
    assert created.list_items.to_dict() == {
        "object": "list",
        "data": [],
        "has_more": False,
        "url": f"/v1/radar/value_list_items?value_list={created.id}",
    }
    assert client.v1.radar.value_lists.retrieve(created.id).to_dict() == created.to_dict()


def test_update_changes_alias_name_and_metadata(client: stripe.StripeClient) -> None:
    created = new_list(client, item_type="email", metadata={"a": "1", "b": "2"})

    updated = client.v1.radar.value_lists.update(
        created.id, params={"alias": "vip_emails", "name": "VIPs", "metadata": {"a": ""}}
    )

    assert (updated.alias, updated.name, updated.item_type) == ("vip_emails", "VIPs", "email")
    assert updated.metadata.to_dict() == {"b": "2"}
    cleared = client.v1.radar.value_lists.update(created.id, params={"metadata": ""})
    assert cleared.metadata.to_dict() == {}
    assert [v.alias for v in custom_lists(client)] == ["vip_emails"]


def test_an_alias_is_unique_in_the_account(client: stripe.StripeClient) -> None:
    first = new_list(client, alias="suspects")
    other = new_list(client, alias="others")

    for call in (
        lambda: new_list(client, alias="suspects"),
        lambda: new_list(client, alias="block_list_email"),
        lambda: client.v1.radar.value_lists.update(other.id, params={"alias": "suspects"}),
    ):
        error = invalid_request(call)
        assert_error(error, code="resource_already_exists", param="alias")

    assert {v.id for v in custom_lists(client)} == {first.id, other.id}


def test_aliases_of_other_accounts_are_free(
    client: stripe.StripeClient, db: Database, server: ServerProcess
) -> None:
    new_list(client, alias="shared_name")
    other = second_client(db, server)

    assert new_list(other, alias="shared_name").alias == "shared_name"
    assert [v.alias for v in custom_lists(other)] == ["shared_name"]


def test_an_alias_is_letters_digits_and_underscores(client: stripe.StripeClient) -> None:
    for alias in ("has space", "dash-ed", "@at", "ünï"):
        error = invalid_request(lambda alias=alias: new_list(client, alias=alias))  # type: ignore[misc]
        assert_error(error, code=None, param="alias")


def test_deleting_a_list_deletes_its_items(client: stripe.StripeClient) -> None:
    created = new_list(client, item_type="ip_address")
    item = add(client, created.id, "1.2.3.4")

    deleted = client.v1.radar.value_lists.delete(created.id)

    assert deleted.to_dict() == {"id": created.id, "object": "radar.value_list", "deleted": True}
    for call in (
        lambda: client.v1.radar.value_lists.retrieve(created.id),
        lambda: client.v1.radar.value_list_items.retrieve(item.id),
    ):
        assert_error(invalid_request(call), status=404, code="resource_missing", param="id")
    error = invalid_request(lambda: item_values(client, created.id))
    assert_error(error, code="resource_missing", param="value_list")
    assert custom_lists(client) == []


def test_list_is_newest_first_and_pages_both_ways(client: stripe.StripeClient) -> None:
    made = [new_list(client, alias=f"list_{n}").id for n in range(3)]
    newest_first = made[::-1]

    first = client.v1.radar.value_lists.list(params={"limit": 2})
    assert [v.id for v in first.data] == newest_first[:2]
    assert first.has_more is True
    second = client.v1.radar.value_lists.list(
        params={"limit": 2, "starting_after": newest_first[1]}
    )
    assert [v.id for v in second.data][:1] == newest_first[2:]
    before = client.v1.radar.value_lists.list(params={"ending_before": newest_first[2]})
    assert [v.id for v in before.data] == newest_first[:2]
    assert first.url == "/v1/radar/value_lists"


def test_list_filters_by_alias_and_created(client: stripe.StripeClient) -> None:
    created = new_list(client, alias="one")
    new_list(client, alias="two")

    assert [v.id for v in client.v1.radar.value_lists.list(params={"alias": "one"}).data] == [
        created.id
    ]
    assert client.v1.radar.value_lists.list(params={"alias": "three"}).data == []
    later = client.v1.radar.value_lists.list(params={"created": {"gt": created.created + 3600}})
    assert later.data == []
    exact = client.v1.radar.value_lists.list(params={"created": created.created, "limit": 100})
    assert created.id in [v.id for v in exact.data]


def test_contains_finds_the_lists_holding_a_value(client: stripe.StripeClient) -> None:
    emails = new_list(client, alias="fraud_emails", item_type="email")
    strings = new_list(client, alias="notes", item_type="string")
    exact = new_list(client, alias="exact", item_type="case_sensitive_string")
    new_list(client, alias="empty", item_type="email")
    add(client, emails.id, "Jenny@Example.com")
    add(client, strings.id, "jenny@example.com")
    add(client, exact.id, "Jenny@Example.com")

    def holding(value: str) -> set[str]:
        return {v.alias for v in custom_lists(client, contains=value)}

    assert holding("JENNY@example.COM") == {"fraud_emails", "notes"}
    assert holding("Jenny@Example.com") == {"fraud_emails", "notes", "exact"}
    assert holding("nobody@example.com") == set()


def test_the_first_items_are_embedded(client: stripe.StripeClient) -> None:
    created = new_list(client, item_type="ip_address")
    items = [add(client, created.id, f"10.0.0.{n}").id for n in range(12)]

    shown = client.v1.radar.value_lists.retrieve(created.id).list_items

    assert [i.id for i in shown.data] == items[::-1][:10]
    assert shown.has_more is True
    listed = custom_lists(client)[0].list_items
    assert [i.id for i in listed.data] == items[::-1][:10]


def test_expanding_list_items_is_accepted(client: stripe.StripeClient) -> None:
    created = new_list(client)
    found = client.v1.radar.value_lists.retrieve(created.id, params={"expand": ["list_items"]})
    assert found.to_dict() == created.to_dict()


# --- default lists --------------------------------------------------------------------------


def test_every_account_has_the_default_lists(client: stripe.StripeClient) -> None:
    everything = client.v1.radar.value_lists.list(params={"limit": 100}).data

    assert {v.alias for v in everything} == DEFAULT_ALIASES
    assert {v.created_by for v in everything} == {"Seikyu"}
    by_alias = {v.alias: v for v in everything}
    assert by_alias["block_list_card_fingerprint"].item_type == "card_fingerprint"
    assert by_alias["allow_list_email"].item_type == "email"
    assert by_alias["block_list_ip_country"].item_type == "country"
    assert by_alias["block_list_card_fingerprint"].name == "Blocked card fingerprints"


def test_default_lists_cannot_be_changed_or_deleted(client: stripe.StripeClient) -> None:
    blocked = default_list(client, "block_list_email")

    for call in (
        lambda: client.v1.radar.value_lists.delete(blocked.id),
        lambda: client.v1.radar.value_lists.update(blocked.id, params={"name": "Mine"}),
    ):
        assert_error(invalid_request(call), code=None, param=None)

    assert client.v1.radar.value_lists.retrieve(blocked.id).to_dict() == blocked.to_dict()


def test_default_lists_take_and_give_up_items(client: stripe.StripeClient) -> None:
    blocked = default_list(client, "block_list_email")

    item = add(client, blocked.id, "thief@example.com")
    assert item_values(client, blocked.id) == ["thief@example.com"]
    client.v1.radar.value_list_items.delete(item.id)
    assert item_values(client, blocked.id) == []


def test_default_lists_are_made_once(client: stripe.StripeClient) -> None:
    ids = {v.id for v in client.v1.radar.value_lists.list(params={"limit": 100}).data}
    new_list(client)
    again = {v.id for v in client.v1.radar.value_lists.list(params={"limit": 100}).data}
    assert len(again) == len(DEFAULT_ALIASES) + 1
    assert ids < again


# --- items ----------------------------------------------------------------------------------


def test_an_item_has_stripes_fields(client: stripe.StripeClient) -> None:
    created = new_list(client, item_type="ip_address")

    item = add(client, created.id, "1.2.3.4")

    assert set(item.to_dict()) == ITEM_FIELDS
    assert item.id.startswith("rsli_")
    assert item.object == "radar.value_list_item"
    assert (item.value, item.value_list, item.created_by, item.livemode) == (
        "1.2.3.4",
        created.id,
        "API",
        False,
    )
    assert client.v1.radar.value_list_items.retrieve(item.id).to_dict() == item.to_dict()
    deleted = client.v1.radar.value_list_items.delete(item.id)
    assert deleted.to_dict() == {"id": item.id, "object": "radar.value_list_item", "deleted": True}
    error = invalid_request(lambda: client.v1.radar.value_list_items.retrieve(item.id))
    assert_error(error, status=404, code="resource_missing", param="id")


@pytest.mark.parametrize(
    ("item_type", "given", "stored"),
    [
        ("email", "  Jenny.Rosen@Example.COM ", "jenny.rosen@example.com"),
        ("ip_address", "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("ip_address", " 13.112.224.240", "13.112.224.240"),
        ("country", "us", "US"),
        ("card_bin", "424242", "424242"),
        ("card_fingerprint", " AbCdEf0123456789 ", "AbCdEf0123456789"),
        ("customer_id", "cus_AeFLnRaI51AbRi", "cus_AeFLnRaI51AbRi"),
        ("account", "acct_1Pgc6xB7", "acct_1Pgc6xB7"),
        ("string", "Straße Leaks", "strasse leaks"),
        ("case_sensitive_string", " Mixed Case ", " Mixed Case "),
        ("us_bank_account_fingerprint", "XyZ9", "XyZ9"),
    ],
)
def test_values_are_stored_in_their_canonical_form(
    client: stripe.StripeClient, item_type: str, given: str, stored: str
) -> None:
    created = new_list(client, item_type=item_type)

    assert add(client, created.id, given).value == stored


@pytest.mark.parametrize(
    ("item_type", "value"),
    [
        ("email", "not-an-email"),
        ("email", "jenny@localhost"),
        ("ip_address", "999.1.1.1"),
        ("ip_address", "fe80::1%eth0"),
        ("country", "USA"),
        ("card_bin", "42424"),
        ("card_bin", "4242x2"),
        ("card_fingerprint", "has space"),
        ("customer_id", "sub_123"),
        ("customer_id", "cus_"),
        ("account", "cus_123"),
        ("email", "   "),
    ],
)
def test_values_must_fit_the_item_type(
    client: stripe.StripeClient, item_type: str, value: str
) -> None:
    created = new_list(client, item_type=item_type)

    error = invalid_request(lambda: add(client, created.id, value))

    assert_error(error, code=None, param="value")
    assert item_values(client, created.id) == []


def test_the_same_value_twice_is_a_duplicate(client: stripe.StripeClient) -> None:
    created = new_list(client, item_type="email")
    add(client, created.id, "jenny@example.com")

    error = invalid_request(lambda: add(client, created.id, " JENNY@example.com"))

    assert_error(error, code="resource_already_exists", param="value")
    assert item_values(client, created.id) == ["jenny@example.com"]


def test_case_sensitive_strings_differ_by_case(client: stripe.StripeClient) -> None:
    exact = new_list(client, alias="exact", item_type="case_sensitive_string")
    loose = new_list(client, alias="loose", item_type="string")

    add(client, exact.id, "Abc")
    add(client, exact.id, "abc")
    add(client, loose.id, "Abc")

    assert sorted(item_values(client, exact.id)) == ["Abc", "abc"]
    error = invalid_request(lambda: add(client, loose.id, "ABC"))
    assert_error(error, code="resource_already_exists", param="value")


def test_an_item_needs_an_existing_list(client: stripe.StripeClient) -> None:
    error = invalid_request(lambda: add(client, "rsl_missing", "x"))
    assert_error(error, code="resource_missing", param="value_list")


def test_items_page_newest_first_and_filter(client: stripe.StripeClient) -> None:
    created = new_list(client, item_type="email")
    made = [add(client, created.id, f"user{n}@example.com").id for n in range(3)]
    newest_first = made[::-1]

    query = {"value_list": created.id, "limit": 2}
    first = client.v1.radar.value_list_items.list(params=query)
    assert [i.id for i in first.data] == newest_first[:2]
    assert first.has_more is True
    rest = client.v1.radar.value_list_items.list(
        params={**query, "starting_after": newest_first[1]}
    )
    assert [i.id for i in rest.data] == newest_first[2:]
    assert rest.has_more is False
    before = client.v1.radar.value_list_items.list(
        params={**query, "ending_before": newest_first[2]}
    )
    assert [i.id for i in before.data] == newest_first[:2]
    assert item_values(client, created.id, value="USER1@example.com") == ["user1@example.com"]
    assert item_values(client, created.id, value="not an email") == []
    assert item_values(client, created.id, created={"gt": first.data[0].created + 3600}) == []
    assert first.url == "/v1/radar/value_list_items"


def test_items_of_another_list_stay_apart(client: stripe.StripeClient) -> None:
    one = new_list(client, alias="one", item_type="email")
    two = new_list(client, alias="two", item_type="email")
    add(client, one.id, "a@example.com")
    add(client, two.id, "a@example.com")

    assert item_values(client, one.id) == ["a@example.com"]
    assert item_values(client, two.id) == ["a@example.com"]


def test_value_lists_record_no_events(client: stripe.StripeClient) -> None:
    created = new_list(client)
    item = add(client, created.id, "x")
    client.v1.radar.value_lists.update(created.id, params={"name": "Renamed"})
    client.v1.radar.value_list_items.delete(item.id)
    client.v1.radar.value_lists.delete(created.id)

    assert client.v1.events.list().data == []


# --- the size limit, with a server in this process so the limit can be lowered --------------


@pytest.fixture
def local_client(db: Database, account: TestAccount) -> Iterator[stripe.StripeClient]:
    port = free_port()
    config = uvicorn.Config(build_app(db), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "in-process server did not start"
        time.sleep(0.05)
    try:
        yield stripe.StripeClient(
            account.secret,
            base_addresses={"api": f"http://127.0.0.1:{port}"},
            max_network_retries=0,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_a_full_list_takes_no_more_items(
    local_client: stripe.StripeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(value_list_rules, "MAX_ITEMS_PER_LIST", 3)
    created = new_list(local_client, item_type="email")
    for n in range(3):
        add(local_client, created.id, f"user{n}@example.com")

    error = invalid_request(lambda: add(local_client, created.id, "one.more@example.com"))

    assert_error(error, code=None, param="value_list")
    assert len(item_values(local_client, created.id)) == 3
    removed = local_client.v1.radar.value_list_items.list(params={"value_list": created.id}).data
    local_client.v1.radar.value_list_items.delete(removed[0].id)
    assert add(local_client, created.id, "one.more@example.com").value == "one.more@example.com"


# --- what refunds and screening call ------------------------------------------------------


def test_refunded_as_fraud_values_go_on_the_default_block_lists(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    with db.unit(Actor(account.id)) as uow:
        first = value_lists.add_to_default_block_list(uow, "card_fingerprint", "AbCd1234")
        again = value_lists.add_to_default_block_list(uow, "card_fingerprint", " AbCd1234 ")
        email = value_lists.add_to_default_block_list(uow, "email", "Thief@Example.com")
        unusable = value_lists.add_to_default_block_list(uow, "email", "not an email")
        assert first is not None
        assert again is not None
        assert email is not None
        assert again.id == first.id
        assert unusable is None

    fingerprints = default_list(client, "block_list_card_fingerprint")
    assert item_values(client, fingerprints.id) == ["AbCd1234"]
    assert [i.created_by for i in fingerprints.list_items.data] == ["Seikyu"]
    assert item_values(client, default_list(client, "block_list_email").id) == ["thief@example.com"]


def test_a_full_default_block_list_leaves_the_value_off(
    db: Database, account: TestAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(value_list_rules, "MAX_ITEMS_PER_LIST", 1)
    with db.unit(Actor(account.id)) as uow:
        assert value_lists.add_to_default_block_list(uow, "email", "a@example.com") is not None
        assert value_lists.add_to_default_block_list(uow, "email", "b@example.com") is None
        assert value_lists.contains(uow, "block_list_email", "a@example.com")
        assert not value_lists.contains(uow, "block_list_email", "b@example.com")


def test_membership_compares_canonical_values(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    ips = new_list(client, alias="bad_ips", item_type="ip_address")
    words = new_list(client, alias="words", item_type="string")
    add(client, ips.id, "2001:db8::1")
    add(client, words.id, "Fraud")
    blocked = default_list(client, "block_list_email")
    add(client, blocked.id, "thief@example.com")

    with db.unit(Actor(account.id), readonly=True) as uow:
        assert value_lists.contains(uow, "bad_ips", "2001:DB8:0::1")
        assert value_lists.contains(uow, "block_list_email", " THIEF@example.com")
        assert value_lists.contains(uow, "words", "FRAUD")
        assert not value_lists.contains(uow, "bad_ips", "2001:db8::2")
        assert not value_lists.contains(uow, "no_such_list", "2001:db8::1")
        found = value_lists.memberships(
            uow,
            ["bad_ips", "words", "block_list_email", "allow_list_email", "missing"],
            {
                "ip_address": ["2001:DB8::1", "10.0.0.1", "not an ip"],
                "email": ["Thief@Example.com", "friend@example.com"],
                "string": ["fraud", "2001:db8::1"],
            },
        )
    assert found == {
        ("bad_ips", "2001:DB8::1"),
        ("block_list_email", "Thief@Example.com"),
        ("words", "fraud"),
    }


def second_client(db: Database, server: ServerProcess) -> stripe.StripeClient:
    """A client of a new account of its own."""
    with db.unit() as uow:
        created = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, created.id)
    return stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )
