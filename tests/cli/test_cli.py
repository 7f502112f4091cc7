"""The command line as a user runs it: a real `halcrm serve` process answering HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx


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
