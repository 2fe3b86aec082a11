"""What the meter event routes share: authentication from caches, the request's context
for its log line and Idempotency-Key, and handing a job to the ingester without ever
blocking the event loop on the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from anyio import to_thread

from seikyu.accounts import service as accounts
from seikyu.api.credential_cache import CredentialCache
from seikyu.api.form import redact
from seikyu.api.meter_event_render import error_reply
from seikyu.api.request_keys import fingerprint, secret_from
from seikyu.core.clock import monotonic
from seikyu.core.errors import Kind, SeikyuError
from seikyu.db.uow import Database
from seikyu.metering.ingest_jobs import Job, Outcome, Reply, RequestContext
from seikyu.metering.ingester import Ingester
from seikyu.metering.loop_writer import LoopWriter
from seikyu.metering.sessions import Grant, SessionTokens

# ASGI's callables, as this module uses them.
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

MAX_IDEMPOTENCY_KEY = 255
MAX_BODY = 1_000_000  # a full stream request is about 25 kB


class Incoming:
    """What the edge reads of an HTTP request, straight from its ASGI scope and messages:
    Starlette's Request and Response cost more per request than the rest of the edge."""

    __slots__ = ("client", "headers", "method", "path", "receive")

    def __init__(self, scope: dict[str, Any], receive: Receive) -> None:
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        client = scope.get("client")
        self.client: str | None = client[0] if client else None
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            # The first of repeated headers, as Starlette's get() answers.
            headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
        self.headers = headers
        self.receive = receive

    async def body(self) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                raise SeikyuError(f"The request body is larger than {MAX_BODY} bytes.")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


class Disconnected(Exception):
    """The client went away before its request body arrived: nothing to answer."""


class Caller:
    """Who sent a request: an API key's account, or a meter event session's."""

    __slots__ = ("account_id", "key_id", "livemode")

    def __init__(self, account_id: str, livemode: bool, key_id: str | None) -> None:
        self.account_id = account_id
        self.livemode = livemode
        self.key_id = key_id


class MeterEventEdge:
    def __init__(
        self, db: Database, ingester: Ingester, loop_writer: LoopWriter | None = None
    ) -> None:
        """`loop_writer` (PostgreSQL) writes what it can from the event loop; the
        ingester's threads write the rest."""
        self.db = db
        self.ingester = ingester
        self.loop_writer = loop_writer
        self.tokens = SessionTokens(db)
        self._credentials = CredentialCache()

    def context(self, request: Incoming) -> RequestContext:
        headers = request.headers
        return RequestContext(
            request_id=self.db.ids.new("req"),
            account_id=None,
            livemode=False,
            api_key_id=None,
            method=request.method,
            path=request.path,
            received=self.db.clock.now(),
            started=monotonic(),
            log_fields={
                "stripe_version": headers.get("stripe-version"),
                "source_ip": request.client,
                "user_agent": (headers.get("user-agent") or "")[:500] or None,
            },
        )

    async def api_key(self, request: Incoming) -> Caller:
        secret = secret_from(request.headers.get("authorization", ""))
        if not secret:
            raise SeikyuError(
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
                kind=Kind.AUTHENTICATION,
            )
        creds = self._credentials.get(secret)
        if creds is None:
            creds = await to_thread.run_sync(self._authenticate, secret)
            self._credentials.put(secret, creds)
        return Caller(creds.account_id, creds.livemode, creds.key_id)

    async def session_token(self, request: Incoming) -> Caller:
        token = secret_from(request.headers.get("authorization", ""))
        grant = self.tokens.cached(token) if token else None
        if grant is None and token:
            grant = await to_thread.run_sync(self.tokens.find, token)
        if grant is None:
            raise SeikyuError(
                "Invalid meter event session token: create a session with POST "
                "/v2/billing/meter_event_session and use its authentication_token.",
                kind=Kind.AUTHENTICATION,
            )
        if not self.tokens.live(grant):
            raise SeikyuError(
                "The meter event session has expired: create a new one.",
                kind=Kind.AUTHENTICATION,
                code="billing_meter_event_session_expired",
            )
        return Caller(grant.account_id, grant.livemode, None)

    def _authenticate(self, secret: str) -> accounts.Credentials:
        with self.db.unit(readonly=True) as uow:
            return accounts.authenticate(uow, secret)

    async def submit(
        self,
        context: RequestContext,
        caller: Caller,
        request: Incoming,
        params: dict[str, Any],
        respond: Callable[[Outcome], Reply],
        *,
        logged_params: Any = None,
        **job: Any,
    ) -> Answer:
        """Queue the job for the caller and answer once its group has committed."""
        key = request.headers.get("idempotency-key")
        if key is not None and not 0 < len(key) <= MAX_IDEMPOTENCY_KEY:
            raise SeikyuError(
                f"Idempotency keys must be 1 to {MAX_IDEMPOTENCY_KEY} characters long.",
                param="Idempotency-Key",
            )
        context.account_id = caller.account_id
        context.livemode = caller.livemode
        context.api_key_id = caller.key_id
        context.idempotency_key = key
        if key is not None:
            context.fingerprint = fingerprint(context.method, context.path, params)
        context.log_fields["params"] = redact(params) if logged_params is None else logged_params
        return await self._run(Job(context, respond, **job))

    async def refuse(
        self, context: RequestContext, caller: Caller | None, error: SeikyuError, params: Any
    ) -> Answer:
        """Answer with `error` before anything was executed; only the log line is written."""
        # Refused before its key was taken: the log line shows none, and nothing is kept.
        context.account_id = caller.account_id if caller else None
        context.livemode = caller.livemode if caller else False
        context.api_key_id = caller.key_id if caller else None
        context.idempotency_key = context.fingerprint = None
        context.log_fields["params"] = params
        request_id = context.request_id
        return await self._run(
            Job(context, lambda outcome: error_reply(error, request_id), failed=error)
        )

    async def _run(self, job: Job) -> Answer:
        if self.loop_writer is not None and self.loop_writer.takes(job):
            reply = await self.loop_writer.submit(job)
        else:
            self.ingester.submit(job)
            reply = await asyncio.wrap_future(job.future)
        return Answer(job.context.request_id, reply)


class Answer:
    """A reply and its request's id, sent as the HTTP response."""

    __slots__ = ("reply", "request_id")

    def __init__(self, request_id: str, reply: Reply) -> None:
        self.request_id = request_id
        self.reply = reply

    async def send(self, send: Send) -> None:
        reply = self.reply
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(reply.body)).encode()),
        ]
        if self.request_id:
            headers.append((b"request-id", self.request_id.encode()))
        headers += [
            (name.lower().encode(), value.encode()) for name, value in reply.headers.items()
        ]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})


__all__ = ["Answer", "Caller", "Disconnected", "Grant", "Incoming", "MeterEventEdge"]
