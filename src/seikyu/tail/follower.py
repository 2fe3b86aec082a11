"""Following a list endpoint: what is new since the last poll, each item exactly once.

A list is a range on time-ordered ids, so "newer than the last id seen" is a cursor
(`ending_before`). But an id is given when a request starts and its row becomes visible
when it commits (or, for a read request's log line, a few tens of milliseconds later), so
a row can appear behind a newer one already seen. The cursor therefore trails: it only
moves past an id once `lag` seconds have passed since it was seen, and the ids between the
cursor and the newest are remembered so that nothing is shown twice.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from seikyu.tail.client import Query

PAGE = 100
Item = dict[str, Any]


class Lister(Protocol):
    def get(self, path: str, query: Query) -> dict[str, Any]:
        """One page of a list endpoint."""
        ...


class Follower:
    def __init__(
        self,
        api: Lister,
        path: str,
        query: Query,
        *,
        prefix: str,
        monotonic: Callable[[], float],
        lag: float = 10.0,
    ) -> None:
        self._api = api
        self._path = path
        self._query = query
        self._monotonic = monotonic
        self._lag = lag
        # "<prefix>_" sorts before every id with that prefix: from the very beginning.
        self._cursor = f"{prefix}_"
        self._seen: set[str] = set()
        self._marks: deque[tuple[float, str]] = deque()

    def start(self, history: int) -> list[Item]:
        """The latest `history` items, oldest first; polls return only what comes after.

        With no history wanted, following starts after the newest item that exists now.
        """
        page = self._api.get(self._path, [*self._query, ("limit", str(max(history, 1)))])
        items: list[Item] = page["data"]
        if not items:
            return []
        shown = items[:history]
        # Polls start at the oldest item shown (the newest existing one if none is), and
        # skip the shown ones as seen.
        self._cursor = (shown[-1] if shown else items[0])["id"]
        self._seen = {item["id"] for item in shown}
        self._marks.append((self._monotonic(), items[0]["id"]))
        return sorted(shown, key=_id)

    def poll(self) -> list[Item]:
        """Items not returned before, oldest first."""
        found: list[Item] = []
        after = self._cursor
        while True:
            page = self._api.get(
                self._path, [*self._query, ("limit", str(PAGE)), ("ending_before", after)]
            )
            data: list[Item] = page["data"]
            found.extend(data)
            if not data or not page["has_more"]:
                break
            after = data[0]["id"]  # the newest of this page
        fresh = sorted((item for item in found if item["id"] not in self._seen), key=_id)
        self._seen.update(item["id"] for item in fresh)
        now = self._monotonic()
        if found:
            self._marks.append((now, max(item["id"] for item in found)))
        self._advance(now)
        return fresh

    def _advance(self, now: float) -> None:
        """Move the cursor past what was seen at least `lag` seconds ago: anything that
        was still to appear below it has appeared since, and was returned."""
        while self._marks and self._marks[0][0] <= now - self._lag:
            _, mark = self._marks.popleft()
            self._cursor = max(self._cursor, mark)
        self._seen = {seen for seen in self._seen if seen > self._cursor}


def _id(item: Item) -> str:
    return str(item["id"])
