"""A Python load generator (asyncio, raw keep-alive HTTP/1.1) for machines without wrk, and
the paced signal flood of the live bench."""

from __future__ import annotations

import asyncio
import itertools
import time
from urllib.parse import urlsplit

from bench.load import Load, LoadResult
from bench.stats import percentile


class Connection:
    """One keep-alive HTTP/1.1 connection; cheaper per request than a full client."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self.reader = reader
        self.writer = writer
        self.host = host

    @classmethod
    async def open(cls, base_url: str) -> Connection:
        parts = urlsplit(base_url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def call(self, path: str, body: bytes | None) -> tuple[int, bytes]:
        """POSTs ``body`` as JSON (GET when None); answers the status and the body."""
        if body is None:
            head = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n"
            self.writer.write(head.encode())
        else:
            head = (
                f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            self.writer.write(head.encode() + body)
        status, length = parse_head(await self.reader.readuntil(b"\r\n\r\n"))
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def parse_head(head: bytes) -> tuple[int, int]:
    """The status and Content-Length of a response head."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, length


async def _connection(
    base_url: str,
    load: Load,
    tag: str,
    numbers: itertools.count[int],
    deadline: float,
    latencies: list[float],
    failures: list[int],
) -> None:
    conn = await Connection.open(base_url)
    try:
        while time.perf_counter() < deadline:
            path, body = load.request(tag, next(numbers))
            started = time.perf_counter()
            status, _ = await conn.call(path, body)
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                failures.append(status)
    except (OSError, asyncio.IncompleteReadError, ValueError):
        failures.append(0)
    finally:
        conn.close()


async def _run(base_url: str, load: Load, connections: int, seconds: float, tag: str) -> LoadResult:
    numbers = itertools.count()
    latencies: list[float] = []
    failures: list[int] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _connection(base_url, load, tag, numbers, deadline, latencies, failures)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - started
    if not latencies:
        return LoadResult(0, elapsed, 0.0, 0.0, len(failures))
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50=percentile(latencies, 50),
        p99=percentile(latencies, 99),
        errors=len(failures),
    )


def run_python(base_url: str, load: Load, connections: int, seconds: float, tag: str) -> LoadResult:
    """One run of ``load`` with the Python generator (slower than wrk: it shares the cores)."""
    return asyncio.run(_run(base_url, load, connections, seconds, tag))
