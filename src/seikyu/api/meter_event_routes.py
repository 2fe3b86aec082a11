"""Meter event ingestion over HTTP, v1 (form-encoded) and v2 (JSON).

These paths bypass the request pipeline's transaction per request: they parse and check
on the event loop, then wait for the group commit that writes their events, log lines
and idempotent responses with those of every other request waiting. They are answered
by an ASGI layer in front of the application's router: at thousands of requests a
second, Starlette's middleware, routing and request objects cost a tenth of each one.
Other methods on these paths, and every other path, go on to the application.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from seikyu.api import meter_event_params as params
from seikyu.api import meter_event_render as render
from seikyu.api.errors import envelope, internal_error
from seikyu.api.form import decode, redact
from seikyu.api.meter_event_edge import (
    Answer,
    Caller,
    Disconnected,
    Incoming,
    MeterEventEdge,
    Receive,
    Send,
)
from seikyu.core.errors import SeikyuError
from seikyu.metering import adjustments, sessions
from seikyu.metering.domain import ingest_rules as rules
from seikyu.metering.ingest_jobs import Outcome, Reply

log = logging.getLogger("seikyu.api")
ASGIApp = Callable[[dict[str, Any], Receive, Send], Any]
_LAST_RESORT = orjson.dumps(envelope(internal_error()))


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a checked request asks of the ingester, and how its outcome is answered."""

    respond: Callable[[Outcome], Reply]
    job: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Route:
    path: str
    plan: Callable[[dict[str, Any], Caller, str], _Plan]  # params, caller, request id
    v2: bool  # a JSON body; else a v1 form
    by_session: bool = False  # a meter event session's token, not an API key
    # The parameters as the request log keeps them.
    logged: Callable[[dict[str, Any]], Any] = redact


class MeterEventFront:
    """ASGI: POSTs to the meter event paths answered here, the rest passed to `app`."""

    def __init__(self, app: ASGIApp, edge: MeterEventEdge) -> None:
        self._app = app
        self._edge = edge
        self._routes = {route.path: route for route in _ROUTES}

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        route = self._routes.get(scope["path"]) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST":
            await self._app(scope, receive, send)
            return
        try:
            answer = await self._answer(route, Incoming(scope, receive))
        except Disconnected:
            return
        except Exception:
            # Every expected failure is answered as an error above; this is the net under it.
            log.exception("unhandled failure in meter event ingestion")
            answer = Answer("", Reply(500, _LAST_RESORT))
        await answer.send(send)

    async def _answer(self, route: _Route, request: Incoming) -> Answer:
        edge = self._edge
        context = edge.context(request)
        caller: Caller | None = None
        raw: dict[str, Any] = {}
        try:
            caller = await (
                edge.session_token(request) if route.by_session else edge.api_key(request)
            )
            body = await request.body()
            raw = params.json_body(body) if route.v2 else decode(body)
            plan = route.plan(raw, caller, context.request_id)
            return await edge.submit(
                context,
                caller,
                request,
                raw,
                plan.respond,
                logged_params=route.logged(raw),
                **plan.job,
            )
        except SeikyuError as error:
            return await edge.refuse(context, caller, error, route.logged(raw))


def _v1_event(raw: dict[str, Any], caller: Caller, request_id: str) -> _Plan:
    event = params.v1_event(raw)
    return _Plan(
        render.responder(request_id, lambda out: render.v1_event(out[0], caller.livemode)),
        {"events": [event]},
    )


def _v2_event(raw: dict[str, Any], caller: Caller, request_id: str) -> _Plan:
    event = params.v2_event(raw, rules.V2)
    return _Plan(
        render.responder(request_id, lambda out: render.v2_event(out[0], caller.livemode)),
        {"events": [event]},
    )


def _v2_stream(raw: dict[str, Any], caller: Caller, request_id: str) -> _Plan:
    events = params.v2_stream(raw)
    return _Plan(
        render.responder(request_id, lambda _: {}, status=202),
        {"events": events, "strict": False},
    )


def _v1_adjustment(raw: dict[str, Any], caller: Caller, request_id: str) -> _Plan:
    event_name, identifier = params.adjustment(raw, rules.V1)
    return _Plan(
        render.responder(request_id, render.v1_adjustment),
        {"work": lambda uow: adjustments.cancel(uow, event_name, identifier, rules.V1)},
    )


def _v2_adjustment(raw: dict[str, Any], caller: Caller, request_id: str) -> _Plan:
    event_name, identifier = params.adjustment(raw, rules.V2)
    return _Plan(
        render.responder(request_id, render.v2_adjustment),
        {"work": lambda uow: adjustments.cancel(uow, event_name, identifier, rules.V2)},
    )


def _v2_session(raw: dict[str, Any], caller: Caller, request_id: str) -> _Plan:
    params.only(raw, frozenset(), rules.V2)
    return _Plan(render.responder(request_id, render.v2_session), {"work": sessions.create})


def _stream_summary(raw: dict[str, Any]) -> Any:
    # A hundred payloads a request would make the log bigger than the events.
    events = raw.get("events")
    return {"events": len(events)} if isinstance(events, list) else {}


_ROUTES = (
    _Route("/v1/billing/meter_events", _v1_event, v2=False),
    _Route("/v1/billing/meter_event_adjustments", _v1_adjustment, v2=False),
    _Route("/v2/billing/meter_event_session", _v2_session, v2=True),
    _Route(
        "/v2/billing/meter_event_stream",
        _v2_stream,
        v2=True,
        by_session=True,
        logged=_stream_summary,
    ),
    _Route("/v2/billing/meter_events", _v2_event, v2=True),
    _Route("/v2/billing/meter_event_adjustments", _v2_adjustment, v2=True),
)
