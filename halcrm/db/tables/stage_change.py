"""The audit of every stage write, applied or skipped."""

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table

from halcrm.db.types import UTCDateTime, metadata

stage_changes = Table(
    "stage_changes",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(64), unique=True, nullable=False),
    Column("project_pk", Integer, ForeignKey("projects.pk", ondelete="CASCADE"), nullable=False),
    Column("company_pk", Integer, ForeignKey("companies.pk", ondelete="CASCADE"), nullable=False),
    # Names are copied, not referenced: the audit must survive a stage being renamed or deleted.
    Column("from_stage_id", String(64)),
    Column("from_stage_name", String(100)),
    Column("requested_stage_id", String(64)),
    Column("requested_stage_name", String(100)),
    Column("to_stage_id", String(64)),
    Column("to_stage_name", String(100)),
    Column("mode", String(20), nullable=False),
    Column("source", String(20), nullable=False),
    Column("applied", Boolean, nullable=False),
    Column("reason", String(40)),
    Column("note", String(500)),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_stage_changes_company", "company_pk", "pk"),
)
