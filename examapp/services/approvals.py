"""Four eyes: a change of one of the kinds below is requested by one admin and takes effect only when a
second admin approves it. Each kind registers how it is applied and described; nothing here knows
about exams or certificates."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import Approval, OrgUnit, User
from . import audit
from .scope import Scope
from .tx import begin_write, commit


@dataclass(frozen=True)
class ApprovalKind:
    name: str
    label: str
    roles: tuple[str, ...]                       # who may request (and approve, unless `deciders` says)
    apply: Callable[[Approval, object, datetime], dict]     # runs in the approver's transaction
    link: Callable[[Approval], tuple[str, dict]]            # (endpoint, values) of the object's page
    details: Callable[[Approval], dict] = lambda approval: {}   # objects the request page shows
    deciders: tuple[str, ...] = ()               # who may approve; empty: the same roles as request
    closed: Callable[[Approval, str], None] | None = None   # told of a rejection or withdrawal, same transaction

    @property
    def approvers(self) -> tuple[str, ...]:
        return self.deciders or self.roles


KINDS: dict[str, ApprovalKind] = {}
# modules that register a kind when imported (imported lazily: they import this module)
KIND_MODULES = ("regrade", "certificates", "exemptions")


def _load_kinds() -> dict[str, ApprovalKind]:
    import importlib
    for name in KIND_MODULES:
        importlib.import_module(f"{__package__}.{name}")
    return KINDS


def register(kind: ApprovalKind) -> ApprovalKind:
    KINDS[kind.name] = kind
    return kind


def kind_of(approval: Approval) -> ApprovalKind:
    return _load_kinds()[approval.kind]


def _may(actor, kind: ApprovalKind) -> bool:
    return actor.has_role(*kind.roles)


def _may_decide(actor, kind: ApprovalKind) -> bool:
    return actor.has_role(*kind.approvers)


def _may_read(actor, kind: ApprovalKind) -> bool:
    return _may(actor, kind) or _may_decide(actor, kind) or actor.has_role("auditor")   # auditors check who approved


def _in_scope(actor, stmt):
    """Requests filed for a unit are seen by those whose scope covers it; bureau-wide ones (a regrade) by
    everyone who may read their kind."""
    scope = Scope.of(actor)
    if scope.everything:
        return stmt
    return stmt.where(or_(Approval.unit_id.is_(None), Approval.unit_id.in_(scope.units(select(OrgUnit.id)))))


def request(actor, kind: str, *, object_type: str, object_id: int, payload: dict, reason: str,
            unit_id: int | None = None, now: datetime, flush_only: bool = False) -> Approval:
    """Create a pending request. `flush_only` lets a caller that already opened the transaction (and
    checked its input under it) keep one commit."""
    spec = _load_kinds().get(kind)
    if spec is None:
        raise ValidationError("kind", f"未知的审批类型 {kind}")
    if not _may(actor, spec):
        raise PermissionDenied("无权提出此项申请")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", "请填写原因")
    if not flush_only:
        begin_write()
    duplicate = db.session.scalar(select(func.count()).select_from(Approval).where(
        Approval.kind == kind, Approval.object_type == object_type, Approval.object_id == object_id,
        Approval.status == "pending"))
    if duplicate:
        raise Conflict("同一对象已有待审批的申请，请先审批或撤回")
    approval = Approval(kind=kind, object_type=object_type, object_id=object_id, payload=payload,
                        reason=reason[:1000], unit_id=unit_id, requested_by=actor.id, requested_at=now)
    db.session.add(approval)
    db.session.flush()
    audit.record("approval.request", actor=actor, now=now, object_type="approval", object_id=approval.id,
                 data={"kind": kind, "object": f"{object_type}:{object_id}", "payload": payload, "reason": reason})
    if not flush_only:
        commit()
    return approval


def _locked(approval_id: int) -> Approval:
    approval = db.session.execute(select(Approval).where(Approval.id == approval_id).with_for_update()
                                  ).scalar_one_or_none()
    if approval is None:
        raise NotFound("审批不存在")
    if approval.status != "pending":
        raise Conflict("该申请已处理")
    return approval


def decide(actor, approval_id: int, *, approve: bool, note: str = "", now: datetime) -> Approval:
    """Approve (the change is applied in the same transaction) or reject (a note is required). The
    requester can never approve their own request."""
    begin_write()
    approval = _locked(approval_id)
    spec = kind_of(approval)
    if not _may_decide(actor, spec):
        raise PermissionDenied("无权审批此项申请")
    if approval.requested_by == actor.id:
        raise PermissionDenied("不能审批自己提出的申请，须由另一位管理员审批")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError("note", "驳回时请填写理由")
    result = spec.apply(approval, actor, now) if approve else {}
    if not approve and spec.closed is not None:
        spec.closed(approval, "rejected")
    approval.status = "approved" if approve else "rejected"
    approval.decided_by, approval.decided_at, approval.decision_note = actor.id, now, note[:1000]
    audit.record(f"approval.{approval.status}", actor=actor, now=now, object_type="approval",
                 object_id=approval.id, data={"kind": approval.kind, "note": note, "result": result})
    commit()
    return approval


def withdraw(actor, approval_id: int, *, now: datetime) -> Approval:
    begin_write()
    approval = _locked(approval_id)
    if approval.requested_by != actor.id:
        raise PermissionDenied("只有申请人可以撤回")
    approval.status, approval.decided_by, approval.decided_at = "withdrawn", actor.id, now
    spec = kind_of(approval)
    if spec.closed is not None:
        spec.closed(approval, "withdrawn")
    audit.record("approval.withdrawn", actor=actor, now=now, object_type="approval", object_id=approval.id,
                 data={"kind": approval.kind})
    commit()
    return approval


def listing(actor, *, status: str | None, page: int, per_page: int = 20):
    """Requests of the kinds this person may see, newest first."""
    kinds = [k.name for k in _load_kinds().values() if _may_read(actor, k)]
    stmt = _in_scope(actor, select(Approval).where(Approval.kind.in_(kinds))
                     .order_by(Approval.requested_at.desc(), Approval.id.desc()))
    if status:
        stmt = stmt.where(Approval.status == status)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def names(approvals) -> dict[int, str]:
    ids = {a.requested_by for a in approvals} | {a.decided_by for a in approvals if a.decided_by}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


def pending_count(actor) -> int:
    kinds = [k.name for k in _load_kinds().values() if _may_decide(actor, k)]
    return db.session.scalar(_in_scope(actor, select(func.count()).select_from(Approval).where(
        Approval.kind.in_(kinds), Approval.status == "pending", Approval.requested_by != actor.id))) or 0


def get(actor, approval_id: int) -> Approval:
    approval = db.session.get(Approval, approval_id)
    if approval is None or approval.kind not in _load_kinds() or not _may_read(actor, kind_of(approval)):
        raise NotFound("审批不存在")
    if not Scope.of(actor).everything and db.session.scalar(
            _in_scope(actor, select(Approval.id).where(Approval.id == approval.id))) is None:
        raise NotFound("审批不存在")
    return approval


def may_decide(actor, approval: Approval) -> bool:
    return approval.status == "pending" and _may_decide(actor, kind_of(approval)) and approval.requested_by != actor.id


def may_withdraw(actor, approval: Approval) -> bool:
    return approval.status == "pending" and approval.requested_by == actor.id


__all__ = ["KINDS", "ApprovalKind", "decide", "get", "kind_of", "may_decide", "may_withdraw", "listing", "names", "pending_count", "register",
           "request", "withdraw"]
