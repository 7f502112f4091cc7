"""idempotency keys: a write's key and its first answer (API.md, Idempotency)

Revision ID: 0004_idempotency
Revises: 0003_generation
Create Date: 2026-12-01 10:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa



revision: str = '0004_idempotency'
down_revision: Union[str, Sequence[str], None] = '0003_generation'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'idempotency_keys',
        sa.Column('pk', sa.Integer(), nullable=False),
        sa.Column('project_pk', sa.Integer(), nullable=False),
        sa.Column('route', sa.String(length=300), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['project_pk'], ['projects.pk'],
            name=op.f('fk_idempotency_keys_project_pk_projects'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('pk', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint(
            'project_pk', 'route', 'key', name=op.f('uq_idempotency_keys_project_pk')
        ),
    )
    op.create_index('ix_idempotency_keys_created', 'idempotency_keys', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_idempotency_keys_created', 'idempotency_keys')
    op.drop_table('idempotency_keys')
