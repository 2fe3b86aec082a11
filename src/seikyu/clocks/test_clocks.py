"""Test clocks (`/v1/test_helpers/test_clocks`): create, look up, list, delete, advance.

A clock holds a frozen time. Customers created on it, and their subscriptions, invoices
and payments, live at that time: requests about them run at it (see `following`), and
their time-driven work waits until the clock is advanced past it. An advance only records
its target and turns the clock `advancing`; the billing worker then runs the clock's due
work at each simulated moment in turn and turns it `ready` (see worker/test_clocks.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from seikyu.billing.subscription_invoices import interval_of
from seikyu.clocks import repository
from seikyu.clocks.status import ClockAction, ClockStatus, transition
from seikyu.core.errors import SeikyuError, no_such
from seikyu.core.periods import add_months, boundary
from seikyu.customers import service as customers
from seikyu.db.models.customers import Customer
from seikyu.db.models.test_clocks import TestClock
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork

CREATED = "test_helpers.test_clock.created"
DELETED = "test_helpers.test_clock.deleted"
# Stripe's limit: a clock simulates at most three customers.
MAX_CUSTOMERS = 3
# A clock left alone is deleted with its objects after this long, as Stripe's example shows.
LIFETIME = timedelta(days=7)
# An advance goes at most two intervals of the shortest subscription on the clock; with no
# subscription, at most two years.
INTERVALS_PER_ADVANCE = 2
MONTHS_WITHOUT_SUBSCRIPTIONS = 24


def create(
    uow: UnitOfWork, *, frozen_time: datetime, name: str | None, customer_id: str | None
) -> TestClock:
    _test_mode_only(uow)
    clock = TestClock(
        id=uow.new_id("clock"),
        account_id=uow.account_id,
        livemode=False,
        created=uow.now,
        name=name,
        frozen_time=frozen_time,
        status=ClockStatus.READY.value,
        target_frozen_time=None,
        deletes_after=uow.now + LIFETIME,
        deleted_at=None,
    )
    repository.add(uow.session, clock)
    uow.emit(CREATED, clock)
    if customer_id is not None:
        _attach_existing(uow, clock, customer_id)
    return clock


def get(uow: UnitOfWork, clock_id: str, *, param: str | None = "id") -> TestClock:
    _test_mode_only(uow)
    clock = repository.get(uow.session, uow.account_id, uow.livemode, clock_id)
    if clock is None:
        raise no_such("test_clock", clock_id, param=param)
    return clock


def find(uow: UnitOfWork, clock_id: str) -> TestClock | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, clock_id)


def page(uow: UnitOfWork, window: Window) -> Page[TestClock]:
    _test_mode_only(uow)
    return repository.page(uow.session, uow.account_id, uow.livemode, window)


def delete(uow: UnitOfWork, clock_id: str) -> TestClock:
    """The clock and its customers go; deleting a customer cancels its subscriptions."""
    clock = _locked(uow, clock_id)
    for customer in repository.customers_of(uow.session, clock.id):
        customers.delete(uow, customer.id)
    uow.emit_now(DELETED, clock)
    clock.deleted_at = uow.now
    return clock


def advance(uow: UnitOfWork, clock_id: str, frozen_time: datetime) -> TestClock:
    clock = _locked(uow, clock_id)
    if clock.status == ClockStatus.ADVANCING.value:
        raise SeikyuError(
            f"The test clock {clock.id} is already advancing. Wait until its status is "
            "`ready` before advancing it again.",
            code="test_clock_advancing",
        )
    if frozen_time <= clock.frozen_time:
        raise SeikyuError(
            "The frozen_time must be after the test clock's current frozen_time "
            f"({int(clock.frozen_time.timestamp())}).",
            param="frozen_time",
        )
    limit = advance_limit(uow, clock)
    if frozen_time > limit:
        raise SeikyuError(
            "Cannot advance the test clock more than two intervals of the shortest "
            "subscription on it (two years without subscriptions) past its frozen_time: "
            f"the latest allowed is {int(limit.timestamp())}.",
            param="frozen_time",
        )
    move = transition(ClockStatus(clock.status), ClockAction.ADVANCE)
    clock.status = move.status.value
    clock.target_frozen_time = frozen_time
    uow.emit(move.event, clock)
    return clock


def advance_limit(uow: UnitOfWork, clock: TestClock) -> datetime:
    subscriptions = repository.live_subscriptions(uow.session, clock.id)
    if not subscriptions:
        return add_months(clock.frozen_time, MONTHS_WITHOUT_SUBSCRIPTIONS)
    return min(
        boundary(clock.frozen_time, interval_of(subscription), INTERVALS_PER_ADVANCE)
        for subscription in subscriptions
    )


def finish(uow: UnitOfWork, clock_id: str) -> TestClock | None:
    """The advance is done: the clock stands at its target. None when it was not
    advancing (another worker finished it)."""
    clock = repository.get(uow.session, uow.account_id, uow.livemode, clock_id, for_update=True)
    if clock is None or clock.status != ClockStatus.ADVANCING.value:
        return None
    return _end_advance(uow, clock, ClockAction.FINISH)


def fail(uow: UnitOfWork, clock_id: str) -> TestClock | None:
    """The clock's work could not run: it stays where it got to, in internal_failure."""
    clock = repository.get(uow.session, uow.account_id, uow.livemode, clock_id, for_update=True)
    if clock is None or clock.status != ClockStatus.ADVANCING.value:
        return None
    return _end_advance(uow, clock, ClockAction.FAIL)


def _end_advance(uow: UnitOfWork, clock: TestClock, action: ClockAction) -> TestClock:
    move = transition(ClockStatus(clock.status), action)
    uow.before_update(move.event, clock)
    if action is ClockAction.FINISH and clock.target_frozen_time is not None:
        clock.frozen_time = clock.target_frozen_time
    clock.status = move.status.value
    clock.target_frozen_time = None
    return clock


def attach_new_customer(uow: UnitOfWork, clock_id: str) -> TestClock:
    """The clock a customer being created joins: it must have room for one more, and the
    customer is created at the clock's time."""
    clock = get(uow, clock_id, param="test_clock")
    _check_room(uow, clock, param="test_clock")
    uow.now = clock.frozen_time
    return clock


def _check_room(uow: UnitOfWork, clock: TestClock, *, param: str) -> None:
    if repository.count_customers(uow.session, clock.id) >= MAX_CUSTOMERS:
        raise SeikyuError(
            f"The test clock {clock.id} already has the maximum of {MAX_CUSTOMERS} customers.",
            param=param,
        )


def _attach_existing(uow: UnitOfWork, clock: TestClock, customer_id: str) -> Customer:
    customer = customers.get_active(uow, customer_id, param="customer")
    if customer.test_clock is not None:
        raise SeikyuError(
            f"The customer {customer.id} is already attached to a test clock.",
            param="customer",
        )
    _check_room(uow, clock, param="customer")
    customer.test_clock = clock.id
    # What the customer already has follows the clock from now on.
    repository.move_onto_clock(uow.session, clock.id, customer.id)
    return customer


def _locked(uow: UnitOfWork, clock_id: str) -> TestClock:
    _test_mode_only(uow)
    clock = repository.get(uow.session, uow.account_id, uow.livemode, clock_id, for_update=True)
    if clock is None:
        raise no_such("test_clock", clock_id)
    return clock


def _test_mode_only(uow: UnitOfWork) -> None:
    if uow.livemode:
        raise SeikyuError(
            "Test clocks are only available in test mode; use a test mode API key.",
            code="livemode_mismatch",
        )
