"""The founder's answers to focus-lane items: snoozed, done or dismissed."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from halcrm.db.base import Base


class FocusAnswer(Base):
    __tablename__ = "focus_answers"
    __table_args__ = (UniqueConstraint("company_pk", "reason"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    company_pk: Mapped[int] = mapped_column(ForeignKey("companies.pk", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(40))
    # "snoozed", "done" or "dismissed".
    state: Mapped[str] = mapped_column(String(20))
    until: Mapped[datetime | None]
    # The company's last activity when answered: anything newer brings the item back.
    activity_mark: Mapped[datetime]
    created_at: Mapped[datetime]
