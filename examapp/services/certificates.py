"""Enforcement certificates: application with the eligibility evidence, approval with a number from the
pattern, the lifecycle (each event with reason, actor and date, audited), revocation through four eyes,
and the compliance figures. The rules themselves live in domain/certificates.py."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..domain import certificates as rules
from ..domain.certificates import TYPES, Facts, Rule, TransitionRefused, Unmet
from ..domain.like import ESCAPE, containing
from ..errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import (
    Approval,
    Attempt,
    Certificate,
    CertificateApplication,
    CertificateEvent,
    Exam,
    NumberSequence,
    OrgUnit,
    User,
)
from . import approvals, audit, settings, study
from .practice import local_day
from .scope import Scope
from .tx import begin_write, commit

APPLY_ROLES = ("admin", "unit_admin")
DECIDE_ROLES = ("admin",)
QUALIFICATION_KINDS = {"qualification_major": "major_score", "qualification_public": "public_score"}
# what a holder of a live certificate still has: the statuses counted for "建议注销"
LIVE = ("valid", "suspended")


class Ineligible(DomainError):
    """The eligibility rule is not met; `unmet` names every condition."""
    status = 422

    def __init__(self, unmet: list[Unmet], evidence: dict | None = None):
        super().__init__("不符合申领条件：" + "；".join(u.message for u in unmet))
        self.unmet = unmet
        self.evidence = evidence or {}


def _refused(e: TransitionRefused) -> Conflict:
    return Conflict(e.message)


def rule_for(cert_type: str) -> Rule:
    return Rule(cert_type, min_hours=settings.get("cert.min_hours"),
                window_months=settings.get("cert.hours_window_months"), pass_mark=settings.get("cert.pass_mark"))


def _type(cert_type: str) -> str:
    if cert_type not in TYPES:
        raise ValidationError("type", "请选择证件类型（行政执法证或行政执法监督证）")
    return cert_type


def _require(actor, roles_: tuple[str, ...], message: str) -> None:
    if not actor.has_role(*roles_):
        raise PermissionDenied(message)


# -- evidence -------------------------------------------------------------------------------------

def window_start(now: datetime, months: int) -> datetime:
    start = rules.add_months(now.date(), -months)
    return datetime.combine(start, now.time())


def study_hours(user_id: int, since: datetime, until: datetime) -> float:
    """Credited hours between two times (the study service's one aggregate query)."""
    return round(study.hours_between(user_id, since, until), 2)


def qualification_attempts(user_id: int) -> dict[str, dict]:
    """The best submitted, fully graded qualification attempt per kind, scored on 100."""
    rows = db.session.execute(
        select(Attempt.id, Attempt.score, Attempt.submitted_at, Exam.id, Exam.title, Exam.kind, Exam.total_points)
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.user_id == user_id, Attempt.status == "submitted", Attempt.pending_manual.is_(False),
               Attempt.score.is_not(None), Exam.kind.in_(list(QUALIFICATION_KINDS)))).all()
    best: dict[str, dict] = {}
    for attempt_id, score, submitted_at, exam_id, title, kind, total in rows:
        percent = round(score * 100.0 / total, 2) if total else score
        entry = {"kind": kind, "exam_id": exam_id, "exam": title, "attempt_id": attempt_id, "score": score,
                 "percent": percent, "on": submitted_at.date().isoformat() if submitted_at else ""}
        if kind not in best or percent > best[kind]["percent"]:
            best[kind] = entry
    return best


def gather(user: User, cert_type: str, now: datetime, *, with_exams: bool = True) -> tuple[Facts, dict]:
    """The facts the rule is checked on, and the evidence kept with the application or certificate."""
    rule = rule_for(cert_type)
    since = window_start(now, rule.window_months)
    hours = study_hours(user.id, since, now)
    attempts = qualification_attempts(user.id) if with_exams else {}
    scores = {attr: (attempts[kind]["percent"] if kind in attempts else None)
              for kind, attr in QUALIFICATION_KINDS.items()}
    facts = Facts(on_post=user.on_post, is_enforcement=user.is_enforcement, is_supervision=user.is_supervision,
                  hours=hours, active=user.active, **scores)
    evidence = {"hours": hours, "min_hours": rule.min_hours, "window_months": rule.window_months,
                "window_from": local_day(since).isoformat(), "checked_on": local_day(now).isoformat(),
                "pass_mark": rule.pass_mark, "on_post": user.on_post,
                "post": getattr(user, TYPES[cert_type].post_flag),
                "attempts": [attempts[k] for k in QUALIFICATION_KINDS if k in attempts]}
    return facts, evidence


