from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

APPROVAL_STATUSES = ("pending", "approved", "rejected", "withdrawn")


class Approval(db.Model):
    """A change that takes effect only when a second admin approves it (four eyes): a regrade after a
    key correction, a score override, a certificate revocation, an exemption. `payload` holds what the
    requester asked for; the kind's handler applies it on approval."""

    __tablename__ = "approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    object_type: Mapped[str] = mapped_column(String(24))
    object_id: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))      # for scoping; None = bureau-wide
    requested_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str] = mapped_column(String(1000), default="")


__all__ = ["APPROVAL_STATUSES", "Approval"]
