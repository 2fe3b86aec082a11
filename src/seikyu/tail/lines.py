"""One line of text per request log line, event or forward, for a terminal or a grep."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def when(created: object) -> str:
    if not isinstance(created, int):
        return "-" * 20
    return datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_line(log: dict[str, Any]) -> str:
    """`<time> <status> <method> <path> <req id> <error type or ->`"""
    error = log.get("error")
    error_type = error.get("type") if isinstance(error, dict) else None
    return " ".join(
        [
            when(log.get("created")),
            str(log.get("status")),
            f"{log.get('method', ''):<6}",
            str(log.get("path")),
            str(log.get("id")),
            str(error_type or "-"),
        ]
    )


def event_line(event: dict[str, Any]) -> str:
    """`<time> <type> <object id> <evt id>`"""
    data = event.get("data")
    subject = data.get("object") if isinstance(data, dict) else None
    object_id = subject.get("id") if isinstance(subject, dict) else None
    return " ".join(
        [when(event.get("created")), str(event.get("type")), str(object_id or "-"), event["id"]]
    )


def forwarded_line(event: dict[str, Any], url: str, outcome: str) -> str:
    """`<time> <-- [<status or error>] POST <url> [<evt id>]`"""
    return f"{when(event.get('created'))}  <-- [{outcome}] POST {url} [{event['id']}]"
