"""Defining and scheduling exams: settings, audience, paper rules (a new paper version once attempts
exist, F15), publishing, window extensions, and the live monitor with its actions (more time, reopen)."""
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select

from ..domain import qtypes
from ..domain.exam_rules import COUNTING, VISIBILITY
from ..domain.integrity import Risk, over_threshold
from ..domain.paper import Rule, check_rules
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import Answer, Attempt, Exam, ExamAudience, ExamPaper, IntegrityEvent, OrgUnit, User
from ..models.exam import EXAM_KINDS
from . import audience as audience_entries
from . import audit
from .exams import rule_pool
from .scope import Scope
from .tx import begin_write, commit

AUDIENCE_KINDS, FLAGS = audience_entries.KINDS, audience_entries.FLAGS


@dataclass
class ExamInput:
    title: str
    kind: str
    year: int
    opens_at: datetime
    closes_at: datetime
    duration_minutes: int = 90
    pass_mark: float = 60
    total_points: float = 100
    attempts_allowed: int = 3
    counting: str = "best"
    makeup_opens_at: datetime | None = None
    makeup_closes_at: datetime | None = None
    results_visibility: str = "immediately"
    answers_visibility: str = "after_close"
    shuffle_questions: bool = True
    shuffle_options: bool = True
    navigation: str = "free"
    one_per_page: bool = True
    partial_credit: bool = False
    tab_switch_threshold: int | None = None
    integrity_auto_submit: bool = False
    ip_ranges: list = field(default_factory=list)        # CIDR ranges the exam may be taken from; empty: any
    requires_study_hours: bool = False                   # 学时达标方可参考: the plan's hours met before starting


def _check(data: ExamInput) -> None:
    from ..domain.ip_ranges import parse_ranges
    _good, bad = parse_ranges(",".join(data.ip_ranges or []))
    if bad:
        raise ValidationError("ip_ranges_text", "无法识别的地址或网段：" + "、".join(bad))
    if not data.title.strip() or len(data.title) > 200:
        raise ValidationError("title", "考试名称不能为空，且不超过 200 个字符")
    if data.kind not in EXAM_KINDS:
        raise ValidationError("kind", "未知的考试类型")
    if data.closes_at <= data.opens_at:
        raise ValidationError("closes_at", "结束时间须晚于开始时间")
    if not 1 <= data.duration_minutes <= 600:
        raise ValidationError("duration_minutes", "时长须在 1–600 分钟之间")
    if not 0 < data.pass_mark <= data.total_points:
        raise ValidationError("pass_mark", "及格分须大于 0 且不超过满分")
    if not 1 <= data.attempts_allowed <= 20:
        raise ValidationError("attempts_allowed", "作答次数须在 1–20 之间")
    if data.counting not in COUNTING:
        raise ValidationError("counting", "未知的计分方式")
    if data.results_visibility not in VISIBILITY or data.answers_visibility not in VISIBILITY:
        raise ValidationError("results_visibility", "未知的公布方式")
    if data.navigation not in ("free", "sequential"):
        raise ValidationError("navigation", "未知的导航方式")
    if (data.makeup_opens_at is None) != (data.makeup_closes_at is None):
        raise ValidationError("makeup_opens_at", "补考开始和结束时间须同时填写")
    if data.makeup_opens_at and (data.makeup_opens_at < data.closes_at or data.makeup_closes_at <= data.makeup_opens_at):
        raise ValidationError("makeup_opens_at", "补考须在正式考试结束之后，且结束晚于开始")
    if data.tab_switch_threshold is not None and not 0 <= data.tab_switch_threshold <= 100:
        raise ValidationError("tab_switch_threshold", "切屏次数阈值须在 0–100 之间")
    if data.integrity_auto_submit and data.tab_switch_threshold is None:
        raise ValidationError("integrity_auto_submit", "自动交卷须先设置切屏次数阈值")


def _has_attempts(exam_id: int) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.exam_id == exam_id)))


