"""The docs: a short README whose links resolve, an example of every command, and a site that
builds strictly (and fails on a broken link, as `make test` relies on)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from halcrm.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _commands(parser: argparse.ArgumentParser, prefix: str = "halcrm") -> list[str]:
    """Every command line the parser knows, down to the sub-actions (`halcrm api-key create`)."""
    found: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                line = f"{prefix} {name}"
                below = _commands(sub, line)
                found.extend(below or [line])
    return found


def _docs_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))


def test_the_readme_is_short_and_its_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    targets = [t for t in LINK.findall(readme) if "://" not in t]
    assert "docs/index.md" in targets
    assert [t for t in targets if not (ROOT / t).exists()] == []


def test_every_command_has_an_example_in_the_docs() -> None:
    commands = _commands(build_parser())
    assert "halcrm api-key revoke" in commands
    assert "halcrm signal set-deal" in commands
    docs = _docs_text()
    assert [c for c in commands if c not in docs] == []


def _site_copy(tmp_path: Path) -> Path:
    """What the site is built from, copied, so a test can break it without touching the tree."""
    copy = tmp_path / "repo"
    for folder in ("docs", "screenshots"):
        shutil.copytree(ROOT / folder, copy / folder)
    (copy / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "mkdocs_hooks.py", copy / "scripts")
    for name in ("mkdocs.yml", "CHANGELOG.md"):
        shutil.copy(ROOT / name, copy / name)
    return copy


def _build(repo: Path) -> subprocess.CompletedProcess[str]:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    return subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(repo / "site")],
        cwd=repo,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_site_builds_strictly_with_every_guide(tmp_path: Path) -> None:
    repo = _site_copy(tmp_path)
    built = _build(repo)
    assert built.returncode == 0, built.stderr
    site = repo / "site"
    for page in ("board", "configuration", "widget", "data", "deploying", "api", "performance"):
        assert (site / page / "index.html").exists(), page
    for page in ("architecture", "next-steps", "webhooks", "changelog"):
        assert (site / page / "index.html").exists(), page
    # The guides' ../screenshots links land on the repository's own files.
    assert (site / "screenshots" / "board-160x45.svg").exists()
    assert 'src="../screenshots/board-80x24.svg"' in (site / "board" / "index.html").read_text()


@pytest.mark.parametrize(
    "broken",
    ["See [the lost page](no-such-page.md).", "See [a lost part](board.md#no-such-part)."],
)
def test_a_broken_link_fails_the_build(tmp_path: Path, broken: str) -> None:
    repo = _site_copy(tmp_path)
    page = repo / "docs" / "webhooks.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{broken}\n", encoding="utf-8")
    built = _build(repo)
    assert built.returncode != 0
    assert "no-such" in built.stderr
