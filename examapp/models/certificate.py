from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

CERT_TYPES = ("ENFORCEMENT", "SUPERVISION")          # 行政执法证 行政执法监督证
CERT_STATUSES = ("valid", "suspended", "revoked", "recalled", "cancelled", "expired", "lost", "replaced")


class Certificate(db.Model):
    """A law-enforcement certificate ("两证"). Its history is in CertificateEvent; `evidence` keeps what
    it was issued on (hours, the passed qualification attempts)."""

    __tablename__ = "certificate"
    __table_args__ = (Index("ix_certificate_holder_type", "holder_id", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))     # the holder's unit at issue
    authority: Mapped[str] = mapped_column(String(120), default="")      # issuing authority
    area: Mapped[str] = mapped_column(String(200), default="")           # enforcement area / category
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default="valid", index=True)
    last_review_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))   # renewal / reissue
    created_at: Mapped[datetime] = mapped_column(DateTime)

    holder = relationship("User", foreign_keys=[holder_id], lazy="joined")


class CertificateEvent(db.Model):
    __tablename__ = "certificate_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))     # issue review renew suspend reinstate revoke recall cancel …
    on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    actor: Mapped[str] = mapped_column(String(64), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime)


class CertificateApplication(db.Model):
    """A unit admin applies for a person; the eligibility check's evidence is kept with it."""

    __tablename__ = "certificate_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    area: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)   # pending approved refused
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    applied_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    applied_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str] = mapped_column(String(1000), default="")
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))


class NumberSequence(db.Model):
    """The last number handed out per key (type, unit code, year): locked while a number is assigned."""

    __tablename__ = "number_sequence"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


__all__ = ["CERT_STATUSES", "CERT_TYPES", "Certificate", "CertificateApplication", "CertificateEvent",
           "NumberSequence"]
