from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

EXEMPTION_REASONS = {
    "retirement": "距退休不足两年",
    "maternity": "产假",
    "illness": "重病",
    "other": "其他",
}


class Exemption(db.Model):
    """免考 for one person and year. It counts only once approved by a second admin (an Approval of kind
    `exemption`); the attachment is stored under a random name in the instance folder."""

    __tablename__ = "exemption"
    __table_args__ = (db.Index("ix_exemption_year_status", "year", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    reason_kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(1000), default="")
    attachment_name: Mapped[str] = mapped_column(String(200), default="")     # as the requester uploaded it
    attachment_path: Mapped[str] = mapped_column(String(200), default="")     # stored name in the instance folder
    attachment_type: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(12), default="pending")       # pending approved rejected withdrawn
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    requested_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class ReportSnapshot(db.Model):
    """The rates of a year frozen at its close: the report of every unit and the facts of every person it
    counted, with the digest of the report and the audit-chain head it was computed at."""

    __tablename__ = "report_snapshot"
    __table_args__ = (UniqueConstraint("year", name="uq_report_snapshot_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[str] = mapped_column(String(10))                 # the report date, ISO
    report: Mapped[dict] = mapped_column(JSON)                     # the whole bureau's report (DESIGN §4)
    people: Mapped[str] = mapped_column(Text)                      # canonical JSON of every counted person's facts
    digest: Mapped[str] = mapped_column(String(64))
    audit_seq: Mapped[int] = mapped_column(Integer)
    audit_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


__all__ = ["EXEMPTION_REASONS", "Exemption", "ReportSnapshot"]