def save_exam(actor, exam_id: int | None, data: ExamInput, *, now: datetime) -> Exam:
    _check(data)
    begin_write()
    fields = {k: getattr(data, k) for k in ExamInput.__dataclass_fields__}
    if exam_id is None:
        exam = Exam(status="draft", created_by=getattr(actor, "username", ""), created_at=now, **fields)
        db.session.add(exam)
        db.session.flush()
        db.session.add(ExamPaper(exam_id=exam.id, version=1, mode="rules", rules=[], created_at=now,
                                 created_by=getattr(actor, "username", "")))
        db.session.flush()
        exam.current_paper_id = db.session.scalar(select(ExamPaper.id).where(ExamPaper.exam_id == exam.id))
        audit.record("exam.create", actor=actor, now=now, object_type="exam", object_id=exam.id,
                     data={"title": exam.title})
    else:
        exam = _get(exam_id)
        changes = {k: [str(getattr(exam, k)), str(v)] for k, v in fields.items() if getattr(exam, k) != v}
        if exam.status != "draft" and _has_attempts(exam.id):
            # Once people have sat it, only the windows may move, and only later (extensions).
            movable = {"closes_at", "makeup_opens_at", "makeup_closes_at", "title", "ip_ranges"}
            if not exam.integrity_auto_submit and not data.integrity_auto_submit:
                movable.add("tab_switch_threshold")     # without auto-submit it only marks rows on the monitor
            fixed = set(changes) - movable
            if fixed:
                raise Conflict("已有人作答，只能延长考试时间或修改名称；其他设置请另建考试")
            if data.closes_at < exam.closes_at:
                raise Conflict("已有人作答，考试结束时间只能延后")
        for k, v in fields.items():
            setattr(exam, k, v)
        if changes:
            audit.record("exam.update", actor=actor, now=now, object_type="exam", object_id=exam.id,
                         data={"changes": changes})
    commit()
    return exam


def _get(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        raise NotFound("考试不存在")
    return exam


def parse_rules(text: str) -> list[list]:
    """One rule a line: law code, type, difficulty (1–3 or 0 for any), count, points per question."""
    rules = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 5:
            raise ValidationError("rules", f"第 {number} 行应为：法律代码, 题型, 难度, 题数, 每题分值")
        law, qtype, difficulty, count, points = parts
        if qtype not in qtypes.TOP_TYPES:
            raise ValidationError("rules", f"第 {number} 行：未知题型 {qtype}")
        try:
            difficulty_n, count_n, points_n = int(difficulty), int(count), float(points)
        except ValueError as e:
            raise ValidationError("rules", f"第 {number} 行：难度、题数须为整数，分值须为数字") from e
        if difficulty_n not in (0, 1, 2, 3) or count_n < 1 or points_n <= 0:
            raise ValidationError("rules", f"第 {number} 行：难度须为 0–3，题数和分值须大于 0")
        rules.append([law, qtype, difficulty_n or None, count_n, points_n])
    return rules


def set_rules(actor, exam_id: int, rules: list[list], *, now: datetime) -> ExamPaper:
    """Replace the paper's rules; once anyone has started, a new paper version takes them and running
    attempts keep the version they were shown (F15)."""
    begin_write()
    exam = _get(exam_id)
    total = sum(count * points for _l, _t, _d, count, points in rules)
    if rules and abs(total - exam.total_points) > 0.001:
        raise ValidationError("rules", f"各规则合计 {total:g} 分，与满分 {exam.total_points:g} 分不符")
    paper = exam.current_paper
    if _has_attempts(exam.id):
        paper = ExamPaper(exam_id=exam.id, version=paper.version + 1, mode="rules", rules=rules, created_at=now,
                          created_by=getattr(actor, "username", ""))
        db.session.add(paper)
        db.session.flush()
        exam.current_paper_id = paper.id
    else:
        paper.rules, paper.mode = rules, "rules"
    if exam.status == "published":
        shortfalls = check_rules([Rule(*r) for r in rules], rule_pool([Rule(*r) for r in rules]))
        if shortfalls:
            s = shortfalls[0]
            raise ValidationError("rules", f"第 {s.rule_index} 条规则需要 {s.rule.count} 道，只有 {s.available} 道")
    audit.record("exam.paper", actor=actor, now=now, object_type="exam", object_id=exam.id,
                 data={"version": paper.version, "rules": rules})
    commit()
    return paper


def set_audience(actor, exam_id: int, entries: list[tuple[str, str]], *, now: datetime) -> None:
    begin_write()
    exam = _get(exam_id)
    entries = audience_entries.check(entries)
    db.session.execute(ExamAudience.__table__.delete().where(ExamAudience.exam_id == exam.id))
    db.session.add_all(ExamAudience(exam_id=exam.id, kind=k, value=v) for k, v in entries)
    audit.record("exam.audience", actor=actor, now=now, object_type="exam", object_id=exam.id,
                 data={"entries": entries})
    commit()


def audience(exam_id: int) -> list[tuple[str, str]]:
    return [(a.kind, a.value) for a in db.session.scalars(select(ExamAudience).where(ExamAudience.exam_id == exam_id)
                                                          .order_by(ExamAudience.kind, ExamAudience.value))]


def sample_paper(exam_id: int, *, seed: int = 0) -> list:
    """A paper as one person might draw it, for the admin's preview."""
    from ..domain.paper import draw
    from ..models import Question
    exam = _get(exam_id)
    rules = [Rule(*r) for r in exam.current_paper.rules]
    pool = rule_pool(rules)
    if check_rules(rules, pool):
        return []
    chosen = draw(rules, pool, random.Random(seed))
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_([q for q, _ in chosen])))}
    return [(questions[q], points) for q, points in chosen]


