"""Aggregating meter events from partial aggregates: any merge order gives the same
answer, `last` breaks timestamp ties by arrival, and a span splits into whole rollup
hours plus raw partial hours at its edges."""

from __future__ import annotations

from itertools import permutations

import pytest

from seikyu.metering.domain.aggregation import (
    HOUR,
    Formula,
    Split,
    Usage,
    billable,
    hour_ceil,
    hour_floor,
    merge_all,
    split,
)

T0 = 1_735_689_600  # 2025-01-01T00:00:00Z


def event(value: int, timestamp: int, seq: int) -> Usage:
    """One event as a partial aggregate."""
    return Usage(total=value, count=1, peak=value, last=value, last_at=(timestamp, seq))


# Stripe's golden G-9.2: 25, 10 and 5 reported in timestamp order.
GOLDEN = [event(25, T0 + 60, 1), event(10, T0 + 120, 2), event(5, T0 + 180, 3)]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [(Formula.SUM, 40), (Formula.COUNT, 3), (Formula.LAST, 5), (Formula.MAX, 25)],
)
def test_the_golden_example(formula: Formula, expected: int) -> None:
    assert merge_all(GOLDEN).value(formula) == expected


def test_merge_order_does_not_matter() -> None:
    results = {merge_all(list(order)) for order in permutations(GOLDEN)}
    assert len(results) == 1


def test_merging_partial_aggregates_equals_merging_events() -> None:
    rollup = merge_all(GOLDEN[:2])
    edge = GOLDEN[2]
    assert rollup.merge(edge) == edge.merge(rollup) == merge_all(GOLDEN)


def test_last_breaks_timestamp_ties_by_seq() -> None:
    early, late = event(7, T0, 1), event(3, T0, 2)
    assert early.merge(late).value(Formula.LAST) == 3
    assert late.merge(early).value(Formula.LAST) == 3


def test_a_later_timestamp_wins_over_a_later_seq() -> None:
    later_reported_earlier_time = event(9, T0 - 1, 5)
    assert merge_all([event(4, T0, 1), later_reported_earlier_time]).value(Formula.LAST) == 4


def test_empty_parts_change_nothing() -> None:
    whole = merge_all(GOLDEN)
    assert whole.merge(Usage()) == Usage().merge(whole) == whole


def test_no_events_aggregate_to_zero_whatever_the_formula() -> None:
    assert [Usage().value(f) for f in Formula] == [0, 0, 0, 0]


def test_max_keeps_negative_peaks_and_billable_floors_at_zero() -> None:
    usage = merge_all([event(-5, T0, 1), event(-2, T0 + 1, 2)])
    assert (usage.value(Formula.MAX), usage.value(Formula.SUM)) == (-2, -7)
    assert billable(usage.value(Formula.SUM)) == 0


def test_rollups_without_last_do_not_hide_an_edges_last() -> None:
    # A rollup read for sum/count/max carries no `last`; merging keeps the edge's.
    rollup = Usage(total=35, count=2, peak=25)
    assert rollup.merge(GOLDEN[2]).value(Formula.LAST) == 5
    assert GOLDEN[2].merge(rollup).value(Formula.LAST) == 5


# --- splitting a span ---------------------------------------------------------------------


def test_hour_floor_and_ceil() -> None:
    assert (hour_floor(T0 + 1), hour_ceil(T0 + 1)) == (T0, T0 + HOUR)
    assert (hour_floor(T0), hour_ceil(T0)) == (T0, T0)


def test_an_aligned_span_is_all_rollup_hours() -> None:
    assert split(T0, T0 + 3 * HOUR) == Split((T0, T0 + 3 * HOUR), ())


def test_partial_hours_at_both_edges_are_read_raw() -> None:
    start, end = T0 + 30 * 60, T0 + 2 * HOUR + 15 * 60
    assert split(start, end) == Split(
        (T0 + HOUR, T0 + 2 * HOUR), ((start, T0 + HOUR), (T0 + 2 * HOUR, end))
    )


def test_one_aligned_edge_leaves_one_raw_range() -> None:
    assert split(T0, T0 + HOUR + 60) == Split((T0, T0 + HOUR), ((T0 + HOUR, T0 + HOUR + 60),))
    assert split(T0 + 60, T0 + 2 * HOUR) == Split(
        (T0 + HOUR, T0 + 2 * HOUR), ((T0 + 60, T0 + HOUR),)
    )


def test_a_span_inside_one_hour_is_read_raw() -> None:
    assert split(T0 + 60, T0 + 120) == Split(None, ((T0 + 60, T0 + 120),))
    # Across an hour boundary but without a whole hour in it.
    assert split(T0 + HOUR - 60, T0 + HOUR + 60) == Split(None, ((T0 + HOUR - 60, T0 + HOUR + 60),))


def test_an_empty_or_reversed_span_reads_nothing() -> None:
    assert split(T0, T0) == Split(None, ())
    assert split(T0 + 1, T0) == Split(None, ())
