"""Answer sheets: one attempt as an auditor reads it (DESIGN §2 Attempt), for the page, its PDF and the
evidence pack. The key in force comes from `exams.exam_questions` (a key corrected by an approved regrade
replaces the frozen one, as in grading), the final hand marks from the ManualGrade rows.

Access: an admin sees every attempt; a unit admin or auditor the attempts of people in their subtrees;
anyone else, or another subtree, finds nothing (404). While an exam is still open, only admins and auditors
who do not sit it see its sheets (they show the keys and other people's answers)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from ..domain import hand_grading
from ..domain.answer_sheet import AnswerSheet, build_questions
from ..errors import NotFound, PermissionDenied
from ..extensions import db
from ..formats import answer_sheet_pdf
from ..models import Answer, Attempt, Exam, ManualGrade, User
from .exams import exam_questions, free_items, in_audience, override_of
from .scope import Scope


def local_time(value: datetime | None) -> str:
    """A stored (naive UTC) time in the bureau's time zone, to the second."""
    if value is None:
        return ""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


# -- who may read which sheet -------------------------------------------------------------------------

def _last_close(exam: Exam, viewer_id) -> datetime:
    closes = [d for d in (exam.closes_at, exam.makeup_closes_at) if d is not None]
    if viewer_id is not None:
        own = override_of(exam, viewer_id).window
        if own is not None:
            closes.append(own.closes_at)
    return max(closes)


def guard_open_exams(actor, exams, *, now: datetime) -> None:
    """While an exam is still open (make-up and the viewer's own extension included) its answer sheets,
    which show the keys and other people's answers, are for admins and for auditors who do not sit it. A
    unit admin (who cannot read the question bank either) waits for the close."""
    if actor.has_role("admin"):
        return
    for exam in exams:
        if now >= _last_close(exam, getattr(actor, "id", None)):
            continue
        if not actor.has_role("auditor"):
            raise PermissionDenied(f"考试「{exam.title}」尚未结束，考试结束后方可查看答卷")
        sat = db.session.scalar(select(Attempt.id).where(Attempt.exam_id == exam.id,
                                                          Attempt.user_id == actor.id).limit(1))
        if sat is not None or (isinstance(actor, User) and in_audience(exam, actor)):
            raise PermissionDenied(f"考试「{exam.title}」尚未结束，您也是这场考试的考生，考试结束后方可查看答卷")


def _readable_attempt(actor, attempt_id) -> tuple[Attempt, User]:
    scope = Scope.of(actor)
    attempt = db.session.get(Attempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None or scope.is_empty:
        raise NotFound("答卷不存在")
    user = db.session.get(User, attempt.user_id)
    if not scope.covers_unit(user.unit):
        raise NotFound("答卷不存在")     # another subtree: not found, not forbidden (S1)
    return attempt, user


# -- building sheets in bulk ----------------------------------------------------------------------------

def _hand_finals(attempts: list[Attempt], questions: dict[int, dict[int, dict]]) -> dict[int, dict]:
    """attempt id → {(slot, item): final hand mark} for items whose hand grading is complete: the rule of
    `grading.final_hand_points`, for many attempts from one query."""
    ids = [a.id for a in attempts
           if any(free_items(questions[a.exam_id][s["v"]]) for s in a.slots)]
    if not ids:
        return {}
    grades: dict[tuple[int, int, int], list[tuple[int, float]]] = {}
    for g in db.session.scalars(select(ManualGrade).where(ManualGrade.attempt_id.in_(ids))):
        grades.setdefault((g.attempt_id, g.slot, g.item), []).append((g.round, g.points))
    by_id = {a.id: a for a in attempts}
    out: dict[int, dict] = {}
    for (attempt_id, slot, item), pairs in grades.items():
        attempt = by_id[attempt_id]
        q = questions[attempt.exam_id][attempt.slots[slot]["v"]]
        st = hand_grading.state(pairs, max_points=hand_grading.item_points(attempt.slots[slot]["p"], len(q["items"])),
                                percent=attempt.exam.arbitration_percent)
        if st.stage == hand_grading.DONE:
            out.setdefault(attempt_id, {})[(slot, item)] = st.points
    return out


def sheets(attempts: list[Attempt]) -> list[AnswerSheet]:
    """The sheets of `attempts` (access already checked), from a handful of queries whatever their number:
    people, answers, grades, and the questions of each exam."""
    if not attempts:
        return []
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({a.user_id for a in attempts})))}
    answers: dict[int, dict[int, tuple]] = {}
    for a in db.session.execute(select(Answer.attempt_id, Answer.slot, Answer.response, Answer.points, Answer.correct)
                                .where(Answer.attempt_id.in_([a.id for a in attempts]))):
        answers.setdefault(a.attempt_id, {})[a.slot] = (a.response, a.points, a.correct)
    by_exam: dict[int, set[int]] = {}
    for attempt in attempts:
        by_exam.setdefault(attempt.exam_id, set()).update(s["v"] for s in attempt.slots)
    questions, frozen = {}, {}
    for exam_id, version_ids in by_exam.items():
        versions, questions[exam_id] = exam_questions(exam_id, version_ids)
        frozen[exam_id] = {vid: v.answer for vid, v in versions.items()}
    hand = _hand_finals(attempts, questions)
    out = []
    for attempt in attempts:
        user, exam = users[attempt.user_id], attempt.exam
        graded = attempt.status == "submitted"
        out.append(AnswerSheet(
            attempt_id=attempt.id, exam_id=exam.id, exam_title=exam.title, username=user.username, name=user.name,
            unit_code=user.unit.code, unit_name=user.unit.name, number=attempt.number, makeup=attempt.makeup,
            status=attempt.status, started_at=local_time(attempt.started_at),
            submitted_at=local_time(attempt.submitted_at), score=attempt.score if graded else None,
            passed=attempt.passed if graded else None, pending_manual=attempt.pending_manual,
            total_points=exam.total_points, pass_mark=exam.pass_mark,
            questions=build_questions(attempt.slots, questions[exam.id], frozen[exam.id],
                                      answers.get(attempt.id, {}), hand.get(attempt.id, {}), graded=graded)))
    return out


def sheet_for(actor, attempt_id: int, *, now: datetime) -> AnswerSheet:
    attempt, _user = _readable_attempt(actor, attempt_id)
    guard_open_exams(actor, [attempt.exam], now=now)
    return sheets([attempt])[0]


def render_pdf(sheet: AnswerSheet) -> bytes:
    return answer_sheet_pdf.render(sheet)


def attempts_by_person(actor, exam_id: int) -> dict[int, list[tuple[int, int, bool]]]:
    """user id → [(attempt id, number, make-up)] of one exam's attempts the actor may read, one query: the
    results page links each person's attempts to their sheets."""
    scope = Scope.of(actor)
    if scope.is_empty or not isinstance(exam_id, int):
        return {}
    stmt = scope.users(select(Attempt.user_id, Attempt.id, Attempt.number, Attempt.makeup)
                       .join(User, User.id == Attempt.user_id))
    out: dict[int, list] = {}
    for user_id, attempt_id, number, makeup in db.session.execute(
            stmt.where(Attempt.exam_id == exam_id).order_by(Attempt.user_id, Attempt.number)).all():
        out.setdefault(user_id, []).append((attempt_id, number, makeup))
    return out


__all__ = ["attempts_by_person", "guard_open_exams", "local_time", "render_pdf", "sheet_for", "sheets"]