@dataclass
class MonitorRow:
    attempt: Attempt
    user: User
    answered: int
    switches: int
    risk: Risk | None = None
    flagged: bool = False            # more tab switches than the exam tolerates
    running_again: bool = False      # (a submitted attempt) its person has a running one now


def monitor_query(actor, exam_id: int, *, running: bool) -> Select:
    """Attempts of people in the actor's scope: running ones by deadline, submitted ones newest first."""
    stmt = select(Attempt).join(User, User.id == Attempt.user_id).where(Attempt.exam_id == exam_id)
    if running:
        stmt = stmt.where(Attempt.status == "running").order_by(Attempt.deadline, Attempt.id)
    else:
        stmt = stmt.where(Attempt.status == "submitted").order_by(Attempt.submitted_at.desc(), Attempt.id.desc())
    return Scope.of(actor).users(stmt)


def monitor_rows(exam: Exam, attempts: list[Attempt], *, now: datetime) -> list[MonitorRow]:
    """One page of the monitor: progress, tab switches, risk, in a fixed number of queries."""
    from .integrity import attempt_risks

    ids = [a.id for a in attempts]
    if not ids:
        return []
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({a.user_id for a in attempts})))}
    answered = dict(db.session.execute(select(Answer.attempt_id, func.count()).where(Answer.attempt_id.in_(ids))
                                       .group_by(Answer.attempt_id)).all())
    switches = dict(db.session.execute(select(IntegrityEvent.attempt_id, func.count())
                                       .where(IntegrityEvent.attempt_id.in_(ids), IntegrityEvent.kind == "hidden")
                                       .group_by(IntegrityEvent.attempt_id)).all())
    running = set(db.session.scalars(select(Attempt.user_id).where(
        Attempt.exam_id == exam.id, Attempt.status == "running", Attempt.user_id.in_(list(users)))))
    risks = attempt_risks(exam, ids, now=now)
    return [MonitorRow(a, users[a.user_id], answered.get(a.id, 0), switches.get(a.id, 0), risks.get(a.id),
                       over_threshold(switches.get(a.id, 0), exam.tab_switch_threshold),
                       a.status == "submitted" and a.user_id in running) for a in attempts]


