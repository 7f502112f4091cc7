"""Generated set-up data for the board benches: N companies in a fresh SQLite file.

The database is made by the real start path (``open_runtime``: migrations, the project, its
stages); only the companies, and two contacts linked to each, are inserted directly through the
models, because creating 50,000 of them one service call at a time would take longer than the
whole bench.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from halcrm.db.models import Company, Contact, ContactCompany, Project, Stage
from halcrm.domain.clock import utc_now
from halcrm.runtime import open_runtime
from halcrm.settings import DEFAULT_PROJECT, Settings

CHUNK = 5_000
CONTACTS_EACH = 2


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
            _link_contacts(conn, project_pk, count, now)
    finally:
        engine.dispose()


def _link_contacts(conn: Connection, project_pk: int | None, count: int, now: datetime) -> None:
    """``CONTACTS_EACH`` contacts linked to every company, as on a real board: a card's counts
    are read through the links (a move that counted every link showed only with them)."""
    for start in range(0, count, CHUNK):
        people = [
            {
                "id": f"ct-{i:06d}-{k}",
                "project_pk": project_pk,
                "email": f"p{k}@co-{i:06d}.example",
                "name": f"Person {k} of {company_name(i)}",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(start, min(start + CHUNK, count))
            for k in range(CONTACTS_EACH)
        ]
        conn.execute(insert(Contact), people)
    companies = conn.scalars(select(Company.pk).order_by(Company.pk)).all()
    contacts = conn.scalars(select(Contact.pk).order_by(Contact.pk)).all()
    links = [
        {"contact_pk": contact, "company_pk": companies[n // CONTACTS_EACH], "created_at": now}
        for n, contact in enumerate(contacts)
    ]
    for start in range(0, len(links), CHUNK):
        conn.execute(insert(ContactCompany), links[start : start + CHUNK])


def generate(data_dir: Path, count: int) -> Path:
    """Creates ``data_dir`` with a migrated database holding ``count`` companies; returns it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    _insert(asyncio.run(_prepare(data_dir)), count)
    return data_dir
