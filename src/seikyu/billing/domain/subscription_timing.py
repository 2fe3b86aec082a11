"""When a subscription's trial, periods and first invoices fall, decided at creation.

Pure and exact: every instant is an aware UTC datetime passed in (one "now" per operation),
days are 86400 s, and period boundaries come from `seikyu.core.periods`. The checks raise
Stripe's errors naming the offending parameter, so a timeline that is returned is one Stripe
would accept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from seikyu.billing.domain.proration import prorate, remaining_fraction
from seikyu.core.errors import SeikyuError, invalid
from seikyu.core.periods import (
    AnchorConfig,
    Interval,
    Period,
    Unit,
    anchor_from_config,
    boundary,
    first_period,
    period_containing,
)

# Stripe caps a trial at two years and counts them as days: "The maximum number of trial
# period days is 730 (2 years)." The API reference measures trial_end from
# billing_cycle_anchor, but the limit is observed from the request time; on create the anchor
# is never earlier than the request, so counting from now is the stricter of the two.
MAX_TRIAL_PERIOD_DAYS = 730
# customer.subscription.trial_will_end is sent three days before the trial ends.
TRIAL_WILL_END_NOTICE = timedelta(days=3)

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_FUTURE_TIMESTAMP = "Invalid timestamp: must be an integer Unix timestamp in the future."
_MAX_TRIAL = f"The maximum number of trial period days is {MAX_TRIAL_PERIOD_DAYS} (2 years)."


class ProrationBehavior(StrEnum):
    CREATE_PRORATIONS = "create_prorations"
    ALWAYS_INVOICE = "always_invoice"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class BilledSpan:
    """A span of service an invoice charges the subscription's recurring items for.

    `fraction` is the share of one full period's amount it bills: 1 for a whole period, 0
    for a trial, the prorated share for a stub (more than 1 for a backdated span longer than
    an interval). `full_period` is the cycle period its partial part is measured against
    (for a span of whole intervals, its last one); for a whole period it is the period itself.
    """

    period: Period
    fraction: Fraction
    full_period: Period

    @property
    def is_prorated(self) -> bool:
        """Whether the span bills other than exactly one whole period (trials included)."""
        return self.fraction != 1

    def amount(self, period_amount: Decimal) -> int:
        """What the span bills for an item worth `period_amount` a full period, rounded once."""
        return prorate(period_amount, self.fraction)


@dataclass(frozen=True, slots=True)
class CreationTimeline:
    """Where a new subscription's dates fall and what its first invoices bill."""

    start_date: datetime
    billing_cycle_anchor: datetime
    trial_start: datetime | None
    trial_end: datetime | None
    # The period the subscription is in once created: the trial, a stub before the anchor,
    # or its first full period.
    current_period: Period
    # What the invoice cut in the create request bills; empty when none is cut (a stub made
    # free with proration_behavior=none). A trial's invoice is one span of fraction 0.
    invoice_now: tuple[BilledSpan, ...]
    # The first invoice that charges for service: when it is cut and what it bills.
    first_charge_at: datetime
    first_charge: tuple[BilledSpan, ...]

    @property
    def creates_invoice_now(self) -> bool:
        """Whether an invoice (possibly of 0, for a trial) is created with the subscription."""
        return bool(self.invoice_now)

    @property
    def bills_now(self) -> bool:
        """Whether the invoice created with the subscription charges for any service."""
        return any(span.fraction > 0 for span in self.invoice_now)