def set_overrides(actor, exam_id: int, *, usernames: list[str], unit_code: str = "", extra_minutes: int = 0,
                  extra_attempts: int = 0, opens_at: datetime | None = None, closes_at: datetime | None = None,
                  reason: str, now: datetime) -> int:
    """Exceptions for named people or a whole unit (with its subtree), each with its reason; a running
    attempt of theirs gets the new deadline at once. Returns how many people it covers."""
    from ..domain import exam_rules
    from ..models import ExamOverride
    from .exams import _as_override, policy_of

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", "请填写原因")
    if not 0 <= extra_minutes <= 600 or not 0 <= extra_attempts <= 10:
        raise ValidationError("extra_minutes", "延长时间须在 0–600 分钟之间，增加次数须在 0–10 之间")
    if (opens_at is None) != (closes_at is None) or (opens_at and closes_at <= opens_at):
        raise ValidationError("opens_at", "单独的考试时间须同时填写开始和结束，且结束晚于开始")
    begin_write()
    exam = _get(exam_id)
    people = set()
    if usernames:
        found = dict(db.session.execute(select(User.username, User.id).where(User.username.in_(usernames))).all())
        missing = sorted(set(usernames) - set(found))
        if missing:
            raise ValidationError("usernames", "工号不存在：" + "、".join(missing))
        people.update(found.values())
    if unit_code:
        unit = db.session.execute(select(OrgUnit).where(OrgUnit.code == unit_code)).scalar_one_or_none()
        if unit is None:
            raise ValidationError("unit_code", f"单位编码 {unit_code} 不存在")
        people.update(db.session.scalars(select(User.id).join(OrgUnit, OrgUnit.id == User.unit_id)
                                         .where(OrgUnit.path.like(unit.path + "%"), User.active.is_(True))))
    if not people:
        raise ValidationError("usernames", "请填写工号或单位编码")
    existing = {o.user_id: o for o in db.session.scalars(select(ExamOverride).where(
        ExamOverride.exam_id == exam.id, ExamOverride.user_id.in_(people)))}
    rows = {}
    for user_id in sorted(people):
        row = existing.get(user_id) or ExamOverride(exam_id=exam.id, user_id=user_id, created_at=now)
        row.extra_minutes, row.extra_attempts, row.opens_at, row.closes_at = extra_minutes, extra_attempts, opens_at, closes_at
        row.reason, row.created_by = reason[:400], getattr(actor, "username", "")
        db.session.add(row)
        rows[user_id] = row
    db.session.flush()
    policy = policy_of(exam)
    for attempt in db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id, Attempt.status == "running",
                                                            Attempt.user_id.in_(people))):
        # the rows just written are the overrides: no query per running attempt
        new_deadline = exam_rules.deadline(attempt.started_at, policy, _as_override(rows[attempt.user_id]))
        attempt.deadline = max(attempt.deadline, new_deadline)
    audit.record("exam.override", actor=actor, now=now, object_type="exam", object_id=exam.id,
                 data={"people": len(people), "extra_minutes": extra_minutes, "extra_attempts": extra_attempts,
                       "window": [str(opens_at), str(closes_at)] if opens_at else None, "reason": reason[:400]})
    commit()
    return len(people)


# -- the monitor's actions ---------------------------------------------------------------------------

MONITOR_WRITERS = ("admin", "unit_admin")
MAX_EXTRA_MINUTES = 600
MAX_EXTRA_ATTEMPTS = 10


def _reason(reason) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError("reason", "请填写原因")
    if len(reason) > 400:
        raise ValidationError("reason", "原因不超过 400 个字符")
    return reason


def _check_writer(actor) -> None:
    if not actor.has_role(*MONITOR_WRITERS):
        raise PermissionDenied("只有管理员可以加时或重新开放")


def _attempt_in_scope(actor, exam: Exam, attempt_id) -> tuple[Attempt, User]:
    """The attempt, locked, when it belongs to the exam and its person is in the actor's scope."""
    attempt = db.session.execute(select(Attempt).where(Attempt.id == attempt_id, Attempt.exam_id == exam.id)
                                 .with_for_update()).scalar_one_or_none() if isinstance(attempt_id, int) else None
    user = db.session.get(User, attempt.user_id) if attempt is not None else None
    if user is None or not Scope.of(actor).covers_unit(user.unit):
        raise NotFound("作答不存在")   # another unit's person is not found, not forbidden
    return attempt, user


def _override_row(exam: Exam, user_id: int, *, now: datetime):
    """The person's standing exceptions, or a new empty one (not yet in the session: nothing changes until
    `_note` records the reason, after the checks)."""
    from ..models import ExamOverride

    row = db.session.execute(select(ExamOverride).where(ExamOverride.exam_id == exam.id,
                                                        ExamOverride.user_id == user_id)).scalar_one_or_none()
    return row or ExamOverride(exam_id=exam.id, user_id=user_id, extra_minutes=0, extra_attempts=0, reason="",
                               created_at=now)


