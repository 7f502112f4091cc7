"""Next steps at scale: the agenda, the focus lane and the forecast through HTTP with 10,000
companies and 20,000 tasks (issue 23: each p50 <= 50 ms).

The data is made by the real start path (migrations, project, stages) and then inserted
directly through the models (``board_data``'s way): 10k companies over the stages, a third of
them with an expected close over the next months (some passed), and two tasks each, open or
done, due from three weeks ago to six weeks ahead. A real ``halcrm serve`` answers; each route
is called one request at a time, as the board and a client do.
"""

from __future__ import annotations

import http.client
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import insert, select

from bench.board_data import generate
from bench.procs import HOST, TOKEN, halcrm_serve
from bench.stats import percentile
from bench.table import Bar, Row, judged, ms
from halcrm.db.models import Company, Project, Task
from halcrm.domain.clock import utc_now
from halcrm.settings import DEFAULT_PROJECT

COMPANIES = 10_000
TASKS = 20_000
CALLS = 40
BAR = Bar(must=50, aim=25, higher_is_better=False, unit=" ms")
ROUTES = (
    ("agenda", "/api/agenda"),
    ("focus lane", "/api/board/focus?limit=8"),
    ("forecast", "/api/board/forecast?months=6"),
)


def add_tasks(db_file: str, tasks: int = TASKS) -> None:
    """Two tasks a company (three in four open), and expected closes on a third of them."""
    engine = sqlalchemy.create_engine(f"sqlite:///{db_file}")
    now = utc_now()
    try:
        with engine.begin() as conn:
            project_pk = conn.scalar(select(Project.pk).where(Project.id == DEFAULT_PROJECT))
            companies = list(conn.execute(select(Company.pk, Company.id).order_by(Company.pk)))
            for n, (pk, _) in enumerate(companies):
                if n % 3 == 0:
                    close = (now + timedelta(days=(n % 200) - 20)).date()
                    conn.execute(
                        sqlalchemy.update(Company)
                        .where(Company.pk == pk)
                        .values(expected_close=close)
                    )
            rows: list[dict[str, Any]] = []
            for n in range(tasks):
                company_pk = companies[n % len(companies)][0]
                due = now + timedelta(hours=(n * 37) % (63 * 24) - 21 * 24)
                done = n % 4 == 0
                rows.append(
                    {
                        "id": f"tk_{n:06d}",
                        "project_pk": project_pk,
                        "company_pk": company_pk,
                        "title": f"Follow up {n}",
                        "kind": ("call", "email", "meeting", "task")[n % 4],
                        "due": due.isoformat(),
                        "due_at": due,
                        "all_day": False,
                        "status": "done" if done else "open",
                        "source": "import",
                        "created_at": now,
                        "updated_at": now,
                        "done_at": now if done else None,
                    }
                )
            conn.execute(insert(Task), rows)
    finally:
        engine.dispose()


def timed_calls(port: int, path: str, calls: int) -> list[float]:
    """``calls`` sequential GETs on one kept-alive connection; answers their seconds."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    out = []
    try:
        for _ in range(calls + 2):  # two to warm the caches, not counted
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
            answer.read()
            if answer.status != 200:
                raise RuntimeError(f"GET {path} answered {answer.status}")
            out.append(time.perf_counter() - started)
    finally:
        conn.close()
    return out[2:]


def measure(work: Path, runs: int, calls: int = CALLS) -> list[Row]:
    data = work / "next-steps"
    print("  next steps: seeding 10k companies, 20k tasks", file=sys.stderr)
    generate(data, COMPANIES)
    add_tasks(str(data / "halcrm.db"))
    samples: dict[str, list[float]] = {name: [] for name, _ in ROUTES}
    with halcrm_serve(data) as served:
        for _ in range(runs):
            for name, path in ROUTES:
                samples[name] += timed_calls(served.port, path, calls)
    rows = []
    for name, _ in ROUTES:
        values = samples[name]
        p50 = percentile(values, 50)
        row = Row(
            f"{name}: 10k companies, 20k tasks, HTTP",
            p50=ms(p50),
            p99=ms(percentile(values, 99)),
        )
        rows.append(judged(row, BAR, p50 * 1000))
    return rows