def check_person(actor, user_id: int, cert_type: str, now: datetime) -> tuple[list[Unmet], dict]:
    """The eligibility check as the apply form shows it, before anything is stored."""
    user = Scope.of(actor).get_user(user_id)
    facts, evidence = gather(user, _type(cert_type), now)
    return rules.check(facts, rule_for(cert_type)), evidence


# -- application and approval ---------------------------------------------------------------------

def apply(actor, username: str, type: str, area: str, now: datetime) -> CertificateApplication:  # noqa: A002
    """A unit admin (for their subtree) or an admin applies for a person. Refused, naming every unmet
    condition, when the person is not eligible."""
    _require(actor, APPLY_ROLES, "无权申领证件")
    cert_type = _type(type)
    area = (area or "").strip()
    if len(area) > 200:
        raise ValidationError("area", "执法区域不能超过 200 个字符")
    begin_write()
    user = db.session.execute(Scope.of(actor).users().where(User.username == (username or "").strip())
                              ).scalar_one_or_none()
    if user is None:
        raise NotFound("人员不存在")
    pending = db.session.scalar(select(func.count()).select_from(CertificateApplication).where(
        CertificateApplication.user_id == user.id, CertificateApplication.type == cert_type,
        CertificateApplication.status == "pending"))
    if pending:
        raise Conflict(f"{user.name} 已有待审批的{TYPES[cert_type].label}申领")
    today = local_day(now)
    held = _valid_certificate(user.id, cert_type, today)
    if held is not None:
        raise Conflict(f"{user.name} 已持有有效的{TYPES[cert_type].label}（{held.number}），到期前请办理换发")
    facts, evidence = gather(user, cert_type, now)
    unmet = rules.check(facts, rule_for(cert_type))
    if unmet:
        raise Ineligible(unmet, evidence)
    application = CertificateApplication(type=cert_type, user_id=user.id, unit_id=user.unit_id, area=area,
                                         status="pending", evidence=evidence, applied_by=actor.id, applied_at=now)
    db.session.add(application)
    db.session.flush()
    audit.record("certificate.apply", actor=actor, now=now, object_type="certificate_application",
                 object_id=application.id, data={"user": user.username, "type": cert_type, "area": area,
                                                 "evidence": evidence})
    commit()
    return application


def _valid_certificate(user_id: int, cert_type: str, today: date) -> Certificate | None:
    return db.session.execute(select(Certificate).where(
        Certificate.holder_id == user_id, Certificate.type == cert_type, Certificate.status == "valid",
        Certificate.expires_on >= today).limit(1)).scalar_one_or_none()


def _insert_ignore():
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(db.session.get_bind().dialect.name)


def next_number(cert_type: str, unit_code: str, issued_on: date) -> str:
    """The next number of the pattern, counted per key under a row lock (SELECT … FOR UPDATE; the row is
    created when missing). Numbers already taken (imported certificates) are skipped."""
    pattern = settings.get("cert.number_pattern")
    values = {"type_code": TYPES[cert_type].type_code, "unit": unit_code, "year": issued_on.year}
    key = rules.sequence_key(pattern, **values)
    make = _insert_ignore()
    if make is not None:
        db.session.execute(make(NumberSequence).values(key=key, value=0).on_conflict_do_nothing())
    row = db.session.execute(select(NumberSequence).where(NumberSequence.key == key).with_for_update()
                             ).scalar_one_or_none()
    if row is None:
        row = NumberSequence(key=key, value=0)
        db.session.add(row)
    while True:
        row.value += 1
        number = rules.format_number(pattern, seq=row.value, **values)
        taken = db.session.scalar(select(func.count()).select_from(Certificate).where(Certificate.number == number))
        if not taken:
            db.session.flush()
            return number


def _event(cert: Certificate, kind: str, actor, now: datetime, reason: str = "", **data) -> CertificateEvent:
    event = CertificateEvent(certificate_id=cert.id, kind=kind, on=local_day(now), reason=reason[:1000],
                             actor=getattr(actor, "username", None) or str(actor), data=data, at=now)
    db.session.add(event)
    return event