def _note(row, *, actor, reason: str) -> None:
    """The new reason joins the earlier ones (the audit log keeps each in full)."""
    row.reason = (f"{row.reason}；{reason}" if row.reason else reason)[-400:]
    row.created_by = getattr(actor, "username", "")
    db.session.add(row)


def add_time(actor, exam_id: int, attempt_id: int, *, minutes, reason: str, now: datetime) -> Attempt:
    """N more minutes for one running attempt: its deadline moves at once, and the minutes are added to the
    person's standing extra time (not replacing it)."""
    from ..domain import exam_rules
    from .exams import policy_of

    reason = _reason(reason)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_EXTRA_MINUTES:
        raise ValidationError("minutes", f"加时须为 1–{MAX_EXTRA_MINUTES} 分钟")
    _check_writer(actor)
    begin_write()
    exam = _get(exam_id)
    attempt, user = _attempt_in_scope(actor, exam, attempt_id)
    if attempt.status != "running":
        raise Conflict("该次作答已交卷，不能加时；如需再考，请使用“重新开放”")
    if exam_rules.is_overdue(now, attempt.deadline, policy_of(exam)):
        raise Conflict("该次作答已过截止时间，将按已保存的答案交卷；如需再考，请使用“重新开放”")
    row = _override_row(exam, user.id, now=now)
    if row.extra_minutes + minutes > MAX_EXTRA_MINUTES:
        raise ValidationError("minutes", f"累计加时不能超过 {MAX_EXTRA_MINUTES} 分钟（已加 {row.extra_minutes} 分钟）")
    row.extra_minutes += minutes
    _note(row, actor=actor, reason=reason)
    before = attempt.deadline
    attempt.deadline = before + timedelta(minutes=minutes)
    audit.record("exam.add_time", actor=actor, now=now, object_type="attempt", object_id=attempt.id,
                 data={"exam": exam.id, "user": user.username, "minutes": minutes, "extra_minutes": row.extra_minutes,
                       "deadline": [before.isoformat(), attempt.deadline.isoformat()], "reason": reason})
    commit()
    return attempt


@dataclass
class Reopened:
    user: User
    attempts_left: int
    window: tuple[datetime, datetime] | None     # the person's own window, given when theirs had closed


def reopen(actor, exam_id: int, attempt_id: int, *, reason: str, now: datetime) -> Reopened:
    """One more attempt for the person of a submitted attempt and, when their window has closed, an own window
    from now for the exam's duration (with their extra time). The submitted attempt is a record: unchanged."""
    reason = _reason(reason)
    _check_writer(actor)
    begin_write()
    exam = _get(exam_id)
    attempt, user = _attempt_in_scope(actor, exam, attempt_id)
    if attempt.status != "submitted":
        raise Conflict("该次作答尚未交卷，无需重新开放")
    if exam.status != "published":
        raise Conflict("考试未发布或已关闭，不能重新开放")
    if db.session.scalar(select(Attempt.id).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id,
                                                  Attempt.status == "running")) is not None:
        raise Conflict(f"{user.name} 已有进行中的作答")
    row = _override_row(exam, user.id, now=now)
    if row.extra_attempts >= MAX_EXTRA_ATTEMPTS:
        raise ValidationError("extra_attempts", f"增加的作答次数已达上限（{MAX_EXTRA_ATTEMPTS} 次）")
    row.extra_attempts += 1
    _note(row, actor=actor, reason=reason)
    closes = row.closes_at if row.opens_at and row.closes_at else exam.closes_at
    window = None
    if now >= closes:
        window = (now, now + timedelta(minutes=exam.duration_minutes + row.extra_minutes))
        row.opens_at, row.closes_at = window
    submitted = db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id, Attempt.status == "submitted"))
    left = max(0, exam.attempts_allowed + row.extra_attempts - submitted)
    audit.record("exam.reopen", actor=actor, now=now, object_type="attempt", object_id=attempt.id,
                 data={"exam": exam.id, "user": user.username, "extra_attempts": row.extra_attempts,
                       "window": [window[0].isoformat(), window[1].isoformat()] if window else None,
                       "reason": reason})
    commit()
    return Reopened(user, left, window)
