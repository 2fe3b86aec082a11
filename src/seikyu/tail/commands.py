"""The three following commands: poll, print, and (for `listen`) forward, until interrupted.

A server that cannot be reached is waited for (it may be restarting); an error the server
answers with, such as a bad key or filter, ends the command, since asking again would not
help.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from seikyu.core.clock import Clock, monotonic
from seikyu.tail.client import USER_AGENT_PREFIX, ApiClient, ApiError, Query, Unreachable
from seikyu.tail.follower import Follower, Item
from seikyu.tail.forwarder import Forwarder
from seikyu.tail.lines import event_line, forwarded_line, request_line

T = TypeVar("T")
Print = Callable[[str], None]


@dataclass(frozen=True)
class Terminal:
    out: Print
    err: Print
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Following:
    """Where to poll and how often."""

    api_base: str
    api_key: str
    interval: float = 1.0
    history: int = 20


def logs_tail(
    following: Following,
    terminal: Terminal,
    *,
    status: str | None = None,
    path: str | None = None,
    method: str | None = None,
) -> int:
    query: Query = [
        (name, value)
        for name, value in (("status", status), ("path", path), ("method", method))
        if value is not None
    ]

    def show(log: Item) -> None:
        # The tools' own polling would drown everything else.
        if not str(log.get("user_agent") or "").startswith(USER_AGENT_PREFIX):
            terminal.out(request_line(log))

    ready = "Ready! Following the request log (^C to quit)"
    return _follow(following, terminal, "/v1/request_logs", query, "req", show, terminal.err, ready)


def events_tail(following: Following, terminal: Terminal, *, types: list[str]) -> int:
    def show(event: Item) -> None:
        terminal.out(event_line(event))

    ready = "Ready! Following events (^C to quit)"
    return _follow(
        following, terminal, "/v1/events", _types(types), "evt", show, terminal.err, ready
    )


def listen(
    following: Following,
    terminal: Terminal,
    *,
    forward_to: str,
    secret: str,
    types: list[str],
    clock: Clock,
) -> int:
    """Forward events that happen from now on; earlier ones are not replayed."""
    forwarder = Forwarder(forward_to, secret, clock)
    ready = f"Ready! Your webhook signing secret is {secret} (^C to quit)"

    def show(event: Item) -> None:
        terminal.out(f"{event_line(event)}  --> {forward_to}")
        outcome = forwarder.forward(event)
        shown = str(outcome.status) if outcome.status is not None else "ERROR"
        terminal.out(forwarded_line(event, forward_to, shown))
        if outcome.error is not None:
            terminal.err(f"Forwarding {event['id']} to {forward_to} failed: {outcome.error}")

    try:
        starting = Following(following.api_base, following.api_key, following.interval, 0)
        query = _types(types)
        return _follow(starting, terminal, "/v1/events", query, "evt", show, terminal.out, ready)
    finally:
        forwarder.close()


def _types(types: list[str]) -> Query:
    """`--type a --type b,c` as the events list's `types[]`."""
    names = [name.strip() for given in types for name in given.split(",") if name.strip()]
    return [("types[]", name) for name in names]


def _follow(
    following: Following,
    terminal: Terminal,
    path: str,
    query: Query,
    prefix: str,
    show: Callable[[Item], None],
    announce: Print,
    ready: str,
) -> int:
    """Show the history, say `ready` (from then on nothing is missed), then follow."""
    api = ApiClient(following.api_base, following.api_key)
    follower = Follower(api, path, query, prefix=prefix, monotonic=monotonic)
    waiting = _Outage(terminal)
    try:
        started = None
        while started is None:
            started = waiting.attempt(lambda: follower.start(following.history))
            if started is None:
                terminal.sleep(following.interval)
        for item in started:
            show(item)
        announce(ready)
        while True:
            terminal.sleep(following.interval)
            for item in waiting.attempt(follower.poll) or []:
                show(item)
    except ApiError as error:
        terminal.err(f"The server refused: {error.message}")
        return 1
    finally:
        api.close()


class _Outage:
    """Says once when the server stops answering and once when it is back."""

    def __init__(self, terminal: Terminal) -> None:
        self._terminal = terminal
        self._down: str | None = None

    def attempt(self, call: Callable[[], T]) -> T | None:
        try:
            result = call()
        except Unreachable as error:
            self._report(str(error))
            return None
        except ApiError as error:
            if error.lasting:
                raise
            self._report(error.message)
            return None
        if self._down is not None:
            self._terminal.err("The server answers again.")
            self._down = None
        return result

    def _report(self, problem: str) -> None:
        if self._down is None:
            self._terminal.err(f"{problem}; retrying.")
        self._down = problem


__all__ = ["Following", "Terminal", "events_tail", "listen", "logs_tail"]
