"""webhooks: a change names its deliveries on its event, the delivery loop makes them

activity.hooks: on an event some enabled endpoints wanted when it was recorded, which ones, by
event type ("company.created=3,5;visitor.identified=5"); null for every other event. The change's
transaction writes it in the event row it inserts anyway, so a widget call pays no statement
for its webhooks; the delivery loop turns it into webhook_deliveries rows later.
ix_activity_hooks: those events only, in stream order (the primary key on SQLite, the position
on PostgreSQL), so finding what is still to fan out reads no other event.
webhook_fanout: one row, the stream position up to which named deliveries have been made.

Revision ID: 0013_fanout
Revises: 0012_notify_xid
Create Date: 2026-12-06 17:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0013_fanout'
down_revision: Union[str, Sequence[str], None] = '0012_notify_xid'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # A nullable column without a default: no rewrite of the table on either store.
    op.add_column('activity', sa.Column('hooks', sa.Text(), nullable=True))
    order = 'pk' if op.get_bind().dialect.name == 'sqlite' else 'seq'
    op.create_index(
        'ix_activity_hooks',
        'activity',
        [order],
        sqlite_where=sa.text('hooks IS NOT NULL'),
        postgresql_where=sa.text('hooks IS NOT NULL'),
    )
    fanout = op.create_table(
        'webhook_fanout',
        sa.Column('pk', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('pk', name=op.f('pk_webhook_fanout')),
    )
    # Events already here had their deliveries made with them: none is named.
    op.bulk_insert(fanout, [{'pk': 1, 'position': 0}])


def downgrade() -> None:
    op.drop_table('webhook_fanout')
    op.drop_index('ix_activity_hooks', 'activity')
    with op.batch_alter_table('activity') as batch:
        batch.drop_column('hooks')