def trial_end_from(
    now: datetime,
    *,
    trial_end: datetime | None,
    trial_period_days: int | None,
    trial_from_plan_days: int | None,
) -> datetime | None:
    """When the trial of a subscription created or updated at `now` ends; None for no trial.

    `trial_end` (with `now` for Stripe's "now") wins, then `trial_period_days`, then the
    price's days when `trial_from_plan` is set (pass `trial_from_plan_days` only then, 0 if
    the price has none). A trial ending at `now` is no trial. Raises Stripe's error for a
    trial_end in the past or over two years away, days outside 0..730, and trial_end given
    together with trial_period_days or trial_from_plan.
    """
    if trial_end is not None and trial_from_plan_days is not None:
        raise _exclusive("trial_from_plan", "trial_end", "trial_from_plan")
    if trial_end is not None and trial_period_days is not None:
        raise _exclusive("trial_end", "trial_period_days", "trial_period_days")
    if trial_period_days is not None:
        _check_trial_days(trial_period_days, "trial_period_days")
    if trial_end is not None:
        check_trial_end(now, trial_end)
        end = trial_end
    elif trial_period_days is not None:
        end = now + _DAY * trial_period_days
    elif trial_from_plan_days is not None:
        _check_trial_days(trial_from_plan_days, "trial_from_plan")
        end = now + _DAY * trial_from_plan_days
    else:
        return None
    return end if end > now else None


def check_trial_end(now: datetime, trial_end: datetime) -> None:
    """Raises Stripe's error (param `trial_end`) unless `trial_end` is `now` or later and at
    most 730 days away."""
    if trial_end < now:
        raise invalid(_FUTURE_TIMESTAMP, param="trial_end")
    if trial_end - now > _DAY * MAX_TRIAL_PERIOD_DAYS:
        raise invalid(_MAX_TRIAL, param="trial_end")


def trial_will_end_at(now: datetime, trial_end: datetime) -> datetime:
    """When `customer.subscription.trial_will_end` is due: three days before the trial ends,
    or at once (`now`) for a trial shorter than that."""
    return max(trial_end - TRIAL_WILL_END_NOTICE, now)


def check_cancel_at(now: datetime, cancel_at: datetime) -> None:
    """Raises Stripe's error (param `cancel_at`) unless `cancel_at` is after `now`."""
    if cancel_at <= now:
        raise invalid(_FUTURE_TIMESTAMP, param="cancel_at")


# `customer.subscription.trial_will_end` goes out this long before the trial ends.
TRIAL_NOTICE = timedelta(days=3)


def trial_notice_at(now: datetime, trial_end: datetime | None) -> datetime | None:
    """When a trial ending at `trial_end` is announced: three days before, or at once for
    a trial shorter than that; None without a trial ahead."""
    if trial_end is None or trial_end <= now:
        return None
    return max(now, trial_end - TRIAL_NOTICE)


def cut_at_cancel(timeline: CreationTimeline, cancel_at: datetime | None) -> CreationTimeline:
    """`timeline` for a subscription created to cancel at `cancel_at`: when that falls
    inside its first billed period, the period ends there, the invoice bills it prorated,
    and the anchor moves to `cancel_at` (a trial, billed 0, is left as it is)."""
    period = timeline.current_period
    if (
        cancel_at is None
        or timeline.trial_end is not None
        or not period.start < cancel_at < period.end
        or not timeline.invoice_now
        or timeline.invoice_now[-1].period != period
    ):
        return timeline
    last = timeline.invoice_now[-1]
    cut = Period(period.start, cancel_at)
    span = BilledSpan(cut, Fraction(cut.seconds, last.full_period.seconds), last.full_period)
    return replace(
        timeline,
        billing_cycle_anchor=cancel_at,
        current_period=cut,
        invoice_now=(*timeline.invoice_now[:-1], span),
        first_charge=(span,) if timeline.first_charge == (last,) else timeline.first_charge,
    )


