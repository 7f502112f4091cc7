"""event notifications name the transaction that wrote the events

The trigger's NOTIFY carries the writing transaction's id (xid8, as text) instead of 'w': a
follower that has already read every event of that transaction (it is below the horizon of a
read whose rows were all published, db/events.py) does not read again. A payload that is not a
number (a process of an older version) still wakes every follower to read.

Revision ID: 0011_notify_xid
Revises: 0008_tasks
Create Date: 2026-12-07 09:00:00
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0011_notify_xid'
down_revision: Union[str, Sequence[str], None] = '0008_tasks'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _notify(payload: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION halcrm_activity_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('halcrm_events', {payload});
            RETURN NULL;
        END $$
        """


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_notify("pg_current_xact_id()::text"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_notify("'w'"))
