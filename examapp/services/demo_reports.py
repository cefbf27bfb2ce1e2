"""Demo history for the reports: last year's annual exam sat through the real taking flow (retakes and
make-ups included), exemptions approved by a second admin, last year closed and frozen, and part of the
bureau through this year's open exam. Idempotent: a second run finds last year's exam and stops."""
import random
from datetime import datetime, timedelta

from sqlalchemy import select

from ..domain.paper import shown_question
from ..errors import DomainError
from ..extensions import db
from ..models import Exam, QuestionVersion, User
from . import approvals, exams, exemptions, snapshots
from .actors import SystemActor
from .audience import learners
from .demo import draft_annual_exam
from .practice import as_question

LETTERS = "ABCDEFGH"
SPARED = ("employee", "employee2")     # left to take this year's exam themselves


def _response(shown: dict, right: bool, rng: random.Random):
    kind = shown["type"]
    if kind == "judge":
        return shown["answer"] if right else not shown["answer"]
    if kind in ("single", "multiple"):
        if right:
            return shown["answer"]
        wrong = [c for c in LETTERS[:len(shown["options"])] if c not in shown["answer"]]
        return rng.choice(wrong) if wrong else ""
    return None


def _sit(user: User, exam_id: int, skill: float, start: datetime, rng: random.Random) -> float | None:
    """Take the exam through the services, answering each question right with probability `skill`."""
    attempt, _ = exams.start_attempt(user, exam_id, now=start, rng=rng)
    seq = 0
    for slot in attempt.slots:
        right = rng.random() < skill
        if not right and rng.random() < 0.5:
            continue                                    # left blank
        version = db.session.get(QuestionVersion, slot["v"])
        response = _response(shown_question(as_question(version), tuple(slot["o"])), right, rng)
        if response is None:
            continue
        seq += 1
        exams.save_answer(user, attempt.id, version.question_id, response, seq, now=start + timedelta(seconds=20 * seq))
    return exams.submit(user, attempt.id, now=start + timedelta(minutes=40)).attempt.score


def _past_exam(year: int, rules: list, unit_code: str) -> Exam | None:
    title = f"{year}年度法治理论知识考试"
    if db.session.scalar(select(Exam.id).where(Exam.title == title)) is not None:
        return None
    opens = datetime(year, 11, 3, 1, 0)
    exam = draft_annual_exam(title, year, opens, opens + timedelta(days=25), rules, unit_code,
                             makeup_opens_at=opens + timedelta(days=35), makeup_closes_at=opens + timedelta(days=45))
    exams.publish(SystemActor(username="system:seed"), exam.id, now=opens - timedelta(days=1))
    return exam


def _exempt(requester: User, approver: User, username: str, year: int, kind: str, reason: str, now: datetime,
            *, approve: bool = True) -> None:
    exemption = exemptions.request(requester, exemptions.ExemptionInput(username, year, kind, reason), None, now=now)
    if approve:
        approvals.decide(approver, exemption.approval_id, approve=True, note="材料齐全，同意", now=now)


def seed_demo(*, now: datetime, rules: list, unit_code: str = "GXJ") -> str:
    last = now.year - 1
    exam = _past_exam(last, rules, unit_code)
    if exam is None:
        return f"report history: {last} already seeded"
    users = {u.username: u for u in db.session.scalars(select(User))}
    admin, admin2, unit_admin = users.get("admin"), users.get("admin2"), users.get("unitadmin")
    try:
        _exempt(unit_admin or admin, admin2 or admin, "ll0203", last, "retirement", "2027 年 3 月退休", exam.opens_at)
        _exempt(admin, admin2 or admin, "gx0102", last, "maternity", "产假至次年 2 月", exam.opens_at)
    except (DomainError, KeyError) as e:
        db.session.rollback()
        return f"report history: exemptions not seeded ({e})"
    rng = random.Random(last)
    people = list(db.session.scalars(learners().where(User.on_post.is_(True)).order_by(User.username)))
    sat = makeups = 0
    for index, user in enumerate(people):
        if user.username in ("ll0203", "gx0102") or rng.random() < 0.07:
            continue                                    # exempt, or absent
        skill = rng.uniform(0.5, 0.98)
        start = exam.opens_at + timedelta(days=index % 20, hours=1)
        score = _sit(user, exam.id, skill, start, rng)
        sat += 1
        if score is not None and score < exam.pass_mark and rng.random() < 0.7:
            _sit(user, exam.id, min(skill + 0.25, 0.99), exam.makeup_opens_at + timedelta(days=index % 5), rng)
            makeups += 1
    snapshots.close_year(admin, last, now=now)
    this_year = db.session.scalar(select(Exam).where(Exam.kind == "annual", Exam.year == now.year,
                                                     Exam.status == "published").order_by(Exam.id))
    taken = 0
    if this_year is not None and this_year.opens_at <= now < this_year.closes_at:
        for index, user in enumerate(people[::2]):
            if user.username in SPARED:
                continue
            _sit(user, this_year.id, rng.uniform(0.5, 0.98), now - timedelta(hours=1 + index % 12), rng)
            taken += 1
    _exempt(unit_admin or admin, admin2 or admin, "ll0204", now.year, "illness", "住院治疗", now, approve=False)
    return (f"report history: {last} exam sat by {sat} ({makeups} make-ups), 2 exemptions, {last} closed; "
            f"{taken} sat {now.year}'s exam so far; 1 exemption awaiting approval")


__all__ = ["seed_demo"]
