"""A project: one founder's app; everything else is scoped to one."""

from sqlalchemy import BigInteger, Column, Integer, String, Table, text

from halcrm.db.types import JSONType, UTCDateTime, metadata

projects = Table(
    "projects",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(64), unique=True, nullable=False),
    Column("name", String(200), nullable=False),
    # The widget's default stage write mode: "advance_only" or "exact".
    Column("stage_update_mode", String(20), default="advance_only", nullable=False),
    Column("identity_verification", String(20), default="off", nullable=False),
    Column("secret", String(128), nullable=False),
    # The secret before the last rotation: hashes made with it verify for a grace period after
    # ``secret_rotated_at`` (API.md, POST /api/project/secret), so apps can roll out the new one.
    Column("previous_secret", String(128), default=None),
    Column("secret_rotated_at", UTCDateTime, default=None),
    # A new value (database triggers) in the same transaction as any change to the project or its
    # stages; every process's cache of those compares it on each call (db/project_cache.py).
    Column("generation", BigInteger, server_default=text("1"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # An IANA zone: "today", "overdue" and the forecast's months are counted in it.
    Column("time_zone", String(64), default="UTC", server_default="UTC", nullable=False),
    # Milestone name -> stage id: a track of that milestone suggests that stage (focus lane).
    Column("stage_hints", JSONType, default=dict, server_default=text("'{}'"), nullable=False),
)