def _new_certificate(actor, *, cert_type: str, holder: User, area: str, issued_on: date, expires_on: date,
                     evidence: dict, now: datetime, kind: str, reason: str = "", **data) -> Certificate:
    cert = Certificate(type=cert_type, number=next_number(cert_type, holder.unit.code, issued_on),
                       holder_id=holder.id, unit_id=holder.unit_id, authority=settings.get("cert.authority"),
                       area=area, issued_on=issued_on, expires_on=expires_on, status="valid", evidence=evidence,
                       created_at=now)
    db.session.add(cert)
    db.session.flush()
    _event(cert, kind, actor, now, reason, number=cert.number, **data)
    audit.record(f"certificate.{kind}", actor=actor, now=now, object_type="certificate", object_id=cert.id,
                 data={"number": cert.number, "holder": holder.username, "type": cert_type,
                       "issued_on": issued_on.isoformat(), "expires_on": expires_on.isoformat(),
                       "reason": reason, **data})
    return cert


def decide(actor, application_id: int, approve: bool, note: str, now: datetime) -> CertificateApplication:
    """An admin approves (eligibility re-checked, a number assigned, the certificate issued) or refuses
    (a note is required)."""
    _require(actor, DECIDE_ROLES, "只有系统管理员可以审批证件申领")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError("note", "不予批准时请填写理由")
    begin_write()
    application = db.session.execute(select(CertificateApplication).where(
        CertificateApplication.id == application_id).with_for_update()).scalar_one_or_none()
    if application is None:
        raise NotFound("申领不存在")
    if application.status != "pending":
        raise Conflict("该申领已处理")
    holder = db.session.get(User, application.user_id)
    if approve:
        today = local_day(now)
        held = _valid_certificate(holder.id, application.type, today)
        if held is not None:
            raise Conflict(f"{holder.name} 已持有有效的{TYPES[application.type].label}（{held.number}）")
        facts, evidence = gather(holder, application.type, now)
        unmet = rules.check(facts, rule_for(application.type))
        if unmet:
            raise Ineligible(unmet, evidence)
        cert = _new_certificate(actor, cert_type=application.type, holder=holder, area=application.area,
                                issued_on=today, expires_on=rules.expires_on(today, settings.get("cert.validity_years")),
                                evidence=evidence, now=now, kind="issue", reason=note, application=application.id)
        application.certificate_id = cert.id
    application.status = "approved" if approve else "refused"
    application.decided_by, application.decided_at, application.decision_note = actor.id, now, note[:1000]
    audit.record(f"certificate.application_{application.status}", actor=actor, now=now,
                 object_type="certificate_application", object_id=application.id,
                 data={"user": holder.username, "type": application.type, "note": note,
                       "certificate": application.certificate_id})
    commit()
    return application


# -- lifecycle ------------------------------------------------------------------------------------

def get(actor, certificate_id: int) -> Certificate:
    """A certificate the actor may see (their subtree: the holder's unit at issue or now); else 404."""
    cert = db.session.get(Certificate, certificate_id) if isinstance(certificate_id, int) else None
    if cert is None:
        raise NotFound("证件不存在")
    scope = Scope.of(actor)
    if not scope.everything:
        unit = db.session.get(OrgUnit, cert.unit_id)
        if not (scope.covers_unit(unit) or scope.covers_unit(cert.holder.unit)):
            raise NotFound("证件不存在")
    return cert


def _locked(certificate_id: int) -> Certificate:
    # the holder is eager-joined (an outer join): lock only the certificate's row
    cert = db.session.execute(select(Certificate).where(Certificate.id == certificate_id)
                              .with_for_update(of=Certificate)).scalar_one_or_none()
    if cert is None:
        raise NotFound("证件不存在")
    return cert


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", "请填写原因")
    if len(reason) > 1000:
        raise ValidationError("reason", "原因不能超过 1000 个字符")
    return reason


@dataclass(frozen=True)
class Outcome:
    certificate: Certificate            # the certificate acted on
    new: Certificate | None = None      # the one issued by a renewal or reissue


def _plain(cert: Certificate, t, actor, reason: str, now: datetime, **_options) -> dict:
    return {}


def _review(cert: Certificate, t, actor, reason: str, now: datetime, *, sanctioned: bool = False, **_options) -> dict:
    facts, evidence = gather(cert.holder, cert.type, now, with_exams=False)
    unmet = rules.review_check(facts, rule_for(cert.type), sanctioned=sanctioned)
    if unmet:
        raise Ineligible(unmet, evidence)
    cert.last_review_on = local_day(now)
    return {"hours": evidence["hours"]}


