"""event positions given at insert, read below the oldest running transaction

activity.xid: the transaction that wrote the row (PostgreSQL, xid8). activity.seq is now given
at insert: the writing transaction's id shifted left 20 bits plus the event's place in that
transaction, so positions follow transaction ids and no numbering transaction runs after
commit (db/events.py).

Revision ID: 0010_event_xid
Revises: 0006_chat
Create Date: 2026-12-06 09:00:00

A reader takes only rows whose transaction id is below pg_snapshot_xmin(pg_current_snapshot()),
the oldest transaction still running: every transaction below it has ended, and every one that
has not will write higher positions, so a reader that resumes after a position never misses a
row that commits later. Rows already here keep their positions (all far below the new ones);
rows not yet numbered get the next ones, in key order. SQLite is unchanged: its primary keys
are in commit order already.
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0010_event_xid'
down_revision: Union[str, Sequence[str], None] = '0006_chat'
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


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE activity ALTER COLUMN seq DROP NOT NULL")
    op.execute("CREATE INDEX ix_activity_unnumbered ON activity (pk) WHERE seq IS NULL")
    op.execute("ALTER TABLE activity DROP COLUMN xid")
    # The numbering of 0005 continues after the highest position given here.
    op.execute(
        "SELECT setval('activity_seq_seq', GREATEST((SELECT max(seq) FROM activity), 0) + 1, false)"
    )
