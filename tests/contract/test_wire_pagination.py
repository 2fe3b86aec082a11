"""Lists: the envelope, limits, cursors, `created` filters, newest first, and the SDK's
auto-pagination walking every object exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import stripe

from seikyu.customers import service as customers
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount as Account

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def make_customers(
    db: Database, account: Account, count: int, *, at: datetime | None = None, step: int = 0
) -> list[str]:
    """`count` customers, oldest first; with `at`, the i-th is created at `at + i*step` s."""
    ids = []
    with db.unit(Actor(account.id)) as uow:
        for index in range(count):
            if at is not None:
                uow.now = at + timedelta(seconds=index * step, microseconds=250_000)
            ids.append(customers.create(uow, {"email": f"c{index}@example.com"}).id)
    return ids


def unix(at: datetime) -> int:
    return int(at.timestamp())


# --- envelope and pages ------------------------------------------------------------------------


def test_an_empty_list(http: httpx.Client) -> None:
    assert http.get("/v1/customers").json() == {
        "object": "list",
        "data": [],
        "has_more": False,
        "url": "/v1/customers",
    }


def test_25_objects_in_pages_of_the_default_10(
    db: Database, account: Account, http: httpx.Client
) -> None:
    ids = make_customers(db, account, 25)
    newest_first = list(reversed(ids))
    first = http.get("/v1/customers").json()
    assert [c["id"] for c in first["data"]] == newest_first[:10]
    assert first["has_more"] is True
    second = http.get("/v1/customers", params={"starting_after": newest_first[9]}).json()
    assert [c["id"] for c in second["data"]] == newest_first[10:20]
    assert second["has_more"] is True
    third = http.get("/v1/customers", params={"starting_after": newest_first[19]}).json()
    assert [c["id"] for c in third["data"]] == newest_first[20:]
    assert third["has_more"] is False


def test_ending_before_gives_the_page_just_newer_still_newest_first(
    db: Database, account: Account, http: httpx.Client
) -> None:
    newest_first = list(reversed(make_customers(db, account, 25)))
    page = http.get(
        "/v1/customers", params={"ending_before": newest_first[15], "limit": "5"}
    ).json()
    assert [c["id"] for c in page["data"]] == newest_first[10:15]
    assert page["has_more"] is True
    top = http.get("/v1/customers", params={"ending_before": newest_first[3]}).json()
    assert [c["id"] for c in top["data"]] == newest_first[:3]
    assert top["has_more"] is False


def test_limit_bounds(db: Database, account: Account, http: httpx.Client) -> None:
    make_customers(db, account, 101)
    assert len(http.get("/v1/customers", params={"limit": "1"}).json()["data"]) == 1
    full = http.get("/v1/customers", params={"limit": "100"}).json()
    assert (len(full["data"]), full["has_more"]) == (100, True)


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        (0, "This value must be greater than or equal to 1."),
        (101, "This value must be less than or equal to 100."),
        ("abc", "Invalid integer: abc"),
    ],
)
def test_limit_outside_1_to_100_is_refused(
    client: stripe.StripeClient, limit: object, message: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.list(params={"limit": limit})  # type: ignore[typeddict-item]
    assert (caught.value.http_status, caught.value.param) == (400, "limit")
    assert caught.value.code == "parameter_invalid_integer"
    assert caught.value.user_message == message


def test_both_cursors_at_once_are_refused(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.list(params={"starting_after": "cus_a", "ending_before": "cus_b"})
    assert caught.value.user_message == (
        "Received both starting_after and ending_before parameters. Please pass in only one."
    )


def test_deleted_objects_leave_the_list(
    db: Database, account: Account, client: stripe.StripeClient
) -> None:
    ids = make_customers(db, account, 3)
    client.v1.customers.delete(ids[1])
    assert [c.id for c in client.v1.customers.list().data] == [ids[2], ids[0]]


# --- auto-pagination ----------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [None, 7, 100])
def test_auto_paging_iter_walks_more_than_100_objects_exactly_once(
    db: Database, account: Account, client: stripe.StripeClient, limit: int | None
) -> None:
    ids = make_customers(db, account, 130)
    params = {} if limit is None else {"limit": limit}
    seen = [c.id for c in client.v1.customers.list(params=params).auto_paging_iter()]  # type: ignore[arg-type]
    assert seen == list(reversed(ids))


def test_auto_paging_iter_backwards_from_ending_before(
    db: Database, account: Account, client: stripe.StripeClient
) -> None:
    ids = make_customers(db, account, 130)
    start = client.v1.customers.list(params={"ending_before": ids[4], "limit": 20})
    seen = [c.id for c in start.auto_paging_iter()]
    assert seen == ids[5:]  # oldest to newest: the SDK walks back up the list


def test_objects_created_while_paging_neither_appear_nor_shift_the_walk(
    db: Database, account: Account, client: stripe.StripeClient
) -> None:
    ids = make_customers(db, account, 45)
    seen = []
    for index, customer in enumerate(
        client.v1.customers.list(params={"limit": 10}).auto_paging_iter()
    ):
        seen.append(customer.id)
        if index % 10 == 0:
            make_customers(db, account, 3)
    assert seen == list(reversed(ids))


def test_auto_paging_iter_over_events_with_a_type_filter(
    db: Database, account: Account, client: stripe.StripeClient
) -> None:
    ids = make_customers(db, account, 120)
    with db.unit(Actor(account.id)) as uow:
        customers.update(uow, ids[0], {"name": "changed"})
    created = client.v1.events.list(params={"type": "customer.created", "limit": 50})
    seen = [event.data.object["id"] for event in created.auto_paging_iter()]
    assert seen == list(reversed(ids))
    everything = [event.type for event in client.v1.events.list().auto_paging_iter()]
    assert everything.count("customer.created") == 120
    assert everything[0] == "customer.updated"


# --- created -------------------------------------------------------------------------------------


@pytest.fixture
def dated(db: Database, account: Account) -> list[str]:
    """Five customers created 100 s apart from T0, oldest first (each at +0.25 s)."""
    return make_customers(db, account, 5, at=T0, step=100)


def listed(http: httpx.Client, params: dict[str, str]) -> list[str]:
    response = http.get("/v1/customers", params=params)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["data"]]


def test_created_is_shown_in_whole_seconds(dated: list[str], http: httpx.Client) -> None:
    created = [c["created"] for c in http.get("/v1/customers").json()["data"]]
    assert created == [unix(T0) + 100 * i for i in (4, 3, 2, 1, 0)]


def test_created_equal_to_a_second_matches_objects_created_within_it(
    dated: list[str], http: httpx.Client
) -> None:
    assert listed(http, {"created": str(unix(T0) + 200)}) == [dated[2]]
    assert listed(http, {"created": str(unix(T0) + 201)}) == []


def test_created_operators(dated: list[str], http: httpx.Client) -> None:
    t2 = unix(T0) + 200
    assert listed(http, {"created[gt]": str(t2)}) == [dated[4], dated[3]]
    assert listed(http, {"created[gte]": str(t2)}) == [dated[4], dated[3], dated[2]]
    assert listed(http, {"created[lt]": str(t2)}) == [dated[1], dated[0]]
    assert listed(http, {"created[lte]": str(t2)}) == [dated[2], dated[1], dated[0]]
    between = {"created[gt]": str(unix(T0)), "created[lt]": str(t2 + 100)}
    assert listed(http, between) == [dated[2], dated[1]]


def test_created_filters_combine_with_cursors(dated: list[str], http: httpx.Client) -> None:
    params = {"created[gte]": str(unix(T0) + 100), "limit": "2"}
    first = http.get("/v1/customers", params=params).json()
    assert [c["id"] for c in first["data"]] == [dated[4], dated[3]]
    assert first["has_more"] is True
    rest = listed(http, {**params, "starting_after": dated[3]})
    assert rest == [dated[2], dated[1]]


def test_created_filters_through_the_sdk(dated: list[str], client: stripe.StripeClient) -> None:
    exact = client.v1.customers.list(params={"created": unix(T0) + 300})
    assert [c.id for c in exact.data] == [dated[3]]
    ranged = client.v1.customers.list(params={"created": {"lt": unix(T0) + 100}})
    assert [c.id for c in ranged.auto_paging_iter()] == [dated[0]]


def test_bad_created_values_name_the_parameter(http: httpx.Client) -> None:
    for params, param in [
        ({"created": "soon"}, "created"),
        ({"created[gt]": "soon"}, "created[gt]"),
        ({"created[since]": "1"}, "created[since]"),
        ({"created[gt]": "1" * 30}, "created[gt]"),
        ({"created[lte]": "999999999999999"}, "created[lte]"),
    ]:
        response = http.get("/v1/customers", params=params)
        assert response.status_code == 400, params
        assert response.json()["error"]["param"] == param
