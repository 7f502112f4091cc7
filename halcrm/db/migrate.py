"""Runs the Alembic migrations up to head, before the app starts serving."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from halcrm.db.engine import WRITE_OPTION

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("halcrm.db")

MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed number: the advisory lock that serialises halcrm's migrations on PostgreSQL.
MIGRATION_LOCK = 0x4841_4C43
HEAD = "0013_fanout"
"""The newest revision. A database already there starts without loading Alembic, which is most
of a start-up's import time; ``tests/cli/test_migrate.py`` keeps this equal to the scripts' head."""


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Brings the database schema to the newest revision (blocking: run it off the loop).

    Several processes may start on one new database at once: the migration runs under the
    database's write lock (SQLite) or an advisory lock (PostgreSQL), and the revision is read
    once the lock is held, so the others find the schema done instead of racing to build it.
    """
    with engine.begin() as conn:
        if current_revision(conn) == HEAD:
            return
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        before = current_revision(conn)
        if before == HEAD:
            return
        from alembic import command

        command.upgrade(alembic_config(conn), "head")
    # The one line a start says about the schema (none when it was already there).
    if before is None:
        log.info("database schema created (revision %s)", HEAD)
    else:
        log.info("database schema migrated from revision %s to %s", before, HEAD)