def _renew(cert: Certificate, t, actor, reason: str, now: datetime, **_options) -> dict:
    facts, evidence = gather(cert.holder, cert.type, now, with_exams=False)
    unmet = rules.renew_check(facts, rule_for(cert.type))
    if unmet:
        raise Ineligible(unmet, evidence)
    today = local_day(now)
    new = _new_certificate(actor, cert_type=cert.type, holder=cert.holder, area=cert.area, issued_on=today,
                           expires_on=rules.expires_on(today, settings.get("cert.validity_years")),
                           evidence={**evidence, "renews": cert.number}, now=now, kind="issue",
                           reason=reason, renews=cert.id)
    cert.status, cert.replaced_by_id = t.target, new.id
    return {"new": new.id, "new_number": new.number}


def _reissue(cert: Certificate, t, actor, reason: str, now: datetime, **_options) -> dict:
    """补发: a new number for the rest of the lost certificate's validity; the lost one stays lost."""
    new = _new_certificate(actor, cert_type=cert.type, holder=cert.holder, area=cert.area,
                           issued_on=local_day(now), expires_on=cert.expires_on,
                           evidence={**cert.evidence, "reissues": cert.number}, now=now, kind="issue",
                           reason=reason, reissues=cert.id)
    cert.replaced_by_id = new.id
    return {"new": new.id, "new_number": new.number}


# what each transition does beyond the status change the table gives
HANDLERS = {"review": _review, "renew": _renew, "reissue": _reissue}


def _apply_transition(actor, cert: Certificate, kind: str, reason: str, now: datetime, *, record: dict | None = None,
                      **options) -> Outcome:
    try:
        t = rules.check_transition(kind, cert.status, has_successor=cert.replaced_by_id is not None)
    except TransitionRefused as e:
        raise _refused(e) from None
    old = cert.status
    data = {**HANDLERS.get(kind, _plain)(cert, t, actor, reason, now, **options), **(record or {})}
    cert.status = t.target
    _event(cert, kind, actor, now, reason, old_status=old, status=cert.status, **data)
    audit.record(f"certificate.{kind}", actor=actor, now=now, object_type="certificate", object_id=cert.id,
                 data={"number": cert.number, "old_status": old, "status": cert.status, "reason": reason, **data})
    new = db.session.get(Certificate, data["new"]) if "new" in data else None
    return Outcome(cert, new)


def transition(actor, certificate_id: int, kind: str, reason: str, now: datetime, **options) -> Outcome:
    """review, renew, suspend, reinstate, recall, cancel, lose, reissue: admins only, reason required, one
    transaction with the event and the audit record. Revocation goes through `request_revoke`."""
    _require(actor, ("admin",), "只有系统管理员可以办理证件变更")
    t = rules.TRANSITIONS.get(kind)
    if t is None or t.system or not t.sources:
        raise ValidationError("kind", f"未知的证件操作 {kind}")
    if t.four_eyes:
        raise ValidationError("kind", f"{t.label}须由另一位管理员审批，请提交{t.label}申请")
    reason = _reason(reason)
    begin_write()
    get(actor, certificate_id)
    outcome = _apply_transition(actor, _locked(certificate_id), kind, reason, now, **options)
    commit()
    return outcome


def expire(actor, certificate_id: int, now: datetime) -> Outcome | None:
    """The date has passed: valid → expired (the scheduler's job). None when nothing was due."""
    begin_write()
    cert = _locked(certificate_id)
    if cert.status != "valid" or not rules.is_expired(cert.expires_on, local_day(now)):
        db.session.rollback()
        return None
    outcome = _apply_transition(actor, cert, "expire", "有效期届满", now)
    commit()
    return outcome


# -- revocation (four eyes) -----------------------------------------------------------------------

def request_revoke(actor, certificate_id: int, reason: str, now: datetime) -> Approval:
    _require(actor, ("admin",), "只有系统管理员可以申请吊销证件")
    reason = _reason(reason)
    begin_write()
    cert = get(actor, certificate_id)
    problem = rules.refusal("revoke", cert.status)
    if problem:
        raise Conflict(problem)
    approval = approvals.request(actor, "certificate_revoke", object_type="certificate", object_id=cert.id,
                                 payload={"number": cert.number, "status": cert.status}, reason=reason,
                                 unit_id=cert.unit_id, now=now, flush_only=True)
    commit()
    return approval


