"""Billing period arithmetic: boundaries aligned to the billing cycle anchor."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import islice, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seikyu.core.periods import (
    AnchorConfig,
    Interval,
    Period,
    Unit,
    add_months,
    anchor_from_config,
    boundary,
    first_period,
    period_containing,
    periods_from,
)

MONTHLY = Interval(Unit.MONTH)
YEARLY = Interval(Unit.YEAR)
WEEKLY = Interval(Unit.WEEK)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def boundary_dates(anchor: datetime, interval: Interval, count: int) -> list[date]:
    return [boundary(anchor, interval, n).date() for n in range(count)]


# Golden scenarios


def test_g_2_7_a_day_31_anchor_clamps_to_short_months_and_returns_to_the_31st_in_2024() -> None:
    """G-2.7: anchor 2024-01-31, monthly."""
    assert boundary_dates(utc(2024, 1, 31), MONTHLY, 6) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
        date(2024, 6, 30),
    ]


def test_g_2_7_a_day_31_anchor_bills_on_february_28_in_a_non_leap_year() -> None:
    """G-2.7: anchor 2025-01-31, monthly."""
    assert boundary_dates(utc(2025, 1, 31), MONTHLY, 4) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    ]


def test_g_2_8_a_day_30_anchor_clamps_february_and_returns_to_the_30th() -> None:
    """G-2.8 [I]: rule used: day = min(anchor day, month length), computed from the anchor."""
    assert boundary_dates(utc(2025, 1, 30), MONTHLY, 4) == [
        date(2025, 1, 30),
        date(2025, 2, 28),
        date(2025, 3, 30),
        date(2025, 4, 30),
    ]


def test_g_2_8_a_day_29_anchor_in_2023_clamps_february_and_returns_to_the_29th() -> None:
    """G-2.8 [I]: rule used: day = min(anchor day, month length), computed from the anchor."""
    assert boundary_dates(utc(2023, 1, 29), MONTHLY, 3) == [
        date(2023, 1, 29),
        date(2023, 2, 28),
        date(2023, 3, 29),
    ]


def test_g_2_9_a_yearly_february_29_anchor_returns_to_the_29th_in_the_next_leap_year() -> None:
    """G-2.9 [I]: rule used: the anchor's month and day, clamped to the month's length."""
    assert boundary_dates(utc(2024, 2, 29), YEARLY, 5) == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]


def test_g_2_10_a_weekly_friday_anchor_bills_every_friday() -> None:
    """G-2.10: anchor Friday 2022-06-03."""
    dates = boundary_dates(utc(2022, 6, 3), WEEKLY, 4)
    assert dates == [date(2022, 6, 3), date(2022, 6, 10), date(2022, 6, 17), date(2022, 6, 24)]
    assert {day.weekday() for day in dates} == {calendar.FRIDAY}


def test_g_2_11_a_future_anchor_gives_a_stub_prorated_against_the_month_ending_at_it() -> None:
    """G-2.11 [I]: rule used: the denominator is the cycle period that ends at the anchor."""
    # Given a subscription created 2024-01-15 with billing_cycle_anchor 2024-02-01
    start, anchor = unix(1705276800), unix(1706745600)

    # When its first period is computed
    first = first_period(start, anchor, MONTHLY)

    # Then the stub runs to the anchor and the full period is January
    assert first.period == Period(start, anchor)
    assert first.period.seconds == 1468800
    assert first.full_period == Period(utc(2024, 1, 1), utc(2024, 2, 1))
    assert first.full_period.seconds == 2678400
    assert first.is_shortened


def test_g_2_12_a_trial_end_to_anchor_stub_is_prorated_against_april() -> None:
    """G-2.12 [I]: rule used: the stub runs trial_end -> anchor and is prorated against the
    cycle period that ends at the anchor."""
    # Given billing starts at trial_end 2024-04-22 with billing_cycle_anchor 2024-05-01
    trial_end, anchor = unix(1713744000), unix(1714521600)

    # When the first period is computed
    first = first_period(trial_end, anchor, MONTHLY)

    # Then the stub is 9 days of a 30-day April
    assert first.period.seconds == 777600
    assert first.full_period == Period(utc(2024, 4, 1), utc(2024, 5, 1))
    assert first.full_period.seconds == 2592000


def test_g_2_2_the_proration_date_falls_in_the_31_day_period_from_the_anchor() -> None:
    """G-2.2: anchor 1596749288, proration_date 1598982148."""
    period = period_containing(unix(1596749288), MONTHLY, unix(1598982148))

    assert period == Period(unix(1596749288), unix(1599427688))
    assert period.seconds == 2678400


def test_g_2_2_the_next_period_runs_to_1602019688() -> None:
    """G-2.2: the next-period line covers 1599427688 -> 1602019688."""
    assert boundary(unix(1596749288), MONTHLY, 2) == unix(1602019688)


def test_g_6_6_a_three_month_repeating_discount_started_january_10_ends_april_10() -> None:
    """G-6.6 [I dates]: rule used: discount.end = start + duration_in_months calendar months."""
    assert add_months(utc(2024, 1, 10), 3) == utc(2024, 4, 10)


# add_months


def test_add_months_clamps_to_the_end_of_a_shorter_month() -> None:
    assert add_months(utc(2024, 1, 31, 9, 30), 1) == utc(2024, 2, 29, 9, 30)


def test_add_months_moves_backwards_across_a_year_boundary() -> None:
    assert add_months(utc(2024, 3, 31, 12), -4) == utc(2023, 11, 30, 12)


def test_add_months_uses_the_requested_day_instead_of_the_current_one() -> None:
    assert add_months(utc(2024, 2, 29), 1, day=31) == utc(2024, 3, 31)


def test_add_months_rejects_a_day_outside_1_to_31() -> None:
    with pytest.raises(ValueError, match="day"):
        add_months(utc(2024, 1, 1), 1, day=32)


def test_add_months_converts_other_offsets_to_utc() -> None:
    tokyo = timezone(timedelta(hours=9))
    # 2024-02-01 08:00 in Tokyo is still January 31 in UTC.
    assert add_months(datetime(2024, 2, 1, 8, tzinfo=tokyo), 1) == utc(2024, 2, 29, 23)


# boundary


def test_every_three_months_steps_a_quarter_and_keeps_the_anchor_day() -> None:
    anchor = utc(2024, 1, 31, 8, 15, 30)
    assert [boundary(anchor, Interval(Unit.MONTH, 3), n) for n in range(4)] == [
        anchor,
        utc(2024, 4, 30, 8, 15, 30),
        utc(2024, 7, 31, 8, 15, 30),
        utc(2024, 10, 31, 8, 15, 30),
    ]


def test_every_two_weeks_steps_fourteen_days() -> None:
    anchor = utc(2022, 6, 3, 10)
    assert boundary(anchor, Interval(Unit.WEEK, 2), 3) == utc(2022, 7, 15, 10)


def test_a_daily_cycle_steps_86400_seconds() -> None:
    anchor = utc(2024, 2, 28, 23, 59, 59)
    assert boundary(anchor, Interval(Unit.DAY, 1), 2) == utc(2024, 3, 1, 23, 59, 59)


def test_negative_boundaries_lie_before_the_anchor_on_the_anchor_day() -> None:
    anchor = utc(2024, 3, 31, 6)
    assert [boundary(anchor, MONTHLY, n) for n in (-1, -2, -3)] == [
        utc(2024, 2, 29, 6),
        utc(2024, 1, 31, 6),
        utc(2023, 12, 31, 6),
    ]


def test_boundary_zero_is_the_anchor() -> None:
    anchor = utc(2024, 5, 17, 1, 2, 3)
    assert boundary(anchor, Interval(Unit.YEAR, 2), 0) == anchor


def test_a_boundary_beyond_year_9999_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="outside"):
        boundary(utc(9999, 6, 1), YEARLY, 1)


def test_a_daily_boundary_beyond_year_9999_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="outside"):
        boundary(utc(9999, 12, 31), Interval(Unit.DAY), 1)


# period_containing and periods_from


def test_an_instant_exactly_on_a_boundary_belongs_to_the_period_starting_there() -> None:
    anchor = utc(2024, 1, 31)
    assert period_containing(anchor, MONTHLY, utc(2024, 2, 29)) == Period(
        utc(2024, 2, 29), utc(2024, 3, 31)
    )


def test_an_instant_one_second_before_a_boundary_belongs_to_the_period_ending_there() -> None:
    anchor = utc(2024, 1, 31)
    assert period_containing(anchor, MONTHLY, utc(2024, 2, 28, 23, 59, 59)) == Period(
        utc(2024, 1, 31), utc(2024, 2, 29)
    )


def test_an_instant_before_the_anchor_gets_the_earlier_cycle_period() -> None:
    anchor = utc(2024, 5, 1)
    assert period_containing(anchor, MONTHLY, utc(2024, 4, 22)) == Period(
        utc(2024, 4, 1), utc(2024, 5, 1)
    )


def test_an_instant_late_in_a_month_before_the_anchor_day_steps_back_one_period() -> None:
    # The instant's month holds a boundary (Mar 31) that is after it.
    anchor = utc(2024, 1, 31, 12)
    assert period_containing(anchor, MONTHLY, utc(2024, 3, 31, 11)) == Period(
        utc(2024, 2, 29, 12), utc(2024, 3, 31, 12)
    )


def test_a_biweekly_period_contains_an_instant_between_its_boundaries() -> None:
    anchor = utc(2022, 6, 3)
    assert period_containing(anchor, Interval(Unit.WEEK, 2), utc(2022, 6, 20)) == Period(
        utc(2022, 6, 17), utc(2022, 7, 1)
    )


def test_periods_from_starts_with_the_period_containing_start_and_continues() -> None:
    periods = list(islice(periods_from(utc(2024, 1, 31), MONTHLY, utc(2024, 2, 10)), 3))
    assert periods == [
        Period(utc(2024, 1, 31), utc(2024, 2, 29)),
        Period(utc(2024, 2, 29), utc(2024, 3, 31)),
        Period(utc(2024, 3, 31), utc(2024, 4, 30)),
    ]


def test_periods_from_rejects_a_naive_start_at_the_call() -> None:
    with pytest.raises(ValueError, match="aware"):
        periods_from(utc(2024, 1, 1), MONTHLY, datetime(2024, 1, 1))


# Period and Interval


def test_a_period_contains_its_start_but_not_its_end() -> None:
    period = Period(utc(2024, 1, 1), utc(2024, 2, 1))
    assert period.contains(utc(2024, 1, 1))
    assert not period.contains(utc(2024, 2, 1))


def test_a_period_must_start_before_it_ends() -> None:
    with pytest.raises(ValueError, match="before"):
        Period(utc(2024, 1, 1), utc(2024, 1, 1))


def test_a_period_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        Period(datetime(2024, 1, 1), utc(2024, 2, 1))


def test_an_interval_count_below_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="count"):
        Interval(Unit.MONTH, 0)


# anchor_from_config


def test_config_day_31_in_a_30_day_month_anchors_on_the_30th() -> None:
    # Given a start on April 10 and day_of_month=31 at midnight
    config = AnchorConfig(day_of_month=31, hour=0, minute=0, second=0)

    # When the anchor is derived
    anchor = anchor_from_config(utc(2024, 4, 10, 9), MONTHLY, config)

    # Then it is the last day of April
    assert anchor == utc(2024, 4, 30)


def test_config_time_fields_default_from_the_start_time() -> None:
    start = utc(2024, 1, 15, 13, 45, 7)
    assert anchor_from_config(start, MONTHLY, AnchorConfig(day_of_month=1)) == utc(
        2024, 2, 1, 13, 45, 7
    )


def test_config_hour_given_keeps_minute_and_second_from_the_start() -> None:
    start = utc(2024, 1, 15, 13, 45, 7)
    anchor = anchor_from_config(start, MONTHLY, AnchorConfig(day_of_month=20, hour=3))
    assert anchor == utc(2024, 1, 20, 3, 45, 7)


def test_config_day_already_passed_this_month_anchors_next_month() -> None:
    config = AnchorConfig(day_of_month=15, hour=12, minute=0, second=0)
    assert anchor_from_config(utc(2024, 1, 15, 12, 0, 1), MONTHLY, config) == utc(2024, 2, 15, 12)


def test_config_yearly_with_month_anchors_on_that_month_next_time_it_comes() -> None:
    config = AnchorConfig(day_of_month=29, month=2, hour=0, minute=0, second=0)
    assert anchor_from_config(utc(2025, 3, 1), YEARLY, config) == utc(2026, 2, 28)


def test_config_yearly_with_month_later_this_year_anchors_this_year() -> None:
    config = AnchorConfig(day_of_month=1, month=7, hour=0, minute=0, second=0)
    assert anchor_from_config(utc(2024, 3, 15), YEARLY, config) == utc(2024, 7, 1)


def test_config_instant_equal_to_the_start_returns_the_start() -> None:
    start = utc(2024, 3, 1, 9, 30)
    assert anchor_from_config(start, MONTHLY, AnchorConfig(day_of_month=1)) == start


def test_config_is_rejected_for_weekly_intervals() -> None:
    with pytest.raises(ValueError, match="month or year"):
        anchor_from_config(utc(2024, 1, 1), WEEKLY, AnchorConfig(day_of_month=1))


@pytest.mark.parametrize(
    "fields",
    [
        {"day_of_month": 0},
        {"day_of_month": 32},
        {"day_of_month": 1, "month": 13},
        {"day_of_month": 1, "hour": 24},
        {"day_of_month": 1, "minute": 60},
        {"day_of_month": 1, "second": -1},
    ],
)
def test_config_fields_out_of_range_are_rejected(fields: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must be between"):
        AnchorConfig(**fields)


# first_period


def test_an_anchor_at_the_start_gives_a_full_first_period() -> None:
    start = utc(2024, 1, 31, 10)
    first = first_period(start, start, MONTHLY)
    assert first.period == Period(start, utc(2024, 2, 29, 10))
    assert first.full_period == first.period
    assert not first.is_shortened


def test_an_anchor_before_the_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="before"):
        first_period(utc(2024, 1, 15), utc(2024, 1, 14), MONTHLY)


def test_an_anchor_more_than_one_interval_after_the_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="one interval"):
        first_period(utc(2024, 1, 15), utc(2024, 2, 15, 0, 0, 1), MONTHLY)


def test_an_anchor_exactly_one_interval_after_the_start_is_allowed() -> None:
    first = first_period(utc(2024, 1, 31), utc(2024, 2, 29), MONTHLY)
    assert first.period == Period(utc(2024, 1, 31), utc(2024, 2, 29))
    assert first.full_period == Period(utc(2024, 1, 29), utc(2024, 2, 29))


# Naive datetimes


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_months(datetime(2024, 1, 1), 1),
        lambda: boundary(datetime(2024, 1, 1), MONTHLY, 1),
        lambda: period_containing(utc(2024, 1, 1), MONTHLY, datetime(2024, 1, 5)),
        lambda: anchor_from_config(datetime(2024, 1, 1), MONTHLY, AnchorConfig(day_of_month=1)),
        lambda: first_period(datetime(2024, 1, 1), utc(2024, 1, 1), MONTHLY),
        lambda: Period(utc(2024, 1, 1), utc(2024, 2, 1)).contains(datetime(2024, 1, 5)),
    ],
)
def test_naive_datetimes_are_rejected(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="aware"):
        call()


# Properties

anchors = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2100, 12, 31, 23, 59, 59),
    timezones=st.just(UTC),
).map(lambda value: value.replace(microsecond=0))
intervals = st.builds(Interval, st.sampled_from(list(Unit)), st.integers(min_value=1, max_value=12))
offsets = st.integers(min_value=-3 * 366 * 86400, max_value=3 * 366 * 86400)


def assert_on_anchor_day_and_time(anchor: datetime, interval: Interval, at: datetime) -> None:
    if interval.unit in (Unit.MONTH, Unit.YEAR):
        month_length = calendar.monthrange(at.year, at.month)[1]
        assert at.day == min(anchor.day, month_length)
        assert at.timetz() == anchor.timetz()
    if interval.unit is Unit.YEAR:
        assert at.month == anchor.month


@settings(deadline=None)
@given(anchors, intervals, offsets)
def test_periods_never_skip_or_overlap_and_land_on_the_anchor_day(
    anchor: datetime, interval: Interval, offset: int
) -> None:
    start = anchor + timedelta(seconds=offset)
    periods = list(islice(periods_from(anchor, interval, start), 40))
    assert periods[0].contains(start)
    for earlier, later in pairwise(periods):
        assert earlier.end == later.start
    for period in periods:
        assert period.start < period.end
        assert period.start.tzinfo is UTC
        assert_on_anchor_day_and_time(anchor, interval, period.start)


@settings(deadline=None)
@given(anchors, intervals, offsets)
def test_period_containing_agrees_with_walking_the_boundaries_from_the_anchor(
    anchor: datetime, interval: Interval, offset: int
) -> None:
    at = anchor + timedelta(seconds=offset)
    n = 0
    while boundary(anchor, interval, n) > at:
        n -= 1
    while boundary(anchor, interval, n + 1) <= at:
        n += 1

    period = period_containing(anchor, interval, at)

    assert period.contains(at)
    assert period == Period(boundary(anchor, interval, n), boundary(anchor, interval, n + 1))


@settings(deadline=None)
@given(anchors, intervals)
def test_boundaries_strictly_increase_with_n(anchor: datetime, interval: Interval) -> None:
    boundaries = [boundary(anchor, interval, n) for n in range(-50, 51)]
    assert all(a < b for a, b in pairwise(boundaries))
    for at in boundaries:
        assert_on_anchor_day_and_time(anchor, interval, at)


@settings(deadline=None)
@given(anchors, intervals, st.integers(min_value=0, max_value=10**9))
def test_a_first_period_ends_at_the_anchor_within_its_full_period(
    start: datetime, interval: Interval, seed: int
) -> None:
    natural_end = boundary(start, interval, 1)
    span = (natural_end - start) // timedelta(seconds=1)
    # Strictly before the natural end: an anchor exactly there makes a full-length stub.
    anchor = start + timedelta(seconds=seed % span)

    first = first_period(start, anchor, interval)

    assert first.period.start == start
    assert first.period.end == first.full_period.end
    assert first.full_period.start <= first.period.start
    assert first.period.seconds <= first.full_period.seconds
    assert first.is_shortened == (anchor != start)
