"""Start, probe and stop the servers under test, each on a loopback port.

Every server runs in its own process group (``start_new_session``) so that
stopping it also stops any worker processes it spawned, and nothing else.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SEIKYU_BIN = REPO_DIR / ".venv" / "bin" / "seikyu"
LOCALSTRIPE_VENV = BENCH_DIR / ".venv-localstripe"
LOCALSTRIPE_VERSION = "1.15.10"
LOOPBACK = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"


class ServerError(Exception):
    """A server could not be prepared, started or reached."""


@dataclass
class RunningServer:
    """A server process the harness started and must stop."""

    name: str
    base_url: str
    api_key: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self, *, hard: bool = False) -> None:
        """SIGTERM (or SIGKILL when ``hard``) the server's own process group."""
        if self.process.poll() is not None:
            return
        sig = signal.SIGKILL if hard else signal.SIGTERM
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except ProcessLookupError:
            pass


def free_loopback_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def run_checked(argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    """Run a setup command; its output goes into the error if it fails."""
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServerError(f"{' '.join(argv)}: {exc}") from exc
    if done.returncode != 0:
        raise ServerError(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done.stdout


def spawn(
    name: str, argv: list[str], log_path: Path, env: dict[str, str], cwd: Path
) -> subprocess.Popen[bytes]:
    # Append: a restart (the persistence check) keeps the earlier run's log.
    with open(log_path, "ab") as log:
        log.write(f"--- {' '.join(argv)}\n".encode())
        log.flush()
        try:
            return subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
            )
        except OSError as exc:
            raise ServerError(f"{name}: cannot start {argv[0]}: {exc}") from exc


def wait_ready(server: RunningServer) -> None:
    """Poll GET /v1/customers?limit=1 until it answers 200, or give up.

    The server runs in its own session, so Ctrl-C does not reach it: on any
    way out but success, stop it here or it would outlive the harness.
    """
    try:
        _poll_until_ready(server)
    except BaseException:
        server.stop(hard=True)
        raise


def _poll_until_ready(server: RunningServer) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    headers = {"Authorization": f"Bearer {server.api_key}"}
    last = "no answer"
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=5.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise ServerError(
                    f"{server.name} exited with {server.process.returncode} before it was ready:\n"
                    f"{log_tail(server.log_path)}"
                )
            try:
                response = client.get("/v1/customers", params={"limit": 1})
            except httpx.HTTPError as exc:
                last = repr(exc)
            else:
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code}: {response.text[:200]}"
            time.sleep(0.2)
    raise ServerError(
        f"{server.name} not ready after {READY_TIMEOUT_S:.0f}s ({last}):\n"
        + log_tail(server.log_path)
    )


# --- localstripe -------------------------------------------------------------


def localstripe_python() -> Path:
    return LOCALSTRIPE_VENV / "bin" / "python"


def installed_localstripe_version() -> str | None:
    if not localstripe_python().exists():
        return None
    try:
        return run_checked(
            [
                str(localstripe_python()),
                "-c",
                "import importlib.metadata as m; print(m.version('localstripe'))",
            ]
        ).strip()
    except ServerError:
        return None


def ensure_localstripe_venv() -> None:
    """Create the separate venv: localstripe pins an aiohttp we must not share."""
    if installed_localstripe_version() == LOCALSTRIPE_VERSION:
        return
    print(f"installing localstripe=={LOCALSTRIPE_VERSION} into {LOCALSTRIPE_VENV} ...", flush=True)
    if not localstripe_python().exists():
        run_checked(["python3", "-m", "venv", str(LOCALSTRIPE_VENV)])
    run_checked(
        [
            str(localstripe_python()),
            "-m",
            "pip",
            "install",
            "-q",
            f"localstripe=={LOCALSTRIPE_VERSION}",
        ]
    )


def localstripe_versions() -> str:
    code = (
        "import importlib.metadata as m, sys;"
        "print(f\"localstripe {m.version('localstripe')}, aiohttp {m.version('aiohttp')}, "
        'Python {sys.version.split()[0]}")'
    )
    return run_checked([str(localstripe_python()), "-c", code]).strip()


def start_localstripe(workdir: Path, api_key: str) -> RunningServer:
    ensure_localstripe_venv()
    port = free_loopback_port()
    argv = [
        str(localstripe_python()),
        str(BENCH_DIR / "localstripe_launcher.py"),
        "--host", LOOPBACK,
        "--port", str(port),
        "--pickle-path", str(workdir / "localstripe.pickle"),
    ]  # fmt: skip
    log_path = workdir / "localstripe.log"
    process = spawn("localstripe", argv, log_path, dict(os.environ), workdir)
    server = RunningServer("localstripe", f"http://{LOOPBACK}:{port}", api_key, process, log_path)
    wait_ready(server)
    return server


# --- Seikyu ------------------------------------------------------------------


def sqlite_url(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'seikyu-bench.db'}"


def check_bench_db_name(name: str) -> None:
    """Refuse any database that is not obviously a throwaway bench database."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or "bench" not in name:
        raise ServerError(f"refusing to drop database {name!r}: name must contain 'bench'")


def psql(sql: str) -> str:
    return run_checked(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-Atc",
            sql,
        ],
        timeout=120,
    )


def reset_postgres_db(name: str) -> str:
    """Drop and recreate the bench database; returns its SQLAlchemy URL."""
    check_bench_db_name(name)
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")
    return f"{PG_ADMIN_URL}/{name}"


def postgres_facts() -> str:
    """Settings that decide whether a commit is durable when it is answered."""
    settings = ("server_version", "fsync", "synchronous_commit", "shared_buffers")
    out = psql("SELECT " + ", ".join(f"current_setting('{name}')" for name in settings))
    version, fsync, sync_commit, shared_buffers = out.strip().split("|")
    return (
        f"PostgreSQL {version} (fsync={fsync}, synchronous_commit={sync_commit}, "
        f"shared_buffers={shared_buffers})"
    )


def seikyu_env(database_url: str, api_key: str) -> dict[str, str]:
    env = dict(os.environ)
    env["SEIKYU_DATABASE_URL"] = database_url
    env["SEIKYU_BOOTSTRAP_SECRET_KEY"] = api_key
    return env


def migrate_seikyu(database_url: str, api_key: str) -> None:
    if not SEIKYU_BIN.exists():
        raise ServerError(f"{SEIKYU_BIN} does not exist (is the project installed into .venv?)")
    run_checked(
        [str(SEIKYU_BIN), "migrate", "--database-url", database_url],
        env=seikyu_env(database_url, api_key),
    )


def start_seikyu(
    name: str, database_url: str, api_key: str, workdir: Path, *, workers: int = 1
) -> RunningServer:
    """Run ``seikyu serve`` on a fresh loopback port against ``database_url``."""
    port = free_loopback_port()
    argv = [
        str(SEIKYU_BIN),
        "serve",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--database-url",
        database_url,
        "--workers",
        str(workers),
    ]
    log_path = workdir / f"{name}.log"
    process = spawn(name, argv, log_path, seikyu_env(database_url, api_key), workdir)
    server = RunningServer(name, f"http://{LOOPBACK}:{port}", api_key, process, log_path)
    wait_ready(server)
    return server
