"""Correcting an answer key after an exam and regrading it: one admin requests (with a dry run showing
whose score and pass/fail change), a second approves, and only then are the answers regraded. The
frozen paper is never edited: the corrected key is kept beside it (KeyCorrection)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from ..domain import exam_rules, qtypes
from ..domain.answer_keys import TYPED_KEYS, parse_key
from ..domain.paper import score, shown_question
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import Answer, Approval, Attempt, Exam, KeyCorrection, QuestionVersion, User
from . import approvals, audit
from .exams import exam_questions, policy_of
from .tx import begin_write, commit


@dataclass
class UsedQuestion:
    version: QuestionVersion
    answers: int
    wrong: int
    key: object              # the key in force for this exam (corrected or frozen)
    corrected: bool


def used_questions(exam: Exam) -> list[UsedQuestion]:
    """The question versions answered in this exam's submitted attempts, most often wrong first."""
    counts = db.session.execute(
        select(Answer.question_version_id, func.count(), func.sum(case((Answer.correct.is_(False), 1), else_=0)))
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.exam_id == exam.id, Attempt.status == "submitted")
        .group_by(Answer.question_version_id)).all()
    versions, questions = exam_questions(exam.id, [vid for vid, _n, _w in counts])
    corrected = set(db.session.scalars(select(KeyCorrection.question_version_id).where(KeyCorrection.exam_id == exam.id)))
    rows = [UsedQuestion(versions[vid], n, int(w or 0), questions[vid]["answer"], vid in corrected)
            for vid, n, w in counts]
    return sorted(rows, key=lambda r: (-(r.wrong / r.answers if r.answers else 0), r.version.id))


def parse_correction(exam: Exam, version_id: int, key_input: str) -> tuple[QuestionVersion, object]:
    """The new key, checked like a question's key and different from the one in force."""
    versions, questions = exam_questions(exam.id, [version_id])
    version = versions.get(version_id)
    if version is None:
        raise ValidationError("version_id", "请选择本场考试中的一道题")
    if version.type not in TYPED_KEYS:
        raise ValidationError("version_id", "案例题的答案请在题库中逐小题修改；此处只能更正单选、多选、判断和填空题的答案")
    answer = parse_key(version.type, key_input)
    q = dict(questions[version_id], answer=answer)
    errors = qtypes.validate(dict(q, difficulty=version.difficulty))
    if errors:
        raise ValidationError("answer", "；".join(message for _field, message in errors))
    if answer == questions[version_id]["answer"]:
        raise ValidationError("answer", "新答案与现行答案相同")
    return version, answer


@dataclass
class Change:
    user: User
    old_score: float | None        # the person's counted score
    new_score: float | None
    old_passed: bool
    new_passed: bool
    attempts: int                  # how many of their attempts change


@dataclass
class DryRun:
    answers: int                   # answers to this question in submitted attempts
    regraded: list                 # (attempt, answer, new points), only where the points change
    changes: list[Change]          # people whose counted score changes

    @property
    def pass_changes(self) -> list[Change]:
        return [c for c in self.changes if c.old_passed != c.new_passed]


def dry_run(exam: Exam, version: QuestionVersion, answer) -> DryRun:
    """What the regrade would do, from three queries: the answers to this question, the attempts of the
    people concerned (for their counted score), and their names."""
    _versions, questions = exam_questions(exam.id, [version.id])
    corrected = dict(questions[version.id], answer=answer)
    rows = db.session.execute(select(Answer, Attempt).join(Attempt, Attempt.id == Answer.attempt_id).where(
        Attempt.exam_id == exam.id, Attempt.status == "submitted", Answer.question_version_id == version.id)).all()
    regraded = []
    for ans, attempt in rows:
        slot = attempt.slots[ans.slot]
        points = score(shown_question(corrected, tuple(slot["o"])), ans.response, slot["p"],
                       partial_credit=exam.partial_credit)
        if abs(points - (ans.points or 0.0)) > 1e-9:
            regraded.append((attempt, ans, points))
    delta = {attempt.id: points - (ans.points or 0.0) for attempt, ans, points in regraded}
    people = {attempt.user_id for attempt, _a, _p in regraded}
    policy = policy_of(exam)
    history: dict[int, list[tuple[int, float, bool]]] = {}
    if people:
        for a_id, user_id, s, pending in db.session.execute(
                select(Attempt.id, Attempt.user_id, Attempt.score, Attempt.pending_manual)
                .where(Attempt.exam_id == exam.id, Attempt.status == "submitted", Attempt.user_id.in_(people))
                .order_by(Attempt.number)).all():
            history.setdefault(user_id, []).append((a_id, s or 0.0, pending))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(people)))} if people else {}
    changes = []
    for user_id, attempts in history.items():
        old = exam_rules.counted_score([s for _id, s, _p in attempts], policy)
        new = exam_rules.counted_score([round(s + delta.get(a_id, 0.0), 2) for a_id, s, _p in attempts], policy)
        if old != new:
            changes.append(Change(users[user_id], old, new, exam_rules.passed(old, policy),
                                  exam_rules.passed(new, policy), sum(1 for a_id, _s, _p in attempts if a_id in delta)))
    changes.sort(key=lambda c: (c.old_passed == c.new_passed, c.user.username))
    return DryRun(len(rows), regraded, changes)


