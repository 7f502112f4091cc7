"""Generated set-up data for the board benches: N companies in a fresh SQLite file.

The database is made by the real start path (``open_runtime``: migrations, the project, its
stages); only the companies are inserted directly through the models, because creating 50,000
of them one service call at a time would take longer than the whole bench.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import insert, select

from halcrm.db.models import Company, Project, Stage
from halcrm.domain.clock import utc_now
from halcrm.runtime import open_runtime
from halcrm.settings import DEFAULT_PROJECT, Settings

CHUNK = 5_000


def settings_for(data_dir: Path) -> Settings:
    """halcrm settings for a data folder of its own (database and token inside it)."""
    return Settings.from_env({"HALCRM_DATA_DIR": str(data_dir)})


def company_name(index: int) -> str:
    return f"Company {index:06d}"


async def _prepare(data_dir: Path) -> str:
    """The real start path: migrations, the project and its stages; answers the SQLite file."""
    settings = settings_for(data_dir)
    runtime = await open_runtime(settings)
    await runtime.close()
    return settings.db


def _insert(db_file: str, count: int) -> None:
    # A plain synchronous engine of our own, whatever engine halcrm itself uses inside.
    engine = sqlalchemy.create_engine(f"sqlite:///{db_file}")
    now = utc_now()
    try:
        with engine.begin() as conn:
            project_pk = conn.scalar(select(Project.pk).where(Project.id == DEFAULT_PROJECT))
            stage_pks = list(
                conn.scalars(
                    select(Stage.pk).where(Stage.project_pk == project_pk).order_by(Stage.position)
                )
            )
            columns: list[int | None] = [None, *stage_pks]
            for start in range(0, count, CHUNK):
                rows: list[dict[str, Any]] = []
                for i in range(start, min(start + CHUNK, count)):
                    rows.append(
                        {
                            "id": f"co-{i:06d}",
                            "project_pk": project_pk,
                            "name": company_name(i),
                            "stage_pk": columns[i % len(columns)],
                            "deal_value_cents": (i * 7919) % 10_000_000 if i % 3 else None,
                            "created_at": now - timedelta(days=i % 90),
                            "updated_at": now,
                            # Some are stalled, as on a real board.
                            "last_activity_at": now - timedelta(days=i % 40),
                        }
                    )
                conn.execute(insert(Company), rows)
    finally:
        engine.dispose()


def generate(data_dir: Path, count: int) -> Path:
    """Creates ``data_dir`` with a migrated database holding ``count`` companies; returns it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    _insert(asyncio.run(_prepare(data_dir)), count)
    return data_dir
