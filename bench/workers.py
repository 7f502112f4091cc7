"""Identify throughput with 1, 2 and 4 ``halcrm serve`` workers on PostgreSQL, beside SQLite's
single process (same load, same run). Skipped, with a note, when PostgreSQL does not answer."""

from __future__ import annotations

import secrets
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.load import Load, LoadResult, run_load
from bench.procs import HOST, TOKEN, clean_env, free_port, halcrm_command, halcrm_serve, spawned
from bench.stats import median
from bench.table import Row, ms, note, per_second

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = ("127.0.0.1", 6379)
WORKERS = (1, 2, 4)
CONNECTIONS = 32
IDENTIFY = Load(
    "identify, new visitor",
    "/api/widget/identify",
    '{"project_id":"local","visitor_id":"w-{tag}-{n}","email":"u{n}.{tag}@w{p}.com",'
    '"company":{"id":"wc-{tag}-{p}","name":"W Co {p}"}}',
    200,
)


def _answers(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return False
    return True


@contextmanager
def _database() -> Iterator[str]:
    name = f"halcrm_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


@contextmanager
def _serve_workers(work: Path, db: str, workers: int) -> Iterator[str]:
    port = free_port()
    extra = {"HALCRM_REDIS_URL": "redis://127.0.0.1:6379/0"} if _answers(REDIS) else {}
    data = work / f"workers{workers}"
    data.mkdir(parents=True, exist_ok=True)
    env = clean_env(
        HALCRM_DATA_DIR=str(data), HALCRM_ACCOUNT_TOKEN=TOKEN, BENCH_PORT=str(port), **extra
    )
    command = [*halcrm_command(), "serve", "--host", HOST, "--port", str(port), "--db", db]
    command += ["--workers", str(workers)]
    with spawned(command, env, data / "serve.log", "/health", 120) as served:
        yield served.url


def _row(name: str, results: list[LoadResult]) -> Row:
    return Row(
        f"HTTP identify (new visitor), {CONNECTIONS} conn, {name}",
        per_second(median([r.rps for r in results])),
        ms(median([r.p50 for r in results])),
        ms(median([r.p99 for r in results])),
    )


def measure(work: Path, runs: int, seconds: float, use_wrk: bool) -> list[Row]:
    if not _answers(("127.0.0.1", 5432)):
        return [note("HTTP identify on PostgreSQL workers", "skipped: no PostgreSQL on :5432")]
    rows = []
    sqlite: list[LoadResult] = []
    with halcrm_serve(work / "workers-sqlite") as served:
        run_load(served.url, IDENTIFY, 8, 1, "warm", use_wrk)
        for run in range(runs):
            sqlite.append(run_load(served.url, IDENTIFY, CONNECTIONS, seconds, f"s{run}", use_wrk))
    rows.append(_row("SQLite, 1 process", sqlite))
    for workers in WORKERS:
        print(f"  workers {workers}", file=sys.stderr)
        with _database() as db, _serve_workers(work, db, workers) as url:
            run_load(url, IDENTIFY, 8, 1, "warm", use_wrk)
            results = [
                run_load(url, IDENTIFY, CONNECTIONS, seconds, f"p{workers}r{run}", use_wrk)
                for run in range(runs)
            ]
        rows.append(_row(f"PostgreSQL, {workers} worker{'s' if workers > 1 else ''}", results))
    return rows
