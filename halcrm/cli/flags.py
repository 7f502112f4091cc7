"""The flags every command that opens the database takes, declared once.

The whole line's copy (``halcrm --db x.db export …``) gives the default; a command's own copy
sets a value only when given there: argparse lets a command's copy with a default of its own
reset a value given before the command's name (``halcrm --port 9000 serve`` served on 8765).
"""

from __future__ import annotations

import argparse
from typing import Any


def given_only(sub: bool) -> dict[str, Any]:
    """A command's copy (``sub``) of a flag the whole line takes too: no default of its own."""
    return {"default": argparse.SUPPRESS} if sub else {}


def store_flags(parser: argparse.ArgumentParser, *, sub: bool = True, project: bool = True) -> None:
    """``--db`` and (with ``project``) ``--project``."""
    kept = given_only(sub)
    parser.add_argument(
        "--db",
        help="SQLite file path or SQLAlchemy URL (default: the data folder; HALCRM_DB)",
        **kept,
    )
    if project:
        parser.add_argument(
            "--project", dest="project_id", help="project id (HALCRM_PROJECT_ID)", **kept
        )
