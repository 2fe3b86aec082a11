"""A real Seikyu server in a child process, for tests that speak HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up, like a crash."""
        self.process.kill()
        self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(
    database_url: str,
    workdir: Path,
    *,
    bootstrap_key: str | None = None,
    extra_args: tuple[str, ...] = (),
) -> ServerProcess:
    port = free_port()
    log_path = workdir / f"server-{port}.log"
    env = dict(os.environ)
    if bootstrap_key:
        env["SEIKYU_BOOTSTRAP_SECRET_KEY"] = bootstrap_key
    else:
        env.pop("SEIKYU_BOOTSTRAP_SECRET_KEY", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "seikyu",
                "serve",
                "--port",
                str(port),
                "--database-url",
                database_url,
                # Tests drive time-driven billing themselves, each with its own clock.
                "--no-billing-worker",
                *extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=workdir,
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", database_url, process, log_path)
    _wait_ready(server)
    return server


def _wait_ready(server: ServerProcess, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()}")
        try:
            httpx.get(server.url + "/v1/customers", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"server not ready after {timeout}s:\n{server.log()}")
