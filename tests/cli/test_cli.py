"""The command line as a user runs it: a real `halcrm serve` process answering HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from halcrm.db.migrate import HEAD


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")}
    env["HALCRM_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def test_token_is_made_once_and_kept(tmp_path: Path):
    run = [sys.executable, "-m", "halcrm", "token"]
    first = subprocess.run(run, env=_env(tmp_path), capture_output=True, text=True, check=True)
    again = subprocess.run(run, env=_env(tmp_path), capture_output=True, text=True, check=True)
    assert first.stdout == again.stdout
    assert len(first.stdout.strip()) > 30
    token_file = tmp_path / "data" / "account_token"
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    forced = subprocess.run(
        run, env=_env(tmp_path, HALCRM_ACCOUNT_TOKEN="abc"), capture_output=True, text=True
    )
    assert forced.stdout.strip() == "abc"


def test_token_takes_the_flags_serve_takes(tmp_path: Path):
    plain = [sys.executable, "-m", "halcrm", "token"]
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/halcrm"
    flags = ["--db", url, "--host", "0.0.0.0", "--port", "8766", "--project", "p1"]
    made = subprocess.run(plain, env=_env(tmp_path), capture_output=True, text=True, check=True)
    same = subprocess.run(
        [*plain, *flags], env=_env(tmp_path), capture_output=True, text=True, check=False
    )
    assert same.returncode == 0, same.stderr
    assert same.stdout == made.stdout
    assert same.stderr == ""


def test_serve_answers_the_api_and_stops_on_sigterm(tmp_path: Path):
    env = _env(tmp_path, HALCRM_ACCOUNT_TOKEN="secret-token")
    proc = subprocess.Popen(
        [sys.executable, "-m", "halcrm", "serve", "--port", "0", "--db", str(tmp_path / "x.db")],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = None
        assert proc.stderr is not None
        for line in proc.stderr:
            match = re.search(r"on http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        assert port, "the server never said where it listens"
        base = f"http://127.0.0.1:{port}"
        body = {"app_id": "local", "visitor_id": "v1", "email": "a@acme.com"}
        answer = httpx.post(f"{base}/api/widget/identify", json=body, timeout=10)
        assert answer.status_code == 200
        listed = httpx.get(
            f"{base}/api/contacts", headers={"Authorization": "Bearer secret-token"}, timeout=10
        )
        assert listed.json()["items"][0]["email"] == "a@acme.com"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_port_in_use_is_a_clear_message(tmp_path: Path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "halcrm", "serve", "--port", str(port)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert "in use" in result.stderr
    assert "Traceback" not in result.stderr


def _serve_output(tmp_path: Path) -> list[str]:
    """What `halcrm serve` writes on the terminal from start to a clean stop."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "halcrm", "serve", "--port", "0", "--db", str(tmp_path / "x.db")],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if line.startswith("attach a board:"):
                break
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=15)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    # The day's first start also takes the daily backup and says so in a line of its own.
    return [line for line in lines + rest.splitlines() if "daily backup written" not in line]


def test_serve_says_the_schema_in_one_line_and_how_to_attach_a_board(tmp_path: Path):
    first = _serve_output(tmp_path)
    assert len(first) == 3, first
    assert first[0].endswith(f"database schema created (revision {HEAD})")
    assert first[1].startswith("halcrm serving project 'local' on http://127.0.0.1:")
    port = re.search(r":(\d+) ", first[1])
    assert port is not None
    assert first[2] == (
        f"attach a board: halcrm board --connect http://127.0.0.1:{port.group(1)} "
        "(its token: halcrm token)"
    )
    assert not [line for line in first if "alembic" in line or "uvicorn" in line]

    # Started again on the database it made: nothing to say about the schema.
    again = _serve_output(tmp_path)
    assert len(again) == 2, again
    assert again[0].startswith("halcrm serving project")
    assert again[1].startswith("attach a board: halcrm board --connect http://127.0.0.1:")
    # The log file keeps what the terminal leaves out.
    log = (tmp_path / "data" / "halcrm.log").read_text()
    assert "uvicorn.error: Application startup complete" in log
