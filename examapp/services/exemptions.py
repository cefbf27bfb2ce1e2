"""Exemptions (免考): a unit admin (or admin) asks, with the reason and a supporting document, that a person
of their subtree be left out of a year's expected people; a second person, an admin, approves it (the
approvals registry's kind `exemption`). Only approved exemptions count in the rates."""
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..domain import file_types
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import EXEMPTION_REASONS, Approval, Exemption, OrgUnit, User
from . import approvals, uploads
from .exam_results import unit_labels
from .scope import Scope
from .tx import begin_write, commit

REQUESTERS = ("admin", "unit_admin")
ATTACHMENT_TYPES = (file_types.PDF, file_types.PNG, file_types.JPEG)


@dataclass
class ExemptionInput:
    username: str
    year: int
    reason_kind: str
    reason: str


def attachment_folder() -> Path:
    return uploads.folder("exemptions")


def _check(data: ExemptionInput) -> None:
    if not isinstance(data.year, int) or not 2000 <= data.year <= 2100:
        raise ValidationError("year", "年度应为 2000–2100 之间的整数")
    if data.reason_kind not in EXEMPTION_REASONS:
        raise ValidationError("reason_kind", "请选择免考情形")
    if not (data.reason or "").strip():
        raise ValidationError("reason", "请填写具体原因")


def request(actor, data: ExemptionInput, upload: uploads.Upload | None, *, now: datetime) -> Exemption:
    """File the request and its pending approval in one transaction; the attachment is stored first and
    removed again if anything is refused."""
    if not actor.has_role(*REQUESTERS):
        raise PermissionDenied("无权申请免考")
    _check(data)
    scope = Scope.of(actor)
    person = db.session.scalar(scope.users(select(User)).where(User.username == (data.username or "").strip()))
    if person is None:
        raise ValidationError("username", f"工号 {data.username} 不存在或不在您的管理范围内")
    stored = None
    if upload is not None and upload.filename:
        stored = uploads.store(upload, attachment_folder(), ATTACHMENT_TYPES,
                               current_app.config["STUDY_FILE_MAX_BYTES"], "证明材料")
    try:
        begin_write()
        taken = db.session.scalar(select(Exemption.status).where(
            Exemption.user_id == person.id, Exemption.year == data.year,
            Exemption.status.in_(("pending", "approved"))))
        if taken:
            raise Conflict(f"{person.name} {data.year} 年度已有{'待审批的' if taken == 'pending' else '已批准的'}免考")
        exemption = Exemption(user_id=person.id, year=data.year, reason_kind=data.reason_kind,
                              reason=data.reason.strip()[:1000], requested_by=actor.id, requested_at=now,
                              attachment_name=(upload.filename[:200] if stored else ""),
                              attachment_path=stored[0] if stored else "", attachment_type=stored[1] if stored else "")
        db.session.add(exemption)
        db.session.flush()
        label = EXEMPTION_REASONS[data.reason_kind]
        approval = approvals.request(
            actor, "exemption", object_type="exemption", object_id=exemption.id, unit_id=person.unit_id, now=now,
            payload={"username": person.username, "name": person.name, "year": data.year, "reason_kind": data.reason_kind,
                     "attachment": exemption.attachment_name},
            reason=f"{label}：{exemption.reason}", flush_only=True)
        exemption.approval_id = approval.id
        commit()
    except BaseException:
        db.session.rollback()
        if stored:
            (attachment_folder() / stored[0]).unlink(missing_ok=True)
        raise
    return exemption


def _apply(approval: Approval, actor, now: datetime) -> dict:
    exemption = db.session.get(Exemption, approval.object_id)
    if exemption is None or exemption.status != "pending":
        raise Conflict("该免考申请已不在待审批状态")
    exemption.status, exemption.decided_by, exemption.decided_at = "approved", actor.id, now
    return {"exemption": exemption.id, "user_id": exemption.user_id, "year": exemption.year}


def _closed(approval: Approval, status: str) -> None:
    exemption = db.session.get(Exemption, approval.object_id)
    if exemption is not None and exemption.status == "pending":
        exemption.status = status


def _link(approval: Approval) -> tuple[str, dict]:
    exemption = db.session.get(Exemption, approval.object_id)
    return "reports.exemptions_list", {"year": exemption.year if exemption else approval.payload.get("year")}


def _details(approval: Approval) -> dict:
    exemption = db.session.get(Exemption, approval.object_id)
    if exemption is None:
        return {}
    person = db.session.get(User, exemption.user_id)
    return {"exemption": exemption, "person": person, "unit_label": unit_labels({person.unit_id})[person.unit_id],
            "reason_label": EXEMPTION_REASONS.get(exemption.reason_kind, exemption.reason_kind)}


approvals.register(approvals.ApprovalKind(
    "exemption", "免考", REQUESTERS, _apply, _link, _details, deciders=("admin",), closed=_closed))


# -- reading ------------------------------------------------------------------------------------------

def not_exempt(year: int, user_id_column=User.id):
    """SQL: the person has no approved exemption for the year (they owe the year's study and exam). An
    uncorrelated NOT IN: SQLite, without statistics, would probe a correlated NOT EXISTS once per person."""
    return user_id_column.not_in(select(Exemption.user_id).where(Exemption.year == year,
                                                                 Exemption.status == "approved"))


def listing(actor, year: int, status: str = ""):
    """Exemptions of people in the actor's subtree for the year, with the person, the requester and the
    approver (rows of Exemption, User, OrgUnit)."""
    stmt = (Scope.of(actor).units(select(Exemption, User, OrgUnit)
                                  .join(User, User.id == Exemption.user_id)
                                  .join(OrgUnit, OrgUnit.id == User.unit_id))
            .where(Exemption.year == year))
    if status:
        stmt = stmt.where(Exemption.status == status)
    return stmt.order_by(OrgUnit.path, User.username, Exemption.id)


def names(exemptions) -> dict[int, str]:
    ids = {e.requested_by for e in exemptions} | {e.decided_by for e in exemptions if e.decided_by}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


def attachment(actor, exemption_id) -> tuple[Path, Exemption]:
    exemption = db.session.get(Exemption, exemption_id) if isinstance(exemption_id, int) else None
    if exemption is None or not exemption.attachment_path:
        raise NotFound("材料不存在")
    Scope.of(actor).get_user(exemption.user_id)
    path = attachment_folder() / exemption.attachment_path
    if not path.is_file():
        raise NotFound("材料不存在")
    return path, exemption


__all__ = ["ATTACHMENT_TYPES", "ExemptionInput", "attachment", "listing", "names", "not_exempt", "request"]
