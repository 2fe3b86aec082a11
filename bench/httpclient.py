"""A minimal keep-alive HTTP/1.1 client for the load generator.

Why not httpx: on this 2-core machine ``httpx.AsyncClient`` spent about 2 ms of
client CPU per request (measured against a trivial Starlette endpoint: ~470
req/s with the client pegged at 100% of a core while the server idled), so it
would have measured itself, not the servers. This client does one request at a
time per connection over ``asyncio.Protocol`` and lets ``httptools`` (the C
parser uvicorn uses, already installed with it) parse responses, including
chunked bodies. Each load worker owns one connection.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httptools

CONNECT_TIMEOUT_S = 10.0


class HttpError(Exception):
    """The connection failed, closed early or timed out."""


@dataclass(frozen=True)
class Response:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")


class _ResponseReader(asyncio.Protocol):
    """Feeds bytes to httptools and resolves one future per response."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._body: list[bytes] = []
        self._waiter: asyncio.Future[Response] | None = None
        self.keep_alive = True

    def expect_response(self) -> asyncio.Future[Response]:
        self._waiter = asyncio.get_running_loop().create_future()
        return self._waiter

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(HttpError(f"bad response: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._fail(HttpError(f"connection closed before the response ended ({exc!r})"))

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._body = []

    def on_headers_complete(self) -> None:
        self.keep_alive = self._parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            status: int = self._parser.get_status_code()
            self._waiter.set_result(Response(status, b"".join(self._body)))

    def _fail(self, exc: HttpError) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(exc)


class Connection:
    """One keep-alive connection to ``host:port``; reconnects when closed."""

    def __init__(self, host: str, port: int, default_headers: dict[str, str], timeout: float):
        self._host = host
        self._port = port
        self._timeout = timeout
        self._head_prefix = "".join(f"{k}: {v}\r\n" for k, v in default_headers.items())
        self._head_prefix += f"Host: {host}:{port}\r\n"
        self._reader: _ResponseReader | None = None

    async def _connected(self) -> _ResponseReader:
        current = self._reader
        if current is not None and current.transport is not None and current.keep_alive:
            return current
        self.close()
        loop = asyncio.get_running_loop()
        try:
            _, reader = await asyncio.wait_for(
                loop.create_connection(_ResponseReader, self._host, self._port), CONNECT_TIMEOUT_S
            )
        except (OSError, TimeoutError) as exc:
            raise HttpError(f"connect {self._host}:{self._port}: {exc!r}") from exc
        self._reader = reader
        return reader

    async def request(
        self, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        reader = await self._connected()
        head = f"{method} {path} HTTP/1.1\r\n{self._head_prefix}"
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        if body or method in ("POST", "PUT", "PATCH"):
            head += f"Content-Length: {len(body)}\r\n"
        waiter = reader.expect_response()
        assert reader.transport is not None
        reader.transport.write(head.encode("latin-1") + b"\r\n" + body)
        try:
            return await asyncio.wait_for(waiter, self._timeout)
        except TimeoutError as exc:
            self.close()  # a late answer must not be taken for the next request's
            raise HttpError(f"{method} {path}: no response in {self._timeout}s") from exc

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers=headers)

    async def post(
        self, path: str, *, content: bytes, headers: dict[str, str] | None = None
    ) -> Response:
        return await self.request("POST", path, body=content, headers=headers)

    def close(self) -> None:
        if self._reader is not None and self._reader.transport is not None:
            self._reader.transport.close()
        self._reader = None
