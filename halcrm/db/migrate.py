"""Runs the Alembic migrations up to head, before the app starts serving."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "0003_generation"
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
    """Brings the database schema to the newest revision (blocking: run it off the loop)."""
    with engine.begin() as conn:
        if current_revision(conn) == HEAD:
            return
        from alembic import command

        command.upgrade(alembic_config(conn), "head")
