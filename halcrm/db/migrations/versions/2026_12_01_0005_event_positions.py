"""event positions in commit order

activity.seq: an event's position in the stream, in commit order (PostgreSQL).

Revision ID: 0005_event_seq
Revises: 0004_idempotency
Create Date: 2026-12-01 13:00:00

On PostgreSQL a primary key comes from a sequence when the row is inserted, and transactions
commit in another order: a reader resuming after id 12 would never see an 11 that committed
later. So rows are inserted without a position; after they committed, one process at a time
(an advisory lock) numbers them (db/events.py), and streams read positions only. Every insert
wakes the listeners through NOTIFY (sent at commit, never for a rolled-back row).

SQLite has one writer at a time, so its primary keys are already in commit order: the column
stays empty there and the position is the primary key.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005_event_seq'
down_revision: Union[str, Sequence[str], None] = '0004_idempotency'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('activity') as batch:
        batch.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE activity_seq_seq")
    # Rows already there keep their order; new positions follow them.
    op.execute("UPDATE activity SET seq = pk")
    op.execute(
        "SELECT setval('activity_seq_seq', GREATEST((SELECT max(pk) FROM activity), 0) + 1, false)"
    )
    op.create_index('ix_activity_project_seq', 'activity', ['project_pk', 'seq'])
    op.create_index('ix_activity_seq', 'activity', ['seq'], unique=True)
    op.create_index(
        'ix_activity_unnumbered', 'activity', ['pk'], postgresql_where=sa.text('seq IS NULL')
    )
    op.execute(
        """
        CREATE FUNCTION halcrm_activity_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('halcrm_events', 'w');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER activity_notify AFTER INSERT ON activity "
        "FOR EACH STATEMENT EXECUTE FUNCTION halcrm_activity_notify()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER activity_notify ON activity")
        op.execute("DROP FUNCTION halcrm_activity_notify()")
        op.drop_index('ix_activity_unnumbered', 'activity')
        op.drop_index('ix_activity_seq', 'activity')
        op.drop_index('ix_activity_project_seq', 'activity')
        op.execute("DROP SEQUENCE activity_seq_seq")
    with op.batch_alter_table('activity') as batch:
        batch.drop_column('seq')
