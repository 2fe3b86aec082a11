"""Subscription timing: trials, anchors, stubs and backdating at creation, and renewals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seikyu.billing.domain.subscription_timing import (
    BilledSpan,
    ProrationBehavior,
    check_cancel_at,
    check_trial_end,
    creation_timeline,
    next_period,
    trial_end_from,
    trial_will_end_at,
)
from seikyu.core.errors import ErrorType, SeikyuError
from seikyu.core.periods import AnchorConfig, Interval, Period, Unit

MONTHLY = Interval(Unit.MONTH)
YEARLY = Interval(Unit.YEAR)
WEEKLY = Interval(Unit.WEEK)
NONE = ProrationBehavior.NONE


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def whole(start: datetime, end: datetime) -> BilledSpan:
    period = Period(start, end)
    return BilledSpan(period, Fraction(1), period)


def renewals(
    anchor: datetime, interval: Interval, first_end: datetime, count: int
) -> list[datetime]:
    """The ends of `count` periods after one ending at `first_end`, each from `next_period`."""
    ends = []
    end = first_end
    for _ in range(count):
        end = next_period(anchor, interval, end).end
        ends.append(end)
    return ends


def refusal(call: Callable[[], object]) -> SeikyuError:
    with pytest.raises(SeikyuError) as raised:
        call()
    assert raised.value.type is ErrorType.INVALID_REQUEST
    return raised.value


# --- trials ----------------------------------------------------------------------------


def test_g_3_1_fourteen_trial_days_end_two_weeks_later_to_the_second() -> None:
    now = unix(1704067200)
    end = trial_end_from(now, trial_end=None, trial_period_days=14, trial_from_plan_days=None)
    assert end == unix(1705276800)


def test_an_explicit_trial_end_is_taken_as_given() -> None:
    now = utc(2024, 1, 1)
    assert trial_end_from(
        now, trial_end=utc(2024, 2, 3, 4, 5), trial_period_days=None, trial_from_plan_days=None
    ) == utc(2024, 2, 3, 4, 5)


def test_trial_from_plan_uses_the_price_days() -> None:
    now = utc(2024, 1, 1)
    end = trial_end_from(now, trial_end=None, trial_period_days=None, trial_from_plan_days=30)
    assert end == utc(2024, 1, 31)


def test_trial_period_days_override_the_price_days() -> None:
    now = utc(2024, 1, 1)
    end = trial_end_from(now, trial_end=None, trial_period_days=7, trial_from_plan_days=30)
    assert end == utc(2024, 1, 8)


@pytest.mark.parametrize(
    ("trial_end", "days", "plan_days"),
    [(None, None, None), (None, 0, None), (None, 0, 30), (None, None, 0), ("now", None, None)],
    ids=["nothing", "zero-days", "zero-days-over-plan", "plan-without-trial", "trial-end-now"],
)
def test_no_trial(trial_end: str | None, days: int | None, plan_days: int | None) -> None:
    now = utc(2024, 1, 1)
    resolved = now if trial_end == "now" else None
    assert (
        trial_end_from(
            now, trial_end=resolved, trial_period_days=days, trial_from_plan_days=plan_days
        )
        is None
    )


def test_a_trial_end_in_the_past_is_refused() -> None:
    now = utc(2024, 1, 1)
    error = refusal(
        lambda: trial_end_from(
            now,
            trial_end=now - timedelta(seconds=1),
            trial_period_days=None,
            trial_from_plan_days=None,
        )
    )
    assert error.param == "trial_end"
    assert error.message == "Invalid timestamp: must be an integer Unix timestamp in the future."


def test_a_trial_may_last_exactly_730_days_and_no_longer() -> None:
    now = utc(2024, 1, 1)
    check_trial_end(now, now + timedelta(days=730))
    error = refusal(lambda: check_trial_end(now, now + timedelta(days=730, seconds=1)))
    assert error.param == "trial_end"
    assert error.message == "The maximum number of trial period days is 730 (2 years)."


@pytest.mark.parametrize(("days", "code"), [(731, None), (-1, "parameter_invalid_integer")])
def test_trial_period_days_outside_0_to_730_are_refused(days: int, code: str | None) -> None:
    error = refusal(
        lambda: trial_end_from(
            utc(2024, 1, 1), trial_end=None, trial_period_days=days, trial_from_plan_days=None
        )
    )
    assert error.param == "trial_period_days"
    assert error.code == code


def test_trial_end_and_trial_from_plan_are_exclusive() -> None:
    error = refusal(
        lambda: trial_end_from(
            utc(2024, 1, 1),
            trial_end=utc(2024, 2, 1),
            trial_period_days=None,
            trial_from_plan_days=14,
        )
    )
    assert error.code == "parameters_exclusive"
    assert error.param == "trial_from_plan"
    assert (
        error.message == "You may only specify one of these parameters: trial_from_plan, trial_end."
    )


def test_trial_end_and_trial_period_days_are_exclusive() -> None:
    error = refusal(
        lambda: trial_end_from(
            utc(2024, 1, 1),
            trial_end=utc(2024, 2, 1),
            trial_period_days=3,
            trial_from_plan_days=None,
        )
    )
    assert error.code == "parameters_exclusive"
    assert error.param == "trial_period_days"


def test_g_3_1_trial_will_end_is_due_three_days_before_the_trial_ends() -> None:
    assert trial_will_end_at(unix(1704067200), unix(1705276800)) == unix(1705017600)


def test_a_trial_shorter_than_three_days_announces_its_end_at_once() -> None:
    now = utc(2024, 1, 1)
    assert trial_will_end_at(now, utc(2024, 1, 3)) == now


def test_cancel_at_must_be_in_the_future() -> None:
    now = utc(2024, 1, 1)
    check_cancel_at(now, now + timedelta(seconds=1))
    error = refusal(lambda: check_cancel_at(now, now))
    assert error.param == "cancel_at"


# --- creation without trial or anchor --------------------------------------------------


def test_a_plain_subscription_bills_its_first_full_period_now() -> None:
    now = utc(2024, 3, 5, 12)
    timeline = creation_timeline(now, MONTHLY)
    full = whole(now, utc(2024, 4, 5, 12))
    assert timeline.start_date == now
    assert timeline.billing_cycle_anchor == now
    assert (timeline.trial_start, timeline.trial_end) == (None, None)
    assert timeline.current_period == full.period
    assert timeline.invoice_now == (full,)
    assert (timeline.first_charge_at, timeline.first_charge) == (now, (full,))
    assert timeline.bills_now
    assert not full.is_prorated


def test_an_anchor_at_now_is_the_same_as_none() -> None:
    now = utc(2024, 3, 5, 12)
    assert creation_timeline(now, MONTHLY, anchor=now) == creation_timeline(now, MONTHLY)


# --- future anchor (G-2.11) ------------------------------------------------------------


def test_g_2_11_a_future_anchor_bills_the_stub_now_prorated_against_the_month_ending_at_it() -> (
    None
):
    timeline = creation_timeline(unix(1705276800), MONTHLY, anchor=unix(1706745600))
    (stub,) = timeline.invoice_now
    assert stub.period == Period(unix(1705276800), unix(1706745600))
    assert stub.full_period == Period(utc(2024, 1, 1), utc(2024, 2, 1))
    assert stub.fraction == Fraction(1468800, 2678400)
    assert stub.is_prorated
    assert stub.amount(Decimal(3000)) == 1645
    assert timeline.current_period == stub.period
    assert timeline.billing_cycle_anchor == unix(1706745600)
    assert (timeline.first_charge_at, timeline.first_charge) == (unix(1705276800), (stub,))
    assert renewals(unix(1706745600), MONTHLY, unix(1706745600), 2) == [
        utc(2024, 3, 1),
        utc(2024, 4, 1),
    ]


def test_g_2_11_with_proration_none_the_stub_is_free_and_3000_is_billed_at_the_anchor() -> None:
    timeline = creation_timeline(
        unix(1705276800), MONTHLY, anchor=unix(1706745600), proration_behavior=NONE
    )
    assert timeline.invoice_now == ()
    assert not timeline.creates_invoice_now
    assert not timeline.bills_now
    assert timeline.current_period == Period(unix(1705276800), unix(1706745600))
    assert timeline.first_charge_at == unix(1706745600)
    (full,) = timeline.first_charge
    assert full == whole(utc(2024, 2, 1), utc(2024, 3, 1))
    assert full.amount(Decimal(3000)) == 3000


def test_always_invoice_bills_the_stub_now_as_create_prorations_does() -> None:
    now, anchor = unix(1705276800), unix(1706745600)
    always = creation_timeline(
        now, MONTHLY, anchor=anchor, proration_behavior=ProrationBehavior.ALWAYS_INVOICE
    )
    assert always == creation_timeline(now, MONTHLY, anchor=anchor)


# --- trials at creation (G-3.1, G-3.2, G-2.12) ----------------------------------------


def test_g_3_1_a_trial_is_invoiced_at_zero_and_billing_starts_at_its_end() -> None:
    now, trial_end = unix(1704067200), unix(1705276800)
    timeline = creation_timeline(now, MONTHLY, trial_end=trial_end)
    trial = Period(now, trial_end)
    assert (timeline.trial_start, timeline.trial_end) == (now, trial_end)
    assert timeline.billing_cycle_anchor == trial_end
    assert timeline.current_period == trial
    assert timeline.invoice_now == (BilledSpan(trial, Fraction(0), trial),)
    assert timeline.creates_invoice_now
    assert not timeline.bills_now
    assert timeline.invoice_now[0].amount(Decimal(3000)) == 0
    assert timeline.first_charge_at == trial_end
    assert timeline.first_charge == (whole(trial_end, utc(2024, 2, 15)),)
    assert timeline.first_charge[0].amount(Decimal(3000)) == 3000


def test_g_3_2_a_seven_day_trial_from_january_1_bills_5000_on_the_8th_every_month() -> None:
    now = utc(2025, 1, 1)
    trial_end = trial_end_from(now, trial_end=None, trial_period_days=7, trial_from_plan_days=None)
    assert trial_end == utc(2025, 1, 8)
    timeline = creation_timeline(now, MONTHLY, trial_end=trial_end)
    assert trial_will_end_at(now, trial_end) == utc(2025, 1, 5)
    assert timeline.invoice_now[0].amount(Decimal(5000)) == 0
    assert timeline.first_charge_at == utc(2025, 1, 8)
    assert [span.amount(Decimal(5000)) for span in timeline.first_charge] == [5000]
    assert renewals(timeline.billing_cycle_anchor, MONTHLY, utc(2025, 2, 8), 3) == [
        utc(2025, 3, 8),
        utc(2025, 4, 8),
        utc(2025, 5, 8),
    ]


def test_g_2_12_a_trial_then_an_anchor_bills_zero_now_and_a_prorated_stub_at_trial_end() -> None:
    now, trial_end, anchor = utc(2024, 4, 15), unix(1713744000), unix(1714521600)
    timeline = creation_timeline(now, MONTHLY, trial_end=trial_end, anchor=anchor)
    assert [span.amount(Decimal(3000)) for span in timeline.invoice_now] == [0]
    assert timeline.current_period == Period(now, trial_end)
    assert timeline.first_charge_at == trial_end
    (stub,) = timeline.first_charge
    assert stub.period == Period(trial_end, anchor)
    assert stub.full_period == Period(utc(2024, 4, 1), anchor)
    assert stub.fraction == Fraction(777600, 2592000)
    assert stub.amount(Decimal(3000)) == 900
    assert next_period(anchor, MONTHLY, anchor) == Period(anchor, utc(2024, 6, 1))


def test_g_2_12_a_trial_that_passes_the_anchor_runs_its_stub_to_the_following_boundary() -> None:
    now = utc(2024, 4, 28)
    timeline = creation_timeline(now, MONTHLY, trial_end=utc(2024, 5, 5), anchor=utc(2024, 5, 1))
    (stub,) = timeline.first_charge
    assert stub.period == Period(utc(2024, 5, 5), utc(2024, 6, 1))
    assert stub.full_period == Period(utc(2024, 5, 1), utc(2024, 6, 1))
    assert stub.fraction == Fraction(27, 31)
    assert stub.amount(Decimal(3000)) == 2613


def test_a_trial_ending_on_a_boundary_of_an_earlier_anchor_needs_no_stub() -> None:
    timeline = creation_timeline(
        utc(2024, 4, 28), MONTHLY, trial_end=utc(2024, 6, 1), anchor=utc(2024, 5, 1)
    )
    assert timeline.first_charge == (whole(utc(2024, 6, 1), utc(2024, 7, 1)),)


def test_a_trial_then_an_anchor_with_proration_none_charges_first_at_the_anchor() -> None:
    now, trial_end, anchor = utc(2024, 4, 15), utc(2024, 4, 22), utc(2024, 5, 1)
    timeline = creation_timeline(
        now, MONTHLY, trial_end=trial_end, anchor=anchor, proration_behavior=NONE
    )
    assert [span.fraction for span in timeline.invoice_now] == [0]
    assert timeline.first_charge_at == anchor
    assert timeline.first_charge == (whole(anchor, utc(2024, 6, 1)),)


# --- anchor config and month ends (G-2.7 .. G-2.10) ------------------------------------


def test_g_2_7_an_anchor_config_on_day_31_bills_on_each_month_end() -> None:
    now = utc(2024, 1, 15, 9, 30)
    timeline = creation_timeline(
        now, MONTHLY, anchor_config=AnchorConfig(day_of_month=31, hour=0, minute=0, second=0)
    )
    anchor = utc(2024, 1, 31)
    assert timeline.billing_cycle_anchor == anchor
    (stub,) = timeline.invoice_now
    assert stub.period == Period(now, anchor)
    assert renewals(anchor, MONTHLY, anchor, 5) == [
        utc(2024, 2, 29),
        utc(2024, 3, 31),
        utc(2024, 4, 30),
        utc(2024, 5, 31),
        utc(2024, 6, 30),
    ]


def test_g_2_7_in_a_non_leap_year_the_31st_bills_on_february_28() -> None:
    anchor = utc(2025, 1, 31)
    assert renewals(anchor, MONTHLY, anchor, 3) == [
        utc(2025, 2, 28),
        utc(2025, 3, 31),
        utc(2025, 4, 30),
    ]


def test_g_2_8_anchor_days_30_and_29() -> None:
    assert renewals(utc(2025, 1, 30), MONTHLY, utc(2025, 1, 30), 3) == [
        utc(2025, 2, 28),
        utc(2025, 3, 30),
        utc(2025, 4, 30),
    ]
    assert renewals(utc(2023, 1, 29), MONTHLY, utc(2023, 1, 29), 2) == [
        utc(2023, 2, 28),
        utc(2023, 3, 29),
    ]


def test_g_2_9_a_yearly_anchor_on_february_29() -> None:
    created = creation_timeline(utc(2024, 2, 29), YEARLY)
    assert created.current_period == Period(utc(2024, 2, 29), utc(2025, 2, 28))
    anchor = created.billing_cycle_anchor
    assert renewals(anchor, YEARLY, utc(2025, 2, 28), 3) == [
        utc(2026, 2, 28),
        utc(2027, 2, 28),
        utc(2028, 2, 29),
    ]


def test_g_2_10_a_weekly_anchor_on_a_friday_bills_every_friday() -> None:
    created = creation_timeline(utc(2022, 6, 3), WEEKLY)
    assert created.current_period.end == utc(2022, 6, 10)
    assert renewals(created.billing_cycle_anchor, WEEKLY, utc(2022, 6, 10), 2) == [
        utc(2022, 6, 17),
        utc(2022, 6, 24),
    ]


def test_a_yearly_anchor_config_picks_the_next_occurrence_of_its_month_and_day() -> None:
    now = utc(2024, 8, 10, 6)
    timeline = creation_timeline(now, YEARLY, anchor_config=AnchorConfig(day_of_month=1, month=4))
    assert timeline.billing_cycle_anchor == utc(2025, 4, 1, 6)


def test_next_period_after_an_off_cycle_end_is_a_stub_back_onto_the_cycle() -> None:
    assert next_period(utc(2024, 1, 1), MONTHLY, utc(2024, 3, 20)) == Period(
        utc(2024, 3, 20), utc(2024, 4, 1)
    )


# --- backdating ------------------------------------------------------------------------


def test_backdating_to_february_15_with_an_anchor_on_march_1_bills_exactly_half() -> None:
    # Stripe's example: the imagined month runs Feb 15 to Mar 15 (28 days in 2023).
    timeline = creation_timeline(
        utc(2023, 2, 20),
        MONTHLY,
        anchor=utc(2023, 3, 1),
        backdate_start_date=utc(2023, 2, 15),
    )
    (stub,) = timeline.invoice_now
    assert stub.period == Period(utc(2023, 2, 15), utc(2023, 3, 1))
    assert stub.full_period == Period(utc(2023, 2, 15), utc(2023, 3, 15))
    assert stub.fraction == Fraction(1, 2)
    assert stub.amount(Decimal(3000)) == 1500
    assert timeline.start_date == utc(2023, 2, 15)
    assert timeline.current_period == stub.period


def test_backdating_to_january_15_with_an_anchor_on_february_1_bills_17_31sts() -> None:
    timeline = creation_timeline(
        utc(2023, 1, 20),
        MONTHLY,
        anchor=utc(2023, 2, 1),
        backdate_start_date=utc(2023, 1, 15),
    )
    (stub,) = timeline.invoice_now
    assert stub.fraction == Fraction(17, 31)
    assert stub.amount(Decimal(3100)) == 1700


def test_a_migrated_subscription_backdated_two_whole_months_is_billed_two_months() -> None:
    # Migrating on Oct 15 a subscription that started Sep 1 and renews Nov 1.
    timeline = creation_timeline(
        utc(2024, 10, 15),
        MONTHLY,
        anchor=utc(2024, 11, 1),
        backdate_start_date=utc(2024, 9, 1),
    )
    (span,) = timeline.invoice_now
    assert span.period == Period(utc(2024, 9, 1), utc(2024, 11, 1))
    assert span.fraction == 2
    assert span.full_period == Period(utc(2024, 10, 1), utc(2024, 11, 1))
    assert span.amount(Decimal(3000)) == 6000


def test_backdating_without_anchor_bills_the_elapsed_time_and_a_full_period_from_now() -> None:
    now = utc(2024, 10, 15)
    timeline = creation_timeline(now, MONTHLY, backdate_start_date=utc(2024, 9, 20))
    elapsed, full = timeline.invoice_now
    assert timeline.start_date == utc(2024, 9, 20)
    assert timeline.billing_cycle_anchor == now
    assert timeline.current_period == Period(now, utc(2024, 11, 15))
    assert elapsed.period == Period(utc(2024, 9, 20), now)
    assert elapsed.full_period == Period(utc(2024, 9, 20), utc(2024, 10, 20))
    assert elapsed.fraction == Fraction(25, 30)
    assert full == whole(now, utc(2024, 11, 15))
    assert timeline.first_charge == timeline.invoice_now


def test_backdating_with_proration_none_charges_nothing_for_the_elapsed_time() -> None:
    now = utc(2024, 10, 15)
    timeline = creation_timeline(
        now, MONTHLY, backdate_start_date=utc(2024, 9, 20), proration_behavior=NONE
    )
    assert timeline.start_date == utc(2024, 9, 20)
    assert timeline.invoice_now == (whole(now, utc(2024, 11, 15)),)


def test_backdating_with_an_anchor_and_proration_none_charges_first_at_the_anchor() -> None:
    timeline = creation_timeline(
        utc(2024, 10, 15),
        MONTHLY,
        anchor=utc(2024, 11, 1),
        backdate_start_date=utc(2024, 9, 1),
        proration_behavior=NONE,
    )
    assert timeline.invoice_now == ()
    assert timeline.first_charge_at == utc(2024, 11, 1)
    assert timeline.first_charge == (whole(utc(2024, 11, 1), utc(2024, 12, 1)),)


def test_a_backdated_trial_starts_at_the_backdate_and_charges_nothing_before_its_end() -> None:
    timeline = creation_timeline(
        utc(2024, 10, 15),
        MONTHLY,
        trial_end=utc(2024, 11, 1),
        backdate_start_date=utc(2024, 10, 1),
    )
    trial = Period(utc(2024, 10, 1), utc(2024, 11, 1))
    assert (timeline.trial_start, timeline.trial_end) == (trial.start, trial.end)
    assert timeline.invoice_now == (BilledSpan(trial, Fraction(0), trial),)
    assert timeline.first_charge == (whole(utc(2024, 11, 1), utc(2024, 12, 1)),)


# --- refusals --------------------------------------------------------------------------


def test_an_anchor_in_the_past_is_refused() -> None:
    now = utc(2024, 1, 15)
    error = refusal(lambda: creation_timeline(now, MONTHLY, anchor=now - timedelta(seconds=1)))
    assert error.param == "billing_cycle_anchor"


def test_an_anchor_later_than_the_next_natural_billing_date_is_refused() -> None:
    now = utc(2024, 1, 15)
    creation_timeline(now, MONTHLY, anchor=utc(2024, 2, 15))
    error = refusal(
        lambda: creation_timeline(now, MONTHLY, anchor=utc(2024, 2, 15) + timedelta(seconds=1))
    )
    assert error.param == "billing_cycle_anchor"
    assert error.message == (
        "billing_cycle_anchor cannot be later than next natural billing date (1707955200)."
    )


def test_with_a_trial_the_anchor_limit_counts_from_the_trial_end() -> None:
    now, trial_end = utc(2024, 1, 1), utc(2024, 1, 15)
    creation_timeline(now, MONTHLY, trial_end=trial_end, anchor=utc(2024, 2, 15))
    error = refusal(
        lambda: creation_timeline(now, MONTHLY, trial_end=trial_end, anchor=utc(2024, 2, 16))
    )
    assert error.param == "billing_cycle_anchor"


def test_an_anchor_and_an_anchor_config_are_exclusive() -> None:
    error = refusal(
        lambda: creation_timeline(
            utc(2024, 1, 15),
            MONTHLY,
            anchor=utc(2024, 2, 1),
            anchor_config=AnchorConfig(day_of_month=1),
        )
    )
    assert error.code == "parameters_exclusive"
    assert error.param == "billing_cycle_anchor_config"


@pytest.mark.parametrize("interval", [WEEKLY, Interval(Unit.DAY)], ids=["week", "day"])
def test_an_anchor_config_needs_a_monthly_or_yearly_interval(interval: Interval) -> None:
    error = refusal(
        lambda: creation_timeline(
            utc(2024, 1, 15), interval, anchor_config=AnchorConfig(day_of_month=1)
        )
    )
    assert error.param == "billing_cycle_anchor_config"


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(seconds=1)], ids=["now", "future"])
def test_a_backdate_must_be_in_the_past(offset: timedelta) -> None:
    now = utc(2024, 1, 15)
    error = refusal(lambda: creation_timeline(now, MONTHLY, backdate_start_date=now + offset))
    assert error.param == "backdate_start_date"
    assert error.message == "The backdated subscription start date must be in the past."


def test_a_backdate_cannot_be_combined_with_an_anchor_config() -> None:
    error = refusal(
        lambda: creation_timeline(
            utc(2024, 1, 15),
            MONTHLY,
            backdate_start_date=utc(2024, 1, 1),
            anchor_config=AnchorConfig(day_of_month=1),
        )
    )
    assert error.param == "billing_cycle_anchor_config"


# --- properties ------------------------------------------------------------------------

INTERVALS = st.builds(Interval, st.sampled_from(list(Unit)), st.integers(min_value=1, max_value=3))
INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
).map(lambda at: at.replace(microsecond=0))


@settings(max_examples=200)
@given(INSTANTS, INTERVALS, st.integers(min_value=0, max_value=40 * 86400))
def test_renewals_tile_time_without_gaps_and_each_ends_on_a_cycle_boundary(
    anchor: datetime, interval: Interval, offset: int
) -> None:
    # Given a period that ended anywhere after the anchor, when renewals follow each other,
    # then each starts where the last ended and all after the first are whole cycle periods.
    end = anchor + timedelta(seconds=offset)
    periods = []
    for _ in range(6):
        period = next_period(anchor, interval, end)
        periods.append(period)
        end = period.end
    for before, after in pairwise(periods):
        assert before.end == after.start
    for period in periods[1:]:
        assert next_period(anchor, interval, period.start) == period


@settings(max_examples=200)
@given(INSTANTS, INTERVALS, st.integers(min_value=1, max_value=10**8))
def test_a_backdated_span_is_billed_as_its_length_in_imagined_intervals(
    backdate: datetime, interval: Interval, elapsed: int
) -> None:
    # Given a subscription backdated by any time, when created now without anchor,
    # then the elapsed span bills whole intervals plus a share of the next one, and a span
    # shorter than an interval bills its share of the interval starting at the backdate.
    now = backdate + timedelta(seconds=elapsed)
    span = creation_timeline(now, interval, backdate_start_date=backdate).invoice_now[0]
    assert span.period == Period(backdate, now)
    whole_intervals = int(span.fraction)
    if whole_intervals == 0:
        assert span.full_period.start == backdate
        assert span.fraction == Fraction(elapsed, span.full_period.seconds)
    assert span.full_period.start <= now <= span.full_period.end
