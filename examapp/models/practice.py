from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class PracticeAnswer(db.Model):
    """One answer given outside exams (practice, mock exams): statistics and the notebook come from here."""

    __tablename__ = "practice_answer"
    __table_args__ = (Index("ix_practice_answer_user_at", "user_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id", ondelete="CASCADE"))
    correct: Mapped[bool] = mapped_column(Boolean)
    response: Mapped[object] = mapped_column(JSON, nullable=True)
    source: Mapped[str] = mapped_column(String(10), default="practice")   # practice | mock
    mock_id: Mapped[int | None] = mapped_column(ForeignKey("mock_exam.id", ondelete="CASCADE"))
    answered_at: Mapped[datetime] = mapped_column(DateTime)
    day: Mapped[date] = mapped_column(Date)       # the bureau's local date: "different days" counts these


class NotebookEntry(db.Model):
    """A learner's relation to one question: in the wrong-answer notebook (错题本), a favourite, or both."""

    __tablename__ = "notebook_entry"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    in_notebook: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    favourite: Mapped[bool] = mapped_column(Boolean, default=False)
    wrong_count: Mapped[int] = mapped_column(Integer, default=0)
    streak: Mapped[int] = mapped_column(Integer, default=0)            # correct answers in a row, on different days
    streak_day: Mapped[date | None] = mapped_column(Date)
    last_wrong_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class PracticeCursor(db.Model):
    """Where sequential practice of one scope (law, chapter, type) stopped."""

    __tablename__ = "practice_cursor"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class MockExam(db.Model):
    """A timed mock exam of random questions; it counts in no rate."""

    __tablename__ = "mock_exam"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    law_id: Mapped[int | None] = mapped_column(ForeignKey("law.id"))
    version_ids: Mapped[list] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    deadline: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    correct: Mapped[int | None] = mapped_column(Integer)
