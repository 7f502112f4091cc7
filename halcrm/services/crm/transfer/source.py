"""Reading an import file: UTF-8 (with or without BOM), `,` `;` or tab delimited, by record."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Generator
from pathlib import Path
from typing import IO

from halcrm.domain.errors import InvalidRequest

Progress = Callable[[int, int], None]
"""Called with (bytes read, file size) as a file is read."""

_DELIMITERS = ",;\t"
# Spreadsheet cells may be long (notes, JSON metadata); csv's default limit is 128 KiB.
csv.field_size_limit(16 * 1024 * 1024)


class _Counting(io.RawIOBase):
    """A binary file that counts what has been read from it (the progress bar's measure)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def sniff_delimiter(sample: str) -> str:
    """The delimiter of the header line: the candidate it holds most of outside quotes."""
    header = sample.split("\n", 1)[0]
    outside = "".join(part for n, part in enumerate(header.split('"')) if n % 2 == 0)
    counts = {d: outside.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def records(
    path: Path, delimiter: str | None = None, progress: Progress | None = None
) -> Generator[tuple[int, list[str]], None, None]:
    """Yields ``(row number, cells)`` from the header on; the header is row 1, as in a
    spreadsheet (a quoted newline stays inside its cell and its row)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as head:
            sample = head.read(64 * 1024).decode("utf-8-sig", errors="replace")
        raw = _Counting(path.open("rb"))
    except OSError as exc:
        raise InvalidRequest(f"cannot read {path}: {exc.strerror or exc}", field="file") from None
    chosen = delimiter or sniff_delimiter(sample)
    with io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8-sig", newline="") as text:
        try:
            reader = csv.reader(text, delimiter=chosen)
            for number, cells in enumerate(reader, start=1):
                if progress is not None and number % 1000 == 0:
                    progress(raw.count, size)
                yield number, cells
        except UnicodeDecodeError:
            raise InvalidRequest(
                f"{path.name} is not UTF-8 text (save it as CSV UTF-8)", field="file"
            ) from None
        except csv.Error as exc:
            raise InvalidRequest(f"{path.name} is not a readable CSV file: {exc}") from None
    if progress is not None:
        progress(size, size)


def header(path: Path, delimiter: str | None = None) -> list[str]:
    """The file's first record (what kind of file it is is told by its columns)."""
    with contextlib.closing(records(path, delimiter)) as rows:  # closes the file at once
        for _, cells in rows:
            return cells
    raise InvalidRequest(f"{path.name} is empty", field="file")
