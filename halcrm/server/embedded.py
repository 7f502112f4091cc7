"""uvicorn inside an already running asyncio loop (the board's, or the headless one)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Generator
from typing import Any

import uvicorn

from halcrm.server.slow_clients import DEFAULT_HEADER_TIMEOUT, header_deadline_protocol


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signals to its host.

    uvicorn >= 0.29 installs SIGINT/SIGTERM handlers during ``serve()`` and re-raises them
    afterwards, which would kill the board without restoring the terminal.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        except SystemExit as exc:
            # uvicorn reports start-up failures as SystemExit; make them ordinary errors.
            raise RuntimeError("the HTTP server failed to start") from exc


def bind_socket(host: str, port: int) -> socket.socket:
    """Binds the listening socket before anything else starts, so a port in use is a plain
    ``OSError`` reported up front; port 0 picks a free port (tests)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def bound_port(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def proxy_options(trusted: str) -> dict[str, Any]:
    """uvicorn's forwarded-header options: believed only from the proxies named (uvicorn's
    own default trusts 127.0.0.1, so anything on the host could forge a client address)."""
    if not trusted:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def make_server(
    app: Any, *, graceful_timeout: float = 3.0, header_timeout: float | None = None
) -> EmbeddedServer:
    """uvicorn for ``app``; the header deadline is ``header_timeout``, else the app's own
    (``create_app`` keeps its configuration's in the app state)."""
    state = getattr(app, "state", None)
    if header_timeout is None:
        header_timeout = float(getattr(state, "header_timeout", DEFAULT_HEADER_TIMEOUT))
    config = uvicorn.Config(
        app,
        **proxy_options(str(getattr(state, "trusted_proxies", "") or "")),
        # Connections that trickle their headers are closed (server/slow_clients.py).
        http=header_deadline_protocol(header_timeout) if header_timeout > 0 else "auto",
        # uvicorn configures logging when Config is built and would write over the board.
        log_config=None,
        access_log=False,
        loop="none",
        lifespan="auto",
        ws="none",
        timeout_graceful_shutdown=int(graceful_timeout) or 1,
        server_header=False,
    )
    return EmbeddedServer(config)


async def stop(server: EmbeddedServer, task: asyncio.Task[None], grace: float = 5.0) -> None:
    """Asks the server to finish, waits for it, and forces it after ``grace`` seconds."""
    server.should_exit = True
    try:
        await asyncio.wait_for(asyncio.shield(task), grace)
    except TimeoutError:
        server.force_exit = True
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, 1.0)
