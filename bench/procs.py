"""Subprocesses the bench measures: a real ``halcrm serve`` and the reference Litestar app."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TOKEN = "bench-account-token"


def free_port() -> int:
    """A port free on 127.0.0.1 right now (the child binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def halcrm_command() -> list[str]:
    """The installed ``halcrm`` entry point beside this Python, else ``python -m halcrm``."""
    script = Path(sys.executable).with_name("halcrm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "halcrm"]


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without any ``HALCRM_*`` setting, plus ``extra``.

    The client-address and project ceilings are off: the bench's load comes from one address
    on purpose, far above what a public server should take from one client.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")}
    env.update(HALCRM_CLIENT_RATE="0", HALCRM_PROJECT_RATE="0")
    env.update(extra)
    return env


@dataclass
class Served:
    """A running child process answering HTTP at ``url``."""

    process: subprocess.Popen[bytes]
    url: str
    port: int
    ready_after: float
    """Seconds from spawning the process to its first answered request."""


def wait_answered(port: int, path: str = "/health", timeout: float = 30.0) -> None:
    """Blocks until ``GET path`` answers 200 on 127.0.0.1:``port``.

    The socket may be bound before the app serves, so a connection can be accepted and then
    wait: the request's own timeout covers that, refusals are retried every 2 ms.

    Raises:
        TimeoutError: when nothing answered in ``timeout`` seconds.
    """
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.002)
        finally:
            conn.close()
    raise TimeoutError(f"nothing answered GET {path} on port {port} in {timeout} s")


def stop_process(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM (the servers stop cleanly on it), then SIGKILL after ``grace`` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def spawned(
    command: list[str], env: dict[str, str], log: Path, path: str, timeout: float = 60.0
) -> Iterator[Served]:
    """Starts ``command`` (which must serve on ``env['BENCH_PORT']``) and waits for an answer.

    Raises:
        RuntimeError: when the process exits or never answers; its log is quoted.
    """
    port = int(env["BENCH_PORT"])
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            try:
                wait_answered(port, path, timeout)
            except TimeoutError as exc:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{command[0]} did not start: {tail}") from exc
            ready = time.perf_counter() - started
            yield Served(process, f"http://{HOST}:{port}", port, ready)
        finally:
            stop_process(process)


@contextmanager
def halcrm_serve(data_dir: Path, timeout: float = 60.0) -> Iterator[Served]:
    """A real ``halcrm serve`` on a free port with its data (SQLite) in ``data_dir``."""
    port = free_port()
    env = clean_env(HALCRM_DATA_DIR=str(data_dir), HALCRM_ACCOUNT_TOKEN=TOKEN, BENCH_PORT=str(port))
    command = [*halcrm_command(), "serve", "--host", HOST, "--port", str(port)]
    data_dir.mkdir(parents=True, exist_ok=True)
    with spawned(command, env, data_dir / "bench-serve.log", "/health", timeout) as served:
        yield served


@contextmanager
def reference_app(work_dir: Path) -> Iterator[Served]:
    """The reference: a bare Litestar JSON route with halcrm's uvicorn settings, in a child."""
    port = free_port()
    env = clean_env(BENCH_PORT=str(port))
    command = [sys.executable, "-m", "bench.reference_app", "--port", str(port)]
    with spawned(command, env, work_dir / "reference.log", "/health") as served:
        yield served


def which(tool: str) -> str | None:
    return shutil.which(tool)
