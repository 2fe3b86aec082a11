"""The ASGI application: Starlette routes onto the pipeline, run in worker threads."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import orjson
from anyio import to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from seikyu.api import authentication_page
from seikyu.api.errors import envelope, internal_error
from seikyu.api.pipeline import Incoming, Outgoing, Pipeline
from seikyu.api.routing import Operation, Router

Endpoint = Callable[[Request], Awaitable[Response]]
log = logging.getLogger("seikyu.api")
_LAST_RESORT = orjson.dumps(envelope(internal_error()))


def build_asgi(
    pipeline: Pipeline,
    routers: list[Router],
    *,
    on_startup: list[Callable[[], None]] | None = None,
    on_shutdown: list[Callable[[], None] | Callable[[], Awaitable[None]]] | None = None,
) -> Starlette:
    by_path: dict[str, dict[str, Operation]] = {}
    for router in routers:
        for op in router.operations:
            by_path.setdefault(op.path, {})[op.method] = op
    # Static paths first, so /v1/customers/search is not taken for /v1/customers/{id}.
    ordered = sorted(by_path.items(), key=lambda item: ("{" in item[0], item[0]))
    routes: list[BaseRoute] = [
        Route(path, _endpoint(pipeline, methods), methods=["GET", "POST", "DELETE"])
        for path, methods in ordered
    ]
    routes.extend(authentication_page.routes(pipeline))
    routes.append(
        Route(
            "/{rest:path}",
            _endpoint(pipeline, {}),
            methods=["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"],
        )
    )
    starting, stopping = on_startup or [], on_shutdown or []

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for start in starting:
            start()
        yield
        for stop in stopping:
            if inspect.iscoroutinefunction(stop):
                await stop()  # work of the event loop's own, such as its connections
            else:
                await to_thread.run_sync(stop)

    return Starlette(routes=routes, lifespan=lifespan)


def _endpoint(pipeline: Pipeline, methods: dict[str, Operation]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        incoming = Incoming(
            method=request.method,
            path=request.url.path,
            path_params={k: str(v) for k, v in request.path_params.items()},
            query=request.url.query.encode(),
            body=await request.body(),
            headers={k.lower(): v for k, v in request.headers.items()},
            client_ip=request.client.host if request.client else None,
            base_url=str(request.base_url).rstrip("/"),
        )
        op = methods.get(request.method)
        try:
            out = await to_thread.run_sync(pipeline.handle, op, incoming)
        except Exception:
            # The pipeline answers every failure itself; this is the net under the net.
            log.exception("unhandled failure outside the request pipeline")
            out = Outgoing(500, _LAST_RESORT)
        return Response(out.body, out.status, out.headers, media_type=out.media_type)

    return endpoint
