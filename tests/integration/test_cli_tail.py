"""`seikyu logs tail`, `seikyu events tail` and `seikyu listen`, run as real processes
against a real server, stopped with Ctrl-C once the expected lines have appeared."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import stripe

from seikyu.tail.follower import Follower
from tests.conftest import TestAccount
from tests.support.server import ServerProcess, free_port

TIMEOUT = 30.0
WHSEC = re.compile(r"whsec_[A-Za-z0-9_-]+")


class Follow:
    """A following command's process, its output read line by line as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "seikyu", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._new: queue.Queue[None] = queue.Queue()
        for stream, into in ((self.process.stdout, self.lines), (self.process.stderr, self.errors)):
            threading.Thread(target=self._read, args=(stream, into), daemon=True).start()

    def _read(self, stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line.rstrip("\n"))
            self._new.put(None)

    def wait_for(self, wanted: Callable[[str], bool], *, errors: bool = False) -> str:
        """The first line that is `wanted`, waiting for it to be printed."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for line in list(self.errors if errors else self.lines):
                if wanted(line):
                    return line
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (self.process.poll() is not None and self._new.empty()):
                raise AssertionError(
                    f"line not printed; stdout: {self.lines}; stderr: {self.errors}"
                )
            with contextlib.suppress(queue.Empty):
                self._new.get(timeout=min(remaining, 0.5))

    def ready(self) -> Follow:
        """Wait until it follows: whatever happens from now on, it will show."""
        self.wait_for(lambda line: line.startswith("Ready!"), errors=True)
        return self

    def containing(self, *parts: str) -> str:
        return self.wait_for(lambda line: all(part in line for part in parts))

    def interrupt(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def finish(self) -> int:
        """The exit status of a command expected to end by itself."""
        return self.process.wait(timeout=TIMEOUT)


@pytest.fixture
def run(server: ServerProcess, account: TestAccount) -> Iterator[Callable[..., Follow]]:
    started: list[Follow] = []

    def start(*args: str, key: str | None = account.secret, api_base: str = server.url) -> Follow:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEIKYU_")}
        if key is not None:
            env["SEIKYU_API_KEY"] = key
        follow = Follow([*args, "--api-base", api_base, "--interval", "0.1"], env)
        started.append(follow)
        return follow

    yield start
    for follow in started:
        if follow.process.poll() is None:
            follow.process.kill()
            follow.process.wait()


def request_id(response: httpx.Response) -> str:
    assert response.status_code < 500, response.text
    return response.headers["Request-Id"]


@dataclass
class Received:
    payload: bytes
    signature: str


@dataclass
class Receiver:
    """A local webhook receiver: records each request, answers with `status`."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200

    def events(self, secret: str) -> list[stripe.Event]:
        return [
            stripe.Webhook.construct_event(r.payload.decode(), r.signature, secret)
            for r in self.received
        ]

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + TIMEOUT
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"received {len(self.received)} of {count}"
            time.sleep(0.05)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    port = free_port()
    found = Receiver(f"http://127.0.0.1:{port}/hook")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            found.received.append(Received(body, self.headers["Stripe-Signature"]))
            self.send_response(found.status)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    http_server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=http_server.serve_forever, daemon=True).start()
    yield found
    http_server.shutdown()
    http_server.server_close()


def decline(http: httpx.Client) -> httpx.Response:
    return http.post(
        "/v1/payment_intents",
        data={
            "amount": "2000",
            "currency": "usd",
            "payment_method": "pm_card_chargeDeclined",
            "confirm": "true",
        },
    )


# --- logs tail -------------------------------------------------------------------------------


