"""project generation: bumped with every project, stage or API key change

Revision ID: 0003_generation
Revises: 0002_focus
Create Date: 2026-12-01 10:00:00

Every process keeps a project's settings, stages and keys in memory; each call compares the
cached generation with this column, so a change committed anywhere is in force on the next call.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003_generation'
down_revision: Union[str, Sequence[str], None] = '0002_focus'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('projects') as batch:
        batch.add_column(
            sa.Column('generation', sa.Integer(), nullable=False, server_default='1')
        )


def downgrade() -> None:
    with op.batch_alter_table('projects') as batch:
        batch.drop_column('generation')
