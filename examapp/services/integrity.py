"""Integrity evidence read in bulk: the risk scores of many attempts in three queries (never one per
attempt), and one attempt's events for the review page. Reading only: a score is for a person to review."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..domain.integrity import Evidence, Risk, hidden_spans, risk
from ..errors import NotFound
from ..extensions import db
from ..models import Answer, Attempt, Exam, IntegrityEvent, User
from .scope import Scope


def _risks(exam: Exam, where, *, now: datetime) -> dict[int, tuple[int, Risk]]:
    """attempt id → (user id, risk) for the attempts of `exam` matching `where`."""
    attempts = db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.status, Attempt.started_at, Attempt.submitted_at, Attempt.score)
        .where(Attempt.exam_id == exam.id, where)).all()
    if not attempts:
        return {}
    events: dict[int, list] = defaultdict(list)
    for attempt_id, kind, at in db.session.execute(
            select(IntegrityEvent.attempt_id, IntegrityEvent.kind, IntegrityEvent.at)
            .join(Attempt, Attempt.id == IntegrityEvent.attempt_id).where(Attempt.exam_id == exam.id, where)):
        events[attempt_id].append((kind, at))
    saves: dict[int, list] = defaultdict(list)
    for attempt_id, saved_at in db.session.execute(
            select(Answer.attempt_id, Answer.saved_at)
            .join(Attempt, Attempt.id == Answer.attempt_id).where(Attempt.exam_id == exam.id, where)):
        saves[attempt_id].append(saved_at)
    duration = timedelta(minutes=exam.duration_minutes)
    out = {}
    for attempt_id, user_id, status, started_at, submitted_at, score in attempts:
        submitted = status == "submitted"
        end = submitted_at if submitted and submitted_at else max(now, started_at)
        out[attempt_id] = (user_id, risk(Evidence(
            started_at=started_at, end=end, duration=duration, events=tuple(events[attempt_id]),
            answer_times=tuple(saves[attempt_id]), score=score, total_points=exam.total_points,
            submitted=submitted)))
    return out


def attempt_risks(exam: Exam, attempt_ids: list[int], *, now: datetime) -> dict[int, Risk]:
    """The risk of each listed attempt (a page of the monitor)."""
    if not attempt_ids:
        return {}
    return {aid: r for aid, (_uid, r) in _risks(exam, Attempt.id.in_(attempt_ids), now=now).items()}


def person_risks(exam: Exam, *, now: datetime) -> dict[int, tuple[int, Risk]]:
    """user id → (attempt id, risk) of that person's riskiest attempt in the exam (the results page)."""
    best: dict[int, tuple[int, Risk]] = {}
    for attempt_id, (user_id, r) in sorted(_risks(exam, Attempt.id.isnot(None), now=now).items()):
        if user_id not in best or r.score > best[user_id][1].score:
            best[user_id] = (attempt_id, r)
    return best


@dataclass
class AttemptIntegrity:
    attempt: Attempt
    user: User
    risk: Risk
    switches: int
    away_seconds: dict[int, float]      # hidden event id → seconds away from the page
    answers: int


def attempt_integrity(actor, exam_id: int, attempt_id: int, *, now: datetime) -> AttemptIntegrity:
    """One attempt's evidence for a person in the actor's scope; anyone else's attempt is not found."""
    attempt = db.session.get(Attempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None or attempt.exam_id != exam_id:
        raise NotFound("作答不存在")
    user = db.session.get(User, attempt.user_id)
    if user is None or not Scope.of(actor).covers_unit(user.unit):
        raise NotFound("作答不存在")
    r = _risks(attempt.exam, Attempt.id == attempt.id, now=now)[attempt.id][1]
    rows = db.session.execute(select(IntegrityEvent.id, IntegrityEvent.kind, IntegrityEvent.at)
                              .where(IntegrityEvent.attempt_id == attempt.id)
                              .order_by(IntegrityEvent.at, IntegrityEvent.id)).all()
    end = attempt.submitted_at if attempt.status == "submitted" and attempt.submitted_at else max(now, attempt.started_at)
    hidden = [event_id for event_id, kind, _at in rows if kind == "hidden"]
    spans = hidden_spans([(kind, at) for _id, kind, at in rows], end)
    answers = db.session.scalar(select(func.count()).select_from(Answer).where(Answer.attempt_id == attempt.id))
    return AttemptIntegrity(attempt, user, r, len(hidden), dict(zip(hidden, spans, strict=True)), answers or 0)


def events_query(attempt_id: int):
    """The attempt's events in time order, for a paginated list."""
    return (select(IntegrityEvent).where(IntegrityEvent.attempt_id == attempt_id)
            .order_by(IntegrityEvent.at, IntegrityEvent.id))
