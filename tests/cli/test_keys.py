"""``halcrm api-key create|list|revoke`` against a real database file."""

from __future__ import annotations

from pathlib import Path

import pytest

from halcrm.cli.main import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env_clean: None) -> Path:
    monkeypatch.setenv("HALCRM_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_create_list_revoke(data_dir, capsys):
    assert main(["api-key", "create", "--name", "zapier"]) == 0
    out = capsys.readouterr()
    key = out.out.strip()
    assert key.startswith("hcrm_live_")
    assert "only time" in out.err

    assert main(["api-key", "list"]) == 0
    listing = capsys.readouterr().out
    assert "zapier" in listing
    assert key[:16] in listing
    assert key not in listing
    assert "live" in listing
    key_id = listing.split("\t", 1)[0]

    assert main(["api-key", "revoke", key_id]) == 0
    capsys.readouterr()
    assert main(["api-key", "list"]) == 0
    assert "revoked" in capsys.readouterr().out


def test_revoking_an_unknown_key_fails_clearly(data_dir, capsys):
    assert main(["api-key", "revoke", "key_nope"]) == 1
    assert "no API key with id 'key_nope'" in capsys.readouterr().err
