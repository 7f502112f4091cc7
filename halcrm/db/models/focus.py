"""The founder's answers to focus-lane items: snoozed, done or dismissed.

Its columns are declared in ``halcrm/db/tables/focus.py``; the annotations here only type
the mapped attributes."""

from datetime import datetime

from sqlalchemy.orm import Mapped

from halcrm.db.base import Base
from halcrm.db.tables.focus import focus_answers


class FocusAnswer(Base):
    __table__ = focus_answers

    pk: Mapped[int]
    company_pk: Mapped[int]
    reason: Mapped[str]
    state: Mapped[str]
    until: Mapped[datetime | None]
    activity_mark: Mapped[datetime]
    created_at: Mapped[datetime]
