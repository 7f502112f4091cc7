"""Quick commands start quickly: ``halcrm --help``, ``token`` and the help of ``signal`` and
``export`` load none of the heavy libraries (the event loop, the database, the web framework,
the HTTP client, the TUI), counted by ``python -X importtime``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = {"asyncio", "sqlalchemy", "litestar", "httpx", "psycopg", "textual", "alembic", "uvicorn"}


def _child(args: list[str], data: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in a fresh process on the data folder ``data``; it must exit 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")}
    env["HALCRM_DATA_DIR"] = str(data)
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _imported(args: list[str], data: Path) -> set[str]:
    done = _child(["-X", "importtime", "-m", "halcrm", *args], data, 60)
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.mark.parametrize(
    "args", [["--help"], ["token"], ["signal", "--help"], ["export", "--help"]], ids=" ".join
)
def test_a_quick_command_loads_no_heavy_library(args: list[str], tmp_path: Path) -> None:
    assert _imported(args, tmp_path) & HEAVY == set()


# What a data command needs is the database: not the web server, the TUI, the HTTP client, or
# Alembic once the schema is at its head.
SERVING = {"litestar", "uvicorn", "textual", "httpx", "alembic"}


def test_export_and_import_load_no_server_library(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _imported(["export", "stages"], data)  # makes the database (Alembic, once)
    source = tmp_path / "in.csv"
    source.write_text("Company name,Company Domain Name\nAcme,acme.com\n")
    assert _imported(["import", str(source)], data) & SERVING == set()
    assert _imported(["export", "companies"], data) & SERVING == set()


# ``halcrm serve`` on an existing project reaches its first answer, and idles, on SQLAlchemy's
# Core alone: the ORM (a sixth of its start) is loaded by the first call that uses a session.
SERVE = """
import http.client, json, os, signal, sys, threading, time

port = int(sys.argv[1])
seen = {}


def first_answer():
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.01)
    seen["orm_at_first_answer"] = "sqlalchemy.orm" in sys.modules
    time.sleep(1.0)  # the webhook loop's first pass and the follower's first look
    seen["orm_when_idle"] = "sqlalchemy.orm" in sys.modules
    os.kill(os.getpid(), signal.SIGTERM)


threading.Thread(target=first_answer, daemon=True).start()
from halcrm.cli.main import main

code = main(["serve", "--host", "127.0.0.1", "--port", str(port)])
print(json.dumps({"code": code, **seen}))
"""


def _serve_once(data: Path) -> dict[str, object]:
    from tests.processes import free_port

    done = _child(["-c", SERVE, str(free_port())], data, 90)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_serve_answers_and_idles_without_the_orm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _serve_once(data)  # makes the database and the project (that loads the ORM, once)
    seen = _serve_once(data)
    assert seen == {"code": 0, "orm_at_first_answer": False, "orm_when_idle": False}
