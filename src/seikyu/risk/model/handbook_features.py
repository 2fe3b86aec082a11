"""The handbook's 15 features, vectorised over all transactions at once.

- `TX_AMOUNT`; `TX_DURING_WEEKEND` (Saturday or Sunday); `TX_DURING_NIGHT` (hour <= 6).
- Per customer, for 1, 7 and 30 days: the number of transactions and their mean amount in
  the window `(t - w, t]`, the transaction itself and those before it included.
- Per terminal, for 1, 7 and 30 days: the number of transactions and the share of fraud in
  `(t - 7 - w, t - 7]` days: labels become known a week late, so the last week is left out.
  An empty window has risk 0.

Windows are found by binary search over (key, time) sorted together, so each feature costs
a sort and a few array passes instead of a rolling window per customer.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seikyu.risk.model.handbook_simulator import DAY, HANDBOOK_START, Transactions

WINDOWS_DAYS = (1, 7, 30)
DELAY_DAYS = 7

HANDBOOK_FEATURES: tuple[str, ...] = (
    "TX_AMOUNT",
    "TX_DURING_WEEKEND",
    "TX_DURING_NIGHT",
    *(
        name
        for w in WINDOWS_DAYS
        for name in (f"CUSTOMER_ID_NB_TX_{w}DAY_WINDOW", f"CUSTOMER_ID_AVG_AMOUNT_{w}DAY_WINDOW")
    ),
    *(
        name
        for w in WINDOWS_DAYS
        for name in (f"TERMINAL_ID_NB_TX_{w}DAY_WINDOW", f"TERMINAL_ID_RISK_{w}DAY_WINDOW")
    ),
)

# Keys pack (entity, time) in one integer: entities 2**26 s (777 days) apart leave room for
# any time and window offset used here.
_SPAN = 1 << 26


def _sorted_keys(
    entity: npt.NDArray[np.int64], seconds: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    keys = entity * _SPAN + seconds
    order = np.argsort(keys, kind="stable")
    return order, keys[order]


def _customer_features(tx: Transactions) -> list[npt.NDArray[np.float64]]:
    order, keys = _sorted_keys(tx.customer, tx.seconds)
    amount = tx.amount[order]
    cumulative = np.concatenate(([0.0], np.cumsum(amount)))
    position = np.arange(order.size)
    result = []
    for w in WINDOWS_DAYS:
        left = np.searchsorted(keys, keys - w * DAY, side="right")
        count = position + 1 - left
        total = cumulative[position + 1] - cumulative[left]
        for values in (count.astype(np.float64), total / count):
            unsorted = np.empty(order.size)
            unsorted[order] = values
            result.append(unsorted)
    return result


def _terminal_features(tx: Transactions) -> list[npt.NDArray[np.float64]]:
    order, keys = _sorted_keys(tx.terminal, tx.seconds)
    frauds = np.concatenate(([0], np.cumsum(tx.fraud[order])))
    end = np.searchsorted(keys, keys - DELAY_DAYS * DAY, side="right")
    result = []
    for w in WINDOWS_DAYS:
        start = np.searchsorted(keys, keys - (DELAY_DAYS + w) * DAY, side="right")
        count = (end - start).astype(np.float64)
        fraud = (frauds[end] - frauds[start]).astype(np.float64)
        risk = np.divide(fraud, count, out=np.zeros_like(fraud), where=count > 0)
        for values in (count, risk):
            unsorted = np.empty(order.size)
            unsorted[order] = values
            result.append(unsorted)
    return result


def handbook_features(tx: Transactions) -> npt.NDArray[np.float64]:
    """The feature matrix, one row per transaction, columns in `HANDBOOK_FEATURES` order."""
    epoch_days = (HANDBOOK_START + tx.seconds) // DAY
    # 1970-01-01 was a Thursday: weekday 3 with Monday as 0.
    weekend = ((epoch_days + 3) % 7 >= 5).astype(np.float64)
    night = ((tx.seconds % DAY) // 3_600 <= 6).astype(np.float64)
    columns = [tx.amount, weekend, night, *_customer_features(tx), *_terminal_features(tx)]
    return np.column_stack(columns)


# Added features, beyond the book's 15, under the same rules: nothing but the customer's own
# past amounts (no labels at all), so nothing here can leak a label early.
#
# The 1/7/30-day customer means include any fraud of a compromised card (a third of its
# transactions at five times the amount for 14 days), which inflates the very baseline the
# amount should be compared with. The baseline here ends 14 days back, where a compromise
# still running today cannot have reached, and looks 60 days further.
BASELINE_GAP_DAYS = 14
BASELINE_DAYS = 60
# An amount this many times the baseline is "high"; the recent share of high amounts tells
# a card with an ongoing compromise from one with a single large purchase.
HIGH_RATIO = 3.0
RECENT_DAYS = (1, 14)

# The terminal's delayed labels, read more closely than the book's risk (labels a week old
# at least, as for the book's). A fraud at an amount ordinary for its card (at most
# HIGH_RATIO times the card's baseline, or no baseline yet) is not explained by the card, so
# it points at the terminal; the book's risk also counts a compromised card's large amounts
# at innocent terminals. A terminal compromise makes every transaction there fraud for 28
# days: the age of its first ordinary fraud tells a compromise still running from one over,
# whose week-old labels still raise the book's risk, so the lookback reaches past 28 days.
ORDINARY_RISK_DAYS = (1, 7)
FIRST_FRAUD_LOOKBACK_DAYS = 42

ADDED_FEATURES: tuple[str, ...] = (
    "CUSTOMER_ID_AMOUNT_TO_BASELINE",
    "CUSTOMER_ID_AMOUNT_ZSCORE_BASELINE",
    *(f"CUSTOMER_ID_HIGH_AMOUNT_SHARE_{w}DAY_WINDOW" for w in RECENT_DAYS),
    f"CUSTOMER_ID_HIGH_AMOUNT_NB_{RECENT_DAYS[-1]}DAY_WINDOW",
    *(f"TERMINAL_ID_ORDINARY_FRAUD_RISK_{w}DAY_WINDOW" for w in ORDINARY_RISK_DAYS),
    "TERMINAL_ID_DAYS_SINCE_FIRST_ORDINARY_FRAUD",
    "TERMINAL_ID_LAST_KNOWN_IS_ORDINARY_FRAUD",
)


def _added_customer_features(tx: Transactions) -> list[npt.NDArray[np.float64]]:
    order, keys = _sorted_keys(tx.customer, tx.seconds)
    amount = tx.amount[order]
    sums = np.concatenate(([0.0], np.cumsum(amount)))
    squares = np.concatenate(([0.0], np.cumsum(amount * amount)))
    end = np.searchsorted(keys, keys - BASELINE_GAP_DAYS * DAY, side="right")
    start = np.searchsorted(keys, keys - (BASELINE_GAP_DAYS + BASELINE_DAYS) * DAY, side="right")
    count = (end - start).astype(np.float64)
    # No history yet gives NaN, which the trees route as "missing", not as a zero amount.
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (sums[end] - sums[start]) / count
        std = np.sqrt(np.maximum((squares[end] - squares[start]) / count - mean * mean, 0.0))
        ratio = amount / mean
        zscore = (amount - mean) / std
    high = np.concatenate(([0.0], np.cumsum(ratio > HIGH_RATIO)))
    position = np.arange(order.size)
    columns = [ratio, zscore]
    counts = []
    for w in RECENT_DAYS:
        left = np.searchsorted(keys, keys - w * DAY, side="right")
        n_high = high[position + 1] - high[left]
        columns.append(n_high / (position + 1 - left))
        counts.append(n_high)
    columns.append(counts[-1])
    result = []
    for values in columns:
        unsorted = np.empty(order.size)
        unsorted[order] = values
        result.append(unsorted)
    return result


def _added_terminal_features(
    tx: Transactions, ratio: npt.NDArray[np.float64]
) -> list[npt.NDArray[np.float64]]:
    order, keys = _sorted_keys(tx.terminal, tx.seconds)
    ordinary = ((tx.fraud == 1) & ~(ratio > HIGH_RATIO))[order]
    frauds = np.concatenate(([0.0], np.cumsum(ordinary)))
    # Labels known at t: those of transactions up to t - 7 days, as for the book's risk.
    end = np.searchsorted(keys, keys - DELAY_DAYS * DAY, side="right")
    columns = []
    for w in ORDINARY_RISK_DAYS:
        start = np.searchsorted(keys, keys - (DELAY_DAYS + w) * DAY, side="right")
        count = (end - start).astype(np.float64)
        fraud = frauds[end] - frauds[start]
        columns.append(np.divide(fraud, count, out=np.zeros_like(fraud), where=count > 0))
    # The first ordinary fraud at or after each position (n: none), a reversed running min.
    n = order.size
    upcoming = np.minimum.accumulate(np.where(ordinary, np.arange(n), n)[::-1])[::-1]
    upcoming = np.append(upcoming, n)
    start = np.searchsorted(
        keys, keys - (DELAY_DAYS + FIRST_FRAUD_LOOKBACK_DAYS) * DAY, side="right"
    )
    first = upcoming[start]
    # Keys of one terminal differ by seconds only; none in the window gives NaN (missing).
    found = first < end
    since = (keys - keys[np.minimum(first, n - 1)]) / DAY
    columns.append(np.where(found, since, np.nan))
    # The latest transaction with a known label, if it is this terminal's.
    terminal_start = np.searchsorted(keys, keys - keys % _SPAN, side="left")
    latest = end - 1
    has_latest = latest >= terminal_start
    last_is_fraud = ordinary[np.maximum(latest, 0)].astype(np.float64)
    columns.append(np.where(has_latest, last_is_fraud, np.nan))
    result = []
    for values in columns:
        unsorted = np.empty(n)
        unsorted[order] = values
        result.append(unsorted)
    return result


def added_features(tx: Transactions) -> npt.NDArray[np.float64]:
    """The added features, one row per transaction, columns in `ADDED_FEATURES` order."""
    customer = _added_customer_features(tx)
    return np.column_stack([*customer, *_added_terminal_features(tx, customer[0])])
