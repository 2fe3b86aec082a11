"""Local webhook receivers: an in-process one whose answers a test scripts per path, and a
fast counting one to run as a process of its own (`python -m tests.support.receivers`),
for crash tests and the benchmark."""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

HANG_LIMIT = 120.0  # seconds a hanging answer waits at most, so no thread outlives a test


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when it arrived

    @property
    def event_id(self) -> str:
        return str(orjson.loads(self.body)["id"])


@dataclass
class _Script:
    statuses: list[int] = field(default_factory=lambda: [200])
    hang: threading.Event | None = None  # set to let the held requests answer
    answered: int = 0


class Receiver:
    """Answers POSTs on each path as scripted (default 200), keeps every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, _Script] = {}
        self.received: list[Received] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def answer(self, path: str, *statuses: int) -> None:
        """Answer `path` with these statuses in turn, the last one from then on."""
        with self._lock:
            self._scripts[path] = _Script(list(statuses) or [200])

    def hang(self, path: str) -> threading.Event:
        """Hold every request to `path` unanswered until the returned event is set."""
        released = threading.Event()
        with self._lock:
            self._scripts[path] = _Script(hang=released)
        return released

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def wait_for(self, count: int, path: str | None = None, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                got = sum(1 for r in self.received if path is None or r.path == path)
            if got >= count:
                return True
            time.sleep(0.02)
        return False

    def _respond(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            self.received.append(Received(path, headers, body, time.monotonic()))
            script = self._scripts.setdefault(path, _Script())
            status = script.statuses[min(script.answered, len(script.statuses) - 1)]
            script.answered += 1
            hang = script.hang
        if hang is not None:
            hang.wait(HANG_LIMIT)
        return status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver._respond(self.path, dict(self.headers.items()), body)
                answer = b'{"received": true}' if status < 300 else b'{"error": "scripted"}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender gave up waiting: nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            for script in self._scripts.values():
                if script.hang is not None:
                    script.hang.set()
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


# --- the counting receiver, a process of its own -------------------------------------


class CountingApp:
    """ASGI: 200 to every POST, counted by path; `GET /_counts` answers the counts, and
    `GET /_counts?events=1` the distinct event ids seen per path."""

    def __init__(self, keep_ids: bool) -> None:
        self.counts: Counter[str] = Counter()
        self.ids: dict[str, set[str]] = {}
        self._keep_ids = keep_ids

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        if scope["method"] == "GET" and path == "/_counts":
            shown: dict[str, Any] = dict(self.counts)
            if b"events=1" in scope.get("query_string", b""):
                shown = {p: sorted(ids) for p, ids in self.ids.items()}
            answer = orjson.dumps(shown)
        else:
            self.counts[path] += 1
            if self._keep_ids:
                self.ids.setdefault(path, set()).add(str(orjson.loads(bytes(body))["id"]))
            answer = b'{"received":true}'
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": answer})


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="A webhook receiver that counts.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--keep-ids", action="store_true", help="remember event ids seen")
    args = parser.parse_args()
    uvicorn.run(
        CountingApp(args.keep_ids),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        http="httptools",
        loop="uvloop",
    )


if __name__ == "__main__":
    main()
