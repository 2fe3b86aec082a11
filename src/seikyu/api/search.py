"""The shared body of every `/search` endpoint: parse, validate, page by offset, render."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from seikyu.api import lists
from seikyu.api.params import SearchParams
from seikyu.api.routing import Call
from seikyu.api.search_query import (
    FieldKind,
    SearchQuery,
    SearchQueryError,
    decode_page_token,
    encode_page_token,
    parse,
    validate,
)
from seikyu.core.errors import SeikyuError
from seikyu.db.uow import UnitOfWork

Found = tuple[list[Any], bool]
_MAX_OFFSET = 2**31 - 1


def run_search(
    call: Call[SearchParams],
    fields: Mapping[str, str],
    search: Callable[..., Found],
    count: Callable[[UnitOfWork, SearchQuery], int],
    render: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """Validate `query` against `fields`, run one page of `search`, render the envelope."""
    params = call.params
    try:
        kinds = {name: FieldKind(kind) for name, kind in fields.items()}
        query = validate(parse(params.query), kinds)
        offset = _page_offset(params.page)
    except SearchQueryError as error:
        raise SeikyuError(error.message, param=error.param) from None
    found, has_more = search(call.uow, query, offset=offset, limit=params.limit)
    total = count(call.uow, query) if "total_count" in (params.expand or []) else None
    return lists.search_envelope(
        call.url,
        found,
        render,
        has_more=has_more,
        next_page=encode_page_token(str(offset + len(found))) if has_more else None,
        total_count=total,
    )


def _page_offset(token: str | None) -> int:
    """The offset a `next_page` token stands for (the first page has none)."""
    if token is None:
        return 0
    cursor = decode_page_token(token)
    if not (cursor.isdigit() and int(cursor) <= _MAX_OFFSET):
        raise SearchQueryError("Invalid page token.", param="page")
    return int(cursor)