def request_regrade(actor, exam_id: int, *, version_id: int, key_input: str, reason: str, now: datetime) -> Approval:
    begin_write()
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        raise NotFound("考试不存在")
    version, answer = parse_correction(exam, version_id, key_input)
    preview = dry_run(exam, version, answer)
    payload = {"exam_id": exam.id, "question_version_id": version.id, "answer": answer,
               "old_answer": exam_questions(exam.id, [version.id])[1][version.id]["answer"],
               "preview": {"answers": preview.answers, "regraded": len(preview.regraded),
                           "people": len(preview.changes), "pass_changes": len(preview.pass_changes)}}
    approval = approvals.request(actor, "regrade", object_type="exam", object_id=exam.id, payload=payload,
                                 reason=reason, now=now, flush_only=True)
    commit()
    return approval


def _apply(approval: Approval, actor, now: datetime) -> dict:
    """Runs when a second admin approves: the key is corrected for this exam and the answers regraded,
    recomputed afresh (not the requester's preview: attempts may have been submitted since)."""
    exam = db.session.get(Exam, approval.payload["exam_id"])
    version = db.session.get(QuestionVersion, approval.payload["question_version_id"])
    if exam is None or version is None:
        raise NotFound("考试或试题不存在")
    answer = approval.payload["answer"]
    run = dry_run(exam, version, answer)
    row = db.session.execute(select(KeyCorrection).where(KeyCorrection.exam_id == exam.id,
                                                         KeyCorrection.question_version_id == version.id)
                             ).scalar_one_or_none()
    if row is None:
        row = KeyCorrection(exam_id=exam.id, question_version_id=version.id, created_at=now)
        db.session.add(row)
    row.answer, row.approval_id = answer, approval.id
    policy = policy_of(exam)
    events = []
    for attempt, ans, points in run.regraded:
        old_score, old_passed = attempt.score, attempt.passed
        attempt.score = round((attempt.score or 0.0) + points - (ans.points or 0.0), 2)
        ans.points, ans.correct = round(points, 2), points >= attempt.slots[ans.slot]["p"]
        if not attempt.pending_manual:
            attempt.passed = exam_rules.passed(attempt.score, policy)
        events.append((attempt.id, {"exam": exam.id, "approval": approval.id, "question_version": version.id,
                                    "old_score": old_score, "score": attempt.score, "old_passed": old_passed,
                                    "passed": attempt.passed}))
    audit.record("exam.key_correction", actor=actor, now=now, object_type="exam", object_id=exam.id,
                 data={"question_version": version.id, "answer": answer, "approval": approval.id})
    audit.record_many("attempt.regrade", actor=actor, now=now, object_type="attempt", items=events)
    return {"regraded": len(events), "people": len(run.changes), "pass_changes": len(run.pass_changes)}


def _details(approval: Approval) -> dict:
    return {"exam": db.session.get(Exam, approval.payload.get("exam_id")),
            "version": db.session.get(QuestionVersion, approval.payload.get("question_version_id"))}


approvals.register(approvals.ApprovalKind(
    "regrade", "更正答案并重新评分", ("admin",), _apply,
    lambda a: ("admin.exam_regrade", {"exam_id": a.object_id}), _details))


__all__ = ["Change", "DryRun", "UsedQuestion", "dry_run", "parse_correction", "request_regrade", "used_questions"]
