"""No ping before a call: when PostgreSQL drops every connection (a restart, a failover), the
next widget write and the next read find theirs dead, run again on new ones and answer; the
write is stored once."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from halcrm.db.models import Activity, Contact
from halcrm.db.tx import Tx
from halcrm.services.container import Services
from halcrm.services.widget.inputs import Identify, Track
from tests.conftest import BACKENDS

# PostgreSQL only (its connections are what is lost), skipped with the reason where none answers.
pytestmark = pytest.mark.parametrize("db_url", [BACKENDS[1]], indirect=True)


def _drop_connections(db_url: str) -> int:
    """Ends every other session on the test's database, as a server restart would."""
    url = make_url(db_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as pg:
        row = pg.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_calls_after_the_server_dropped_every_connection_answer_once(
    services: Services, db_url: str
) -> None:
    await services.widget.identify(Identify(app_id="local", visitor_id="v1", email="a@lost.io"))
    assert _drop_connections(db_url) >= 2  # the writer's and the event listener's at least

    await services.widget.track(Track(app_id="local", visitor_id="v1", name="after-drop"))
    assert _drop_connections(db_url) >= 1
    again = await services.widget.identify(
        Identify(app_id="local", visitor_id="v2", email="b@lost.io")
    )
    assert again.contact_id

    def count(tx: Tx) -> tuple[int, int]:
        tracked = tx.session.scalar(
            select(func.count()).where(Activity.kind == "track", Activity.summary.contains("after"))
        )
        contacts = tx.session.scalar(select(func.count()).select_from(Contact))
        return int(tracked or 0), int(contacts or 0)

    _drop_connections(db_url)
    assert await services.db.read(count) == (1, 2)
