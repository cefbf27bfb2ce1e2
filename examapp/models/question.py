from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import created_at as stamp
from .law import Law

STATUSES = ("active", "retired", "review")


class Question(db.Model):
    """A question's identity and state; what it says lives in its versions (attempts keep theirs)."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(40), unique=True)     # con-0001: stable across banks
    law_id: Mapped[int] = mapped_column(ForeignKey("law.id"), index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_version.id", use_alter=True, name="fk_question_current_version_id_question_version"))
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    review_reason: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = stamp()
    updated_at: Mapped[datetime] = stamp()

    law: Mapped[Law] = relationship(lazy="joined", innerjoin=True)
    current: Mapped["QuestionVersion"] = relationship(foreign_keys=[current_version_id], post_update=True,
                                                      lazy="joined")


class QuestionVersion(db.Model):
    __tablename__ = "question_version"
    __table_args__ = (UniqueConstraint("question_id", "version", name="uq_question_version_question_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    type: Mapped[str] = mapped_column(String(10))
    difficulty: Mapped[int] = mapped_column(Integer, default=1)
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[object] = mapped_column(JSON, nullable=True)
    explanation: Mapped[str] = mapped_column(Text, default="")
    articles: Mapped[list] = mapped_column(JSON, default=list)     # article numbers of the law
    tags: Mapped[list] = mapped_column(JSON, default=list)
    items: Mapped[list] = mapped_column(JSON, default=list)        # sub-questions of a case
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = stamp()
    created_by: Mapped[str] = mapped_column(String(64), default="")


class QuestionArticle(db.Model):
    """Which articles the current version cites: coverage, flagging after amendments, article → questions."""

    __tablename__ = "question_article"
    __table_args__ = (Index("ix_question_article_law_number", "law_id", "article_number"),)

    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    article_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("law.id"))
