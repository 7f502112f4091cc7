"""Data in and out: ``halcrm import`` of 100k companies and 100k linked contacts, and export.

Each command runs as a user runs it, in a process of its own on a fresh data folder; the
figures are its wall time (rows per second) and its peak RSS as the kernel counted it.

Issue 25's bars for the companies on SQLite: import at most 5 s and 4x a raw baseline, export
at most 2 s and 3x its raw baseline, both baselines measured in the same run, each in a process
of its own too: the raw import reads the same file with ``csv`` and inserts its rows with
``sqlite3``'s ``executemany`` into a table of the same columns; the raw export is a plain
``SELECT`` of the companies halcrm imported, written with ``csv.writer``.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.procs import clean_env, halcrm_command
from bench.stats import median
from bench.table import Bar, Row, judged, secs, times

ROWS = 100_000
IMPORT_SECONDS = Bar(5.0, 3.0, higher_is_better=False, unit=" s")
EXPORT_SECONDS = Bar(2.0, 1.0, higher_is_better=False, unit=" s")
IMPORT_VS_RAW = Bar(4.0, 2.0, higher_is_better=False, unit="x")
EXPORT_VS_RAW = Bar(3.0, 1.5, higher_is_better=False, unit="x")

# The raw baselines, run as ``python -c`` with the file and the database as arguments.
RAW_IMPORT = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[2])
conn.execute("CREATE TABLE companies (pk INTEGER PRIMARY KEY, id TEXT, name TEXT, domain TEXT,"
             " industry TEXT, stage TEXT, deal_value TEXT)")
with open(sys.argv[1], newline="") as handle:
    rows = csv.reader(handle)
    next(rows)
    with conn:
        conn.executemany(
            "INSERT INTO companies (id, name, domain, industry, stage, deal_value)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ((f"co_{n}", *row) for n, row in enumerate(rows)),
        )
"""
RAW_EXPORT = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
out = csv.writer(sys.stdout, lineterminator="\\r\\n")
cursor = conn.execute("SELECT * FROM companies ORDER BY pk")
out.writerow([d[0] for d in cursor.description])
while rows := cursor.fetchmany(1000):
    out.writerows(rows)
"""


def write_files(folder: Path, rows: int = ROWS) -> tuple[Path, Path]:
    """A HubSpot-shaped companies file and a contacts file whose every row names a company."""
    folder.mkdir(parents=True, exist_ok=True)
    companies, contacts = folder / "companies.csv", folder / "contacts.csv"
    stages = ("Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost")
    with companies.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Company name", "Company Domain Name", "Industry", "Deal Stage", "Amount"])
        for n in range(rows):
            out.writerow(
                [f"Company {n}", f"c{n}.example", "Software", stages[n % 6], f"${n},000.50"]
            )
    with contacts.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["First Name", "Last Name", "Email", "Phone Number", "Company Name"])
        for n in range(rows):
            out.writerow(["Person", str(n), f"p{n}@c{n}.example", "+1 555 0100", f"Company {n}"])
    return companies, contacts


def run(args: list[str], data_dir: Path, output: Path | None = None) -> tuple[float, int]:
    """Runs ``halcrm ARGS``; answers (seconds, peak RSS in bytes)."""
    env = clean_env(HALCRM_DATA_DIR=str(data_dir), HALCRM_BACKUP_DAYS="0")
    started = time.perf_counter()
    with (output or Path(os.devnull)).open("wb") as sink:
        proc = subprocess.Popen([*halcrm_command(), *args], env=env, stdout=sink)
        _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"halcrm {' '.join(args)} exited with {proc.returncode}")
    return took, usage.ru_maxrss * 1024  # kilobytes on Linux


def raw(script: str, *args: str) -> tuple[float, int]:
    """Runs a raw baseline in a process of its own; answers (seconds, peak RSS in bytes)."""
    started = time.perf_counter()
    with Path(os.devnull).open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=sink)
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("a raw baseline failed")
    return time.perf_counter() - started, usage.ru_maxrss * 1024


def _mb(value: float) -> str:
    return f"{value / 1e6:.0f} MB"


def measure(work: Path, runs: int, rows: int = ROWS) -> list[Row]:
    companies, contacts = write_files(work / "transfer-files", rows)
    figures: dict[str, list[tuple[float, int]]] = {}
    for n in range(runs):
        print(f"  transfer run {n + 1}", file=sys.stderr)
        data = work / f"transfer-{n}"
        for label, args in (
            ("import companies", ["import", str(companies)]),
            ("import contacts", ["import", str(contacts)]),
            ("export companies", ["export", "companies"]),
            ("export contacts", ["export", "contacts"]),
        ):
            figures.setdefault(label, []).append(run(args, data))
        (data / "raw.db").unlink(missing_ok=True)
        figures.setdefault("raw import", []).append(
            raw(RAW_IMPORT, str(companies), str(data / "raw.db"))
        )
        figures.setdefault("raw export", []).append(raw(RAW_EXPORT, str(data / "halcrm.db")))
    raws = {label: figures.pop(label) for label in ("raw import", "raw export")}
    result = _bars(figures, raws, rows)
    for label, values in figures.items():
        if label in ("import companies", "export companies"):
            continue  # judged above
        took = median([t for t, _ in values])
        rss = median([float(r) for _, r in values])
        what = "companies" if "companies" in label else "contacts (each linked to its company)"
        result.append(Row(f"{label}: {rows:,} {what}, CSV", secs(took)))
        result.append(Row(f"{label}: rows per second", f"{rows / took:,.0f} rows/s"))
        result.append(Row(f"{label}: peak RSS", _mb(rss)))
    return result


def _bars(
    figures: dict[str, list[tuple[float, int]]],
    raws: dict[str, list[tuple[float, int]]],
    rows: int,
) -> list[Row]:
    """The companies' import and export against their bars and their raw baselines."""
    out = []
    for what, seconds_bar, ratio_bar in (
        ("import", IMPORT_SECONDS, IMPORT_VS_RAW),
        ("export", EXPORT_SECONDS, EXPORT_VS_RAW),
    ):
        took = median([t for t, _ in figures[f"{what} companies"]])
        rss = median([float(r) for _, r in figures[f"{what} companies"]])
        base = median([t for t, _ in raws[f"raw {what}"]])
        label = f"{what} companies: {rows:,}, CSV, SQLite"
        out.append(judged(Row(label, secs(took)), seconds_bar, took))
        out.append(Row(f"{what} companies: rows per second", f"{rows / took:,.0f} rows/s"))
        out.append(Row(f"{what} companies: peak RSS", _mb(rss)))
        ratio = took / base
        row = Row(
            f"{what} companies vs raw ({secs(base)}, same run)", secs(took), ratio=times(ratio)
        )
        out.append(judged(row, ratio_bar, ratio))
    return out
