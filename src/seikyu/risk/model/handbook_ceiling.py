"""How much card precision the handbook's data lets any model reach: a diagnostic.

Most frauds no feature can see. A compromised terminal makes every transaction there fraud
but changes nothing else about them, so the only trace is its labels, which arrive 7 days
late: until one of its frauds is a week old, its frauds look like any payment. This counts,
per test day, the fraudulent cards with at least one fraud that leaves a visible trace:

- scenario 1 or 3 (an amount over 220, or five times the card's usual amount), seen in
  the transaction itself;
- scenario 2 at a terminal with a scenario-2 fraud at least 7 days and at most 28 days
  old (the length of a compromise), whose label is therefore known.

Cards are counted once, as the card precision counts them, and at most `k` a day. A model
can pass this figure only by luck: a card with no visible trace that happens to rank among
the top `k`. It reads the simulator's scenario column, so it is never used to choose a
model; it explains where the card precision of every model stops.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seikyu.risk.model.handbook_features import DELAY_DAYS, _sorted_keys
from seikyu.risk.model.handbook_protocol import split
from seikyu.risk.model.handbook_simulator import DAY, Transactions

TERMINAL_COMPROMISE_DAYS = 28


def visible_frauds(tx: Transactions) -> npt.NDArray[np.bool_]:
    """Frauds with a trace a model could see when they happen (see the module's text)."""
    order, keys = _sorted_keys(tx.terminal, tx.seconds)
    terminal_frauds = np.concatenate(([0], np.cumsum(tx.scenario[order] == 2)))
    end = np.searchsorted(keys, keys - DELAY_DAYS * DAY, side="right")
    start = np.searchsorted(keys, keys - TERMINAL_COMPROMISE_DAYS * DAY, side="right")
    known = np.empty(order.size, dtype=bool)
    known[order] = terminal_frauds[end] > terminal_frauds[start]
    visible: npt.NDArray[np.bool_] = (tx.fraud == 1) & ((tx.scenario != 2) | known)
    return visible


def visible_card_precision(tx: Transactions, start_day: int, k: int = 100) -> float:
    """The card precision at `k` of a model catching every visible fraud and nothing else,
    on the test week of the block whose training week starts on `start_day`."""
    rows = np.flatnonzero(split(tx, start_day).test)
    visible = visible_frauds(tx)[rows]
    counted: set[int] = set()
    per_day = []
    for day in np.unique(tx.day[rows]):
        on_day = tx.day[rows] == day
        cards = set(tx.customer[rows][on_day & visible].tolist()) - counted
        per_day.append(min(len(cards), k) / k)
        counted |= cards
    return float(np.mean(per_day))
