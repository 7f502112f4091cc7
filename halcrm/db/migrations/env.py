"""Alembic environment: runs on the connection halcrm hands over (see halcrm.db.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from halcrm.db import tables
from halcrm.db.types import metadata

assert tables  # registers every table on the metadata (Core: a migration needs no ORM)

config = context.config
target_metadata = metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode copies tables instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "set sqlalchemy.url or hand over a connection"
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
