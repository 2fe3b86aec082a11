"""Stripe's list and search envelopes, and the translation of list params to a window."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from seikyu.api.params import ListParams
from seikyu.core.clock import from_unix
from seikyu.db.pagination import Page, Window


def window(params: ListParams) -> Window:
    created = params.created
    # The wire shows `created` truncated to whole seconds, the database keeps microseconds:
    # second N is the instant range [N, N+1), so `gt N` is `>= N+1` and `lte N` is `< N+1`.
    return Window(
        limit=params.limit,
        starting_after=params.starting_after,
        ending_before=params.ending_before,
        created_gte=_latest(created.gte, None if created.gt is None else created.gt + 1)
        if created
        else None,
        created_lt=_earliest(created.lt, None if created.lte is None else created.lte + 1)
        if created
        else None,
    )


def _latest(*seconds: int | None) -> datetime | None:
    given = [s for s in seconds if s is not None]
    return from_unix(max(given)) if given else None


def _earliest(*seconds: int | None) -> datetime | None:
    given = [s for s in seconds if s is not None]
    return from_unix(min(given)) if given else None


def envelope(url: str, page: Page[Any], render: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [render(item) for item in page.items],
        "has_more": page.has_more,
        "url": url,
    }


def search_envelope(
    url: str,
    items: Iterable[Any],
    render: Callable[[Any], dict[str, Any]],
    *,
    has_more: bool,
    next_page: str | None,
    total_count: int | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "object": "search_result",
        "data": [render(item) for item in items],
        "has_more": has_more,
        "next_page": next_page,
        "url": url,
    }
    if total_count is not None:
        out["total_count"] = total_count
    return out
