"""Data in and out: ``halcrm import`` of 100k companies and 100k linked contacts, and export.

Each command runs as a user runs it, in a process of its own on a fresh data folder; the
figures are its wall time (rows per second) and its peak RSS as the kernel counted it.
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
from bench.table import Row, secs

ROWS = 100_000


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
    result = []
    for label, values in figures.items():
        took = median([t for t, _ in values])
        rss = median([float(r) for _, r in values])
        what = "companies" if "companies" in label else "contacts (each linked to its company)"
        result.append(Row(f"{label}: {rows:,} {what}, CSV", secs(took)))
        result.append(Row(f"{label}: rows per second", f"{rows / took:,.0f} rows/s"))
        result.append(Row(f"{label}: peak RSS", _mb(rss)))
    return result
