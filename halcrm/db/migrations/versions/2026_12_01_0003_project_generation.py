"""project generation, verified visitors, company domains

projects.generation: a new value with every change to a project or its stages.

Revision ID: 0003_generation
Revises: 0002_focus
Create Date: 2026-12-01 10:00:00

Every process keeps a project's settings and stages in memory; each call compares the
cached generation with this column, so a change committed anywhere is in force on the next call.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003_generation'
down_revision: Union[str, Sequence[str], None] = '0002_focus'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Tables whose rows a process keeps in memory per project (API keys are read on every call).
WATCHED = ("stages",)
PROJECT_COLUMNS = "name, stage_update_mode, identity_verification, secret"


def upgrade() -> None:
    with op.batch_alter_table('projects') as batch:
        batch.add_column(
            sa.Column('generation', sa.BigInteger(), nullable=False, server_default='1')
        )
    # What a visitor's user_hash proved (its own id, or the user_id/email it claimed): later
    # calls may carry the same hash, and other visitors verified over their own id may not
    # claim its contact (API.md, identity verification).
    with op.batch_alter_table('visitors') as batch:
        batch.add_column(sa.Column('verified_identity', sa.String(320), nullable=True))
    # Identify rule 9 finds the real company of a new contact's email domain.
    op.create_index('ix_companies_project_domain', 'companies', ['project_pk', 'domain'])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    # random(): a 64-bit value never seen before, so a rolled-back one cannot come back.
    bump = "UPDATE projects SET generation = random() WHERE pk = {row}.project_pk;"
    for table in WATCHED:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            name = f"{table}_{event.lower()}_generation"
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"BEGIN {bump.format(row=row)} END"
            )
        # A row moved to another project changes the old one's too.
        op.execute(
            f"CREATE TRIGGER {table}_move_generation AFTER UPDATE OF project_pk ON {table} "
            f"BEGIN {bump.format(row='OLD')} END"
        )
    op.execute(
        f"CREATE TRIGGER projects_generation AFTER UPDATE OF {PROJECT_COLUMNS} ON projects "
        "BEGIN UPDATE projects SET generation = random() WHERE pk = NEW.pk; END"
    )


def _postgresql_triggers() -> None:
    # A sequence never hands out a value twice, even to a transaction that rolled back.
    op.execute("CREATE SEQUENCE project_generation_seq")
    op.execute(
        """
        CREATE FUNCTION halcrm_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                UPDATE projects SET generation = nextval('project_generation_seq')
                WHERE pk = OLD.project_pk;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                UPDATE projects SET generation = nextval('project_generation_seq')
                WHERE pk = NEW.project_pk;
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION halcrm_project_generation() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.generation := nextval('project_generation_seq');
            RETURN NEW;
        END $$
        """
    )
    for table in WATCHED:
        op.execute(
            f"CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION halcrm_bump_generation()"
        )
    op.execute(
        f"CREATE TRIGGER projects_generation BEFORE UPDATE OF {PROJECT_COLUMNS} ON projects "
        "FOR EACH ROW EXECUTE FUNCTION halcrm_project_generation()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_generation ON {table}")
        op.execute("DROP TRIGGER projects_generation ON projects")
        op.execute("DROP FUNCTION halcrm_bump_generation()")
        op.execute("DROP FUNCTION halcrm_project_generation()")
        op.execute("DROP SEQUENCE project_generation_seq")
    else:
        for table in WATCHED:
            for event in ("insert", "update", "delete", "move"):
                op.execute(f"DROP TRIGGER {table}_{event}_generation")
        op.execute("DROP TRIGGER projects_generation")
    op.drop_index('ix_companies_project_domain', 'companies')
    with op.batch_alter_table('visitors') as batch:
        batch.drop_column('verified_identity')
    with op.batch_alter_table('projects') as batch:
        batch.drop_column('generation')
