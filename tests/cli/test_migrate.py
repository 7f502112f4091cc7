"""Start-up skips Alembic when the database is at the newest revision; that shortcut must name
the same head as the migration scripts."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from halcrm.db.engine import create_engine
from halcrm.db.migrate import HEAD, alembic_config, current_revision, migrate


def test_the_shortcut_names_the_scripts_head():
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD


def test_a_new_database_is_migrated_to_head_and_a_second_start_keeps_it(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'halcrm.db'}")
    try:
        migrate(engine)
        with engine.connect() as conn:
            assert current_revision(conn) == HEAD
        migrate(engine)
        with engine.connect() as conn:
            assert current_revision(conn) == HEAD
    finally:
        engine.dispose()
