from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import created_at as stamp

EXAM_KINDS = ("annual", "qualification_major", "qualification_public", "competition", "mock")
EXAM_STATUSES = ("draft", "published", "closed")


class Exam(db.Model):
    """An exam and its settings (DESIGN §2). The paper lives in versions: once attempts exist, changing
    it makes a new version and running attempts keep the one they started with (F15)."""

    __tablename__ = "exam"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24), default="annual")
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    opens_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    pass_mark: Mapped[float] = mapped_column(Float, default=60)
    total_points: Mapped[float] = mapped_column(Float, default=100)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=3)
    counting: Mapped[str] = mapped_column(String(10), default="best")
    grace_seconds: Mapped[int] = mapped_column(Integer, default=60)
    makeup_opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    makeup_closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    makeup_for: Mapped[list] = mapped_column(JSON, default=lambda: ["absent", "failed"])
    results_visibility: Mapped[str] = mapped_column(String(12), default="immediately")
    answers_visibility: Mapped[str] = mapped_column(String(12), default="after_close")
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    navigation: Mapped[str] = mapped_column(String(12), default="free")        # free | sequential
    one_per_page: Mapped[bool] = mapped_column(Boolean, default=True)
    partial_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    bands: Mapped[list] = mapped_column(JSON, default=lambda: [["优秀", 90], ["良好", 80], ["合格", 60],
                                                                ["不合格", 0]])
    ip_ranges: Mapped[list] = mapped_column(JSON, default=list)
    tab_switch_threshold: Mapped[int | None] = mapped_column(Integer)
    # past the threshold the attempt is submitted as it stands (off by default: a person decides)
    integrity_auto_submit: Mapped[bool] = mapped_column(Boolean, default=False)
    # two hand grades further apart than this share of the item's points go to a third grader
    arbitration_percent: Mapped[int] = mapped_column(Integer, default=20)
    # "学时达标方可参考": a person may start only once their study plan's hours are met
    requires_study_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    current_paper_id: Mapped[int | None] = mapped_column(
        ForeignKey("exam_paper.id", use_alter=True, name="fk_exam_current_paper_id_exam_paper"))
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = stamp()
    # when the wrong answers of this exam went into the takers' notebooks (once, after it closed)
    notebook_synced_at: Mapped[datetime | None] = mapped_column(DateTime)

    current_paper: Mapped["ExamPaper | None"] = relationship(foreign_keys=[current_paper_id], post_update=True)


class ExamPaper(db.Model):
    """One version of an exam's paper: a fixed list of question versions, or rules drawn per person."""

    __tablename__ = "exam_paper"
    __table_args__ = (UniqueConstraint("exam_id", "version", name="uq_exam_paper_exam_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    mode: Mapped[str] = mapped_column(String(8), default="rules")     # fixed | rules
    fixed: Mapped[list] = mapped_column(JSON, default=list)           # [[question_version_id, points], …]
    rules: Mapped[list] = mapped_column(JSON, default=list)           # [[law, type, difficulty, count, points], …]
    created_at: Mapped[datetime] = stamp()
    created_by: Mapped[str] = mapped_column(String(64), default="")


class ExamAudience(db.Model):
    """Who must or may sit the exam: units (with or without their subtree), roles, post flags, named people."""

    __tablename__ = "exam_audience"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))       # unit | unit_tree | role | flag | user
    value: Mapped[str] = mapped_column(String(64))


class ExamOverride(db.Model):
    """One person's exceptions: extra time, an own window, extra attempts — each with its reason."""

    __tablename__ = "exam_override"
    __table_args__ = (UniqueConstraint("exam_id", "user_id", name="uq_exam_override_exam_id_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(400))
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = stamp()


class Attempt(db.Model):
    """One sitting. The paper is frozen at the start (`slots`); the deadline is computed on the server."""

    __tablename__ = "attempt"
    __table_args__ = (UniqueConstraint("exam_id", "user_id", "number", name="uq_attempt_exam_id_user_id"),
                      Index("ix_attempt_status_deadline", "status", "deadline"))

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("exam_paper.id"))
    number: Mapped[int] = mapped_column(Integer)
    makeup: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="running")   # running | submitted
    started_at: Mapped[datetime] = mapped_column(DateTime)
    deadline: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_by: Mapped[str] = mapped_column(String(12), default="")     # person | grace | scheduler
    slots: Mapped[list] = mapped_column(JSON)       # [{"v": question_version_id, "p": points, "o": [option order]}]
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    pending_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    ip: Mapped[str] = mapped_column(String(64), default="")

    exam: Mapped[Exam] = relationship(lazy="joined", innerjoin=True)


class Answer(db.Model):
    """The latest saved answer to one slot of an attempt; `seq` refuses stale saves from another tab (F5)."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("attempt_id", "slot", name="uq_answer_attempt_id_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"))
    response: Mapped[object] = mapped_column(JSON, nullable=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    saved_at: Mapped[datetime] = mapped_column(DateTime)
    points: Mapped[float | None] = mapped_column(Float)
    correct: Mapped[bool | None] = mapped_column(Boolean)


class IntegrityEvent(db.Model):
    """Page hidden/visible, IP changes, timings: evidence for a person to review, never a penalty by itself."""

    __tablename__ = "integrity_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class ManualGrade(db.Model):
    """One grader's points for one free-text item of a submitted attempt. Rounds 1 and 2 are blind to
    each other and to the taker's name; round 3 arbitrates when they differ by too much."""

    __tablename__ = "manual_grade"
    __table_args__ = (UniqueConstraint("attempt_id", "slot", "item", "round", name="uq_manual_grade_round"),
                      UniqueConstraint("attempt_id", "slot", "item", "grader_id", name="uq_manual_grade_grader"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    item: Mapped[int] = mapped_column(Integer)           # index of the free-text item in the case question
    round: Mapped[int] = mapped_column(Integer)          # 1, 2 (blind) or 3 (arbitration)
    grader_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    points: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    graded_at: Mapped[datetime] = mapped_column(DateTime)


class KeyCorrection(db.Model):
    """A corrected answer key for one question version as used in one exam; grading and review use it in
    place of the frozen key. Created only by an approved regrade (four eyes)."""

    __tablename__ = "key_correction"
    __table_args__ = (UniqueConstraint("exam_id", "question_version_id", name="uq_key_correction_exam_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), index=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"))
    answer: Mapped[object] = mapped_column(JSON)
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    created_at: Mapped[datetime] = stamp()


__all__ = ["EXAM_KINDS", "EXAM_STATUSES", "Answer", "Attempt", "Exam", "ExamAudience", "ExamOverride", "ExamPaper",
           "IntegrityEvent", "KeyCorrection", "ManualGrade"]
