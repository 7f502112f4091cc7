"""Logging to a file in the data folder (never to the terminal while the board is open)."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _terminal_worthy(record: logging.LogRecord) -> bool:
    """halcrm's own lines, and anyone's warnings: uvicorn's start and stop chatter stays in
    the file, so a terminal shows what a founder acts on."""
    return record.levelno >= logging.WARNING or record.name.split(".", 1)[0] == "halcrm"


def setup_logging(log_file: Path, *, to_stderr: bool, level: int = logging.INFO) -> None:
    """Sends halcrm's, Litestar's and uvicorn's logs to ``log_file`` (rotated), and halcrm's
    own lines and every warning to stderr when headless."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=3)
    ]
    if to_stderr:
        terminal = logging.StreamHandler(sys.stderr)
        terminal.addFilter(_terminal_worthy)
        handlers.append(terminal)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    # Alembic says each revision it runs; halcrm.db.migrate says the whole in one line.
    for noisy in ("uvicorn.access", "sqlalchemy.engine", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
