"""Billing meters (`/v1/billing/meters`): create, look up, list, rename, deactivate and
reactivate.

A meter says how the usage events sent under one event name are measured: which payload
keys hold the customer and the value, and which formula aggregates them. An event name
routes to at most one active meter per account and mode, so everything that can make a
meter active with a name (create, reactivate) runs with the account row locked: two
requests racing for one name then take turns, and the second one sees the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from seikyu.accounts import service as accounts
from seikyu.core.errors import SeikyuError, no_such
from seikyu.customers import service as customers
from seikyu.db.models.billing_meters import BillingMeter
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.metering import meter_repository as repository
from seikyu.metering import usage_repository
from seikyu.metering.domain import meter_rules
from seikyu.metering.domain.aggregation import Formula, Usage, merge_all
from seikyu.metering.domain.meter_rules import NewMeter, SummaryRange
from seikyu.metering.meter_status import MeterAction, MeterStatus, transition

OBJECT = "billing meter"
PREFIX = "mtr"


def create(uow: UnitOfWork, new: NewMeter) -> BillingMeter:
    """A new active meter; its event name must not route to another active meter."""
    meter_rules.check_new(new)
    accounts.lock(uow, uow.account_id)
    _check_name_free(uow, new.event_name, param="event_name")
    meter = BillingMeter(
        id=uow.new_id(PREFIX),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        updated=uow.now,
        display_name=new.display_name,
        event_name=new.event_name,
        formula=new.formula,
        customer_payload_key=new.customer_payload_key,
        value_payload_key=new.value_payload_key,
        event_time_window=new.event_time_window,
        status=MeterStatus.ACTIVE.value,
        deactivated_at=None,
    )
    repository.add(uow.session, meter)
    uow.emit("billing.meter.created", meter)
    return meter


def get(uow: UnitOfWork, meter_id: str, *, param: str | None = "id") -> BillingMeter:
    meter = find(uow, meter_id)
    if meter is None:
        raise no_such(OBJECT, meter_id, param=param)
    return meter


def find(uow: UnitOfWork, meter_id: str) -> BillingMeter | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, meter_id)


def page(uow: UnitOfWork, window: Window, status: str | None = None) -> Page[BillingMeter]:
    return repository.page(uow.session, uow.account_id, uow.livemode, window, status)


def update(uow: UnitOfWork, meter_id: str, display_name: str | None) -> BillingMeter:
    """Only the display name can change (Stripe's rule): what a meter measures is fixed,
    so usage already reported keeps its meaning."""
    meter = _locked(uow, meter_id)
    if display_name is None or display_name == meter.display_name:
        return meter
    meter_rules.check_display_name(display_name)
    uow.before_update("billing.meter.updated", meter)
    meter.display_name = display_name
    meter.updated = uow.now
    return meter


def deactivate(uow: UnitOfWork, meter_id: str) -> BillingMeter:
    """The meter stops accepting events, and its event name is free for another meter."""
    meter = _locked(uow, meter_id)
    _move(uow, meter, MeterAction.DEACTIVATE)
    meter.deactivated_at = uow.now
    return meter


def reactivate(uow: UnitOfWork, meter_id: str) -> BillingMeter:
    """Back to active, unless another meter took its event name meanwhile."""
    accounts.lock(uow, uow.account_id)
    meter = _locked(uow, meter_id)
    if meter.status == MeterStatus.INACTIVE:
        _check_name_free(uow, meter.event_name, param=None)
    _move(uow, meter, MeterAction.REACTIVATE)
    meter.deactivated_at = None
    return meter


@dataclass(frozen=True, slots=True)
class SummaryQuery:
    customer: str
    range: SummaryRange
    limit: int = 10
    starting_after: str | None = None
    ending_before: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """A customer's aggregated usage of a meter over [start_time, end_time)."""

    id: str
    meter: str
    start_time: int
    end_time: int
    aggregated_value: int
    livemode: bool


def summaries(uow: UnitOfWork, meter_id: str, query: SummaryQuery) -> Page[Summary]:
    """Summaries newest first, as Stripe lists them. With a grouping window, only windows
    with events appear; without one, the single summary of the range always does."""
    meter = get(uow, meter_id)
    if customers.find(uow, query.customer) is None:
        raise no_such("customer", query.customer, param="customer")
    wanted = meter_rules.check_range(query.range)
    formula = Formula(meter.formula)
    if wanted.grouping is None:
        found = _whole_range(uow, meter, query, formula)
    else:
        found = _windows(uow, meter, query, wanted)
    newest_first = [
        Summary(
            id=meter_rules.summary_id(meter.id, query.customer, wanted.grouping, start),
            meter=meter.id,
            start_time=start,
            end_time=end,
            aggregated_value=usage.value(formula),
            livemode=meter.livemode,
        )
        for start, end, usage in sorted(found, key=lambda window: -window[0])
    ]
    if query.ending_before is not None:
        nearest = newest_first[::-1][: query.limit + 1]
        return Page(nearest[: query.limit][::-1], len(nearest) > query.limit)
    return Page(newest_first[: query.limit], len(newest_first) > query.limit)


def _whole_range(
    uow: UnitOfWork, meter: BillingMeter, query: SummaryQuery, formula: Formula
) -> list[tuple[int, int, Usage]]:
    wanted = query.range
    cursors = (("starting_after", query.starting_after), ("ending_before", query.ending_before))
    for name, cursor in cursors:
        if cursor is not None:
            meter_rules.cursor_start(cursor, meter.id, query.customer, None, param=name)
            # The list has one summary: there is nothing before or after it.
            return []
    usage = usage_repository.period_usage(
        uow.session, meter.id, query.customer, wanted.start, wanted.end, formula
    )
    return [(wanted.start, wanted.end, usage)]


def _windows(
    uow: UnitOfWork, meter: BillingMeter, query: SummaryQuery, wanted: SummaryRange
) -> list[tuple[int, int, Usage]]:
    """Each window with events, from one read of the hourly rollups. The range is aligned
    to the window, so a window is whole hours and there are no raw partial hours to add;
    a cursor only narrows the hours read."""
    size = meter_rules.window_size(wanted.grouping)
    assert size is not None
    first, last = wanted.start, wanted.end
    if query.starting_after is not None:
        cursor = _cursor(meter, query, wanted, query.starting_after, "starting_after")
        last = min(last, cursor)
    if query.ending_before is not None:
        cursor = _cursor(meter, query, wanted, query.ending_before, "ending_before")
        first = max(first, cursor + size)
    if first >= last:
        return []
    hours = usage_repository.hourly_usage(uow.session, meter.id, query.customer, first, last)
    by_window: dict[int, list[Usage]] = {}
    for bucket, usage in hours.items():
        by_window.setdefault(meter_rules.window_start(bucket, size), []).append(usage)
    return [(start, start + size, merge_all(parts)) for start, parts in by_window.items()]


def _cursor(
    meter: BillingMeter, query: SummaryQuery, wanted: SummaryRange, cursor: str, name: str
) -> int:
    return meter_rules.cursor_start(cursor, meter.id, query.customer, wanted.grouping, param=name)


def _check_name_free(uow: UnitOfWork, event_name: str, *, param: str | None) -> None:
    holder = repository.active_with_event_name(
        uow.session, uow.account_id, uow.livemode, event_name
    )
    if holder is not None:
        raise SeikyuError(
            f"An active meter ({holder.id}) already uses the event_name '{event_name}'. "
            "Deactivate that meter first, or use another event_name.",
            param=param,
        )


def _move(uow: UnitOfWork, meter: BillingMeter, action: MeterAction) -> None:
    move = transition(MeterStatus(meter.status), action)
    meter.status = move.status.value
    meter.updated = uow.now
    uow.emit(move.event, meter)


def _locked(uow: UnitOfWork, meter_id: str) -> BillingMeter:
    meter = repository.get(uow.session, uow.account_id, uow.livemode, meter_id, for_update=True)
    if meter is None:
        raise no_such(OBJECT, meter_id)
    return meter