def _apply_revoke(approval: Approval, actor, now: datetime) -> dict:
    cert = _locked(approval.object_id)
    outcome = _apply_transition(actor, cert, "revoke", approval.reason, now,
                                record={"requested_by": approval.requested_by, "approval": approval.id})
    return {"number": outcome.certificate.number, "status": outcome.certificate.status}


def _revoke_details(approval: Approval) -> dict:
    return {"certificate": db.session.get(Certificate, approval.object_id)}


approvals.register(approvals.ApprovalKind(
    "certificate_revoke", "吊销证件", ("admin",), _apply_revoke,
    lambda a: ("certificates.view", {"certificate_id": a.object_id}), _revoke_details))


def pending_revocation(certificate_id: int) -> Approval | None:
    return db.session.execute(select(Approval).where(
        Approval.kind == "certificate_revoke", Approval.object_type == "certificate",
        Approval.object_id == certificate_id, Approval.status == "pending")).scalar_one_or_none()


# -- lists and compliance -------------------------------------------------------------------------

@dataclass
class CertFilter:
    type: str = ""
    status: str = ""          # a stored status, or "expiring" / "proposed_cancel"
    unit_id: int | None = None
    expiring_days: int | None = None
    q: str = ""


def _scoped_certificates(actor):
    """Certificates whose holder is in the actor's subtree (holder and unit joined)."""
    stmt = select(Certificate).join(User, User.id == Certificate.holder_id)
    return Scope.of(actor).users(stmt)


def proposed_cancel_clause():
    """Live certificates whose holder was deactivated or left the type's post: 建议注销."""
    post_lost = or_(and_(Certificate.type == "ENFORCEMENT", User.is_enforcement.is_(False)),
                    and_(Certificate.type == "SUPERVISION", User.is_supervision.is_(False)))
    return and_(Certificate.status.in_(LIVE), or_(User.active.is_(False), post_lost))


def status_clause(status: str, today: date):
    """Certificates in an effective status as SQL (a valid one past its date counts as expired), or
    None for any status: the one rule the list pages and the command line share."""
    if status == "expiring":
        lead = rules.add_months(today, settings.get("cert.renewal_lead_months"))
        return and_(Certificate.status == "valid", Certificate.expires_on >= today, Certificate.expires_on <= lead)
    if status == "proposed_cancel":
        return proposed_cancel_clause()
    if status == "expired":
        return or_(Certificate.status == "expired", and_(Certificate.status == "valid", Certificate.expires_on < today))
    if status == "valid":
        return and_(Certificate.status == "valid", Certificate.expires_on >= today)
    if status in rules.STATUS_LABELS:
        return Certificate.status == status
    return None


def listing(actor, f: CertFilter, today: date):
    stmt = _scoped_certificates(actor)
    if f.type in TYPES:
        stmt = stmt.where(Certificate.type == f.type)
    clause = status_clause(f.status, today) if f.status else None
    if clause is not None:
        stmt = stmt.where(clause)
    if f.expiring_days is not None:
        stmt = stmt.where(Certificate.status == "valid", Certificate.expires_on >= today,
                          Certificate.expires_on <= today + timedelta(days=f.expiring_days))
    if f.unit_id is not None:
        unit = Scope.of(actor).get_unit(f.unit_id)
        holder_unit = select(OrgUnit.id).where(OrgUnit.path.like(unit.path + "%"))
        stmt = stmt.where(User.unit_id.in_(holder_unit))
    q = f.q.strip()
    if q:
        like = containing(q)
        stmt = stmt.where(or_(Certificate.number.like(like, escape=ESCAPE), User.username.like(like, escape=ESCAPE),
                              User.name.like(like, escape=ESCAPE)))
    return stmt.order_by(Certificate.expires_on, Certificate.id)


def applications(actor, status: str = ""):
    stmt = Scope.of(actor).users(select(CertificateApplication).join(User, User.id == CertificateApplication.user_id))
    if status:
        stmt = stmt.where(CertificateApplication.status == status)
    return stmt.order_by(CertificateApplication.applied_at.desc(), CertificateApplication.id.desc())


def get_application(actor, application_id: int) -> CertificateApplication:
    application = db.session.get(CertificateApplication, application_id)
    if application is None:
        raise NotFound("申领不存在")
    Scope.of(actor).get_user(application.user_id)
    return application


def events(certificate_id: int) -> list[CertificateEvent]:
    return list(db.session.scalars(select(CertificateEvent).where(CertificateEvent.certificate_id == certificate_id)
                                   .order_by(CertificateEvent.at, CertificateEvent.id)))


