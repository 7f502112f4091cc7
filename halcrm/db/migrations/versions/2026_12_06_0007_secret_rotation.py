"""secret rotation: the previous identity-verification secret, for a grace period

projects.previous_secret, projects.secret_rotated_at: POST /api/project/secret makes a new
secret; hashes made with the previous one keep verifying for 24 hours after the rotation.

Revision ID: 0007_secret_rotation
Revises: 0006_chat
Create Date: 2026-12-06 09:00:00

A rotation always changes ``secret`` too, so the generation trigger of 0003 (UPDATE OF secret)
already tells every process's project cache.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007_secret_rotation'
down_revision: Union[str, Sequence[str], None] = '0006_chat'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('projects') as batch:
        batch.add_column(sa.Column('previous_secret', sa.String(128), nullable=True))
        batch.add_column(sa.Column('secret_rotated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('projects') as batch:
        batch.drop_column('secret_rotated_at')
        batch.drop_column('previous_secret')
