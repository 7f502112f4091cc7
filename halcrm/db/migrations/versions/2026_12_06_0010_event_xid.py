"""event positions given at insert, read below the oldest running transaction

activity.xid: the transaction that wrote the row (PostgreSQL, xid8). activity.seq is now given
at insert: the writing transaction's id shifted left 20 bits plus the event's place in that
transaction, so positions follow transaction ids and no numbering transaction runs after
commit (db/events.py).

Revision ID: 0010_event_xid
Revises: 0009_webhooks
Create Date: 2026-12-06 09:00:00

A reader takes only rows whose transaction id is below halcrm_event_horizon(): the oldest
transaction still running in its snapshot (pg_current_snapshot()), other databases' left out.
Every transaction of this database below it has ended, and every one that has not will write
higher positions, so a reader that resumes after a position never misses a row that commits
later. Rows already here keep their positions (all far below the new ones);
rows not yet numbered get the next ones, in key order. SQLite is unchanged: its primary keys
are in commit order already.
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0010_event_xid'
down_revision: Union[str, Sequence[str], None] = '0009_webhooks'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Rows already here get this migration's transaction id: below every later writer's.
    op.execute("ALTER TABLE activity ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    op.execute(
        """
        UPDATE activity SET seq = numbered.n
        FROM (SELECT pk, nextval('activity_seq_seq') AS n
              FROM (SELECT pk FROM activity WHERE seq IS NULL ORDER BY pk) AS unnumbered
             ) AS numbered
        WHERE activity.pk = numbered.pk
        """
    )
    op.drop_index('ix_activity_unnumbered', 'activity')
    op.execute("ALTER TABLE activity ALTER COLUMN seq SET NOT NULL")
    # The horizon of the statement's own snapshot: its oldest running transaction, leaving
    # out those of sessions on other databases (they never write here; a long one elsewhere
    # in the cluster must not hold this stream back). A transaction that ended since the
    # snapshot, or that no session shows, counts: never too high, at worst a little low.
    op.execute(
        """
        CREATE FUNCTION halcrm_event_horizon() RETURNS xid8 LANGUAGE sql STABLE AS $$
            SELECT COALESCE(min(x), pg_snapshot_xmax(pg_current_snapshot()))
            FROM pg_snapshot_xip(pg_current_snapshot()) AS x
            WHERE NOT EXISTS (
                SELECT 1 FROM pg_stat_activity AS a
                WHERE a.datname <> current_database()
                  AND a.backend_xid::text::bigint = (x::text::bigint & 4294967295)
            )
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION halcrm_event_horizon()")
    op.execute("ALTER TABLE activity ALTER COLUMN seq DROP NOT NULL")
    op.execute("CREATE INDEX ix_activity_unnumbered ON activity (pk) WHERE seq IS NULL")
    op.execute("ALTER TABLE activity DROP COLUMN xid")
    # The numbering of 0005 continues after the highest position given here.
    op.execute(
        "SELECT setval('activity_seq_seq', GREATEST((SELECT max(seq) FROM activity), 0) + 1, false)"
    )
