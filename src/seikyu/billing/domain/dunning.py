"""When a failed automatic charge is tried again.

The account's policy spreads its retries evenly over its window: with Stripe's recommended
8 tries within 2 weeks, a retry every 1.75 days after each failure. An invoice's first
attempt is not a retry, so it has `retries + 1` attempts in all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int
    window: timedelta

    @property
    def spacing(self) -> timedelta:
        return self.window / self.retries if self.retries else self.window


def next_retry(policy: RetryPolicy, attempts: int, failed_at: datetime) -> datetime | None:
    """When to try again after the `attempts`-th attempt failed at `failed_at`; None when
    that was the last one."""
    if attempts > policy.retries:
        return None
    return failed_at + policy.spacing
