"""``halcrm login`` and the token of ``halcrm board --connect``: checked against a real
server, kept private to the user; a missing token or an unreachable server is one line."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import stat
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from halcrm.cli.login import logins_path, saved_token
from halcrm.cli.main import main
from tests.processes import free_port, halcrm_serve, wait_until_up

TOKEN = "login-token-" + "l" * 20


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env_clean: None) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HALCRM_DATA_DIR", str(tmp_path / "local"))
    return tmp_path / "config"


async def test_login_checks_the_token_and_keeps_it_private(
    tmp_path: Path, config_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with halcrm_serve(tmp_path / "data", port, TOKEN) as proc:
        await wait_until_up(base, proc)
        assert await _main(["login", base, "--token", "wrong"]) == 1
        assert "refused the board: unauthorized" in capsys.readouterr().err
        assert not logins_path().exists()
        assert await _main(["login", base + "/", "--token", TOKEN]) == 0
    assert "project local" in capsys.readouterr().out
    assert saved_token(base) == TOKEN
    assert stat.S_IMODE(logins_path().stat().st_mode) == 0o600
    assert logins_path().is_relative_to(config_home)


async def _main(argv: list[str]) -> int:
    # main() runs its own event loop: off this test's loop, in a thread.
    return await asyncio.to_thread(main, argv)


def test_connect_without_a_token_says_how_to_get_one(
    config_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["board", "--connect", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "halcrm login http://127.0.0.1:9 --token TOKEN" in err


def test_connect_to_nothing_is_one_line(
    config_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    assert main(["board", "--connect", f"http://127.0.0.1:{port}", "--token", "x"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"cannot reach halcrm at http://127.0.0.1:{port}" in err


async def test_connect_takes_the_project_from_the_environment(
    tmp_path: Path,
    config_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """HALCRM_PROJECT_ID counts as --project does: a project the server lacks is one line."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with halcrm_serve(tmp_path / "data", port, TOKEN) as proc:
        await wait_until_up(base, proc)
        monkeypatch.setenv("HALCRM_PROJECT_ID", "no-such-project")
        assert await _main(["board", "--connect", base, "--token", TOKEN]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "no-such-project" in err


async def test_an_address_without_a_scheme_is_plain_http(
    tmp_path: Path,
    config_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with halcrm_serve(tmp_path / "data", port, TOKEN) as proc:
        await wait_until_up(base, proc)
        assert await _main(["login", f"127.0.0.1:{port}", "--token", TOKEN]) == 0
        assert saved_token(base) == TOKEN
        assert saved_token(f"127.0.0.1:{port}/") == TOKEN
        # The board reaches the server at host:port (and is refused only the missing project).
        monkeypatch.setenv("HALCRM_PROJECT_ID", "no-such-project")
        assert await _main(["board", "--connect", f"127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"halcrm: {base} refused the board: unknown_project"), err
    assert len(err.splitlines()) == 1


def test_nothing_listening_is_one_plain_sentence(
    config_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    assert main(["board", "--connect", f"127.0.0.1:{port}", "--token", "x"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"halcrm: cannot reach halcrm at http://127.0.0.1:{port}: nothing answers there "
        "(connection refused); is halcrm serving there?"
    )


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # its lines go to stderr
        pass


@contextlib.contextmanager
def _other_web_server(root: Path) -> Iterator[int]:
    """A web server that is not halcrm, serving the files under ``root``."""
    handler = functools.partial(_QuietFiles, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("page", "status"), [(None, 404), ("<html>hello</html>", 200)])
def test_a_server_that_is_not_halcrm_is_one_plain_sentence(
    tmp_path: Path,
    config_home: Path,
    capsys: pytest.CaptureFixture[str],
    page: str | None,
    status: int,
) -> None:
    root = tmp_path / "site"
    (root / "api").mkdir(parents=True)
    if page is not None:
        (root / "api" / "project").write_text(page)
    with _other_web_server(root) as port:
        assert main(["board", "--connect", f"127.0.0.1:{port}", "--token", "x"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"halcrm: http://127.0.0.1:{port} answers, but not as halcrm does "
        f"(GET /api/project: {status}); check the address"
    )


def test_a_server_that_does_not_speak_http_is_one_plain_sentence(
    config_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def greet() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(1024)
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

        thread = threading.Thread(target=greet, daemon=True)
        thread.start()
        assert main(["board", "--connect", f"127.0.0.1:{port}", "--token", "x"]) == 1
        thread.join(5)
    err = capsys.readouterr().err.strip()
    assert err == (
        f"halcrm: cannot reach halcrm at http://127.0.0.1:{port}: what answers there does not "
        "speak HTTP as halcrm does; is it a halcrm server?"
    )
