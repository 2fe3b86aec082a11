"""The retry schedule: evenly spread over the window, none after the last retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from seikyu.billing.domain.dunning import RetryPolicy, next_retry

FAILED = datetime(2025, 4, 1, 1, tzinfo=UTC)


def test_stripes_recommended_8_within_2_weeks_retries_every_42_hours() -> None:
    policy = RetryPolicy(8, timedelta(days=14))
    assert next_retry(policy, 1, FAILED) == FAILED + timedelta(hours=42)
    assert next_retry(policy, 8, FAILED) == FAILED + timedelta(hours=42)


def test_the_attempt_after_the_last_retry_has_no_next() -> None:
    policy = RetryPolicy(8, timedelta(days=14))
    assert next_retry(policy, 9, FAILED) is None


def test_no_retries_means_the_first_failure_is_final() -> None:
    assert next_retry(RetryPolicy(0, timedelta(days=14)), 1, FAILED) is None
