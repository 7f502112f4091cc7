"""A pipeline stage of a project."""

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint

from halcrm.db.types import metadata

stages = Table(
    "stages",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(64), nullable=False),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("name_key", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("probability", Integer, default=0, nullable=False),
    Column("stall_after_days", Integer),
    UniqueConstraint("project_pk", "id"),
    # Names are unique per project, compared case-insensitively through the folded key.
    UniqueConstraint("project_pk", "name_key"),
)
