"""Meter event ingestion over HTTP, v1 (form-encoded) and v2 (JSON).

These routes bypass the request pipeline's transaction per request: they parse and check
on the event loop, then wait for the ingester's group commit, which writes their events,
log lines and idempotent responses with those of every other request waiting.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from seikyu.api import meter_event_params as params
from seikyu.api import meter_event_render as render
from seikyu.api.form import decode, redact
from seikyu.api.meter_event_edge import Caller, MeterEventEdge
from seikyu.core.errors import SeikyuError
from seikyu.metering import adjustments, sessions
from seikyu.metering.domain import ingest_rules as rules
from seikyu.metering.ingest_jobs import AcceptedEvent

Endpoint = Callable[[Request], Awaitable[Response]]


def routes(edge: MeterEventEdge) -> list[BaseRoute]:
    return [
        Route("/v1/billing/meter_events", _v1_event(edge), methods=["POST"]),
        Route("/v1/billing/meter_event_adjustments", _v1_adjustment(edge), methods=["POST"]),
        Route("/v2/billing/meter_event_session", _v2_session(edge), methods=["POST"]),
        Route("/v2/billing/meter_event_stream", _v2_stream(edge), methods=["POST"]),
        Route("/v2/billing/meter_events", _v2_event(edge), methods=["POST"]),
        Route("/v2/billing/meter_event_adjustments", _v2_adjustment(edge), methods=["POST"]),
    ]


def _v1_event(edge: MeterEventEdge) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        context = edge.context(request)
        caller: Caller | None = None
        raw: dict[str, Any] = {}
        try:
            caller = await edge.api_key(request)
            raw = decode(await edge.body(request))
            event = params.v1_event(raw)
            livemode = caller.livemode
            return await edge.submit(
                context,
                caller,
                request,
                raw,
                render.responder(context.request_id, lambda out: _one(out, livemode, v2=False)),
                events=[event],
            )
        except SeikyuError as error:
            return await edge.refuse(context, caller, error, redact(raw))

    return endpoint


def _v1_adjustment(edge: MeterEventEdge) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        context = edge.context(request)
        caller: Caller | None = None
        raw: dict[str, Any] = {}
        try:
            caller = await edge.api_key(request)
            raw = decode(await edge.body(request))
            event_name, identifier = params.adjustment(raw, rules.V1)
            return await edge.submit(
                context,
                caller,
                request,
                raw,
                render.responder(context.request_id, render.v1_adjustment),
                work=lambda uow: adjustments.cancel(uow, event_name, identifier, rules.V1),
            )
        except SeikyuError as error:
            return await edge.refuse(context, caller, error, redact(raw))

    return endpoint


def _v2_session(edge: MeterEventEdge) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        context = edge.context(request)
        caller: Caller | None = None
        raw: dict[str, Any] = {}
        try:
            caller = await edge.api_key(request)
            raw = params.json_body(await edge.body(request))
            params.only(raw, frozenset(), rules.V2)
            return await edge.submit(
                context,
                caller,
                request,
                raw,
                render.responder(context.request_id, render.v2_session),
                work=sessions.create,
            )
        except SeikyuError as error:
            return await edge.refuse(context, caller, error, raw)

    return endpoint


def _v2_stream(edge: MeterEventEdge) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        context = edge.context(request)
        caller: Caller | None = None
        summary: dict[str, Any] = {}
        try:
            caller = await edge.session_token(request)
            raw = params.json_body(await edge.body(request))
            if isinstance(raw.get("events"), list):
                # A hundred payloads a request would make the log bigger than the events.
                summary = {"events": len(raw["events"])}
            events = params.v2_stream(raw)
            return await edge.submit(
                context,
                caller,
                request,
                raw,
                render.responder(context.request_id, lambda _: {}, status=202),
                logged_params=summary,
                events=events,
                strict=False,
            )
        except SeikyuError as error:
            return await edge.refuse(context, caller, error, summary)

    return endpoint


def _v2_event(edge: MeterEventEdge) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        context = edge.context(request)
        caller: Caller | None = None
        raw: dict[str, Any] = {}
        try:
            caller = await edge.api_key(request)
            raw = params.json_body(await edge.body(request))
            event = params.v2_event(raw, rules.V2)
            livemode = caller.livemode
            return await edge.submit(
                context,
                caller,
                request,
                raw,
                render.responder(context.request_id, lambda out: _one(out, livemode, v2=True)),
                events=[event],
            )
        except SeikyuError as error:
            return await edge.refuse(context, caller, error, raw)

    return endpoint


def _v2_adjustment(edge: MeterEventEdge) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        context = edge.context(request)
        caller: Caller | None = None
        raw: dict[str, Any] = {}
        try:
            caller = await edge.api_key(request)
            raw = params.json_body(await edge.body(request))
            event_name, identifier = params.adjustment(raw, rules.V2)
            return await edge.submit(
                context,
                caller,
                request,
                raw,
                render.responder(context.request_id, render.v2_adjustment),
                work=lambda uow: adjustments.cancel(uow, event_name, identifier, rules.V2),
            )
        except SeikyuError as error:
            return await edge.refuse(context, caller, error, raw)

    return endpoint


def _one(accepted: list[AcceptedEvent], livemode: bool, *, v2: bool) -> dict[str, Any]:
    return (render.v2_event if v2 else render.v1_event)(accepted[0], livemode)