def creation_timeline(
    now: datetime,
    interval: Interval,
    *,
    trial_end: datetime | None = None,
    anchor: datetime | None = None,
    anchor_config: AnchorConfig | None = None,
    backdate_start_date: datetime | None = None,
    proration_behavior: ProrationBehavior = ProrationBehavior.CREATE_PRORATIONS,
) -> CreationTimeline:
    """The dates and first invoices of a subscription created at `now` on `interval`.

    `trial_end` is the resolved trial end (`trial_end_from`), None for no trial; `anchor`
    and `anchor_config` are Stripe's `billing_cycle_anchor` and its config. Rules:

    - Without anchor, the cycle is anchored at the trial end, or else at `now`.
    - A trial is billed by an invoice of 0 at creation; billing starts at its end.
    - A later anchor makes the time from the billing start to it a stub, prorated against
      the cycle period that ends at the anchor, invoiced when billing starts; with
      `proration_behavior=none` the stub is free and the first charge is at the anchor.
    - With a trial, an anchor before the trial end aligns the cycle: the stub runs from the
      trial end to the next boundary.
    - `backdate_start_date` moves `start_date` back. Without a trial, the backdated time up
      to the first full period (the anchor, or `now`) is charged on the first invoice as one
      prorated span (classic billing mode: whole intervals counted from the backdated start,
      the rest prorated against the next interval from it, Stripe's "imagined interval that
      starts on the backdated start date"); `proration_behavior=none` makes it free.
      With a trial, the trial runs from the backdated start: nothing is charged before
      its end (a trial is the time before the first charge; Stripe does not document how
      the two combine).

    Raises Stripe's error, naming the parameter, for an anchor in the past or later than
    one interval after billing starts, both anchor forms at once, a config on a daily or
    weekly interval, a backdate not in the past or combined with a config.
    """
    _check_anchor_params(now, interval, anchor, anchor_config, backdate_start_date)
    start_date = now if backdate_start_date is None else backdate_start_date
    billing_start = trial_end if trial_end is not None and trial_end > now else now
    trialing = billing_start > now
    if anchor_config is not None:
        anchor = anchor_from_config(now, interval, anchor_config)
    if anchor is None:
        anchor = billing_start
    first_full = _aligned(anchor, interval, billing_start)
    try:
        first = first_period(billing_start, first_full, interval)
    except ValueError as error:
        natural = int(boundary(billing_start, interval, 1).timestamp())
        raise invalid(
            f"billing_cycle_anchor cannot be later than next natural billing date ({natural}).",
            param="billing_cycle_anchor_config" if anchor_config else "billing_cycle_anchor",
        ) from error
    free_stub = proration_behavior is ProrationBehavior.NONE
    full = _whole(Period(first_full, boundary(first_full, interval, 1)))

    if trialing:
        trial = Period(start_date, billing_start)
        trial_span = BilledSpan(trial, Fraction(0), trial)
        after_trial = _first_charge(first.period, first.full_period, full, free_stub)
        return CreationTimeline(
            start_date=start_date,
            billing_cycle_anchor=anchor,
            trial_start=start_date,
            trial_end=billing_start,
            current_period=trial,
            invoice_now=(trial_span,),
            first_charge_at=after_trial[0].period.start,
            first_charge=after_trial,
        )

    if backdate_start_date is not None:
        spans: tuple[BilledSpan, ...]
        if first.is_shortened:
            # A backdated subscription with a later anchor is in one period from its
            # backdated start to the anchor; that whole span is the stub, invoiced now as
            # a future anchor's stub is.
            current = Period(backdate_start_date, first_full)
            spans = (_backdated(current, interval),)
        else:
            current = full.period
            spans = (_backdated(Period(backdate_start_date, now), interval), full)
        if free_stub:
            spans = spans[1:]
        return CreationTimeline(
            start_date=start_date,
            billing_cycle_anchor=anchor,
            trial_start=None,
            trial_end=None,
            current_period=current,
            invoice_now=spans,
            first_charge_at=(spans or (full,))[0].period.start,
            first_charge=spans or (full,),
        )

    charge = _first_charge(first.period, first.full_period, full, free_stub)
    return CreationTimeline(
        start_date=start_date,
        billing_cycle_anchor=anchor,
        trial_start=None,
        trial_end=None,
        current_period=first.period,
        invoice_now=charge if charge[0].period.start == now else (),
        first_charge_at=charge[0].period.start,
        first_charge=charge,
    )


def next_period(anchor: datetime, interval: Interval, current_end: datetime) -> Period:
    """The period that follows one ending at `current_end`, on the cycle anchored at `anchor`:
    it runs to the next boundary, so a period that ended off the cycle is followed by a stub
    that brings the subscription back onto it."""
    return Period(current_end, period_containing(anchor, interval, current_end).end)


