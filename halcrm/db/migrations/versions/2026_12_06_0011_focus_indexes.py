"""the focus lane's indexes: expected close, last stage change, hinted milestones

companies (project_pk, expected_close): the lane's passed close dates, read in date order up to
its candidates' limit instead of every open company. companies (project_pk, last_stage_at):
the widget moves of the last 48 hours, a range instead of every company. events (project_pk,
name, created_at): the milestones named in the stage hints, of the last 14 days.

Revision ID: 0011_focus_indexes
Revises: 0008_tasks
Create Date: 2026-12-06 17:00:00

"""
from typing import Sequence, Union

from alembic import op


revision: str = '0011_focus_indexes'
down_revision: Union[str, Sequence[str], None] = '0008_tasks'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_companies_project_close', 'companies', ['project_pk', 'expected_close'])
    op.create_index('ix_companies_project_stage_at', 'companies', ['project_pk', 'last_stage_at'])
    op.create_index('ix_events_project_name', 'events', ['project_pk', 'name', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_events_project_name', 'events')
    op.drop_index('ix_companies_project_stage_at', 'companies')
    op.drop_index('ix_companies_project_close', 'companies')
