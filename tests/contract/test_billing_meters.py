"""Billing meters through the official SDK: create with Stripe's defaults, retrieve,
rename, list by status, deactivate and reactivate, one active meter per event name, the
events each change records, and metered prices that must name an active meter."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.core.errors import SeikyuError
from seikyu.db.pagination import Window
from seikyu.db.uow import Actor, Database, UnitOfWork
from seikyu.metering import meters
from seikyu.metering.domain.meter_rules import NewMeter
from tests.conftest import TestAccount
from tests.support.errors import assert_error, invalid_request
from tests.support.race import second_during_first
from tests.support.usage_rows import Reported, record_usage

METER_FIELDS = {
    "id",
    "object",
    "created",
    "customer_mapping",
    "default_aggregation",
    "display_name",
    "event_name",
    "event_time_window",
    "livemode",
    "status",
    "status_transitions",
    "updated",
    "value_settings",
}


def new_meter(client: stripe.StripeClient, **params: Any) -> stripe.billing.Meter:
    defaults: dict[str, Any] = {
        "display_name": "API calls",
        "event_name": "api_call",
        "default_aggregation": {"formula": "sum"},
    }
    return client.v1.billing.meters.create(params={**defaults, **params})


def events_of(client: stripe.StripeClient, event_type: str) -> list[stripe.Event]:
    return list(client.v1.events.list(params={"type": event_type, "limit": 100}).data)


def ids(client: stripe.StripeClient, **params: Any) -> list[str]:
    return [m.id for m in client.v1.billing.meters.list(params=params).data]


# --- create and retrieve ----------------------------------------------------------------


def test_a_new_meter_has_stripes_fields_and_defaults(client: stripe.StripeClient) -> None:
    meter = new_meter(client)

    assert set(meter.to_dict()) == METER_FIELDS
    assert meter.id.startswith("mtr_")
    assert meter.object == "billing.meter"
    assert (meter.display_name, meter.event_name, meter.status) == (
        "API calls",
        "api_call",
        "active",
    )
    assert meter.customer_mapping.to_dict() == {
        "event_payload_key": "stripe_customer_id",
        "type": "by_id",
    }
    assert meter.value_settings.to_dict() == {"event_payload_key": "value"}
    assert meter.default_aggregation.to_dict() == {"formula": "sum"}
    assert (meter.event_time_window, meter.livemode) == (None, False)
    assert meter.status_transitions.to_dict() == {"deactivated_at": None}
    assert meter.updated == meter.created


def test_create_keeps_every_field_given(client: stripe.StripeClient) -> None:
    meter = new_meter(
        client,
        display_name="Peak seats",
        event_name="seats",
        default_aggregation={"formula": "max"},
        customer_mapping={"type": "by_id", "event_payload_key": "account"},
        value_settings={"event_payload_key": "seats"},
        event_time_window="hour",
    )

    assert meter.default_aggregation.formula == "max"
    assert meter.customer_mapping.event_payload_key == "account"
    assert meter.value_settings.event_payload_key == "seats"
    assert meter.event_time_window == "hour"
    assert client.v1.billing.meters.retrieve(meter.id).to_dict() == meter.to_dict()


@pytest.mark.parametrize("formula", ["sum", "count", "last", "max"])
def test_every_formula_is_accepted(client: stripe.StripeClient, formula: str) -> None:
    meter = new_meter(client, default_aggregation={"formula": formula})
    assert meter.default_aggregation.formula == formula


def test_create_records_billing_meter_created(client: stripe.StripeClient) -> None:
    meter = new_meter(client)

    (event,) = events_of(client, "billing.meter.created")
    assert event.data.object.to_dict() == meter.to_dict()


def test_an_unknown_meter_is_a_404(client: stripe.StripeClient) -> None:
    error = invalid_request(lambda: client.v1.billing.meters.retrieve("mtr_missing"))
    assert_error(error, status=404, code="resource_missing", param="id")
    assert "No such billing meter: 'mtr_missing'" in str(error.user_message)


# --- update -----------------------------------------------------------------------------


def test_update_renames_and_records_the_old_name(client: stripe.StripeClient) -> None:
    meter = new_meter(client)

    renamed = client.v1.billing.meters.update(meter.id, params={"display_name": "Requests"})

    assert renamed.display_name == "Requests"
    assert renamed.event_name == meter.event_name
    (event,) = events_of(client, "billing.meter.updated")
    assert event.data.object.display_name == "Requests"
    assert event.data.previous_attributes.to_dict()["display_name"] == "API calls"


def test_an_update_that_changes_nothing_records_no_event(client: stripe.StripeClient) -> None:
    meter = new_meter(client)

    same = client.v1.billing.meters.update(meter.id, params={"display_name": "API calls"})
    client.v1.billing.meters.update(meter.id)

    assert same.to_dict() == meter.to_dict()
    assert events_of(client, "billing.meter.updated") == []


# --- deactivate and reactivate ----------------------------------------------------------


def test_deactivate_then_reactivate(client: stripe.StripeClient) -> None:
    meter = new_meter(client)

    inactive = client.v1.billing.meters.deactivate(meter.id)
    assert inactive.status == "inactive"
    assert inactive.status_transitions.deactivated_at is not None
    (deactivated,) = events_of(client, "billing.meter.deactivated")
    assert deactivated.data.object.status == "inactive"

    active = client.v1.billing.meters.reactivate(meter.id)
    assert active.status == "active"
    assert active.status_transitions.deactivated_at is None
    (reactivated,) = events_of(client, "billing.meter.reactivated")
    assert reactivated.data.object.status == "active"


def test_a_status_cannot_be_asked_for_twice(client: stripe.StripeClient) -> None:
    meter = new_meter(client)

    again_active = invalid_request(lambda: client.v1.billing.meters.reactivate(meter.id))
    client.v1.billing.meters.deactivate(meter.id)
    again_inactive = invalid_request(lambda: client.v1.billing.meters.deactivate(meter.id))

    for error in (again_active, again_inactive):
        assert_error(error, code="billing_meter_status_invalid", param=None)
    assert "already active" in str(again_active.user_message)
    assert "already inactive" in str(again_inactive.user_message)
    assert len(events_of(client, "billing.meter.deactivated")) == 1


def test_actions_on_an_unknown_meter_are_404s(client: stripe.StripeClient) -> None:
    for call in (
        lambda: client.v1.billing.meters.deactivate("mtr_missing"),
        lambda: client.v1.billing.meters.reactivate("mtr_missing"),
        lambda: client.v1.billing.meters.update("mtr_missing", params={"display_name": "x"}),
    ):
        assert_error(invalid_request(call), status=404, code="resource_missing", param="id")


# --- one active meter per event name ------------------------------------------------------


def test_an_event_name_routes_to_one_active_meter(client: stripe.StripeClient) -> None:
    first = new_meter(client)

    taken = invalid_request(lambda: new_meter(client, display_name="Again"))
    assert_error(taken, code=None, param="event_name")
    assert first.id in str(taken.user_message)

    client.v1.billing.meters.deactivate(first.id)
    second = new_meter(client, display_name="Again")
    assert second.event_name == first.event_name

    refused = invalid_request(lambda: client.v1.billing.meters.reactivate(first.id))
    assert_error(refused, code=None, param=None)
    assert second.id in str(refused.user_message)
    assert client.v1.billing.meters.retrieve(first.id).status == "inactive"


def test_event_names_are_separate_per_account(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    new_meter(client)
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other").id
    with db.unit(Actor(other)) as uow:
        meter = meters.create(uow, NewMeter("API calls", "api_call", "sum"))
    assert meter.account_id == other != account.id


def test_concurrent_creates_cannot_both_take_an_event_name(
    db: Database, account: TestAccount
) -> None:
    actor = Actor(account.id)

    def create(uow: UnitOfWork) -> None:
        meters.create(uow, NewMeter("API calls", "api_call", "count"))

    error = second_during_first(db, actor, create, create)

    assert isinstance(error, SeikyuError)
    assert error.param == "event_name"
    with db.unit(actor) as uow:
        assert len(meters.page(uow, Window(limit=10)).items) == 1


# --- list -------------------------------------------------------------------------------


def test_list_is_newest_first_and_filters_by_status(client: stripe.StripeClient) -> None:
    a = new_meter(client, event_name="a")
    b = new_meter(client, event_name="b")
    c = new_meter(client, event_name="c")
    client.v1.billing.meters.deactivate(b.id)

    assert ids(client) == [c.id, b.id, a.id]
    assert ids(client, status="active") == [c.id, a.id]
    assert ids(client, status="inactive") == [b.id]
    assert ids(client, limit=1, starting_after=c.id) == [b.id]
    assert ids(client, ending_before=a.id) == [c.id, b.id]
    page = client.v1.billing.meters.list(params={"limit": 2})
    assert (page.object, page.has_more, page.url) == ("list", True, "/v1/billing/meters")


# --- event summaries ----------------------------------------------------------------------

HOUR = 3600
DAY = 86400
T0 = 1_735_689_600  # 2025-01-01T00:00:00Z, a UTC day boundary


@pytest.fixture
def usage(client: stripe.StripeClient, db: Database, account: TestAccount) -> Any:
    """Record events for a new customer on a new meter with the formula asked for;
    returns (meter, customer id)."""
    customer = client.v1.customers.create()

    def record(formula: str, events: list[Reported]) -> tuple[stripe.billing.Meter, str]:
        meter = new_meter(
            client, event_name=f"usage_{formula}", default_aggregation={"formula": formula}
        )
        with db.unit(Actor(account.id)) as uow:
            record_usage(uow, meter_id=meter.id, customer_id=customer.id, events=events)
        return meter, customer.id

    return record


def summaries(
    client: stripe.StripeClient, meter: str, customer: str, start: int, end: int, **params: Any
) -> stripe.ListObject[stripe.billing.MeterEventSummary]:
    query = {"customer": customer, "start_time": start, "end_time": end, **params}
    return client.v1.billing.meters.event_summaries.list(meter, params=query)  # type: ignore[arg-type]


def windows(
    listed: stripe.ListObject[stripe.billing.MeterEventSummary],
) -> list[tuple[int, int, Any]]:
    return [(s.start_time, s.end_time, s.aggregated_value) for s in listed.data]


# Stripe's golden example: values 25, 10, 5 reported in timestamp order.
GOLDEN = [Reported(T0 + 60, 25), Reported(T0 + 120, 10), Reported(T0 + 180, 5)]


@pytest.mark.parametrize(
    ("formula", "expected"), [("sum", 40), ("count", 3), ("last", 5), ("max", 25)]
)
def test_one_summary_aggregates_the_range_with_the_meters_formula(
    client: stripe.StripeClient, usage: Any, formula: str, expected: int
) -> None:
    meter, customer = usage(formula, GOLDEN)

    listed = summaries(client, meter.id, customer, T0, T0 + HOUR)

    (summary,) = listed.data
    assert summary.to_dict() == {
        "id": summary.id,
        "object": "billing.meter_event_summary",
        "aggregated_value": expected,
        "end_time": T0 + HOUR,
        "livemode": False,
        "meter": meter.id,
        "start_time": T0,
    }
    assert summary.id.startswith("mtrusg_")
    assert isinstance(summary.aggregated_value, int)
    assert (listed.has_more, listed.url) == (
        False,
        f"/v1/billing/meters/{meter.id}/event_summaries",
    )


def test_partial_hours_at_the_edges_are_read_from_raw_events(
    client: stripe.StripeClient, usage: Any
) -> None:
    meter, customer = usage(
        "sum",
        [
            Reported(T0 + 10 * 60, 1),  # before start_time
            Reported(T0 + 40 * 60, 10),  # the first partial hour
            Reported(T0 + HOUR + 5 * 60, 100),  # a whole hour, from its rollup
            Reported(T0 + 2 * HOUR + 10 * 60, 1000),  # the last partial hour
            Reported(T0 + 2 * HOUR + 15 * 60, 5),  # at end_time: excluded
        ],
    )

    listed = summaries(client, meter.id, customer, T0 + 30 * 60, T0 + 2 * HOUR + 15 * 60)

    assert windows(listed) == [(T0 + 30 * 60, T0 + 2 * HOUR + 15 * 60, 1110)]


def test_a_range_without_events_is_one_summary_of_zero(
    client: stripe.StripeClient, usage: Any
) -> None:
    meter, customer = usage("max", GOLDEN)

    listed = summaries(client, meter.id, customer, T0 + DAY, T0 + 2 * DAY)

    assert windows(listed) == [(T0 + DAY, T0 + 2 * DAY, 0)]


def test_last_breaks_timestamp_ties_by_arrival(client: stripe.StripeClient, usage: Any) -> None:
    meter, customer = usage(
        "last", [Reported(T0 + 60, 7), Reported(T0 + 60, 3), Reported(T0 + 30, 9)]
    )

    assert windows(summaries(client, meter.id, customer, T0, T0 + HOUR)) == [(T0, T0 + HOUR, 3)]
    # The same answer when the hour is read raw, as a partial hour.
    assert windows(summaries(client, meter.id, customer, T0, T0 + 120)) == [(T0, T0 + 120, 3)]


def test_canceled_events_count_for_nothing(client: stripe.StripeClient, usage: Any) -> None:
    meter, customer = usage("count", [*GOLDEN, Reported(T0 + 240, 50, canceled=True)])

    assert windows(summaries(client, meter.id, customer, T0, T0 + HOUR)) == [(T0, T0 + HOUR, 3)]
    assert windows(summaries(client, meter.id, customer, T0, T0 + 300)) == [(T0, T0 + 300, 3)]


HOURLY = [
    Reported(T0 + 60, 25),
    Reported(T0 + 120, 10),
    Reported(T0 + 2 * HOUR + 60, 4),
    Reported(T0 + 2 * HOUR + 120, 6),
    Reported(T0 + DAY + 3 * HOUR, 8),
]


@pytest.mark.parametrize(
    ("formula", "values"),
    [("sum", [8, 10, 35]), ("count", [1, 2, 2]), ("last", [8, 6, 10]), ("max", [8, 6, 25])],
)
def test_hour_windows_newest_first_with_empty_hours_left_out(
    client: stripe.StripeClient, usage: Any, formula: str, values: list[int]
) -> None:
    meter, customer = usage(formula, HOURLY)

    listed = summaries(client, meter.id, customer, T0, T0 + 2 * DAY, value_grouping_window="hour")

    starts = [T0 + DAY + 3 * HOUR, T0 + 2 * HOUR, T0]
    assert windows(listed) == [(s, s + HOUR, v) for s, v in zip(starts, values, strict=True)]


@pytest.mark.parametrize(
    ("formula", "values"),
    [("sum", [8, 45]), ("count", [1, 4]), ("last", [8, 6]), ("max", [8, 25])],
)
def test_day_windows_merge_their_hours(
    client: stripe.StripeClient, usage: Any, formula: str, values: list[int]
) -> None:
    meter, customer = usage(formula, HOURLY)

    listed = summaries(client, meter.id, customer, T0, T0 + 3 * DAY, value_grouping_window="day")

    assert windows(listed) == [(T0 + DAY, T0 + 2 * DAY, values[0]), (T0, T0 + DAY, values[1])]


def test_only_the_range_asked_for_is_summarised(client: stripe.StripeClient, usage: Any) -> None:
    meter, customer = usage("sum", HOURLY)

    listed = summaries(
        client, meter.id, customer, T0 + HOUR, T0 + DAY, value_grouping_window="hour"
    )

    assert windows(listed) == [(T0 + 2 * HOUR, T0 + 3 * HOUR, 10)]


def test_summaries_page_with_cursors(client: stripe.StripeClient, usage: Any) -> None:
    meter, customer = usage("sum", [Reported(T0 + h * HOUR, h + 1) for h in range(5)])

    def page(**params: Any) -> list[int]:
        listed = summaries(
            client, meter.id, customer, T0, T0 + DAY, value_grouping_window="hour", **params
        )
        return [s.aggregated_value for s in listed.data]

    first = summaries(
        client, meter.id, customer, T0, T0 + DAY, value_grouping_window="hour", limit=2
    )
    assert ([s.aggregated_value for s in first.data], first.has_more) == ([5, 4], True)
    after = first.data[-1].id
    assert page(limit=2, starting_after=after) == [3, 2]
    assert page(starting_after=after) == [3, 2, 1]
    assert page(limit=2, ending_before=first.data[0].id) == []
    last = summaries(
        client, meter.id, customer, T0, T0 + DAY, value_grouping_window="hour", starting_after=after
    )
    assert page(limit=2, ending_before=last.data[-1].id) == [3, 2]
    # Ids are stable: the same window has the same id on every page.
    again = summaries(client, meter.id, customer, T0, T0 + DAY, value_grouping_window="hour")
    assert [s.id for s in again.data[:2]] == [s.id for s in first.data]
    assert len({s.id for s in again.data}) == 5


def test_an_inactive_meter_still_summarises_its_usage(
    client: stripe.StripeClient, usage: Any
) -> None:
    meter, customer = usage("sum", GOLDEN)
    client.v1.billing.meters.deactivate(meter.id)

    assert windows(summaries(client, meter.id, customer, T0, T0 + HOUR)) == [(T0, T0 + HOUR, 40)]


# --- metered prices name an active meter --------------------------------------------------


def metered_price(client: stripe.StripeClient, meter: str) -> stripe.Price:
    product = client.v1.products.create(params={"name": "API"})
    return client.v1.prices.create(
        params={
            "product": product.id,
            "currency": "usd",
            "unit_amount": 2,
            "recurring": {"interval": "month", "usage_type": "metered", "meter": meter},
        }
    )


def test_a_metered_price_names_an_active_meter(client: stripe.StripeClient) -> None:
    meter = new_meter(client)

    price = metered_price(client, meter.id)

    assert price.recurring is not None
    assert (price.recurring.usage_type, price.recurring.meter) == ("metered", meter.id)


def test_a_price_cannot_name_an_unknown_meter(client: stripe.StripeClient) -> None:
    error = invalid_request(lambda: metered_price(client, "mtr_missing"))

    assert_error(error, code="resource_missing", param="recurring[meter]")
    assert "No such billing meter: 'mtr_missing'" in str(error.user_message)
    assert client.v1.prices.list().data == []


def test_a_price_cannot_name_another_accounts_meter(
    client: stripe.StripeClient, db: Database
) -> None:
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other").id
    with db.unit(Actor(other)) as uow:
        foreign = meters.create(uow, NewMeter("API calls", "api_call", "sum")).id

    error = invalid_request(lambda: metered_price(client, foreign))

    assert_error(error, code="resource_missing", param="recurring[meter]")


def test_a_price_cannot_name_an_inactive_meter(client: stripe.StripeClient) -> None:
    meter = new_meter(client)
    client.v1.billing.meters.deactivate(meter.id)

    error = invalid_request(lambda: metered_price(client, meter.id))

    assert_error(error, code=None, param="recurring[meter]")
    assert "inactive" in str(error.user_message)
