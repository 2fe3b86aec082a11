"""The public yardstick: the transaction simulator of the fraud-detection handbook.

"Reproducible Machine Learning for Credit Card Fraud Detection" (Le Borgne, Siblini,
Lebichot, Bontempi) publishes results on a simulated data set; re-creating that data set
lets Seikyu's pipeline be compared with the book's tables on equal terms. This is a fresh
implementation from the published description (the book's code is GPL and is not used):

- Customers and terminals sit on a 100x100 grid. A customer has a mean amount U(5, 100),
  a standard deviation of half that, and a daily transaction count Poisson(U(0, 4)); they
  pay at terminals within radius 5, at times Normal(noon, 20,000 s) within the day.
- Fraud: (1) every amount over 220; (2) each day two random terminals are compromised and
  all their transactions of the next 28 days are fraud; (3) each day three random customers
  are compromised and a third of their transactions of the next 14 days are fraud with
  five times the amount.

The random draws are made in the order the book describes them, from the same generators
(NumPy's legacy Mersenne Twister and Python's `random`) and seeds: customers from seed 0,
terminals from seed 1, each customer's transactions from its own id, each day's
compromises from the day number. The defaults (5,000 customers, 10,000 terminals, 183 days
from 2018-04-01) then reproduce the book's 1,754,155 transactions and 14,681 frauds. Each
customer's day is drawn one value at a time because the generator's stream must be consumed
in that order; everything else is vectorised.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DAY = 86_400
# 2018-04-01T00:00:00Z, the first day of the handbook's data.
HANDBOOK_START = 1_522_540_800


@dataclass(frozen=True, slots=True, kw_only=True)
class HandbookConfig:
    n_customers: int = 5_000
    n_terminals: int = 10_000
    nb_days: int = 183
    radius: float = 5.0


@dataclass(frozen=True, slots=True)
class Transactions:
    """The transactions, sorted by time; one array per column."""

    seconds: npt.NDArray[np.int64]
    """Seconds since 2018-04-01T00:00:00Z."""
    day: npt.NDArray[np.int64]
    customer: npt.NDArray[np.int64]
    terminal: npt.NDArray[np.int64]
    amount: npt.NDArray[np.float64]
    fraud: npt.NDArray[np.int64]
    scenario: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.seconds.size)


@dataclass(frozen=True, slots=True)
class _Customers:
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    mean_amount: npt.NDArray[np.float64]
    std_amount: npt.NDArray[np.float64]
    mean_nb_tx_per_day: npt.NDArray[np.float64]


def _customers(n: int, seed: int = 0) -> _Customers:
    # Four uniform draws per customer in a row; drawn at once they are the same numbers.
    u = np.random.RandomState(seed).random_sample((n, 4))
    mean_amount = 5 + 95 * u[:, 2]
    return _Customers(100 * u[:, 0], 100 * u[:, 1], mean_amount, mean_amount / 2, 4 * u[:, 3])


def _terminals(n: int, seed: int = 1) -> npt.NDArray[np.float64]:
    return 100 * np.random.RandomState(seed).random_sample((n, 2))


def _customer_transactions(
    customer: int,
    mean_amount: float,
    std_amount: float,
    mean_nb_tx_per_day: float,
    terminals: list[int],
    nb_days: int,
) -> list[tuple[int, int, int, float]]:
    rs = np.random.RandomState(customer)
    choice = random.Random(customer).choice
    poisson, normal, uniform = rs.poisson, rs.normal, rs.uniform
    rows = []
    for day in range(nb_days):
        for _ in range(int(poisson(mean_nb_tx_per_day))):
            time_tx = int(normal(DAY / 2, 20_000))
            if 0 < time_tx < DAY:
                amount = float(normal(mean_amount, std_amount))
                if amount < 0:
                    amount = float(uniform(0, mean_amount * 2))
                if terminals:
                    rows.append((time_tx + day * DAY, day, choice(terminals), amount))
    return rows


def generate_transactions(config: HandbookConfig) -> Transactions:
    """The genuine transactions, before any fraud is injected."""
    customers = _customers(config.n_customers)
    terminals = _terminals(config.n_terminals)
    columns: list[list[tuple[int, int, int, float]]] = []
    owners: list[int] = []
    for c in range(config.n_customers):
        distance = np.sqrt(
            (terminals[:, 0] - customers.x[c]) ** 2 + (terminals[:, 1] - customers.y[c]) ** 2
        )
        nearby = np.flatnonzero(distance < config.radius).tolist()
        rows = _customer_transactions(
            c,
            float(customers.mean_amount[c]),
            float(customers.std_amount[c]),
            float(customers.mean_nb_tx_per_day[c]),
            nearby,
            config.nb_days,
        )
        columns.append(rows)
        owners.extend([c] * len(rows))
    flat = [row for rows in columns for row in rows]
    seconds = np.fromiter((r[0] for r in flat), np.int64, len(flat))
    day = np.fromiter((r[1] for r in flat), np.int64, len(flat))
    terminal = np.fromiter((r[2] for r in flat), np.int64, len(flat))
    # Rounded to cents with NumPy's rounding, once for all, as each draw would have been.
    raw = np.fromiter((r[3] for r in flat), np.float64, len(flat))
    amount: npt.NDArray[np.float64] = np.round(raw, 2)
    customer = np.asarray(owners, dtype=np.int64)
    # Stable: transactions in the same second keep customer order.
    order = np.argsort(seconds, kind="stable")
    zeros = np.zeros(len(flat), dtype=np.int64)
    return Transactions(
        seconds[order],
        day[order],
        customer[order],
        terminal[order],
        amount[order],
        zeros.copy(),
        zeros.copy(),
    )


def add_frauds(tx: Transactions, config: HandbookConfig) -> Transactions:
    """The three fraud scenarios, applied in the book's order (later ones win the label)."""
    amount = tx.amount.copy()
    fraud = np.zeros(len(tx), dtype=np.int64)
    scenario = np.zeros(len(tx), dtype=np.int64)
    over = amount > 220
    fraud[over], scenario[over] = 1, 1

    last_day = int(tx.day.max()) if len(tx) else 0
    by_terminal = np.argsort(tx.terminal, kind="stable")
    terminal_sorted = tx.terminal[by_terminal]
    for day in range(last_day):
        rs = np.random.RandomState(day)
        for term in rs.choice(config.n_terminals, 2, replace=False).tolist():
            lo, hi = np.searchsorted(terminal_sorted, [term, term + 1])
            rows = by_terminal[lo:hi]
            rows = rows[(tx.day[rows] >= day) & (tx.day[rows] < day + 28)]
            fraud[rows], scenario[rows] = 1, 2

    by_customer = np.argsort(tx.customer, kind="stable")
    customer_sorted = tx.customer[by_customer]
    for day in range(last_day):
        rs = np.random.RandomState(day)
        picked = rs.choice(config.n_customers, 3, replace=False).tolist()
        parts = []
        for c in picked:
            lo, hi = np.searchsorted(customer_sorted, [c, c + 1])
            parts.append(by_customer[lo:hi])
        rows = np.sort(np.concatenate(parts))
        rows = rows[(tx.day[rows] >= day) & (tx.day[rows] < day + 14)]
        chosen = random.Random(day).sample(rows.tolist(), k=rows.size // 3)
        if chosen:
            index = np.asarray(chosen, dtype=np.int64)
            # A transaction drawn on several days is multiplied each time, as in the book.
            np.multiply.at(amount, index, 5)
            fraud[index], scenario[index] = 1, 3
    return Transactions(tx.seconds, tx.day, tx.customer, tx.terminal, amount, fraud, scenario)


def simulate_handbook(config: HandbookConfig | None = None) -> Transactions:
    """The handbook's data set: 1,754,155 transactions at the default size."""
    cfg = config or HandbookConfig()
    return add_frauds(generate_transactions(cfg), cfg)
