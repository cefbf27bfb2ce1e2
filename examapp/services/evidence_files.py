"""The files of an evidence pack, derived from the database for one resolved scope. Each is produced in a
stable order with stable formatting, in batches (no query per row), so that building a pack and
re-deriving it later give the same bytes for the same records."""
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import String, and_, cast, false, literal, or_, select
from sqlalchemy.orm import aliased

from ..domain.audit_chain import GENESIS
from ..extensions import db
from ..formats import answer_sheet_pdf
from ..formats.evidence_pack import csv_lines, jsonl_lines
from ..models import (
    Answer,
    Attempt,
    AuditEvent,
    Certificate,
    CertificateEvent,
    Course,
    Exam,
    Exemption,
    Lesson,
    OrgUnit,
    StudyRecord,
    User,
)
from .exams import audience_query

BATCH = 500              # attempts per batch of answers
SHEET_BATCH = 100        # attempts per batch of answer sheets
EVENT_BATCH = 2000


@dataclass(frozen=True)
class Resolved:
    """A pack's scope, checked: the year, the exam (or None), the unit subtree (or None: the bureau), and
    the audit-chain position its events are read up to."""

    year: int
    exam_id: int | None
    unit_path: str | None
    head_seq: int

    def people(self):
        """ids of the people in scope: a year's roster is everyone in the subtree; an exam's is its
        audience plus anyone who has an attempt in it (the audience may have changed since)."""
        stmt = select(User.id).join(OrgUnit, OrgUnit.id == User.unit_id)
        if self.unit_path is not None:
            stmt = stmt.where(OrgUnit.path.like(self.unit_path + "%"))
        if self.exam_id is not None:
            exam = db.session.get(Exam, self.exam_id)
            audience = audience_query(exam).with_only_columns(User.id)
            took = select(Attempt.user_id).where(Attempt.exam_id == self.exam_id)
            stmt = stmt.where(or_(User.id.in_(audience), User.id.in_(took)))
        return stmt

    def attempt_filter(self):
        which = Attempt.exam_id == self.exam_id if self.exam_id is not None else \
            Attempt.exam_id.in_(select(Exam.id).where(Exam.year == self.year))
        return and_(which, Attempt.user_id.in_(self.people()))

    def attempt_ids(self):
        return select(Attempt.id).where(self.attempt_filter())

    def exam_ids(self):
        if self.exam_id is not None:
            return select(literal(self.exam_id))
        return select(Attempt.exam_id).where(self.attempt_filter()).distinct()


# -- roster ---------------------------------------------------------------------------------------------

ROSTER_HEADER = ("工号", "姓名", "单位代码", "单位名称", "职务", "在编在岗", "执法岗位", "账号启用")


def roster_lines(r: Resolved) -> Iterator[bytes]:
    stmt = (select(User.username, User.name, OrgUnit.code, OrgUnit.name, User.position, User.on_post,
                   User.is_enforcement, User.active)
            .join(OrgUnit, OrgUnit.id == User.unit_id).where(User.id.in_(r.people())).order_by(User.username))
    return csv_lines(ROSTER_HEADER, db.session.execute(stmt).all())


# -- attempts and their answers -------------------------------------------------------------------------

def _keyset(stmt, column, batch: int) -> Iterator[list]:
    """Rows of `stmt` in pages ordered by `column` (a unique key), each page one query."""
    last = None
    while True:
        page_stmt = stmt if last is None else stmt.where(column > last)
        page = db.session.execute(page_stmt.order_by(column).limit(batch)).all()
        if not page:
            return
        yield page
        last = page[-1][0]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def attempt_records(r: Resolved) -> Iterator[dict]:
    stmt = (select(Attempt.id, Attempt.exam_id, Exam.title, User.username, Attempt.number, Attempt.makeup,
                   Attempt.status, Attempt.started_at, Attempt.deadline, Attempt.submitted_at, Attempt.submitted_by,
                   Attempt.score, Attempt.passed, Attempt.pending_manual, Attempt.slots)
            .join(Exam, Exam.id == Attempt.exam_id).join(User, User.id == Attempt.user_id)
            .where(r.attempt_filter()))
    for page in _keyset(stmt, Attempt.id, BATCH):
        answers: dict[int, list[dict]] = {}
        for a in db.session.execute(
                select(Answer.attempt_id, Answer.slot, Answer.question_version_id, Answer.response, Answer.points,
                       Answer.correct, Answer.saved_at)
                .where(Answer.attempt_id.in_([row[0] for row in page])).order_by(Answer.attempt_id, Answer.slot)):
            answers.setdefault(a.attempt_id, []).append({
                "slot": a.slot, "question_version": a.question_version_id, "response": a.response,
                "points": a.points, "correct": a.correct, "saved_at": _iso(a.saved_at)})
        for row in page:
            yield {"id": row.id, "exam": row.exam_id, "exam_title": row.title, "user": row.username,
                   "number": row.number, "makeup": row.makeup, "status": row.status,
                   "started_at": _iso(row.started_at), "deadline": _iso(row.deadline),
                   "submitted_at": _iso(row.submitted_at), "submitted_by": row.submitted_by, "score": row.score,
                   "passed": row.passed, "pending_manual": row.pending_manual,
                   "paper": [{"question_version": s["v"], "points": s["p"], "options": s["o"]} for s in row.slots],
                   "answers": answers.get(row.id, [])}


