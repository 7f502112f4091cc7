"""What an import was asked to do and what it reports: the same for every kind of file."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from halcrm.domain.errors import InvalidRequest
from halcrm.domain.words import count
from halcrm.services.crm.transfer.deals import Group, StageMapping
from halcrm.services.limits import MAX_BODY_BYTES

if TYPE_CHECKING:
    from halcrm.services.crm.transfer.spool import Spool


@dataclass
class Counts:
    """Records of one kind an import made, changed, or found as the file has them."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportOptions:
    dry_run: bool = False
    partial: bool = False
    create_stages: bool = False
    maps: dict[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    # Deal files: several deals of one company merged into it (else refused), and the stages
    # the file's stage names stand for (--stage-map).
    merge_deals: bool = False
    stage_map: StageMapping = field(default_factory=StageMapping)
    # The longest row read (the server's body limit, HALCRM_MAX_BODY_BYTES).
    max_line: int = MAX_BODY_BYTES
    # Set from another thread (the CLI's Ctrl-C): the import stops at its next row and its
    # transaction is rolled back (ImportInterrupted).
    cancel: threading.Event | None = None
    # Called once the rows are checked, before anything is written (the CLI's backup).
    before_write: Callable[[], object] | None = None

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ImportInterrupted


@dataclass(frozen=True)
class Rejection:
    """A row left out: its number (the header is row 1), the column at fault, and why."""

    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    file: str
    dry_run: bool = False
    applied: bool = False
    rows: int = 0
    companies: Counts = field(default_factory=Counts)
    contacts: Counts = field(default_factory=Counts)
    links: int = 0
    placeholders_released: int = 0
    stages_created: list[str] = field(default_factory=list)
    # A stages file's own counts (None for a file of companies or contacts), and the names of
    # the stages it does not name (left as they are).
    stages: Counts | None = None
    stages_untouched: list[str] = field(default_factory=list)
    # A tasks file's counts (halcrm's tasks export or Pipedrive's activities), else None.
    tasks: Counts | None = None
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # Stage names no stage has, with the rows naming each (their rows are in ``rejected``).
    unknown_stages: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # The first pass's email checks, handed to the second (not part of the report's text).
    checked_emails: dict[str, str | None] = field(default_factory=dict, repr=False)
    # The stages it will create (in the file's order), and the deals of companies with several.
    checked_stages: dict[str, str] = field(default_factory=dict, repr=False)
    checked_order: dict[str, None] = field(default_factory=dict, repr=False)
    groups: dict[int, Group] = field(default_factory=dict, repr=False)
    # The rows it built, kept for the second pass (``spool.Spool``; a strict import only).
    spool: Spool | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "rows": self.rows,
            "companies": self.companies.as_dict(),
            "contacts": self.contacts.as_dict(),
            "links": self.links,
            "placeholders_released": self.placeholders_released,
            "stages_created": self.stages_created,
            "stages": self.stages.as_dict() if self.stages is not None else None,
            "stages_untouched": self.stages_untouched,
            "tasks": self.tasks.as_dict() if self.tasks is not None else None,
            "rejected": [vars(r) for r in self.rejected],
            "warnings": [vars(r) for r in self.warnings],
            "ignored_columns": self.ignored_columns,
            "unknown_stages": self.unknown_stages,
            "notes": self.notes,
        }


class ImportInterrupted(Exception):
    """The import was cancelled (``ImportOptions.cancel``): nothing of it was written."""


class ImportRefused(InvalidRequest):
    """Rows were rejected and ``--partial`` was not given: nothing was written."""

    code = "import_rejected"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{count(len(report.rejected), 'row')} rejected; nothing was imported")
        self.report = report
