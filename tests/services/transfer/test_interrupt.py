"""Ctrl-C (SIGINT) during `halcrm import`, in its checking and in its writing pass: exit 130,
"interrupted: nothing imported", every table as it was (both backends); on SQLite the
database was backed up before the writing pass began."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from halcrm.runtime import open_runtime
from halcrm.services.crm.inputs import CompanyCreate
from halcrm.settings import Settings
from tests.services.transfer.helpers import dump
from tests.services.transfer.test_kill import _big_file, _writing


def _position(pid: int, path: Path) -> int | None:
    """Where the process is in ``path`` (its open file's offset), None when it has it closed."""
    folder = Path(f"/proc/{pid}/fd")
    with contextlib.suppress(OSError):
        for fd in folder.iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) == str(path):
                    info = Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text()
                    return int(info.split("pos:", 1)[1].split()[0])
    return None


async def _tables(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    runtime = await open_runtime(settings)
    try:
        return dump(runtime.services)
    finally:
        await runtime.close()


async def _checking(
    proc: asyncio.subprocess.Process, source: Path, size: int, db_url: str, tmp: Path
) -> bool:
    """In the first pass: the file read a good way in, and no write transaction begun."""
    at = _position(proc.pid, source)
    return at is not None and 256 * 1024 < at < size * 0.6 and not await _writing(db_url, tmp)


@pytest.mark.skipif(not Path("/proc/self/fdinfo").exists(), reason="needs /proc")
@pytest.mark.parametrize("phase", ["checking", "writing"])
async def test_sigint_rolls_the_import_back(db_url: str, tmp_path: Path, phase: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", db=db_url)
    runtime = await open_runtime(settings)
    await runtime.services.companies.create(CompanyCreate(name="Kept Co", id="co_kept"))
    await runtime.close()
    before = await _tables(settings)
    source = _big_file(tmp_path / "big.csv")
    size = source.stat().st_size
    env = {**os.environ, "HALCRM_DATA_DIR": str(tmp_path / "data"), "HALCRM_DB": db_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "halcrm", "import", str(source), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(120):
            while True:
                assert proc.returncode is None, "the import ended before it was interrupted"
                if phase == "checking" and await _checking(proc, source, size, db_url, tmp_path):
                    break
                if phase == "writing" and await _writing(db_url, tmp_path):
                    break
                await asyncio.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(60):
            _, err = await proc.communicate()
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
    assert proc.returncode == 130, err
    assert err.decode().strip().splitlines()[-1] == "halcrm: interrupted: nothing imported"
    assert "Traceback" not in err.decode()
    assert await _tables(settings) == before
    backups = list((tmp_path / "data" / "backups").glob("before-import-*.db"))
    if phase == "writing" and "://" not in db_url:
        assert len(backups) == 1  # taken after the checks, before the first write
    if phase == "checking":
        assert backups == []
