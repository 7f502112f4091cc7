"""``halcrm import``: a file checked, backed up against (SQLite), imported, reported; Ctrl-C
rolls it back."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from typing import TextIO

from halcrm.cli.data import services_of
from halcrm.domain.words import count
from halcrm.services.crm.transfer import columns
from halcrm.services.crm.transfer.deals import parse_stage_map
from halcrm.services.crm.transfer.report import (
    Counts,
    ImportInterrupted,
    ImportOptions,
    ImportRefused,
    ImportReport,
)
from halcrm.settings import Settings

# Backups taken before imports kept in the backups folder (the oldest go first).
KEEP_BEFORE_IMPORT = 5


class _Bar:
    """A progress bar on a terminal's stderr; silent when stderr is piped or redirected."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.shown = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.live or (now - self.shown < 0.1 and done < total):
            return
        self.shown = now
        share = done / total if total else 1.0
        filled = int(share * 30)
        bar = "█" * filled + "░" * (30 - filled)
        self.stream.write(f"\r{phase:<10} {bar} {share:4.0%}")
        self.stream.flush()

    def end(self) -> None:
        if self.live:
            self.stream.write("\r" + " " * 50 + "\r")
            self.stream.flush()


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return asyncio.run(_import(args, settings))
    except (KeyboardInterrupt, ImportInterrupted):
        # Ctrl-C before the import began (opening the database) or during it: either way the
        # transaction never committed.
        print("halcrm: interrupted: nothing imported", file=sys.stderr)
        return 130


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    cancel = threading.Event()
    # Ctrl-C sets the flag the import checks at every row; its transaction then rolls back
    # (the default would cancel the awaiting task while the database thread commits anyway).
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, cancel.set)
    bar = _Bar(sys.stderr)
    options = ImportOptions(
        dry_run=args.dry_run,
        partial=args.partial,
        create_stages=args.create_stages,
        maps=columns.parse_maps(args.map),
        merge_deals=args.merge_deals,
        stage_map=parse_stage_map(args.stage_map),
        delimiter=args.delimiter,
        max_line=settings.max_body_bytes,
        cancel=cancel,
        before_write=functools.partial(_backup_first, settings, bar),
    )
    async with services_of(settings) as services:
        try:
            report = await services.transfer.import_file(args.file, options, bar)
        except ImportRefused as refused:
            bar.end()
            _print_report(refused.report, args.json)
            print(
                f"halcrm: nothing was imported: {count(len(refused.report.rejected), 'row')} "
                "rejected (fix them, or use --partial to import the other rows)",
                file=sys.stderr,
            )
            return 1
        bar.end()
    _print_report(report, args.json)
    return 0


def _print_report(report: object, as_json: bool) -> None:
    assert isinstance(report, ImportReport)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
        return
    state = "dry run, nothing written" if report.dry_run else (
        "imported" if report.applied else "not imported"
    )  # fmt: skip
    print(f"{report.file}: {count(report.rows, 'row')} ({state})")
    if report.tasks is not None:
        _print_counts("tasks", report.tasks)
    elif report.stages is not None:
        _print_counts("stages", report.stages)
        if report.stages_untouched:
            names = ", ".join(report.stages_untouched)
            print(f"  left as they are (not in the file): {names}")
    else:
        _print_counts("companies", report.companies)
        _print_counts("contacts", report.contacts)
        print(f"  links: {report.links} new; placeholders let go: {report.placeholders_released}")
    if report.stages_created:
        print(f"  stages created: {', '.join(report.stages_created)}")
    if report.ignored_columns:
        print(f"  columns ignored: {', '.join(report.ignored_columns)}")
    for note in report.notes:
        print(f"  {note}")
    if report.rejected:
        print(f"  rejected: {count(len(report.rejected), 'row')}")
        _print_unknown_stages(report)
        listed = [r for r in report.rejected if not r.reason.startswith("unknown stage ")]
        for item in listed[:200]:
            print(f"    row {item.row}, column {item.column!r}: {item.reason}")
        if len(listed) > 200:
            print(f"    ... and {len(listed) - 200} more (--json lists them all)")
    for item in report.warnings[:50]:
        print(f"  row {item.row}: {item.reason}")


def _print_unknown_stages(report: ImportReport) -> None:
    """One line for every row whose stage is unknown, not one line each."""
    if not report.unknown_stages:
        return
    named = ", ".join(f"{name!r} ({n})" for name, n in report.unknown_stages.items())
    first = next(iter(report.unknown_stages))
    print(
        f"    unknown stages (rows): {named}; map them (--stage-map '{first}=Qualified') or "
        "create them (--create-stages)"
    )


def _print_counts(what: str, counts: Counts) -> None:
    print(f"  {what}: {counts.new} new, {counts.updated} updated, {counts.unchanged} unchanged")


def _backup_first(settings: Settings, bar: _Bar) -> None:
    """Copies a SQLite database that holds companies or contacts before the import writes
    (``backups/before-import-YYYYmmdd-HHMMSS.db``); nothing for PostgreSQL (use pg_dump)."""
    from halcrm.db.engine import database_url, is_sqlite
    from halcrm.services.crm.transfer.backup import BACKUP_DIR, backup, counts, sqlite_path

    url = database_url(settings.db)
    if not is_sqlite(url):
        return
    database = sqlite_path(url)
    held = counts(database)
    if not (held["companies"] or held["contacts"]):
        return  # nothing to lose
    folder = settings.data_dir / BACKUP_DIR
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    copy = backup(database, folder / f"before-import-{stamp}.db")
    for old in sorted(folder.glob("before-import-*.db"))[:-KEEP_BEFORE_IMPORT]:
        old.unlink(missing_ok=True)
    bar.end()
    print(f"halcrm: the database was backed up to {copy.path} first", file=sys.stderr)
