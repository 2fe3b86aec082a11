"""One API request, start to finish, in one transaction.

Authenticate, decode and validate parameters, honour the Idempotency-Key, run the
handler, expand, render, log the request: all inside one unit of work, so a request
either happens whole (its events, its idempotent response and its log line with it) or
leaves nothing behind but its log line.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

from seikyu.accounts import service as accounts
from seikyu.api.credential_cache import CredentialCache
from seikyu.api.errors import envelope, internal_error, not_found_route, status_for
from seikyu.api.expand import expand
from seikyu.api.form import decode, redact
from seikyu.api.multipart import decode_multipart, is_multipart
from seikyu.api.params import parse
from seikyu.api.request_keys import fingerprint, secret_from
from seikyu.api.routing import Call, Operation, RawResponse
from seikyu.clocks import following
from seikyu.core.clock import monotonic
from seikyu.core.errors import ErrorType, Kind, SeikyuError
from seikyu.db.models import IdempotencyKey
from seikyu.db.uow import Actor, Database, UnitOfWork
from seikyu.payments.domain.processor import Processor
from seikyu.payments.test_processor import TestProcessor
from seikyu.requests import repository as store
from seikyu.requests.log_writer import RequestLogWriter

log = logging.getLogger("seikyu.api")

IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_IDEMPOTENCY_KEY = 255


@dataclass(frozen=True)
class Incoming:
    method: str
    path: str
    path_params: dict[str, str]
    query: bytes
    body: bytes
    headers: dict[str, str]  # lower-case names
    client_ip: str | None = None
    base_url: str = "http://localhost"  # scheme and host the client reached, no trailing /


@dataclass
class Outgoing:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


class _Replay(Exception):
    def __init__(self, row: IdempotencyKey) -> None:
        # A copy outside the session: raising rolls the unit back, which expires `row`.
        self.row = IdempotencyKey(status=row.status, body=row.body, request_id=row.request_id)


@dataclass
class _Trace:
    """What the request log needs to know, filled in as the request progresses."""

    request_id: str
    started: float
    params: dict[str, Any] = field(default_factory=dict)
    key_id: str | None = None
    account_id: str | None = None
    livemode: bool = False
    executed: bool = False  # the handler started: its outcome is the idempotent result


class Pipeline:
    def __init__(
        self,
        db: Database,
        log_writer: RequestLogWriter | None = None,
        processor: Processor | None = None,
    ) -> None:
        self.db = db
        self.processor: Processor = processor or TestProcessor()
        self.log_writer = log_writer or RequestLogWriter(db)
        self._credentials = CredentialCache()
        self._in_flight: set[tuple[str, str]] = set()
        self._in_flight_lock = threading.Lock()

    def handle(self, op: Operation | None, req: Incoming) -> Outgoing:
        trace = _Trace(request_id=self.db.ids.new("req"), started=monotonic())
        idem_key = req.headers.get("idempotency-key") if req.method == "POST" else None
        claimed: tuple[str, str] | None = None
        readonly = req.method == "GET"
        try:
            with self.db.unit(readonly=readonly) as uow:
                # The request's own time, for its log and idempotency records: the handler
                # may move `uow.now` to a test clock's time.
                received = uow.now
                creds = self._authenticate(uow, req)
                trace.key_id, trace.account_id, trace.livemode = (
                    creds.key_id,
                    creds.account_id,
                    creds.livemode,
                )
                uow.actor = Actor(creds.account_id, creds.livemode, trace.request_id, idem_key)
                raw = params_of(req)
                trace.params = redact(raw)
                if op is None:
                    raise not_found_route(req.method, req.path)
                params = parse(op.params, raw)
                fingerprint = _fingerprint(req, raw)
                if idem_key is not None:
                    claimed = self._claim(
                        uow, creds.account_id, creds.livemode, idem_key, fingerprint, req
                    )
                trace.executed = True
                if not readonly:
                    following.follow(uow, _object_ids(req.path_params, raw))
                call = Call(uow, params, req.path_params, req.path, self.processor, req.base_url)
                result: dict[str, Any] = {}
                try:
                    answer = op.handler(call)
                    if isinstance(answer, RawResponse):
                        return self._raw(answer, req, trace, received)
                    result = answer
                    kept: SeikyuError | None = None
                except SeikyuError as error:
                    if not error.keep_changes:
                        raise
                    # A declined payment is an answer, not a fault: its record (the failed
                    # charge, the intent's new status, their events) commits with the error.
                    kept = error
                if kept is None:
                    expand(uow, result, getattr(params, "expand", None))
                    status, body, error_body = 200, orjson.dumps(result), None
                    object_id = result.get("id") if isinstance(result.get("id"), str) else None
                else:
                    status, error_body, object_id = status_for(kept), kept.body(), None
                    body = orjson.dumps(envelope(kept, trace.request_id))
                if idem_key is not None:
                    self._store_response(
                        uow, idem_key, fingerprint, req, status, body, trace, received
                    )
                row = self._log_row(received, req, trace, status, error_body, object_id, idem_key)
                if readonly:
                    self.log_writer.submit(row)
                else:
                    store.add_log(uow.session, row)
                self.db.flush_events(uow)
            return Outgoing(status, body, {"Request-Id": trace.request_id})
        except _Replay as replay:
            return self._replayed(replay.row, req, trace, idem_key)
        except SeikyuError as error:
            return self._failed(error, req, trace, idem_key)
        except Exception:
            log.exception("request %s failed", trace.request_id)
            return self._failed(internal_error(), req, trace, idem_key)
        finally:
            if claimed is not None:
                with self._in_flight_lock:
                    self._in_flight.discard(claimed)

    def _raw(
        self, result: RawResponse, req: Incoming, trace: _Trace, received: datetime
    ) -> Outgoing:
        """A download: the bytes as they are, logged like any read."""
        self.log_writer.submit(
            self._log_row(received, req, trace, 200, None, req.path_params.get("id"), None)
        )
        headers = {"Request-Id": trace.request_id, **result.headers}
        return Outgoing(200, result.body, headers, result.media_type)

    # --- authentication -----------------------------------------------------------

    def _authenticate(self, uow: UnitOfWork, req: Incoming) -> accounts.Credentials:
        secret = secret_from(req.headers.get("authorization", ""))
        if not secret:
            raise SeikyuError(
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
                kind=Kind.AUTHENTICATION,
            )
        cached = self._credentials.get(secret)
        if cached is not None:
            return cached
        creds = accounts.authenticate(uow, secret)
        self._credentials.put(secret, creds)
        return creds

    # --- idempotency ----------------------------------------------------------------

    def _claim(
        self,
        uow: UnitOfWork,
        account_id: str,
        livemode: bool,
        key: str,
        fingerprint: str,
        req: Incoming,
    ) -> tuple[str, str]:
        if not key or len(key) > MAX_IDEMPOTENCY_KEY:
            raise SeikyuError(
                f"Idempotency keys must be 1 to {MAX_IDEMPOTENCY_KEY} characters long.",
                param="Idempotency-Key",
            )
        slot = (f"{account_id}:{int(livemode)}", key)
        with self._in_flight_lock:
            if slot in self._in_flight:
                raise _in_flight()
            self._in_flight.add(slot)
        # Every way out but a successful claim gives the slot back (the caller only releases
        # what was returned): a replay or mismatch must not leave the key "in flight".
        try:
            if not store.try_lock_key(uow.session, account_id, livemode, key):
                raise _in_flight()
            existing = store.find_key(uow.session, account_id, livemode, key)
            if existing is not None and existing.created < uow.now - IDEMPOTENCY_TTL:
                store.delete_key(uow.session, existing)
                uow.session.flush()
                existing = None
            if existing is not None:
                if existing.request_fingerprint != fingerprint:
                    raise SeikyuError(
                        "Keys for idempotent requests can only be used with the same "
                        f"parameters they were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.",
                        type=ErrorType.IDEMPOTENCY,
                    )
                raise _Replay(existing)
        except BaseException:
            with self._in_flight_lock:
                self._in_flight.discard(slot)
            raise
        return slot

    def _store_response(
        self,
        uow: UnitOfWork,
        key: str,
        fingerprint: str,
        req: Incoming,
        status: int,
        body: bytes,
        trace: _Trace,
        received: datetime,
    ) -> None:
        store.add_key(
            uow.session,
            IdempotencyKey(
                account_id=trace.account_id,
                livemode=trace.livemode,
                key=key,
                created=received,
                request_fingerprint=fingerprint,
                method=req.method,
                path=req.path,
                status=status,
                body=body,
                request_id=trace.request_id,
            ),
        )

    def _replayed(
        self, row: IdempotencyKey, req: Incoming, trace: _Trace, key: str | None
    ) -> Outgoing:
        error = orjson.loads(row.body).get("error") if row.status >= 400 else None
        with self.db.unit() as uow:
            store.add_log(
                uow.session, self._log_row(uow.now, req, trace, row.status, error, None, key)
            )
        return Outgoing(
            row.status,
            row.body,
            {
                "Request-Id": trace.request_id,
                "Idempotent-Replayed": "true",
                "Original-Request": row.request_id,
            },
        )

    # --- failures and the log -----------------------------------------------------------

    def _failed(
        self, error: SeikyuError, req: Incoming, trace: _Trace, key: str | None
    ) -> Outgoing:
        status = status_for(error)
        body = orjson.dumps(envelope(error, trace.request_id))
        # Only a request that started executing has an outcome to replay; a 500 is not
        # stored, so that a retry with the same key can succeed once the fault is gone.
        keep = (
            key is not None
            and trace.executed
            and error.kind is not Kind.INTERNAL
            and error.type is not ErrorType.IDEMPOTENCY
        )
        try:
            if req.method == "GET":
                row = self._log_row(
                    self.db.clock.now(), req, trace, status, error.body(), None, None
                )
                self.log_writer.submit(row)
            else:
                with self.db.unit() as uow:
                    if keep and key is not None:
                        self._store_response(
                            uow, key, _fingerprint(req, None), req, status, body, trace, uow.now
                        )
                    store.add_log(
                        uow.session,
                        self._log_row(uow.now, req, trace, status, error.body(), None, key),
                    )
        except Exception:
            log.exception("could not record failed request %s", trace.request_id)
        return Outgoing(status, body, {"Request-Id": trace.request_id})

    def _log_row(
        self,
        now: datetime,
        req: Incoming,
        trace: _Trace,
        status: int,
        error: dict[str, Any] | None,
        object_id: str | None,
        key: str | None,
    ) -> dict[str, Any]:
        return {
            "id": trace.request_id,
            "account_id": trace.account_id,
            "livemode": trace.livemode,
            "created": now,
            "method": req.method,
            "path": req.path,
            "status": status,
            "duration_us": int((monotonic() - trace.started) * 1_000_000),
            "api_key_id": trace.key_id,
            "idempotency_key": key,
            "stripe_version": req.headers.get("stripe-version"),
            "source_ip": req.client_ip,
            "user_agent": (req.headers.get("user-agent") or "")[:500] or None,
            "params": trace.params,
            "error": error,
            "error_type": _error_type(error),
            "object_id": object_id,
        }


def _error_type(error: dict[str, Any] | None) -> str | None:
    kind = error.get("type") if error is not None else None
    return kind if isinstance(kind, str) else None


def _in_flight() -> SeikyuError:
    return SeikyuError(
        "There is currently another in-progress request using this Idempotent Key (that "
        "probably means you submitted twice, and the other request is still going through): "
        "retry this request later.",
        type=ErrorType.IDEMPOTENCY,
        kind=Kind.CONFLICT,
        code="idempotency_key_in_use",
    )


def params_of(req: Incoming) -> dict[str, Any]:
    """The request's params: from the query of a read, from the body of a write (a form, or
    a multipart body carrying a file)."""
    if req.method != "POST":
        return decode(req.query)
    content_type = req.headers.get("content-type")
    if content_type is not None and is_multipart(content_type):
        return decode_multipart(content_type, req.body)
    return decode(req.body)


def _fingerprint(req: Incoming, raw: dict[str, Any] | None) -> str:
    return fingerprint(req.method, req.path, raw if raw is not None else params_of(req))


# Request parameters that name the object a request is about, when its path does not.
_OWNER_PARAMS = ("customer", "subscription", "invoice")


def _object_ids(path_params: dict[str, str], raw: dict[str, Any]) -> list[str]:
    ids = list(path_params.values())
    ids += [raw[name] for name in _OWNER_PARAMS if isinstance(raw.get(name), str)]
    return ids
