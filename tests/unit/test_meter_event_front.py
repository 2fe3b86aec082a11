"""The ASGI layer in front of the application: it answers POSTs to the meter event paths
itself, passes everything else on, and answers a fault with Stripe's api_error."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any, cast

import orjson

from seikyu.api.meter_event_edge import MeterEventEdge
from seikyu.api.meter_event_routes import MeterEventFront


class Passed:
    """The application behind the front: records what reached it."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scopes.append(scope)


class BrokenEdge:
    def context(self, _request: Any) -> Any:
        raise RuntimeError("a fault of the edge's own")


def call(front: MeterEventFront, method: str, path: str) -> list[MutableMapping[str, Any]]:
    sent: list[MutableMapping[str, Any]] = []
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(b"authorization", b"Bearer sk_test_x")],
        "client": ("127.0.0.1", 5000),
    }

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(front(scope, receive, send))
    return sent


def test_other_paths_and_methods_go_on_to_the_application() -> None:
    app = Passed()
    front = MeterEventFront(app, cast(MeterEventEdge, BrokenEdge()))

    assert call(front, "GET", "/v1/billing/meter_events") == []
    assert call(front, "POST", "/v1/customers") == []

    assert [(s["method"], s["path"]) for s in app.scopes] == [
        ("GET", "/v1/billing/meter_events"),
        ("POST", "/v1/customers"),
    ]


def test_a_fault_is_answered_with_stripes_api_error() -> None:
    app = Passed()
    front = MeterEventFront(app, cast(MeterEventEdge, BrokenEdge()))

    start, body = call(front, "POST", "/v1/billing/meter_events")

    assert start["status"] == 500
    assert (b"content-type", b"application/json") in start["headers"]
    assert orjson.loads(body["body"])["error"]["type"] == "api_error"
    assert app.scopes == []
