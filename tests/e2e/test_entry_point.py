"""The real entry point: `halcrm` (the board) in a pseudo-terminal, ended by SIGTERM."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

DEADLINE = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(tmp_path: Path, port: int) -> tuple[subprocess.Popen[bytes], int]:
    env = {
        **os.environ,
        "HALCRM_DATA_DIR": str(tmp_path / "data"),
        # The user's own config.toml must not change what these tests see.
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TERM": "xterm-256color",
    }
    env.pop("HALCRM_DB", None)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "halcrm", "--port", str(port)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    return proc, master


def drain(master: int, seconds: float) -> bytes:
    """Reads what the program drew (a full pty would block it) for up to ``seconds``."""
    out = b""
    ready, _, _ = select.select([master], [], [], seconds)
    if ready:
        # The child closing its side ends reads with EIO: nothing more to read.
        with contextlib.suppress(OSError):
            out = os.read(master, 65536)
    return out


def serving(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_sigterm_quits_cleanly_and_releases_the_port(tmp_path: Path) -> None:
    port = free_port()
    proc, master = start(tmp_path, port)
    screen = b""
    try:
        end = time.monotonic() + DEADLINE
        while not serving(port):
            assert proc.poll() is None, screen.decode(errors="replace")
            assert time.monotonic() < end, "the server never answered"
            screen += drain(master, 0.2)
        # A first run offers demo data; "n" declines, and the board shows the server's address.
        end = time.monotonic() + DEADLINE
        while b"Load demo data" not in screen:
            assert time.monotonic() < end, "the demo offer never showed"
            screen += drain(master, 0.2)
        os.write(master, b"n")
        end = time.monotonic() + DEADLINE
        while f"serving http://127.0.0.1:{port}".encode() not in screen:
            assert time.monotonic() < end, "the status line never showed"
            screen += drain(master, 0.2)
        proc.send_signal(signal.SIGTERM)
        end = time.monotonic() + DEADLINE
        while proc.poll() is None and time.monotonic() < end:
            screen += drain(master, 0.2)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert b"Traceback" not in screen
    with socket.socket() as sock:  # the port is free again
        sock.bind(("127.0.0.1", port))


def test_a_port_in_use_is_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        proc, master = start(tmp_path, port)
        output = b""
        try:
            end = time.monotonic() + DEADLINE
            while proc.poll() is None and time.monotonic() < end:
                output += drain(master, 0.2)
            output += drain(master, 0.2)
            assert proc.wait(timeout=5) == 1
        finally:
            if proc.poll() is None:
                proc.kill()
            os.close(master)
    text = output.decode(errors="replace")
    assert f"127.0.0.1:{port} is in use" in text
    assert "Traceback" not in text


def test_a_broken_config_file_is_a_clear_message(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "halcrm"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("compact_cards = maybe\n")
    proc, master = start(tmp_path, free_port())
    output = b""
    try:
        end = time.monotonic() + DEADLINE
        while proc.poll() is None and time.monotonic() < end:
            output += drain(master, 0.2)
        output += drain(master, 0.2)
        assert proc.wait(timeout=5) == 2
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = output.decode(errors="replace")
    assert "the config file cannot be used" in text
    assert "config.toml" in text
    assert "Traceback" not in text
