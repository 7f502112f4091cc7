"""``halcrm login`` and the token of ``halcrm board --connect``: checked against a real
server, kept private to the user; a missing token or an unreachable server is one line."""

from __future__ import annotations

import asyncio
import stat
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