def attempt_lines(r: Resolved) -> Iterator[bytes]:
    return jsonl_lines(attempt_records(r))


# -- study records, certificates, exemptions ------------------------------------------------------------

STUDY_HEADER = ("记录ID", "工号", "年度", "方式", "类别", "课程ID", "课程", "课时ID", "课时", "分钟", "来源", "记录人",
                "记录时间", "完成时间")


def study_record_lines(r: Resolved) -> Iterator[bytes]:
    stmt = (select(StudyRecord.id, User.username, StudyRecord.year, StudyRecord.kind, StudyRecord.category,
                   StudyRecord.course_id, Course.title, StudyRecord.lesson_id, Lesson.title, StudyRecord.minutes,
                   StudyRecord.source, StudyRecord.recorded_by, StudyRecord.recorded_at, StudyRecord.completed_at)
            .join(User, User.id == StudyRecord.user_id)
            .outerjoin(Course, Course.id == StudyRecord.course_id).outerjoin(Lesson, Lesson.id == StudyRecord.lesson_id)
            .where(StudyRecord.year == r.year, StudyRecord.user_id.in_(r.people())).order_by(StudyRecord.id))
    return csv_lines(STUDY_HEADER, db.session.execute(stmt).all())


CERTIFICATE_HEADER = ("证号", "类型", "持证人工号", "持证人", "发证时单位代码", "发证机关", "执法区域", "发证日期", "有效期至",
                      "状态", "最近审验日期", "换发为")
CERTIFICATE_EVENT_HEADER = ("事件ID", "证号", "事项", "日期", "原因", "操作人", "数据", "记录时间")


def certificate_lines(r: Resolved) -> Iterator[bytes]:
    successor = aliased(Certificate)
    stmt = (select(Certificate.number, Certificate.type, User.username, User.name, OrgUnit.code, Certificate.authority,
                   Certificate.area, Certificate.issued_on, Certificate.expires_on, Certificate.status,
                   Certificate.last_review_on, successor.number)
            .join(User, User.id == Certificate.holder_id).join(OrgUnit, OrgUnit.id == Certificate.unit_id)
            .outerjoin(successor, successor.id == Certificate.replaced_by_id)
            .where(Certificate.holder_id.in_(r.people())).order_by(Certificate.number))
    return csv_lines(CERTIFICATE_HEADER, db.session.execute(stmt).all())


def certificate_event_lines(r: Resolved) -> Iterator[bytes]:
    stmt = (select(CertificateEvent.id, Certificate.number, CertificateEvent.kind, CertificateEvent.on,
                   CertificateEvent.reason, CertificateEvent.actor, CertificateEvent.data, CertificateEvent.at)
            .join(Certificate, Certificate.id == CertificateEvent.certificate_id)
            .where(Certificate.holder_id.in_(r.people())).order_by(CertificateEvent.id))
    return csv_lines(CERTIFICATE_EVENT_HEADER, db.session.execute(stmt).all())


EXEMPTION_HEADER = ("免考ID", "工号", "姓名", "年度", "原因类型", "原因", "附件名", "状态", "审批单", "申请人", "申请时间",
                    "审批人", "审批时间")


def _exemptions(r: Resolved):
    return (Exemption.status == "approved", Exemption.year == r.year, Exemption.user_id.in_(r.people()))


def exemption_lines(r: Resolved) -> Iterator[bytes]:
    requester, decider = aliased(User), aliased(User)
    stmt = (select(Exemption.id, User.username, User.name, Exemption.year, Exemption.reason_kind, Exemption.reason,
                   Exemption.attachment_name, Exemption.status, Exemption.approval_id, requester.username,
                   Exemption.requested_at, decider.username, Exemption.decided_at)
            .join(User, User.id == Exemption.user_id).join(requester, requester.id == Exemption.requested_by)
            .outerjoin(decider, decider.id == Exemption.decided_by)
            .where(*_exemptions(r)).order_by(Exemption.id))
    return csv_lines(EXEMPTION_HEADER, db.session.execute(stmt).all())