def test_logs_tail_prints_existing_then_new_requests(
    run: Callable[..., Follow], http: httpx.Client
) -> None:
    before = request_id(http.post("/v1/customers", data={"name": "Ann"}))
    tail = run("logs", "tail").ready()
    tail.containing(" 200 POST   /v1/customers ", before)

    declined = request_id(decline(http))
    missing = request_id(http.get("/v1/customers/cus_nothere"))
    line = tail.containing(declined)
    assert re.fullmatch(
        rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ 402 POST   /v1/payment_intents {declined} card_error",
        line,
    ), line
    assert tail.containing(missing).endswith(
        f" 404 GET    /v1/customers/cus_nothere {missing} invalid_request_error"
    )
    assert tail.interrupt() == 0
    # Its own polling is not shown, and nothing is shown twice.
    assert not [line for line in tail.lines if "/v1/request_logs" in line]
    assert len(tail.lines) == len(set(tail.lines))


def test_logs_tail_filters_by_status_class_path_and_method(
    run: Callable[..., Follow], http: httpx.Client
) -> None:
    tail = run(
        "logs", "tail", "--status", "4xx", "--path", "/v1/customers", "--method", "post"
    ).ready()
    ok = request_id(http.post("/v1/customers", data={"name": "Ann"}))
    other_path = request_id(decline(http))
    other_method = request_id(http.get("/v1/customers/cus_nothere"))
    refused = request_id(http.post("/v1/customers", data={"colour": "red"}))

    tail.containing(refused, " 400 ")
    # Lines come in order, so the earlier requests would have been printed by now.
    time.sleep(0.5)
    printed = "\n".join(tail.lines)
    assert ok not in printed
    assert other_path not in printed
    assert other_method not in printed
    assert tail.interrupt() == 0


def test_logs_tail_shows_an_exact_status(run: Callable[..., Follow], http: httpx.Client) -> None:
    tail = run("logs", "tail", "--status", "402", "--history", "0").ready()
    refused = request_id(http.post("/v1/customers", data={"colour": "red"}))
    declined = request_id(decline(http))
    tail.containing(declined)
    assert refused not in "\n".join(tail.lines)
    assert tail.interrupt() == 0


def test_logs_tail_history_shows_only_the_latest_lines(
    run: Callable[..., Follow], http: httpx.Client
) -> None:
    made = [request_id(http.post("/v1/customers")) for _ in range(3)]
    tail = run("logs", "tail", "--history", "2", "--method", "POST")
    tail.containing(made[2])
    assert [line.split()[4] for line in tail.lines] == made[1:]
    assert tail.interrupt() == 0


def test_logs_tail_with_a_bad_filter_exits_naming_it(run: Callable[..., Follow]) -> None:
    tail = run("logs", "tail", "--status", "4x4")
    assert tail.finish() == 1
    assert "(status)" in tail.wait_for(lambda line: "refused" in line, errors=True)


def test_a_bad_key_ends_the_command(run: Callable[..., Follow]) -> None:
    tail = run("logs", "tail", key="sk_test_" + "x" * 40)
    assert tail.finish() == 1
    assert "Invalid API Key" in tail.wait_for(lambda line: "401" in line, errors=True)


def test_no_key_is_refused_before_anything_runs(run: Callable[..., Follow]) -> None:
    tail = run("events", "tail", key=None)
    assert tail.finish() == 2
    assert "SEIKYU_API_KEY" in tail.wait_for(lambda line: "No API key" in line, errors=True)


