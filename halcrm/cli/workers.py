"""``halcrm serve --workers N``: uvicorn's own worker processes on one address (PostgreSQL).

The parent migrates the database once, checks the address is free, hands the settings to
the workers through the environment and lets uvicorn's supervisor run them. Each worker
builds its runtime and app in its own loop, at the ASGI lifespan's start, and closes the
runtime at its end (``WorkerApp``).

Each worker listens on a socket of its own (``SO_REUSEPORT``), so the kernel spreads new
connections evenly over the workers. On one shared socket the first worker awake accepted
every connection waiting (asyncio takes up to the backlog at once): a load's keep-alive
connections mostly ended up in one worker, and a second worker added little.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from halcrm.cli import attach
from halcrm.db.engine import database_url
from halcrm.logs import setup_logging
from halcrm.runtime import Runtime, open_runtime
from halcrm.server.app import create_app, server_config
from halcrm.server.embedded import proxy_options
from halcrm.server.slow_clients import header_deadline_protocol
from halcrm.settings import Settings

Scope = dict[str, Any]
Message = dict[str, Any]


class WorkerApp:
    """The ASGI app of one worker: the runtime and the Litestar app are made when the
    lifespan starts (inside the worker's loop, as the database threads and the bus need),
    and the runtime closed once the app's own shutdown has run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime: Runtime | None = None
        self.app: Any = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        startup = await receive()
        try:
            self.runtime = await open_runtime(self.settings)
            self.runtime.deliver()
            self.app = create_app(self.runtime.services, server_config(self.settings))
        except Exception as exc:
            await send({"type": "lifespan.startup.failed", "message": repr(exc)})
            return
        given = [startup]

        async def inner_receive() -> Message:
            message: Message = given.pop() if given else await receive()
            if message["type"] == "lifespan.shutdown" and self.runtime is not None:
                # Open event streams end first, as under a single process.
                self.runtime.bus.close()
            return message

        async def inner_send(message: Message) -> None:
            if message["type"].startswith("lifespan.shutdown") and self.runtime is not None:
                await self.runtime.close()
                self.runtime = None
            await send(message)

        await self.app(scope, inner_receive, inner_send)


def worker_app() -> WorkerApp:
    """uvicorn's factory, called in each worker: the settings come from the environment."""
    settings = Settings.from_env()
    setup_logging(settings.log_file, to_stderr=True)
    return WorkerApp(settings)


def __getattr__(name: str) -> Any:
    # uvicorn imports its HTTP protocol by name in each worker ("module:attribute"): the
    # header deadline protocol is made then, from that worker's settings.
    if name == "HeaderDeadline":
        return header_deadline_protocol(Settings.from_env().header_timeout)
    raise AttributeError(name)


def refusal(settings: Settings, workers: int) -> str | None:
    """Why ``--workers`` cannot run here, in one line, or None."""
    if workers < 1:
        return "--workers must be 1 or more"
    if database_url(settings.db).startswith("sqlite"):
        return (
            "--workers needs PostgreSQL (--db postgresql://…): SQLite takes one writer, which "
            "one process already keeps busy; run `halcrm serve` without --workers"
        )
    if not settings.redis_url:
        return (
            "--workers needs HALCRM_REDIS_URL (e.g. redis://127.0.0.1:6379/0): without it each "
            "worker would count rate limits alone, N times the configured budget"
        )
    return None


def _address_free(host: str, port: int) -> None:
    """A port in use fails here in one line, not in uvicorn's log after the migration."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` beside the other workers' (uvicorn listens on it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class OwnSocket:
    """Stands for a worker's socket in the supervisor, which holds none: each worker process
    (started by pickling its arguments) unpickles it as a socket of its own, made there."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return reuse_port_socket, (self.host, self.port)


async def _prepare(settings: Settings, demo: bool) -> None:
    """Migrations (serialized by their lock) and the project, once, before any worker; the
    demo companies too with ``demo`` (into a project that has none)."""
    if demo:
        from halcrm.cli.demo_once import seed_before_serving

        print(await seed_before_serving(settings), file=sys.stderr)
        return
    runtime = await open_runtime(settings)
    await runtime.close()


def serve_workers(settings: Settings, workers: int, *, demo: bool = False) -> int:
    problem = refusal(settings, workers)
    if problem is not None:
        print(f"halcrm: {problem}", file=sys.stderr)
        return 2
    try:
        _address_free(settings.host, settings.port)
    except OSError as exc:
        print(f"halcrm: {settings.host}:{settings.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    asyncio.run(_prepare(settings, demo))
    settings.account_token()  # made now if missing, so every worker reads the same one
    os.environ.update(
        HALCRM_DATA_DIR=str(settings.data_dir),
        HALCRM_DB=settings.db,
        HALCRM_HOST=settings.host,
        HALCRM_PORT=str(settings.port),
        HALCRM_PROJECT_ID=settings.project_id,
    )
    url = attach.local_url(settings.host, settings.port)
    attach.announce(settings, url)
    print(
        f"halcrm serving project {settings.project_id!r} on {url} with {workers} workers "
        f"(database: {settings.db})",
        file=sys.stderr,
    )
    print(attach.board_hint(url), file=sys.stderr, flush=True)
    config = uvicorn.Config(
        f"{__name__}:worker_app",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        http=f"{__name__}:HeaderDeadline" if settings.header_timeout > 0 else "auto",
        **proxy_options(settings.trusted_proxies),
        lifespan="on",
        log_config=None,
        access_log=False,
        ws="none",
        server_header=False,
        timeout_graceful_shutdown=3,
    )
    own: Any = OwnSocket(settings.host, settings.port)
    try:
        Multiprocess(config, sockets=[own]).run()
    except KeyboardInterrupt:
        pass
    finally:
        attach.withdraw(settings)
    return 0
