"""A project: one founder's app; everything else is scoped to one."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base, JSONType


class Project(Base):
    __tablename__ = "projects"

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The widget's default stage write mode: "advance_only" or "exact".
    stage_update_mode: Mapped[str] = mapped_column(String(20), default="advance_only")
    identity_verification: Mapped[str] = mapped_column(String(20), default="off")
    secret: Mapped[str] = mapped_column(String(128))
    # The secret before the last rotation: hashes made with it verify for a grace period after
    # ``secret_rotated_at`` (API.md, POST /api/project/secret), so apps can roll out the new one.
    previous_secret: Mapped[str | None] = mapped_column(String(128), default=None)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(default=None)
    # A new value (database triggers) in the same transaction as any change to the project or its
    # stages; every process's cache of those compares it on each call (db/project_cache.py).
    generation: Mapped[int] = mapped_column(BigInteger, server_default=text("1"))
    created_at: Mapped[datetime]
    # An IANA zone: "today", "overdue" and the forecast's months are counted in it.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # Milestone name -> stage id: a track of that milestone suggests that stage (focus lane).
    stage_hints: Mapped[dict[str, Any]] = mapped_column(
        JSONType, default=dict, server_default=text("'{}'")
    )