def test_the_key_can_be_given_as_an_option(
    server: ServerProcess, account: TestAccount, http: httpx.Client
) -> None:
    made = request_id(http.post("/v1/customers"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEIKYU_")}
    tail = Follow(["logs", "tail", "--api-key", account.secret, "--api-base", server.url], env)
    try:
        tail.containing(made)
    finally:
        assert tail.interrupt() == 0


def test_an_unreachable_server_is_waited_for(run: Callable[..., Follow]) -> None:
    tail = run("logs", "tail", api_base=f"http://127.0.0.1:{free_port()}")
    tail.wait_for(lambda line: "retrying" in line, errors=True)
    assert tail.process.poll() is None
    assert tail.interrupt() == 0


def test_sigterm_ends_a_follower_quietly(run: Callable[..., Follow], http: httpx.Client) -> None:
    made = request_id(http.post("/v1/customers"))
    tail = run("logs", "tail")
    tail.containing(made)
    tail.process.terminate()
    assert tail.finish() == 0
    assert not [line for line in tail.errors if "Traceback" in line]


# --- events tail -----------------------------------------------------------------------------


def test_events_tail_prints_matching_events_as_they_happen(
    run: Callable[..., Follow], http: httpx.Client
) -> None:
    first = http.post("/v1/customers", data={"name": "Ann"}).json()
    tail = run("events", "tail", "--type", "customer.*").ready()
    created_line = tail.containing("customer.created", first["id"])
    assert re.fullmatch(
        rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ customer\.created {first['id']} evt_\w+", created_line
    ), created_line

    http.post("/v1/products", data={"name": "Plan"})
    http.post(f"/v1/customers/{first['id']}", data={"name": "Bo"})
    tail.containing("customer.updated", first["id"])
    assert tail.interrupt() == 0
    assert not [line for line in tail.lines if "product." in line]


def test_events_tail_takes_several_types(run: Callable[..., Follow], http: httpx.Client) -> None:
    tail = run(
        "events", "tail", "--type", "product.created,customer.deleted", "--history", "0"
    ).ready()
    customer = http.post("/v1/customers").json()
    product = http.post("/v1/products", data={"name": "Plan"}).json()
    http.delete(f"/v1/customers/{customer['id']}")
    tail.containing("product.created", product["id"])
    tail.containing("customer.deleted", customer["id"])
    assert tail.interrupt() == 0
    assert not [line for line in tail.lines if "customer.created" in line]


def test_events_tail_refuses_too_many_types(run: Callable[..., Follow]) -> None:
    tail = run("events", "tail", "--type", ",".join(f"t{n}.x" for n in range(21)))
    assert tail.finish() == 1
    assert "(types)" in tail.wait_for(lambda line: "refused" in line, errors=True)


# --- listen ----------------------------------------------------------------------------------


def test_listen_forwards_new_events_signed(
    run: Callable[..., Follow], http: httpx.Client, receiver: Receiver
) -> None:
    earlier = http.post("/v1/customers", data={"name": "Before"}).json()
    listen = run("listen", "--forward-to", receiver.url)
    ready = listen.containing("signing secret")
    [secret] = WHSEC.findall(ready)

    customer = http.post("/v1/customers", data={"name": "Ann"}).json()
    listen.containing("<-- [200] POST", receiver.url)
    receiver.wait_for(1)
    [event] = receiver.events(secret)
    assert event.type == "customer.created"
    assert event.data.object.id == customer["id"]
    assert event.id in listen.containing("<-- [200]")
    assert earlier["id"] not in "\n".join(listen.lines)
    assert listen.interrupt() == 0


def test_listen_makes_a_new_secret_each_run_unless_given(
    run: Callable[..., Follow], receiver: Receiver, http: httpx.Client
) -> None:
    secrets_ = []
    for _ in range(2):
        listen = run("listen", "--forward-to", receiver.url)
        secrets_ += WHSEC.findall(listen.containing("signing secret"))
        assert listen.interrupt() == 0
    assert len(set(secrets_)) == 2

    given = "whsec_given_for_this_test"
    listen = run("listen", "--forward-to", receiver.url, "--secret", given)
    assert given in listen.containing("signing secret")
    http.post("/v1/customers")
    receiver.wait_for(1)
    assert receiver.events(given)[0].type == "customer.created"
    assert listen.interrupt() == 0


def test_listen_forwards_only_the_chosen_events(
    run: Callable[..., Follow], http: httpx.Client, receiver: Receiver
) -> None:
    listen = run("listen", "--forward-to", receiver.url, "--events", "product.*")
    [secret] = WHSEC.findall(listen.containing("signing secret"))
    http.post("/v1/customers")
    product = http.post("/v1/products", data={"name": "Plan"}).json()
    listen.containing("<-- [200]")
    time.sleep(0.5)
    assert [(e.type, e.data.object.id) for e in receiver.events(secret)] == [
        ("product.created", product["id"])
    ]
    assert listen.interrupt() == 0


def test_a_failing_receiver_is_reported_and_listening_goes_on(
    run: Callable[..., Follow], http: httpx.Client, receiver: Receiver
) -> None:
    listen = run("listen", "--forward-to", f"http://127.0.0.1:{free_port()}/nobody")
    listen.containing("signing secret")
    first = http.post("/v1/customers").json()
    listen.containing("<-- [ERROR]")
    listen.wait_for(lambda line: "failed" in line, errors=True)
    second = http.post("/v1/customers").json()
    lines = [line for line in listen.lines if "<-- [ERROR]" in line]
    while len(lines) < 2:
        listen.containing("customer.created", second["id"])
        time.sleep(0.1)
        lines = [line for line in listen.lines if "<-- [ERROR]" in line]
    assert listen.process.poll() is None
    assert first["id"] in "\n".join(listen.lines)
    assert listen.interrupt() == 0


def test_a_receiver_error_status_is_printed(
    run: Callable[..., Follow], http: httpx.Client, receiver: Receiver
) -> None:
    receiver.status = 500
    listen = run("listen", "--forward-to", receiver.url)
    listen.containing("signing secret")
    http.post("/v1/customers")
    listen.containing("<-- [500] POST")
    assert listen.process.poll() is None
    assert listen.interrupt() == 0


# --- the follower's cursor -------------------------------------------------------------------


class FakeList:
    """A list endpoint over rows made visible one by one, paged like the server's."""

    def __init__(self) -> None:
        self.visible: list[str] = []

    def get(self, path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
        params = dict(query)
        limit = int(params["limit"])
        newest_first = sorted(self.visible, reverse=True)
        if "ending_before" in params:
            above = sorted(i for i in self.visible if i > params["ending_before"])
            page = list(reversed(above[:limit]))
            return {"data": [{"id": i} for i in page], "has_more": len(above) > limit}
        return {
            "data": [{"id": i} for i in newest_first[:limit]],
            "has_more": len(newest_first) > limit,
        }


def test_a_row_that_appears_behind_a_newer_one_is_still_shown_once() -> None:
    rows, now = FakeList(), [0.0]
    follower = Follower(rows, "/v1/x", [], prefix="x", monotonic=lambda: now[0], lag=5.0)
    rows.visible = ["x_01"]
    assert follower.start(history=5) == [{"id": "x_01"}]
    rows.visible += ["x_03"]  # x_02 started first but is not committed yet
    assert follower.poll() == [{"id": "x_03"}]
    now[0] = 1.0
    rows.visible += ["x_02"]
    assert follower.poll() == [{"id": "x_02"}]
    assert follower.poll() == []
    now[0] = 10.0  # long after: the cursor moves on, and nothing comes back
    assert follower.poll() == []
    rows.visible += ["x_04"]
    assert follower.poll() == [{"id": "x_04"}]


def test_a_long_backlog_is_read_page_by_page_oldest_first() -> None:
    rows = FakeList()
    follower = Follower(rows, "/v1/x", [], prefix="x", monotonic=lambda: 0.0)
    assert follower.start(history=0) == []
    rows.visible = [f"x_{n:04}" for n in range(250)]
    assert [item["id"] for item in follower.poll()] == rows.visible


def test_without_history_following_starts_after_the_newest_row() -> None:
    rows = FakeList()
    rows.visible = ["x_1", "x_2"]
    follower = Follower(rows, "/v1/x", [], prefix="x", monotonic=lambda: 0.0)
    assert follower.start(history=0) == []
    assert follower.poll() == []
    rows.visible.append("x_3")
    assert follower.poll() == [{"id": "x_3"}]
