"""A file that is no CSV a person made (a header of millions of columns, a row of 50 MB) is
refused at once, in one line, with memory flat (peak RSS printed, at most 200 MB)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from halcrm.domain.errors import InvalidRequest
from halcrm.services.container import Services
from halcrm.services.crm.transfer import source
from halcrm.services.crm.transfer.report import ImportOptions
from halcrm.services.limits import MAX_BODY_BYTES
from tests.services.transfer.helpers import dump

SIZE = 50 * 1024 * 1024
# Runs the import in a child and prints the child's peak RSS (KiB on Linux) after its output.
_MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(done.stderr)
print("exit", done.returncode)
print("peak_rss_kib", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _single_line(path: Path) -> Path:
    with path.open("w") as handle:
        chunk = "a," * (1024 * 1024)
        for _ in range(SIZE // len(chunk)):
            handle.write(chunk)
    return path


def _long_row(path: Path) -> Path:
    with path.open("w") as handle:
        handle.write("name,notes\n")
        handle.write('Acme,"')
        chunk = "x" * (1024 * 1024)
        for _ in range(SIZE // len(chunk)):
            handle.write(chunk)
        handle.write('"\n')
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [(_single_line, "row 1 is longer than"), (_long_row, "row 2 is longer than")],
)
def test_a_50_mb_line_is_refused_at_once_in_flat_memory(
    tmp_path: Path, make: object, words: str
) -> None:
    path = make(tmp_path / "big.csv")  # type: ignore[operator]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")}
    env.update(HALCRM_DATA_DIR=str(tmp_path / "data"), HALCRM_DB=str(tmp_path / "halcrm.db"))
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "halcrm", "import", str(path)],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    peak_mb = int(lines[-1].split()[1]) / 1024
    print(f"peak RSS of halcrm import on a 50 MB line: {peak_mb:.0f} MB")
    assert lines[-2] == "exit 2"
    [message] = lines[:-2]
    assert message.startswith("halcrm: big.csv: ")
    assert words in message
    assert peak_mb <= 200


def test_a_header_of_over_1000_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{n}" for n in range(1001)) + "\n1\n")
    with pytest.raises(InvalidRequest, match="1,001 columns, more than 1,000"):
        source.header(path)
    path.write_text(",".join(f"c{n}" for n in range(1000)) + "\n1\n")
    assert len(source.header(path)) == 1000


async def test_a_long_record_over_quoted_newlines_is_refused_and_nothing_written(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    body = "\n".join(["y" * 1000] * (MAX_BODY_BYTES // 1000 + 1))
    path.write_text(f'name,notes\nFine,ok\nAcme,"{body}"\n')
    before = dump(services)
    with pytest.raises(InvalidRequest, match="row 3 is longer than 65,536"):
        await services.transfer.import_file(path, ImportOptions())
    assert dump(services) == before
