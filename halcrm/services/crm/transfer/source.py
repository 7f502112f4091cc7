"""Reading an import file: UTF-8 (with or without BOM), `,` `;` or tab delimited, by record."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import IO

from halcrm.domain.errors import InvalidRequest
from halcrm.services.limits import MAX_BODY_BYTES

Progress = Callable[[int, int], None]
"""Called with (bytes read, file size) as a file is read."""

_DELIMITERS = ",;\t"
# A header wider than this is no export of a CRM (HubSpot's widest has a few hundred columns).
MAX_COLUMNS = 1000
# A record's text is held to the API's body limit (a cell can be no larger than a request).
csv.field_size_limit(max(csv.field_size_limit(), MAX_BODY_BYTES))


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


class _Lines:
    """The text's lines for the CSV reader, none read longer than ``limit`` characters, and
    no record (a quoted newline spans lines) longer either: memory stays flat whatever the
    file holds, and a file that breaks the limit is refused at once."""

    def __init__(self, text: IO[str], name: str, limit: int) -> None:
        self.text = text
        self.name = name
        self.limit = limit
        self.record = 0  # characters of the record read so far
        self.number = 1  # the row the reader is on (the header is row 1)

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.record += len(line)
        if self.record > self.limit:
            raise InvalidRequest(
                f"{self.name}: row {self.number} is longer than {self.limit:,} characters (the "
                "API's body limit, HALCRM_MAX_BODY_BYTES): is it a CSV file?",
                field="file",
            )
        return line


def records(
    path: Path,
    delimiter: str | None = None,
    progress: Progress | None = None,
    max_line: int = MAX_BODY_BYTES,
) -> Generator[tuple[int, list[str]], None, None]:
    """Yields ``(row number, cells)`` from the header on; the header is row 1, as in a
    spreadsheet (a quoted newline stays inside its cell and its row). A header of more than
    ``MAX_COLUMNS`` columns, or a row longer than ``max_line``, refuses the file at once."""
    try:
        size = path.stat().st_size
        with path.open("rb") as head:
            sample = head.read(64 * 1024).decode("utf-8-sig", errors="replace")
        raw = _Counting(path.open("rb"))
    except OSError as exc:
        raise InvalidRequest(f"cannot read {path}: {exc.strerror or exc}", field="file") from None
    chosen = delimiter or sniff_delimiter(sample)
    with io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8-sig", newline="") as text:
        lines = _Lines(text, path.name, max_line)
        try:
            reader = csv.reader(lines, delimiter=chosen)
            for number, cells in enumerate(reader, start=1):
                if number == 1 and len(cells) > MAX_COLUMNS:
                    raise InvalidRequest(
                        f"{path.name}: the header has {len(cells):,} columns, more than "
                        f"{MAX_COLUMNS:,}: is it a CSV file, and is --delimiter right?",
                        field="file",
                    )
                lines.record, lines.number = 0, number + 1
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


def header(path: Path, delimiter: str | None = None, max_line: int = MAX_BODY_BYTES) -> list[str]:
    """The file's first record (what kind of file it is is told by its columns)."""
    with contextlib.closing(
        records(path, delimiter, max_line=max_line)
    ) as rows:  # closes the file at once
        for _, cells in rows:
            return cells
    raise InvalidRequest(f"{path.name} is empty", field="file")
