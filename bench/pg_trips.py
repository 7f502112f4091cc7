"""PostgreSQL round trips and latency (issue 25): ``halcrm serve`` on PostgreSQL directly and
through a proxy that holds every chunk 1 ms each way (a database 2 ms away, as a managed one in
the same region). Prints round trips per call for every widget route (counted by the proxy
over all of the process's connections, everything a call causes included), idle round trips a
second, p50/p99 per call, and identify throughput at 1 / 2 / 4 workers 2 ms away."""

from __future__ import annotations

import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.load import LoadResult, run_load
from bench.procs import HOST, TOKEN, clean_env, free_port, halcrm_command, spawned
from bench.stats import median
from bench.table import Bar, Row, judged, ms, note, per_second, times
from bench.workers import CONNECTIONS, IDENTIFY, REDIS, WORKERS, _answers, _database
from tests.pgproxy import PgProxy

ROUND_TRIPS = Bar(8, 4, higher_is_better=False)
IDLE = Bar(1, 0, higher_is_better=False, unit="/s")
IDENTIFY_AT_2MS = Bar(0.025, 0.015, higher_is_better=False, unit=" s")
SCALING = Bar(1.5, 1.8, higher_is_better=True, unit="x")
DELAY = 0.001
# Periodic work is averaged over more than one period of the webhook loop's idle look (10 s).
IDLE_SECONDS = 25.0

Body = Callable[[int], dict[str, object]]


def _routes(tag: str) -> dict[str, tuple[str, Body]]:
    """Each widget write, the body of its n-th call (a known visitor ``k``, identified first)."""
    return {
        "identify, new visitor": (
            "identify",
            lambda n: {
                "visitor_id": f"n-{tag}-{n}",
                "email": f"u{n}@n{tag}{n}.io",
                "company": {"id": f"c-{tag}-{n}", "name": f"C {n}"},
            },
        ),
        "identify, returning": (
            "identify",
            lambda n: {"visitor_id": "k", "email": "k@known.io", "name": f"K {n}"},
        ),
        "set-properties": ("set-properties", lambda n: {"visitor_id": "k", "properties": {"n": n}}),
        "track": ("track", lambda n: {"visitor_id": "k", "name": "opened", "value": n}),
        "set-stage": (
            "set-stage",
            lambda n: {
                "visitor_id": "k",
                "stage": ("Lead", "Qualified")[n % 2],
                "stage_update_mode": "exact",
            },
        ),
        "set-deal": ("set-deal", lambda n: {"visitor_id": "k", "deal_value": 100 + n}),
    }


@contextmanager
def _serve(work: Path, db: str, workers: int, name: str) -> Iterator[str]:
    port = free_port()
    data = work / name
    data.mkdir(parents=True, exist_ok=True)
    env = clean_env(HALCRM_DATA_DIR=str(data), HALCRM_ACCOUNT_TOKEN=TOKEN, BENCH_PORT=str(port))
    # One known visitor takes every call of a route here, back to back.
    env["HALCRM_WIDGET_RATE"] = "0"
    if _answers(REDIS):  # several workers share their rate limits there
        env["HALCRM_REDIS_URL"] = "redis://127.0.0.1:6379/0"
    command = [*halcrm_command(), "serve", "--host", HOST, "--port", str(port), "--db", db]
    command += ["--workers", str(workers)]
    with spawned(command, env, data / "serve.log", "/health", 120) as served:
        yield served.url


def _timed_calls(
    http: httpx.Client, path: str, body: Body, calls: int, start: int = 0
) -> list[float]:
    took = []
    for n in range(start, start + calls):
        began = time.perf_counter()
        answer = http.post(f"/api/widget/{path}", json={"app_id": "local", **body(n)})
        took.append(time.perf_counter() - began)
        if not answer.is_success:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:200]}")
    return took


def _route_rows(url: str, proxy: PgProxy | None, calls: int, where: str) -> list[Row]:
    rows = []
    tag = secrets.token_hex(3)
    with httpx.Client(base_url=url, timeout=30) as http:
        http.post(
            "/api/widget/identify",
            json={"app_id": "local", "visitor_id": "k", "email": "k@known.io"},
        ).raise_for_status()
        for name, (path, body) in _routes(tag).items():
            _timed_calls(http, path, body, 5, start=10_000)  # warm-up
            if proxy is not None:
                proxy.wait_quiet()
            before = proxy.flights if proxy is not None else 0
            took = _timed_calls(http, path, body, calls)
            row = Row(f"PG {name}, {where}", ms(median(took)), ms(median(took)), _p99(took))
            if name == "identify, new visitor" and proxy is not None:
                row = judged(row, IDENTIFY_AT_2MS, median(took))
            rows.append(row)
            if proxy is not None:
                proxy.wait_quiet()
                trips = (proxy.flights - before) / calls
                figure = f"PG round trips a call, {name}"
                rows.append(judged(Row(figure, f"{trips:.1f}"), ROUND_TRIPS, trips))
    return rows


def _p99(took: list[float]) -> str:
    return ms(statistics.quantiles(took, n=100)[98]) if len(took) >= 2 else ""


def _idle_row(proxy: PgProxy) -> Row:
    proxy.wait_quiet()
    before = proxy.flights
    time.sleep(IDLE_SECONDS)
    rate = (proxy.flights - before) / IDLE_SECONDS
    return judged(Row("PG round trips a second, idle", f"{rate:.1f}/s"), IDLE, rate)


def _throughput(
    work: Path, proxy: PgProxy, db: str, runs: int, seconds: float, use_wrk: bool
) -> list[Row]:
    rows = []
    rates: dict[int, float] = {}
    for workers in WORKERS:
        print(f"  2 ms away, workers {workers}", file=sys.stderr)
        with _serve(work, proxy.url(db), workers, f"pg2ms-w{workers}") as url:
            run_load(url, IDENTIFY, 8, 1, "warm", use_wrk)
            results: list[LoadResult] = [
                run_load(url, IDENTIFY, CONNECTIONS, seconds, f"d{workers}r{run}", use_wrk)
                for run in range(runs)
            ]
        rates[workers] = median([r.rps for r in results])
        figure = f"HTTP identify (new visitor), {CONNECTIONS} conn, PG 2 ms away, {workers}w"
        row = Row(
            figure,
            per_second(rates[workers]),
            ms(median([r.p50 for r in results])),
            ms(median([r.p99 for r in results])),
        )
        if workers == 2 and rates[1]:
            scale = rates[2] / rates[1]
            scaled = Row(row.figure, row.median, row.p50, row.p99, times(scale))
            row = judged(scaled, SCALING, scale)
        rows.append(row)
    return rows


def measure(work: Path, runs: int, seconds: float, use_wrk: bool) -> list[Row]:
    if not _answers(("127.0.0.1", 5432)):
        return [note("PostgreSQL round trips", "skipped: no PostgreSQL on :5432")]
    calls = 50 * max(runs, 1)
    rows: list[Row] = []
    with _database() as db:
        print("  directly", file=sys.stderr)
        with _serve(work, db, 1, "pg-direct") as url:
            rows += [r for r in _route_rows(url, None, calls, "directly") if "new" in r.figure]
        with PgProxy(5432, delay=DELAY) as proxy:
            print("  2 ms away", file=sys.stderr)
            with _serve(work, proxy.url(db), 1, "pg-2ms") as url:
                rows += _route_rows(url, proxy, calls, "2 ms away")
                rows.append(_idle_row(proxy))
            rows += _throughput(work, proxy, db, runs, seconds, use_wrk)
    return rows
