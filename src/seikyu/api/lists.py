"""Stripe's list and search envelopes, and the translation of list params to a window."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from seikyu.api.params import ListParams
from seikyu.core.clock import from_unix
from seikyu.db.pagination import Page, Window


def window(params: ListParams) -> Window:
    created = params.created
    return Window(
        limit=params.limit,
        starting_after=params.starting_after,
        ending_before=params.ending_before,
        created_gt=from_unix(created.gt) if created and created.gt is not None else None,
        created_gte=from_unix(created.gte) if created and created.gte is not None else None,
        created_lt=from_unix(created.lt) if created and created.lt is not None else None,
        created_lte=from_unix(created.lte) if created and created.lte is not None else None,
    )


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
