"""next steps: tasks, the project's time zone and stage hints, a company's expected close

tasks: a dated commitment on a company (API.md, "Next steps"). ``due`` keeps what the client
sent (a date or an RFC 3339 date-time); ``due_at`` is the instant it falls due (a date: the end
of that day in the project's time zone), what every query orders and filters by; ``all_day``
says which, so a change of the project's zone can move the dates' instants.
projects.time_zone (IANA name, default UTC), projects.stage_hints (milestone -> stage id);
companies.expected_close (a date).

Revision ID: 0008_tasks
Revises: 0010_event_xid
Create Date: 2026-12-06 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision: str = '0008_tasks'
down_revision: Union[str, Sequence[str], None] = '0010_event_xid'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        'tasks',
        sa.Column('pk', sa.Integer(), primary_key=True),
        sa.Column('id', sa.String(64), nullable=False),
        sa.Column(
            'project_pk',
            sa.Integer(),
            sa.ForeignKey('projects.pk', ondelete='CASCADE', name='fk_tasks_project_pk_projects'),
            nullable=False,
        ),
        sa.Column(
            'company_pk',
            sa.Integer(),
            sa.ForeignKey(
                'companies.pk', ondelete='CASCADE', name='fk_tasks_company_pk_companies'
            ),
            nullable=False,
        ),
        sa.Column(
            'contact_pk',
            sa.Integer(),
            sa.ForeignKey('contacts.pk', ondelete='SET NULL', name='fk_tasks_contact_pk_contacts'),
            nullable=True,
        ),
        sa.Column('title', sa.String(200), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('due', sa.String(40), nullable=False),
        sa.Column('due_at', when, nullable=False),
        sa.Column('all_day', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('source', sa.String(20), nullable=False),
        sa.Column('created_at', when, nullable=False),
        sa.Column('updated_at', when, nullable=False),
        sa.Column('done_at', when, nullable=True),
        sa.PrimaryKeyConstraint('pk', name='pk_tasks'),
        sa.UniqueConstraint('project_pk', 'id', name='uq_tasks_project_pk_id'),
    )
    # The agenda and the lists: a project's open tasks by due time; a company's next step.
    op.create_index('ix_tasks_project_due', 'tasks', ['project_pk', 'status', 'due_at'])
    op.create_index('ix_tasks_company_due', 'tasks', ['company_pk', 'status', 'due_at'])
    op.create_index('ix_tasks_contact', 'tasks', ['contact_pk'])
    # The focus lane: the largest deals without a next step (walked in value order), and
    # placeholders (services/board/focus_idle.py).
    op.create_index(
        'ix_companies_project_deal', 'companies', ['project_pk', 'deal_value_cents']
    )
    op.create_index(
        'ix_companies_project_placeholder', 'companies', ['project_pk', 'is_placeholder']
    )
    # Momentum reads a few companies' recent activity (services/board/momentum.py).
    op.create_index(
        'ix_activity_company', 'activity', ['project_pk', 'company_id', 'created_at']
    )
    # Plain ADD COLUMN (no table copy on SQLite: the projects table carries triggers).
    op.add_column(
        'projects', sa.Column('time_zone', sa.String(64), nullable=False, server_default='UTC')
    )
    op.add_column(
        'projects',
        sa.Column('stage_hints', _json(), nullable=False, server_default=sa.text("'{}'")),
    )
    op.add_column('companies', sa.Column('expected_close', sa.Date(), nullable=True))


def downgrade() -> None:
    # DROP COLUMN in place (SQLite >= 3.35), so the projects table keeps its triggers.
    op.drop_column('companies', 'expected_close')
    op.drop_column('projects', 'stage_hints')
    op.drop_column('projects', 'time_zone')
    op.drop_index('ix_activity_company', 'activity')
    op.drop_index('ix_companies_project_placeholder', 'companies')
    op.drop_index('ix_companies_project_deal', 'companies')
    op.drop_index('ix_tasks_contact', 'tasks')
    op.drop_index('ix_tasks_company_due', 'tasks')
    op.drop_index('ix_tasks_project_due', 'tasks')
    op.drop_table('tasks')