def _has_valid(cert_type: str, today: date):
    return exists().where(Certificate.holder_id == User.id, Certificate.type == cert_type,
                          Certificate.status == "valid", Certificate.expires_on >= today)


def _enforcement_staff():
    return and_(User.active.is_(True), User.on_post.is_(True), User.is_enforcement.is_(True))


def uncertified(actor, today: date):
    """Enforcement staff in scope without a valid ENFORCEMENT certificate: 不得从事执法."""
    stmt = Scope.of(actor).users(select(User)).where(_enforcement_staff(), ~_has_valid("ENFORCEMENT", today))
    return stmt.order_by(User.unit_id, User.username)


def uncertified_among(user_ids, today: date) -> set[int]:
    """Which of these people are enforcement staff without a valid enforcement certificate (one query,
    for lists that mark them)."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(User.id).where(User.id.in_(ids), _enforcement_staff(),
                                                        ~_has_valid("ENFORCEMENT", today))))


def lacks_certificate(user: User, today: date) -> bool:
    """Whether this person should be marked 不得从事执法 (the same rule as the lists, in SQL)."""
    return user.id in uncertified_among([user.id], today)


@dataclass
class UnitRate:
    unit: OrgUnit
    staff: int
    certified: int
    own: bool = False          # the unit's own staff, without its sub-units

    @property
    def rate(self) -> float | None:
        return self.certified / self.staff if self.staff else None

    @property
    def percent(self) -> float:
        return round(100.0 * self.certified / self.staff, 1) if self.staff else 0.0

    @property
    def label(self) -> str:
        return f"{self.unit.name}（本级）" if self.own else self.unit.name


def _root_units(actor) -> list[OrgUnit]:
    scope = Scope.of(actor)
    if scope.everything:
        return list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.sort_order, OrgUnit.id)))
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.path.in_(scope.paths))))


def certificate_rates(actor, today: date, unit_id: int | None = None) -> tuple[OrgUnit | None, list[UnitRate], UnitRate | None]:
    """持证率 by child unit of `unit_id` (default: the top of the actor's scope), plus the unit's own staff,
    from one GROUP BY over the staff's unit paths."""
    scope = Scope.of(actor)
    if unit_id is not None:
        root = scope.get_unit(unit_id)
    else:
        roots = _root_units(actor)
        if not roots:
            return None, [], None
        root = roots[0] if len(roots) == 1 else None
    if root is None:   # several separate subtrees: one row each
        groups = [(u, False) for u in _root_units(actor)]
        prefix_clause = or_(*[OrgUnit.path.like(u.path + "%") for u, _own in groups])
    else:
        children = list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == root.id)
                                           .order_by(OrgUnit.sort_order, OrgUnit.id)))
        groups = [(root, True)] + [(c, False) for c in children]
        prefix_clause = OrgUnit.path.like(root.path + "%")
    counts = db.session.execute(
        select(OrgUnit.path, func.count(User.id),
               func.sum(case((_has_valid("ENFORCEMENT", today), 1), else_=0)))
        .select_from(User).join(OrgUnit, OrgUnit.id == User.unit_id)
        .where(_enforcement_staff(), prefix_clause).group_by(OrgUnit.path)).all()
    out = []
    for unit, own in groups:
        if own:
            staff = sum(n for path, n, _c in counts if path == unit.path)
            certified = sum(int(c or 0) for path, _n, c in counts if path == unit.path)
        else:
            staff = sum(n for path, n, _c in counts if path.startswith(unit.path))
            certified = sum(int(c or 0) for path, _n, c in counts if path.startswith(unit.path))
        out.append(UnitRate(unit, staff, certified, own))
    total = UnitRate(root, sum(r.staff for r in out), sum(r.certified for r in out)) if out else None
    return root, [r for r in out if r.staff or not r.own], total


def expiring_soon(actor, today: date, days: int):
    return listing(actor, CertFilter(expiring_days=days), today)


def proposed_cancellations(actor):
    return _scoped_certificates(actor).where(proposed_cancel_clause()).order_by(Certificate.id)


__all__ = ["CertFilter", "Ineligible", "Outcome", "UnitRate", "applications", "apply", "certificate_rates",
           "check_person", "decide", "events", "expire", "expiring_soon", "gather", "get", "get_application",
           "lacks_certificate", "listing", "next_number", "pending_revocation", "proposed_cancellations",
           "request_revoke", "rule_for", "study_hours", "transition", "uncertified"]
