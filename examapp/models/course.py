from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import created_at as stamp

LESSON_KINDS = ("law_reading", "document", "video", "broadcast", "offline")
OFFLINE_KINDS = ("lecture", "group_study", "leader_study", "oath")   # 法治讲座 集中学习 党组中心组学法 宪法宣誓
COURSE_CATEGORIES = ("required", "elective")                        # 必修 选修


class Course(db.Model):
    """A set of lessons for an audience (the same audience entries as exams), in one year's plan."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(4000), default="")
    year: Mapped[int] = mapped_column(Integer, index=True)
    category: Mapped[str] = mapped_column(String(12), default="required")
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)   # draft | published | archived
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = stamp()

    lessons: Mapped[list["Lesson"]] = relationship(back_populates="course", order_by="Lesson.ordinal",
                                                   cascade="all, delete-orphan")


class CourseAudience(db.Model):
    __tablename__ = "course_audience"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))       # unit | unit_tree | role | flag | user
    value: Mapped[str] = mapped_column(String(64))


class Lesson(db.Model):
    """One lesson. `credit_minutes` caps what studying it can earn. Kind-specific fields: law reading
    (law code, optional part), an uploaded file (stored under the instance folder with a random name),
    a court-trial broadcast (start, link, duration), an offline session (its kind, time and place),
    credited by attendance."""

    __tablename__ = "lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    credit_minutes: Mapped[int] = mapped_column(Integer, default=45)
    law_code: Mapped[str | None] = mapped_column(String(64))
    law_part_id: Mapped[int | None] = mapped_column(ForeignKey("law_part.id"))
    file_name: Mapped[str | None] = mapped_column(String(255))        # the name it was uploaded with
    stored_name: Mapped[str | None] = mapped_column(String(80))       # random name under the instance folder
    mime_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime)       # broadcast / offline session time
    link: Mapped[str | None] = mapped_column(String(500))              # broadcast link
    offline_kind: Mapped[str | None] = mapped_column(String(16))
    location: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(20000), default="")       # lecture notes as text

    course: Mapped[Course] = relationship(back_populates="lessons")


class StudySession(db.Model):
    """One sitting on one online lesson, kept alive by heartbeats the server counts. A person has at
    most one open session at a time; time is credited only between beats close enough together."""

    __tablename__ = "study_session"
    __table_args__ = (Index("ix_study_session_user_open", "user_id", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)        # the page's handle for its beats
    started_at: Mapped[datetime] = mapped_column(DateTime)
    last_beat_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    credited_seconds: Mapped[int] = mapped_column(Integer, default=0)
    beats: Mapped[int] = mapped_column(Integer, default=0)
    intervals: Mapped[list] = mapped_column(JSON, default=list)        # seconds between beats (last 200)
    flags: Mapped[list] = mapped_column(JSON, default=list)            # suspicious patterns for an admin
    ip: Mapped[str] = mapped_column(String(64), default="")


class StudyRecord(db.Model):
    """Credited study time: one row per person and lesson for online study (grown by sessions, capped at
    the lesson's credit), one per attendance of an offline session, or practice time when the plan
    counts it."""

    __tablename__ = "study_record"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", name="uq_study_record_user_lesson"),
                      Index("ix_study_record_user_year", "user_id", "year"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id", ondelete="SET NULL"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))          # online | offline | practice
    category: Mapped[str] = mapped_column(String(12), default="required")
    minutes: Mapped[float] = mapped_column(Float, default=0)
    source: Mapped[str] = mapped_column(String(16))        # heartbeat | attendance | import | practice
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)    # when it reached the lesson's credit


class StudyPlan(db.Model):
    """A year's required hours for an audience; the newest matching plan applies to a person."""

    __tablename__ = "study_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200))
    required_hours: Mapped[float] = mapped_column(Float, default=40)   # total
    compulsory_hours: Mapped[float] = mapped_column(Float, default=30)  # of which from 必修 courses
    deadline: Mapped[datetime] = mapped_column(DateTime)
    count_practice: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[list] = mapped_column(JSON, default=list)          # [[kind, value], …] as for exams; empty: all
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = stamp()


__all__ = ["COURSE_CATEGORIES", "LESSON_KINDS", "OFFLINE_KINDS", "Course", "CourseAudience", "Lesson", "StudyPlan",
           "StudyRecord", "StudySession"]
