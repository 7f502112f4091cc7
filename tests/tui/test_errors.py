"""One end for failed board actions: a toast with the reason, the board as it was, the app on."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from halcrm.services.container import Services
from halcrm.tui.app import HalcrmApp
from tests.tui.helpers import column_of, focused, ready, until


def toasts(app: HalcrmApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """Makes the SQLite database in ``folder`` (its file, journal and folder) unwritable while
    the board holds it open: ``chattr +i`` as root (chmod does not stop root), else chmod."""
    # Not the -shm file: SQLite maps it into memory, and a write to an immutable mapping is
    # a SIGBUS, not an error. The database file, its write-ahead log and the folder suffice.
    files = [p for p in folder.iterdir() if p.name in ("halcrm.db", "halcrm.db-wal")]
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None:
            pytest.skip("root without chattr: cannot make the database unwritable")
        targets = [str(p) for p in [*files, folder]]
        done = subprocess.run([chattr, "+i", *targets], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"chattr +i refused here: {done.stderr.decode().strip()}")
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", *targets], check=True)
        return
    modes = {p: p.stat().st_mode for p in [*files, folder]}
    for path in modes:
        path.chmod(0o555 if path == folder else 0o444)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


async def test_a_write_to_an_unwritable_database_ends_in_a_toast(
    app: HalcrmApp, seeded: Services, db_url: str
) -> None:
    if "://" in db_url:
        pytest.skip("a file made unwritable is a SQLite case")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert focused(app) == "acme"
        with unwritable(Path(db_url).parent):
            await pilot.press("L")  # Acme: Lead -> Qualified, refused by the disk
            await until(pilot, lambda: any("Not saved" in t for t in toasts(app)), "toast")
            assert column_of(app, "acme") == "lead"  # the card stays where it was
            assert focused(app) == "acme"
            assert app.is_running
            assert app.return_code is None
            assert app.screen is app.board_screen  # the screen intact
        message = next(t for t in toasts(app) if "Not saved" in t)
        assert "database" in message
        assert "Nothing changed" in message
        assert (await seeded.companies.get("acme")).stage == "Lead"  # the stored stage unchanged
        await pilot.press("L")  # the board goes on: the next move is applied
        await until(pilot, lambda: column_of(app, "acme") == "qualified", "acme moved")
        assert (await seeded.companies.get("acme")).stage == "Qualified"


async def test_any_error_in_an_action_is_a_toast_not_a_crash(
    app: HalcrmApp, seeded: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the disk caught fire")

    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        monkeypatch.setattr(seeded.companies, "move", broken)
        await pilot.press("L")
        await until(pilot, lambda: any("caught fire" in t for t in toasts(app)), "toast")
        assert column_of(app, "acme") == "lead"
        await pilot.press("e")  # still answering keys
        await until(pilot, lambda: app.screen is not app.board_screen, "edit dialog")


async def test_a_refusal_is_a_toast_with_its_detail(app: HalcrmApp, seeded: Services) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("r")  # Acme is open: nothing to reopen
        await until(pilot, lambda: bool(toasts(app)), "toast")
        assert column_of(app, "acme") == "lead"
        assert (await seeded.companies.get("acme")).stage == "Lead"