def _first_charge(
    period: Period, full_period: Period, full: BilledSpan, free_stub: bool
) -> tuple[BilledSpan, ...]:
    if period == full_period or free_stub:
        return (full,)
    # Stripe does not document what a future anchor's stub is prorated against (reference
    # G-2.11, inferred); the cycle period ending at the anchor is used, as first_period gives.
    return (BilledSpan(period, remaining_fraction(full_period, period.start), full_period),)


def _whole(period: Period) -> BilledSpan:
    return BilledSpan(period, Fraction(1), period)


def _aligned(anchor: datetime, interval: Interval, billing_start: datetime) -> datetime:
    """The first boundary of the anchor's cycle at or after `billing_start`."""
    if anchor >= billing_start:
        return anchor
    containing = period_containing(anchor, interval, billing_start)
    return containing.start if containing.start == billing_start else containing.end


def _backdated(span: Period, interval: Interval) -> BilledSpan:
    """`span`, from a backdated start, as one prorated charge: the whole intervals counted
    from its start, plus the rest as a share of the interval it falls in."""
    measured = period_containing(span.start, interval, span.end)
    whole = _intervals_between(span.start, measured.start, interval)
    if measured.start == span.end:
        # An exact number of intervals: the last whole one is the span's measure.
        last = Period(boundary(span.start, interval, whole - 1), span.end)
        return BilledSpan(span, Fraction(whole), last)
    rest = Fraction((span.end - measured.start) // _SECOND, measured.seconds)
    return BilledSpan(span, whole + rest, measured)


def _intervals_between(anchor: datetime, at: datetime, interval: Interval) -> int:
    """n such that `at` is boundary n of the cycle anchored at `anchor` (`at` must be one)."""
    if interval.unit is Unit.DAY:
        return (at - anchor) // (_DAY * interval.count)
    if interval.unit is Unit.WEEK:
        return (at - anchor) // (_DAY * 7 * interval.count)
    months = (at.year - anchor.year) * 12 + (at.month - anchor.month)
    # A boundary lies exactly n × count intervals of months after the anchor, clamping only
    # moves its day.
    return months // (interval.count * (12 if interval.unit is Unit.YEAR else 1))


def _check_anchor_params(
    now: datetime,
    interval: Interval,
    anchor: datetime | None,
    anchor_config: AnchorConfig | None,
    backdate_start_date: datetime | None,
) -> None:
    if anchor is not None and anchor_config is not None:
        raise _exclusive(
            "billing_cycle_anchor", "billing_cycle_anchor_config", "billing_cycle_anchor_config"
        )
    if anchor is not None and anchor < now:
        raise invalid(_FUTURE_TIMESTAMP, param="billing_cycle_anchor")
    if anchor_config is not None and interval.unit not in (Unit.MONTH, Unit.YEAR):
        raise invalid(
            "billing_cycle_anchor_config can only be used with monthly and yearly prices.",
            param="billing_cycle_anchor_config",
        )
    if backdate_start_date is not None:
        if backdate_start_date >= now:
            raise invalid(
                "The backdated subscription start date must be in the past.",
                param="backdate_start_date",
            )
        if anchor_config is not None:
            raise invalid(
                "billing_cycle_anchor_config cannot be used with backdate_start_date.",
                param="billing_cycle_anchor_config",
            )


def _check_trial_days(days: int, param: str) -> None:
    if days < 0:
        raise invalid(
            f"Invalid {param}: must be between 0 and {MAX_TRIAL_PERIOD_DAYS}.",
            param=param,
            code="parameter_invalid_integer",
        )
    if days > MAX_TRIAL_PERIOD_DAYS:
        raise invalid(_MAX_TRIAL, param=param)


def _exclusive(first: str, second: str, param: str) -> SeikyuError:
    return invalid(
        f"You may only specify one of these parameters: {first}, {second}.",
        param=param,
        code="parameters_exclusive",
    )
