"""``halcrm board`` on a data folder whose database a running ``halcrm serve`` serves: the
board attaches to that server (real processes, the board in a pseudo-terminal); a port held
by something else is one line that says how to attach."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from halcrm.cli import attach
from halcrm.settings import Settings
from tests.e2e.test_entry_point import DEADLINE, drain
from tests.processes import free_port, halcrm_serve, wait_until_up

TOKEN = "attach-token-" + "a" * 20


def board(data_dir: Path, tmp_path: Path, port: int) -> tuple[subprocess.Popen[bytes], int]:
    import pty

    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")}
    env.update(
        HALCRM_DATA_DIR=str(data_dir),
        HALCRM_ACCOUNT_TOKEN=TOKEN,
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        TERM="xterm-256color",
    )
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "halcrm", "board", "--port", str(port)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    return proc, master


async def test_a_board_attaches_to_the_serve_of_its_data_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port, board_port = free_port(), free_port()
    with halcrm_serve(data_dir, port, TOKEN) as server:
        await wait_until_up(f"http://127.0.0.1:{port}", server)
        settings = Settings.from_env({"HALCRM_DATA_DIR": str(data_dir)})
        assert attach.serving(settings) == f"http://127.0.0.1:{port}"
        proc, master = board(data_dir, tmp_path, board_port)
        screen = b""
        try:
            end = time.monotonic() + DEADLINE
            while f"connected http://127.0.0.1:{port}".encode() not in screen:
                assert proc.poll() is None, screen.decode(errors="replace")
                assert time.monotonic() < end, screen.decode(errors="replace")[-2000:]
                screen += drain(master, 0.2)
            with socket.socket() as sock:  # the board started no server of its own
                sock.bind(("127.0.0.1", board_port))
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
        assert server.poll() is None  # the server runs on
    settings = Settings.from_env({"HALCRM_DATA_DIR": str(data_dir)})
    assert attach.serving(settings) is None  # a killed serve leaves no live address


def test_a_port_in_use_says_how_to_attach(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        err = tmp_path / "err"
        code = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from halcrm.cli.main import main; "
                f"sys.exit(main(['board', '--port', '{port}']))",
            ],
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")},
                "HALCRM_DATA_DIR": str(tmp_path / "data"),
                "XDG_CONFIG_HOME": str(tmp_path / "config"),
            },
            stderr=err.open("w"),
            stdout=subprocess.DEVNULL,
            timeout=60,
        ).returncode
    text = err.read_text()
    assert code == 1
    assert len(text.strip().splitlines()) == 1, text
    assert f"127.0.0.1:{port} is in use" in text
    assert f"halcrm board --connect http://127.0.0.1:{port}" in text
