"""A Python load generator (asyncio, raw keep-alive HTTP/1.1) for machines without wrk."""

from __future__ import annotations

import asyncio
import itertools
import time
from urllib.parse import urlsplit

from bench.load import Load, LoadResult, expand
from bench.stats import percentile


async def _connection(
    host: str,
    port: int,
    load: Load,
    tag: str,
    numbers: itertools.count[int],
    deadline: float,
    latencies: list[float],
    failures: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            n = next(numbers)
            if load.template:
                body = expand(load.template, tag, n, load.pool).encode()
                head = (
                    f"POST {load.path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                )
            else:
                body = b""
                head = f"GET {load.path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n"
            started = time.perf_counter()
            writer.write(head.encode() + body)
            status, length = _parse_head(await reader.readuntil(b"\r\n\r\n"))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                failures.append(status)
    except (OSError, asyncio.IncompleteReadError, ValueError):
        failures.append(0)
    finally:
        writer.close()


def _parse_head(head: bytes) -> tuple[int, int]:
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, length


async def _run(base_url: str, load: Load, connections: int, seconds: float, tag: str) -> LoadResult:
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    numbers = itertools.count()
    latencies: list[float] = []
    failures: list[int] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _connection(host, port, load, tag, numbers, deadline, latencies, failures)
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
