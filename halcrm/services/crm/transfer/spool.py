"""The rows a strict import's check built, kept on disk for the import itself.

A strict import reads its file twice: the check builds every row (cells split, checked and
parsed) before any lock is taken, then the import plans and writes them. Building a row cost
about as much as planning it, so the check keeps each row it built, as plain tuples pickled a
batch at a time into a temporary file (memory stays flat however long the file), and the
import reads them back instead of building them again. The file is unlinked from the start
(``tempfile.TemporaryFile``): nothing is left behind, however the process ends.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import fields
from operator import attrgetter
from types import TracebackType
from typing import Any

from halcrm.services.crm.transfer.rows import CompanyIn, ContactIn, RowIn
from halcrm.services.crm.transfer.source import Progress

BATCH = 2000
# Every field in order but the last of a company (``reference``, worked out again on use).
_COMPANY = attrgetter(*(f.name for f in fields(CompanyIn) if f.name != "reference"))
_CONTACT = attrgetter(*(f.name for f in fields(ContactIn)))


class Spool:
    """Rows written once (``add``), read back as often as the import runs (``read``: a write
    transaction that lost a race runs again)."""

    def __init__(self) -> None:
        # Closed by close() or the context manager (the import holds it in an ExitStack).
        self.file = tempfile.TemporaryFile(prefix="halcrm-import-")  # noqa: SIM115
        self.batch: list[tuple[Any, ...]] = []

    def add(self, row: RowIn) -> None:
        company, contact = row.company, row.contact
        self.batch.append(
            (
                row.number,
                None if company is None else _COMPANY(company),
                None if contact is None else _CONTACT(contact),
                row.warning,
            )
        )
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.batch:
            pickle.dump(self.batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.batch = []

    def read(self, progress: Progress | None = None) -> Iterator[RowIn]:
        """The rows in the order they were added, as new objects (the import changes them)."""
        self._flush()
        file = self.file
        size = file.seek(0, 2)
        file.seek(0)
        while file.tell() < size:
            for number, company, contact, warning in pickle.load(file):
                yield RowIn(
                    number,
                    None if company is None else CompanyIn(*company),
                    None if contact is None else ContactIn(*contact),
                    warning,
                )
            if progress is not None:
                progress(file.tell(), size)

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