# -- audit events -----------------------------------------------------------------------------------------

def _ids(stmt):
    return stmt.with_only_columns(cast(stmt.selected_columns[0], String))


def _object_clause(r: Resolved):
    """The events whose object is a record of the pack: its people, attempts, exams, certificates,
    exemptions and the approvals of those exemptions."""
    objects = {
        "user": _ids(r.people()),
        "attempt": _ids(r.attempt_ids()),
        "exam": _ids(r.exam_ids()),
        "certificate": _ids(select(Certificate.id).where(Certificate.holder_id.in_(r.people()))),
        "exemption": _ids(select(Exemption.id).where(*_exemptions(r))),
        "approval": _ids(select(Exemption.approval_id).where(*_exemptions(r), Exemption.approval_id.is_not(None))),
    }
    return or_(false(), *(and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids))
                          for kind, ids in objects.items()))


def hash_at(seq: int) -> str | None:
    """The chain's hash after event `seq` (the genesis hash before the first); None when it is missing."""
    if seq == 0:
        return GENESIS
    return db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))


def audit_records(r: Resolved) -> Iterator[dict]:
    """Events up to the chain position of the pack, except the `evidence.*` ones (exporting a pack must not
    change the pack), in sequence order; then the chain head."""
    stmt = (select(AuditEvent.seq, AuditEvent.at, AuditEvent.actor_id, AuditEvent.actor_name, AuditEvent.action,
                   AuditEvent.object_type, AuditEvent.object_id, AuditEvent.data_json, AuditEvent.prev_hash,
                   AuditEvent.hash)
            .where(AuditEvent.seq <= r.head_seq, AuditEvent.action.not_like("evidence.%"), _object_clause(r)))
    for page in _keyset(stmt, AuditEvent.seq, EVENT_BATCH):
        for e in page:
            yield {"seq": e.seq, "at": e.at.isoformat(timespec="microseconds"), "actor_id": e.actor_id,
                   "actor_name": e.actor_name, "action": e.action, "object_type": e.object_type,
                   "object_id": e.object_id, "data_json": e.data_json, "prev_hash": e.prev_hash, "hash": e.hash}
    yield {"chain_head": {"seq": r.head_seq, "hash": hash_at(r.head_seq)}}


def audit_lines(r: Resolved) -> Iterator[bytes]:
    return jsonl_lines(audit_records(r))


# -- the registry of data files ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DataFile:
    name: str
    kind: str                   # csv | jsonl
    key: str                    # the column or field that names a record
    key_label: str              # how a message names that key
    lines: Callable[[Resolved], Iterator[bytes]]


DATA_FILES = (
    DataFile("roster.csv", "csv", "工号", "工号", roster_lines),
    DataFile("attempts.jsonl", "jsonl", "id", "作答编号", attempt_lines),
    DataFile("study_records.csv", "csv", "记录ID", "学习记录", study_record_lines),
    DataFile("certificates.csv", "csv", "证号", "证号", certificate_lines),
    DataFile("certificate_events.csv", "csv", "事件ID", "证件事件", certificate_event_lines),
    DataFile("exemptions.csv", "csv", "免考ID", "免考记录", exemption_lines),
    DataFile("audit_events.jsonl", "jsonl", "seq", "审计事件序号", audit_lines),
)
SHEETS_FOLDER = "answer_sheets/"


# -- answer sheets ----------------------------------------------------------------------------------------

def sheet_name(username: str, attempt_id: int) -> str:
    return f"{SHEETS_FOLDER}{re.sub(r'[^A-Za-z0-9_.-]', '_', username)}-{attempt_id}.pdf"


def answer_sheet_files(r: Resolved) -> Iterator[tuple[str, bytes]]:
    """(file name, PDF) for every submitted attempt in scope, in attempt order, a batch at a time."""
    from .answer_sheets import sheets

    stmt = select(Attempt.id).where(r.attempt_filter(), Attempt.status == "submitted")
    for page in _keyset(stmt, Attempt.id, SHEET_BATCH):
        attempts = list(db.session.scalars(select(Attempt).where(Attempt.id.in_([row[0] for row in page]))
                                           .order_by(Attempt.id)))
        for sheet in sheets(attempts):
            yield sheet_name(sheet.username, sheet.attempt_id), answer_sheet_pdf.render(sheet)
        for attempt in attempts:        # a year's attempts need not all stay in the session
            db.session.expunge(attempt)


__all__ = ["DATA_FILES", "SHEETS_FOLDER", "DataFile", "Resolved", "answer_sheet_files", "hash_at", "sheet_name"]
