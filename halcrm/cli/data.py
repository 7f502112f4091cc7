"""``halcrm import``, ``export``, ``backup`` and ``restore``: data in and out of halcrm."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from halcrm.domain.errors import DomainError
from halcrm.domain.words import count
from halcrm.settings import Settings

if TYPE_CHECKING:
    from halcrm.services.crm.transfer.plan import Counts
    from halcrm.services.facade import Services

COMMANDS = ("import", "export", "backup", "restore")


def _db_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="SQLite file path or SQLAlchemy URL (HALCRM_DB)")
    parser.add_argument("--project", dest="project_id", help="project id (HALCRM_PROJECT_ID)")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds the four commands to the ``halcrm`` parser."""
    load = commands.add_parser(
        "import",
        help="import stages, companies or contacts from a CSV file (halcrm, HubSpot, Pipedrive)",
        description="Imports a CSV file of companies, contacts or deal rows, or halcrm's own "
        "stages export (the pipeline is made to match it), in one transaction: all rows or "
        "none, unless --partial.",
    )
    load.add_argument("file", type=Path, help="the CSV file")
    load.add_argument("--dry-run", action="store_true", help="say what would happen; write nothing")
    load.add_argument("--partial", action="store_true", help="import the good rows, skip the bad")
    load.add_argument(
        "--create-stages", action="store_true", help="create stages the file names (else rejected)"
    )
    load.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="map a column: company.name, contact.email, company.metadata.KEY, ignore, ...",
    )
    load.add_argument("--delimiter", help="the field delimiter (default: guessed from the header)")
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    _db_flags(load)
    out = commands.add_parser(
        "export", help="export stages, companies, contacts, activity or tasks"
    )
    out.add_argument("what", choices=("stages", "companies", "contacts", "activity", "tasks"))
    out.add_argument("--format", choices=("csv", "json"), default="csv")
    out.add_argument("-o", "--output", type=Path, help="the file to write (default: stdout)")
    _db_flags(out)
    copy = commands.add_parser("backup", help="copy the SQLite database (safe while it serves)")
    copy.add_argument("path", nargs="?", type=Path, help="where (default: data folder/backups/)")
    _db_flags(copy)
    back = commands.add_parser("restore", help="replace the SQLite database with a backup")
    back.add_argument("path", type=Path, help="the backup file")
    _db_flags(back)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.command == "import":
            return asyncio.run(_import(args, settings))
        if args.command == "export":
            return asyncio.run(_export(args, settings))
        if args.command == "backup":
            return _backup(args, settings)
        return _restore(args, settings)
    except DomainError as exc:
        print(f"halcrm: {exc.detail}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


@contextlib.asynccontextmanager
async def _services(settings: Settings) -> AsyncIterator[Services]:
    # The runtime also holds the database's lock, so a restore cannot run under an import.
    from halcrm.runtime import open_runtime

    runtime = await open_runtime(settings)
    try:
        yield runtime.services
    finally:
        await runtime.close()


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


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    from halcrm.services.crm.transfer import columns
    from halcrm.services.crm.transfer.report import ImportOptions, ImportRefused

    options = ImportOptions(
        dry_run=args.dry_run,
        partial=args.partial,
        create_stages=args.create_stages,
        maps=columns.parse_maps(args.map),
        delimiter=args.delimiter,
    )
    bar = _Bar(sys.stderr)
    async with _services(settings) as services:
        try:
            report = await services.import_file(args.file, options, bar)
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
    from halcrm.services.crm.transfer.report import ImportReport

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
    if report.rejected:
        print(f"  rejected: {count(len(report.rejected), 'row')}")
        for item in report.rejected[:200]:
            print(f"    row {item.row}, column {item.column!r}: {item.reason}")
        if len(report.rejected) > 200:
            print(f"    ... and {len(report.rejected) - 200} more (--json lists them all)")
    for item in report.warnings[:50]:
        print(f"  row {item.row}: {item.reason}")


def _print_counts(what: str, counts: Counts) -> None:
    print(f"  {what}: {counts.new} new, {counts.updated} updated, {counts.unchanged} unchanged")


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    async with _services(settings) as services:
        chunks = services.export(args.what, args.format)
        if args.output is None:
            await _write(chunks, sys.stdout.write)
            sys.stdout.flush()
            return 0
        partial = args.output.with_name(args.output.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="") as handle:
            await _write(chunks, handle.write)
        partial.replace(args.output)
    print(f"halcrm: {args.what} written to {args.output}", file=sys.stderr)
    return 0


async def _write(chunks: AsyncIterator[str], write: Callable[[str], object]) -> None:
    async for chunk in chunks:
        write(chunk)


def _sqlite(settings: Settings) -> Path:
    from halcrm.db.engine import database_url
    from halcrm.services.crm.transfer.backup import sqlite_path

    return sqlite_path(database_url(settings.db))


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from halcrm.services.crm.transfer.backup import BACKUP_DIR, NOUNS, backup

    database = _sqlite(settings)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = args.path or settings.data_dir / BACKUP_DIR / f"halcrm-{stamp}.db"
    if target.is_dir():
        target = target / f"halcrm-{stamp}.db"
    copy = backup(database, target)
    figures = ", ".join(count(n, NOUNS[table]) for table, n in copy.counts.items())
    print(f"backup written to {copy.path} ({copy.bytes:,} bytes; {figures})")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from halcrm.services.crm.transfer.backup import restore

    database = _sqlite(settings)
    kept = restore(database, args.path)
    if kept is None:
        print(f"{database} restored from {args.path} (there was no database there before)")
    else:
        print(f"{database} restored from {args.path}; the database it replaced is kept as {kept}")
    return 0
