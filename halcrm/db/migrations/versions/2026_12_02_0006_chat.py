"""website chat: a conversation may belong to a widget visitor, before it has a contact

conversations.visitor_pk: the visitor whose chat this is (null for conversations opened
through the public API); conversations.contact_pk becomes nullable, since an anonymous
visitor writes before identify gives it a contact (identify then attaches its conversations).

Revision ID: 0006_chat
Revises: 0005_event_seq
Create Date: 2026-12-02 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006_chat'
down_revision: Union[str, Sequence[str], None] = '0005_event_seq'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('conversations') as batch:
        batch.add_column(sa.Column('visitor_pk', sa.Integer(), nullable=True))
        batch.alter_column('contact_pk', existing_type=sa.Integer(), nullable=True)
        batch.create_foreign_key(
            op.f('fk_conversations_visitor_pk_visitors'),
            'visitors',
            ['visitor_pk'],
            ['pk'],
            ondelete='CASCADE',
        )
    # A visitor's chat is found by its visitor, newest first.
    op.create_index('ix_conversations_visitor', 'conversations', ['visitor_pk', 'pk'])


def downgrade() -> None:
    op.drop_index('ix_conversations_visitor', 'conversations')
    op.execute('DELETE FROM conversations WHERE contact_pk IS NULL')
    with op.batch_alter_table('conversations') as batch:
        batch.drop_constraint(op.f('fk_conversations_visitor_pk_visitors'), type_='foreignkey')
        batch.drop_column('visitor_pk')
        batch.alter_column('contact_pk', existing_type=sa.Integer(), nullable=False)
