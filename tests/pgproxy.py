"""A TCP proxy in front of PostgreSQL that counts round trips and can add latency.

A round trip is a flight: bytes the client sends after the server last spoke on that connection
(or after connecting). Statements sent in one flight (pipeline mode, one multi-statement
message) count once; a notification the server pushes unasked makes the next client message a
new flight, as it is on the wire. Counted over every connection a process opens through it.

``delay`` holds every chunk that long in each direction (1 ms each way is a database 2 ms
away), keeping each direction's order. The proxy runs its own event loop on a thread, so a
test's loop and the database threads of the code under test are not slowed by it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class _Link:
    client_turn: bool = False


@dataclass
class Counts:
    flights: int = 0
    connections: int = 0
    statements: list[str] = field(default_factory=list)


def _readable(data: bytes) -> str:
    text = "".join(chr(b) if 32 <= b < 127 else "." for b in data[:400])
    return " ".join(part for part in text.split(".") if len(part) > 2)[:160]


class PgProxy:
    """``with PgProxy(5432) as proxy:`` then connect to ``127.0.0.1:proxy.port``."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1", delay: float = 0.0):
        self.target = (target_host, target_port)
        self.delay = delay
        # Keeps the start of each flight's bytes (counts.statements), to see what a call sends.
        self.trace = False
        self.port = 0
        self.counts = Counts()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pgproxy", daemon=True)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> PgProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def flights(self) -> int:
        with self._lock:
            return self.counts.flights

    def url(self, url: str) -> str:
        """``url`` (host 127.0.0.1 or localhost, any port) pointed at this proxy instead."""
        scheme, rest = url.split("://", 1)
        auth, _, hostpart = rest.rpartition("@")
        _, _, path = hostpart.partition("/")
        prefix = f"{auth}@" if auth else ""
        return f"{scheme}://{prefix}127.0.0.1:{self.port}/{path}"

    @contextlib.contextmanager
    def counting(self) -> Iterator[Counts]:
        """The flights made inside the block."""
        before = self.flights
        counted = Counts()
        yield counted
        counted.flights = self.flights - before

    def wait_quiet(self, quiet: float = 0.2, at_most: float = 5.0) -> None:
        """Waits until no flight was made for ``quiet`` seconds (what a call caused is done)."""
        deadline = time.monotonic() + at_most
        last, since = self.flights, time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.02)
            now = self.flights
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._server.close()
        tasks = asyncio.all_tasks(self._loop)
        for task in tasks:
            task.cancel()
        with contextlib.suppress(BaseException):
            self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        self._loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        with self._lock:
            self.counts.connections += 1
        link = _Link()
        with contextlib.suppress(asyncio.CancelledError):  # the proxy stopping
            await asyncio.gather(
                self._pump(reader, up_writer, link, from_client=True),
                self._pump(up_reader, writer, link, from_client=False),
                return_exceptions=True,
            )

    async def _pump(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        link: _Link,
        *,
        from_client: bool,
    ) -> None:
        # A queue of (due time, bytes): latency without throttling, each chunk is held
        # ``delay`` from when it arrived, not from when the one before it left.
        pending: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        sender = asyncio.create_task(self._send(pending, sink))
        try:
            while data := await source.read(65536):
                if from_client and not link.client_turn:
                    with self._lock:
                        self.counts.flights += 1
                        if self.trace:
                            self.counts.statements.append(_readable(data))
                link.client_turn = from_client
                pending.put_nowait((time.monotonic() + self.delay, data))
        finally:
            pending.put_nowait((0.0, b""))
            await sender

    async def _send(
        self, pending: asyncio.Queue[tuple[float, bytes]], sink: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                due, data = await pending.get()
                if not data:
                    return
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                sink.write(data)
                await sink.drain()
        finally:
            sink.close()
