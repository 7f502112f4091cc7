"""``halcrm import``, ``export``, ``backup`` and ``restore``: data in and out of halcrm."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sqlite3
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from halcrm.cli.flags import store_flags
from halcrm.domain.errors import DomainError
from halcrm.domain.words import count
from halcrm.settings import Settings

if TYPE_CHECKING:
    from halcrm.services.container import Services

COMMANDS = ("import", "export", "backup", "restore")


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
        "--merge-deals",
        action="store_true",
        help="several deals of one company: keep the most advanced open deal's stage and the "
        "open deals' sum (else refused)",
    )
    load.add_argument(
        "--stage-map",
        action="append",
        default=[],
        metavar="'FILE STAGE=STAGE[:PCT],…'",
        help="use STAGE for a file's stage name; with --create-stages, a created stage's win "
        "probability ('Lead In=Lead', 'Demo Scheduled=Qualified:40', 'Trial:30')",
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
    store_flags(load)
    out = commands.add_parser(
        "export", help="export stages, companies, contacts, activity or tasks"
    )
    out.add_argument("what", choices=("stages", "companies", "contacts", "activity", "tasks"))
    out.add_argument("--format", choices=("csv", "json"), default="csv")
    out.add_argument("-o", "--output", type=Path, help="the file to write (default: stdout)")
    store_flags(out)
    copy = commands.add_parser("backup", help="copy the SQLite database (safe while it serves)")
    copy.add_argument("path", nargs="?", type=Path, help="where (default: data folder/backups/)")
    store_flags(copy)
    back = commands.add_parser("restore", help="replace the SQLite database with a backup")
    back.add_argument("path", type=Path, help="the backup file")
    store_flags(back)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs one of the four commands; every refusal or failure is one line on stderr."""
    from sqlalchemy.exc import DBAPIError

    try:
        return _dispatch(args, settings)
    except DomainError as exc:
        print(f"halcrm: {exc.detail}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except (sqlite3.Error, DBAPIError, OSError) as exc:
        print(f"halcrm: {args.command} failed: {_first_line(exc)}", file=sys.stderr)
        return 1


def _first_line(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    text = getattr(inner, "strerror", None) or str(inner).strip() or type(inner).__name__
    where = getattr(inner, "filename", None)
    line = str(text).splitlines()[0]
    return f"{line} ({where})" if where else line


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from halcrm.cli.db_check import diagnose

    problem = diagnose(settings.db) if args.command != "restore" else None
    # A read-only database is intact: it can be read (export, backup), not written (import).
    if problem is not None and not (problem.kind == "read_only" and args.command != "import"):
        print(f"halcrm: {problem.message}", file=sys.stderr)
        return 1
    if args.command == "import":
        from halcrm.cli.data_import import run_import

        return run_import(args, settings)
    if args.command == "export":
        import asyncio  # here: every other command's start skips it

        if problem is not None:
            with _copy_of(settings) as copy:
                return asyncio.run(_export(args, copy))
        return asyncio.run(_export(args, settings))
    if args.command == "backup":
        return _backup(args, settings)
    return _restore(args, settings)


@contextlib.contextmanager
def _copy_of(settings: Settings) -> Iterator[Settings]:
    """Settings opening a copy of a read-only database, in a temporary folder: the runtime
    migrates and locks the database it opens, which a read-only file cannot take."""
    from halcrm.services.crm.transfer.backup import backup

    with tempfile.TemporaryDirectory(prefix="halcrm-export-") as folder:
        copy = Path(folder) / "halcrm.db"
        backup(_sqlite(settings), copy)
        yield replace(settings, db=str(copy), data_dir=Path(folder) / "data", backup_days=0)


@contextlib.asynccontextmanager
async def services_of(settings: Settings) -> AsyncIterator[Services]:
    # The runtime also holds the database's lock, so a restore cannot run under an import.
    from halcrm.runtime import open_runtime

    runtime = await open_runtime(settings)
    try:
        yield runtime.services
    finally:
        await runtime.close()


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    with _warnings_to_stderr():
        async with services_of(settings) as services:
            chunks = services.transfer.export(args.what, args.format)
            if args.output is None:
                try:
                    await _write(chunks, sys.stdout.write)
                    sys.stdout.flush()
                except BrokenPipeError:
                    # The reader left (`| head`): the rest is not wanted. Python would flush
                    # stdout again on the way out and complain; point it at nothing instead.
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return 0
            partial = args.output.with_name(args.output.name + ".partial")
            with partial.open("w", encoding="utf-8", newline="") as handle:
                await _write(chunks, handle.write)
            partial.replace(args.output)
    print(f"halcrm: {args.what} written to {args.output}", file=sys.stderr)
    return 0


@contextlib.contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """The export's warnings (a row mended on its way out) as ``halcrm: warning: …`` lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("halcrm: warning: %(message)s"))
    handler.setLevel(logging.WARNING)
    # The exporter's, and the database's when it reads a stored value it has to mend.
    loggers = [
        logging.getLogger(n) for n in ("halcrm.services.crm.transfer.exporter", "halcrm.db.engine")
    ]
    kept = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, propagate in zip(loggers, kept, strict=True):
            logger.removeHandler(handler)
            logger.propagate = propagate


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
