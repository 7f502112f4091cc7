"""SQLite's WAL checkpoints, on a thread of their own beside the group writer."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 0.5
CATCH_UP_AFTER_FRAMES = 4096  # 16 MB of 4 KB pages


class Checkpointer:
    """Moves committed pages from the WAL into the database file, off the writer.

    A PASSIVE checkpoint copies and fsyncs alongside the writer, but never catches up with a
    busy one, and the log only starts over once it has. So when the log is long, the writer
    runs one more PASSIVE checkpoint between two batches (``between_batches``): with the
    bulk copied already it takes little, and it cannot stall on a busy handler as RESTART
    would.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._stopping = threading.Event()
        self._catch_up = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="halcrm-checkpoint", daemon=True)
        self._thread.start()

    def between_batches(self) -> None:
        """On the writer thread, between two batches: the catch-up the loop asked for."""
        if self._catch_up.is_set():
            self._catch_up.clear()
            self.checkpoint("PASSIVE")

    def close(self) -> None:
        """Stops the loop and empties the log into the file (the writer has stopped)."""
        self._stopping.set()
        self._thread.join(timeout=30)
        self.checkpoint("TRUNCATE")

    def _loop(self) -> None:
        while not self._stopping.wait(CHECKPOINT_SECONDS):
            if self.checkpoint("PASSIVE") > CATCH_UP_AFTER_FRAMES:
                self._catch_up.set()

    def checkpoint(self, mode: str) -> int:
        """Runs one checkpoint; returns the frames in the log (0 when it could not run)."""
        try:
            # The driver connection itself: outside any transaction, which a checkpoint needs.
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute(f"PRAGMA wal_checkpoint({mode})")
                row = cursor.fetchone()
                frames = row[1] if row else 0
                cursor.close()
            finally:
                raw.close()
        except Exception as exc:  # a busy or closing database: the next round catches up
            log.debug("WAL checkpoint (%s) skipped: %s", mode, exc)
            return 0
        return int(frames)
