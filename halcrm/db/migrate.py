"""Runs the Alembic migrations up to head, before the app starts serving."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Brings the database schema to the newest revision (blocking: run it off the loop)."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
