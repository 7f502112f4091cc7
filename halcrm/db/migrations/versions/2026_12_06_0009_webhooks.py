"""webhooks: endpoints, deliveries (the outbox) and once-per-item notices

webhook_endpoints: where a project's events are sent, with the secret that signs them.
webhook_deliveries: one row per event and endpoint, inserted in the transaction of the change
that caused it, so a process killed after its commit sends it after a restart.
webhook_notices: the time-driven events (deal.stalled, task.overdue) queued once per item.
A change to a project's endpoints gives the project a new generation (as a stage change
does), so every process's kept list of enabled endpoints is checked on every write.

Revision ID: 0009_webhooks
Revises: 0007_secret_rotation
Create Date: 2026-12-06 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB


revision: str = '0009_webhooks'
down_revision: Union[str, Sequence[str], None] = '0007_secret_rotation'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

JSON = sa.JSON().with_variant(JSONB(), 'postgresql')
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'webhook_endpoints',
        sa.Column('pk', sa.Integer(), primary_key=True),
        sa.Column('id', sa.String(40), nullable=False),
        sa.Column(
            'project_pk',
            sa.Integer(),
            sa.ForeignKey('projects.pk', ondelete='CASCADE', name=op.f('fk_webhook_endpoints_project_pk_projects')),
            nullable=False,
        ),
        sa.Column('url', sa.String(2000), nullable=False),
        sa.Column('events', JSON, nullable=False),
        sa.Column('description', sa.String(500), nullable=True),
        sa.Column('format', sa.String(20), nullable=False),
        sa.Column('allow_private', sa.Boolean(), nullable=False),
        sa.Column('secret', sa.String(100), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('disabled_reason', sa.String(300), nullable=True),
        sa.Column('failing_since', TIME, nullable=True),
        sa.Column('created_at', TIME, nullable=False),
        sa.Column('updated_at', TIME, nullable=False),
        sa.PrimaryKeyConstraint('pk', name=op.f('pk_webhook_endpoints')),
        sa.UniqueConstraint('id', name=op.f('uq_webhook_endpoints_id')),
    )
    op.create_index('ix_webhook_endpoints_project', 'webhook_endpoints', ['project_pk', 'pk'])
    op.create_table(
        'webhook_deliveries',
        sa.Column('pk', sa.Integer(), primary_key=True),
        sa.Column('id', sa.String(40), nullable=False),
        sa.Column(
            'endpoint_pk',
            sa.Integer(),
            sa.ForeignKey('webhook_endpoints.pk', ondelete='CASCADE', name=op.f('fk_webhook_deliveries_endpoint_pk_webhook_endpoints')),
            nullable=False,
        ),
        sa.Column('type', sa.String(60), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_status', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.String(500), nullable=True),
        sa.Column('next_attempt_at', TIME, nullable=True),
        sa.Column('created_at', TIME, nullable=False),
        sa.Column('delivered_at', TIME, nullable=True),
        sa.PrimaryKeyConstraint('pk', name=op.f('pk_webhook_deliveries')),
        sa.UniqueConstraint('id', name=op.f('uq_webhook_deliveries_id')),
    )
    op.create_index('ix_webhook_deliveries_endpoint', 'webhook_deliveries', ['endpoint_pk', 'pk'])
    op.create_index('ix_webhook_deliveries_due', 'webhook_deliveries', ['status', 'next_attempt_at'])
    op.create_table(
        'webhook_notices',
        sa.Column('pk', sa.Integer(), primary_key=True),
        sa.Column(
            'project_pk',
            sa.Integer(),
            sa.ForeignKey('projects.pk', ondelete='CASCADE', name=op.f('fk_webhook_notices_project_pk_projects')),
            nullable=False,
        ),
        sa.Column('type', sa.String(60), nullable=False),
        sa.Column('subject', sa.String(300), nullable=False),
        sa.Column('created_at', TIME, nullable=False),
        sa.PrimaryKeyConstraint('pk', name=op.f('pk_webhook_notices')),
        sa.UniqueConstraint('project_pk', 'type', 'subject', name=op.f('uq_webhook_notices_project_pk')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        # halcrm_bump_generation() comes from 0003_generation.
        op.execute(
            'CREATE TRIGGER webhook_endpoints_generation AFTER INSERT OR DELETE OR UPDATE OF '
            'events, enabled, project_pk '
            'ON webhook_endpoints FOR EACH ROW EXECUTE FUNCTION halcrm_bump_generation()'
        )
    else:
        bump = 'UPDATE projects SET generation = random() WHERE pk = {row}.project_pk;'
        # Only what the kept list holds: a delivery's bookkeeping (failing_since) leaves the
        # generation alone.
        updated = 'UPDATE OF events, enabled, project_pk'
        for event, row in (('INSERT', 'NEW'), (updated, 'NEW'), ('DELETE', 'OLD')):
            op.execute(
                f'CREATE TRIGGER webhook_endpoints_{event.split()[0].lower()}_generation '
                f'AFTER {event} '
                f'ON webhook_endpoints BEGIN {bump.format(row=row)} END'
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER webhook_endpoints_generation ON webhook_endpoints')
    else:
        for event in ('insert', 'update', 'delete'):
            op.execute(f'DROP TRIGGER webhook_endpoints_{event}_generation')
    op.drop_table('webhook_notices')
    op.drop_index('ix_webhook_deliveries_due', 'webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_endpoint', 'webhook_deliveries')
    op.drop_table('webhook_deliveries')
    op.drop_index('ix_webhook_endpoints_project', 'webhook_endpoints')
    op.drop_table('webhook_endpoints')
