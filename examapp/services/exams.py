"""Exams: who they are for, publishing a paper that can be filled, and taking them — start (the paper is
frozen), save answers (a sequence number refuses stale saves), submit (once, whatever the concurrency)."""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..domain import exam_rules
from ..domain.audit_chain import canonical_json
from ..domain.exam_rules import Band, History, Override, Policy, Window
from ..domain.paper import Rule, check_rules, draw, freeze, score, shown_question
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import (
    Answer,
    Attempt,
    Exam,
    ExamAudience,
    ExamOverride,
    ExamPaper,
    IntegrityEvent,
    Law,
    Question,
    QuestionVersion,
    User,
)
from . import audience, audit
from .paper_views import ShownVersion, shown_versions
from .practice import as_question
from .tx import begin_write, commit

# -- rules of one exam ------------------------------------------------------------------------------

def policy_of(exam: Exam) -> Policy:
    makeup = Window(exam.makeup_opens_at, exam.makeup_closes_at) \
        if exam.makeup_opens_at and exam.makeup_closes_at else None
    return Policy(window=Window(exam.opens_at, exam.closes_at), duration=timedelta(minutes=exam.duration_minutes),
                  pass_mark=exam.pass_mark, total_points=exam.total_points, attempts=exam.attempts_allowed,
                  counting=exam.counting, grace=timedelta(seconds=exam.grace_seconds), makeup=makeup,
                  makeup_for=frozenset(exam.makeup_for or []), results=exam.results_visibility,
                  answers=exam.answers_visibility, bands=tuple(Band(label, m) for label, m in exam.bands))


def override_of(exam: Exam, user_id: int) -> Override:
    row = db.session.execute(select(ExamOverride).where(ExamOverride.exam_id == exam.id,
                                                        ExamOverride.user_id == user_id)).scalar_one_or_none()
    return _as_override(row)


def _as_override(row: ExamOverride | None) -> Override:
    if row is None:
        return exam_rules.NO_OVERRIDE
    window = Window(row.opens_at, row.closes_at) if row.opens_at and row.closes_at else None
    return Override(extra_time=timedelta(minutes=row.extra_minutes), window=window,
                    extra_attempts=row.extra_attempts)


def overrides_of(exam: Exam) -> dict[int, Override]:
    """Every person's exceptions for the exam, by user id, in one query."""
    return {row.user_id: _as_override(row)
            for row in db.session.scalars(select(ExamOverride).where(ExamOverride.exam_id == exam.id))}


def audience_query(exam: Exam):
    """Active people the exam is for, as one query: units (or their subtrees), roles, post flags, names."""
    from .audience import people_query
    entries = db.session.execute(select(ExamAudience.kind, ExamAudience.value)
                                 .where(ExamAudience.exam_id == exam.id)).all()
    return people_query([(k, v) for k, v in entries])


def in_audience(exam: Exam, user: User) -> bool:
    return db.session.scalar(audience_query(exam).where(User.id == user.id).with_only_columns(User.id)) is not None


# -- papers -----------------------------------------------------------------------------------------

def _rules(paper: ExamPaper) -> list[Rule]:
    return [Rule(law, qtype, difficulty, int(count), float(points)) for law, qtype, difficulty, count, points
            in paper.rules]


def rule_pool(rules: list[Rule]) -> dict[tuple, list[int]]:
    """Active questions (current versions) for each rule key: question ids."""
    pool: dict[tuple, list[int]] = {}
    for rule in rules:
        if rule.key in pool:
            continue
        stmt = (select(Question.id).join(Law, Law.id == Question.law_id)
                .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
                .where(Law.code == rule.law, Question.status == "active", QuestionVersion.type == rule.qtype)
                .order_by(Question.id))
        if rule.difficulty:
            stmt = stmt.where(QuestionVersion.difficulty == rule.difficulty)
        pool[rule.key] = list(db.session.scalars(stmt))
    return pool


def publish(actor, exam_id: int, *, now: datetime) -> Exam:
    """Publishing checks that every rule can be filled and names the rule and its shortfall when not."""
    begin_write()
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        raise NotFound("考试不存在")
    paper = exam.current_paper
    if paper is None or (paper.mode == "rules" and not paper.rules) or (paper.mode == "fixed" and not paper.fixed):
        raise ValidationError("paper", "试卷没有题目")
    if paper.mode == "rules":
        rules = _rules(paper)
        shortfalls = check_rules(rules, rule_pool(rules))
        if shortfalls:
            s = shortfalls[0]
            raise ValidationError("rules", f"第 {s.rule_index} 条抽题规则（{s.rule.law} {s.rule.qtype} 难度 "
                                           f"{s.rule.difficulty or '不限'}）需要 {s.rule.count} 道，只有 {s.available} 道")
    if not db.session.scalar(select(func.count()).select_from(ExamAudience).where(ExamAudience.exam_id == exam.id)):
        raise ValidationError("audience", "请指定参考人员范围")
    if exam.closes_at <= exam.opens_at:
        raise ValidationError("closes_at", "结束时间须晚于开始时间")
    exam.status = "published"
    audit.record("exam.publish", actor=actor, now=now, object_type="exam", object_id=exam.id,
                 data={"title": exam.title, "paper_version": paper.version})
    commit()
    return exam


# -- taking -----------------------------------------------------------------------------------------

def _history(exam: Exam, user_id: int) -> History:
    rows = db.session.execute(select(Attempt.status, Attempt.score, Attempt.makeup).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user_id).order_by(Attempt.number)).all()
    return _as_history(rows)


def _as_history(rows) -> History:
    """(status, score, makeup) of one person's attempts, in the order they were made."""
    return History(submitted_scores=tuple(s or 0.0 for st, s, _m in rows if st == "submitted"),
                   running=any(st == "running" for st, _s, _m in rows),
                   main_attempts=sum(1 for _st, _s, m in rows if not m))


def makeup_eligible(exam: Exam, user_ids: list[int], *, at: datetime) -> list[int]:
    """Of `user_ids`, who may start a make-up attempt at `at`: the same decision as "my exams" makes
    (can_start), with everyone's attempts and exceptions read in two queries."""
    policy = policy_of(exam)
    if policy.makeup is None:
        return []
    attempts: dict[int, list] = {}
    for user_id, status, score_, makeup in db.session.execute(
            select(Attempt.user_id, Attempt.status, Attempt.score, Attempt.makeup)
            .where(Attempt.exam_id == exam.id).order_by(Attempt.user_id, Attempt.number)):
        attempts.setdefault(user_id, []).append((status, score_, makeup))
    overrides = overrides_of(exam)
    eligible = []
    for user_id in user_ids:
        decision = exam_rules.can_start(at, policy, _as_history(attempts.get(user_id, [])),
                                        overrides.get(user_id, exam_rules.NO_OVERRIDE))
        if decision.allowed and decision.makeup:
            eligible.append(user_id)
    return eligible


@dataclass
class ExamRow:
    exam: Exam
    status: str             # upcoming | open | makeup | done | closed
    can_start: bool
    attempts_left: int
    reason: str
    running: Attempt | None
    counted: float | None
    grading: bool = False


def score_released(exam: Exam, now: datetime, *, pending: bool) -> bool:
    """A score shows only when the exam's policy releases results and no answer sheet waits for hand grading."""
    return exam_rules.show_results(now, policy_of(exam)) and not pending


def _published_for(user: User) -> list[Exam]:
    """The published exams whose audience holds the person (one read of every published exam's entries)."""
    exams = list(db.session.scalars(select(Exam).where(Exam.status == "published").order_by(Exam.opens_at)))
    entries: dict[int, list] = {e.id: [] for e in exams}
    for exam_id, kind, value in db.session.execute(select(ExamAudience.exam_id, ExamAudience.kind, ExamAudience.value)
                                                   .where(ExamAudience.exam_id.in_(list(entries)))):
        entries[exam_id].append((kind, value))
    held = audience.holding(user, entries)
    return [e for e in exams if e.id in held]


def exams_for(user: User, *, now: datetime) -> list[ExamRow]:
    """The person's exams with what they may do now: five queries however many exams there are."""
    exams = _published_for(user)
    ids = [e.id for e in exams]
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(select(Attempt).where(Attempt.user_id == user.id, Attempt.exam_id.in_(ids))
                                      .order_by(Attempt.exam_id, Attempt.number)):
        attempts.setdefault(attempt.exam_id, []).append(attempt)
    overrides = {row.exam_id: _as_override(row) for row in db.session.scalars(
        select(ExamOverride).where(ExamOverride.user_id == user.id, ExamOverride.exam_id.in_(ids)))}
    rows = []
    for exam in exams:
        mine = attempts.get(exam.id, [])
        policy, override = policy_of(exam), overrides.get(exam.id, exam_rules.NO_OVERRIDE)
        history = _as_history([(a.status, a.score, a.makeup) for a in mine])
        decision = exam_rules.can_start(now, policy, history, override)
        running = next((a for a in mine if a.status == "running"), None)
        left = max(0, policy.attempts + override.extra_attempts - len(history.submitted_scores))
        status = ("open" if decision.allowed and not decision.makeup else "makeup" if decision.makeup
                  else "upcoming" if decision.reason == "not_open" else "done" if history.submitted_scores
                  else "open" if running else "closed")
        grading = any(a.pending_manual for a in mine)
        counted = exam_rules.counted_score(history.submitted_scores, policy) \
            if score_released(exam, now, pending=grading) else None
        rows.append(ExamRow(exam, status, decision.allowed, left, decision.reason, running, counted, grading))
    return rows


def _lock_user(user_id: int) -> None:
    """Serializes one person's starts, so two tabs cannot both open an attempt."""
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def start_attempt(user: User, exam_id: int, *, now: datetime, ip: str = "",
                  rng: random.Random | None = None) -> tuple[Attempt, bool]:
    """(attempt, created): the running attempt if there is one, else a new one with a frozen paper.

    The paper is drawn before the write transaction: on exam day hundreds start at once, and on SQLite the write
    lock is the whole database's, so it is held only to check, insert and audit."""
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.status != "published" or not in_audience(exam, user):
        raise NotFound("考试不存在")
    running = _running(exam.id, user.id)
    if running is not None:
        return running, False
    rng = rng or random.Random()
    paper_id, slots = _draw(exam, rng)
    begin_write()
    _lock_user(user.id)
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.status != "published":
        raise NotFound("考试不存在")
    running = _running(exam.id, user.id)
    if running is not None:
        db.session.rollback()
        return running, False
    if exam.current_paper_id != paper_id:       # the paper changed while this one was drawn: draw again
        paper_id, slots = _draw(exam, rng)
    policy, override = policy_of(exam), override_of(exam, user.id)
    decision = exam_rules.can_start(now, policy, _history(exam, user.id), override)
    if not decision.allowed:
        raise Conflict(exam_rules.REASONS[decision.reason])
    _check_network(exam, ip)
    if exam.requires_study_hours:
        from .study import plan_hours_met
        met, message = plan_hours_met(user, exam.year, now)
        if not met:
            raise Conflict(message)
    number = (db.session.scalar(select(func.max(Attempt.number)).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id)) or 0) + 1
    attempt = Attempt(exam_id=exam.id, user_id=user.id, paper_id=paper_id, number=number, makeup=decision.makeup,
                      status="running", started_at=now,
                      deadline=exam_rules.deadline(now, policy, override, window=decision.window),
                      slots=slots, ip=(ip or "")[:64])
    db.session.add(attempt)
    db.session.flush()
    audit.record("attempt.start", actor=user, now=now, object_type="attempt", object_id=attempt.id,
                 data={"exam": exam.id, "number": number, "makeup": decision.makeup,
                       "deadline": attempt.deadline.isoformat()})
    commit()
    return attempt, True


def _running(exam_id: int, user_id: int) -> Attempt | None:
    return db.session.execute(select(Attempt).where(Attempt.exam_id == exam_id, Attempt.user_id == user_id,
                                                    Attempt.status == "running")).scalar_one_or_none()


def _draw(exam: Exam, rng: random.Random) -> tuple[int, list[dict]]:
    """(paper id, slots): the questions drawn by the exam's current paper, ordered and with options shuffled."""
    paper = exam.current_paper
    if paper.mode == "rules":
        rules = _rules(paper)
        try:
            chosen = draw(rules, rule_pool(rules), rng)
        except ValueError:      # questions retired since publishing: the exam cannot be filled any more
            raise Conflict("题库中可用的题目不足，请联系管理员") from None
        current = dict(db.session.execute(select(Question.id, Question.current_version_id)
                                          .where(Question.id.in_([q for q, _p in chosen]))).all())
        questions = [(current[q], points) for q, points in chosen]
    else:
        questions = [(int(v), float(p)) for v, p in paper.fixed]
    versions = shown_versions(v for v, _p in questions)
    slots = freeze(questions, {vid: v.option_count for vid, v in versions.items()},
                   shuffle_questions=exam.shuffle_questions, shuffle_options=exam.shuffle_options, rng=rng)
    return paper.id, [{"v": s.question_id, "p": s.points, "o": list(s.option_order)} for s in slots]


def get_attempt(user: User, attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("作答不存在")   # another person's attempt is not found, not forbidden (S1)
    return attempt


def paper_for_taker(attempt: Attempt) -> list[dict]:
    """The questions as this person sees them: shown order, shown options, never a key (S4)."""
    versions = shown_versions(s["v"] for s in attempt.slots)
    out = []
    for index, slot in enumerate(attempt.slots):
        v = versions[slot["v"]]
        question = {"id": v.question_id, "slot": index, "type": v.type, "stem": v.stem, "points": slot["p"],
                    "options": [v.options[i] for i in slot["o"]] if slot["o"] else list(v.options)}
        if v.type == "case":
            question["items"] = [dict(item) for item in v.items]
        out.append(question)
    return out


def _slot_for(attempt: Attempt, question_id: int) -> tuple[int, dict, ShownVersion]:
    """The slot of the paper that holds this question (every save runs this: the versions come from memory)."""
    versions = shown_versions(s["v"] for s in attempt.slots)
    for index, slot in enumerate(attempt.slots):
        if versions[slot["v"]].question_id == question_id:
            return index, slot, versions[slot["v"]]
    raise NotFound("本试卷没有这道题")


MAX_RESPONSE = 20_000   # characters of JSON: the longest free answer plus room


def _check_network(exam: Exam, ip: str | None) -> None:
    from ..domain.ip_ranges import allowed
    if ip is not None and not allowed(ip, exam.ip_ranges or []):
        raise PermissionDenied(f"本考试只能在指定的单位网络内参加（当前地址 {ip or '未知'}）")


@dataclass(frozen=True)
class Saved:
    seq: int
    deadline: datetime        # the page's timer resyncs from it on every save, without reading the attempt again


def save_answer(user: User, attempt_id: int, question_id: int, response, seq: int, *, now: datetime,
                flagged: bool | None = None, ip: str | None = None) -> Saved:
    """Store an answer unless the attempt is closed, the deadline has passed, or `seq` is stale (F5–F7)."""
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= 2**31 - 1:
        raise ValidationError("seq", "seq 须为正整数")
    if len(canonical_json(response)) > MAX_RESPONSE:
        raise ValidationError("response", "答案过长")
    user_id = user.id           # read before the write begins, which forgets what the request had loaded
    begin_write()
    attempt = db.session.execute(select(Attempt).where(Attempt.id == attempt_id).with_for_update()).scalar_one_or_none()
    if attempt is None or attempt.user_id != user_id:
        raise NotFound("作答不存在")
    if attempt.status != "running":
        raise Conflict("已交卷，答案不能再修改")
    if not exam_rules.accepts_answer(now, attempt.deadline):
        raise Conflict("作答时间已到，答案未保存")
    _check_network(attempt.exam, ip)
    index, _slot, version = _slot_for(attempt, question_id)
    answer = db.session.execute(select(Answer).where(Answer.attempt_id == attempt.id, Answer.slot == index)
                                ).scalar_one_or_none()
    if answer is not None and seq <= answer.seq:
        raise Conflict(f"已有更新的答案（序号 {answer.seq}）")
    if answer is None:
        answer = Answer(attempt_id=attempt.id, slot=index, question_version_id=version.id, seq=0, saved_at=now)
        db.session.add(answer)
    answer.response, answer.seq, answer.saved_at = response, seq, now
    if flagged is not None:
        answer.flagged = flagged
    deadline = attempt.deadline
    commit()
    return Saved(seq, deadline)


@dataclass
class SubmitResult:
    attempt: Attempt
    changed: bool          # False when it had been submitted already (a repeat or a concurrent call)


def exam_questions(exam_id: int, version_ids) -> tuple[dict[int, QuestionVersion], dict[int, dict]]:
    """The versions on a paper and their questions as graded: a key corrected for this exam (an approved
    regrade) replaces the frozen one."""
    from ..models import KeyCorrection

    ids = list(set(version_ids))
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}
    corrected = dict(db.session.execute(select(KeyCorrection.question_version_id, KeyCorrection.answer).where(
        KeyCorrection.exam_id == exam_id, KeyCorrection.question_version_id.in_(ids))).all())
    questions = {}
    for vid, v in versions.items():
        q = as_question(v)
        if vid in corrected:
            q["answer"] = corrected[vid]
        questions[vid] = q
    return versions, questions


def free_items(q: dict) -> list[int]:
    """Indexes of the hand-graded (free-text) items of a case question."""
    from ..domain import qtypes
    if q["type"] != "case":
        return []
    return [i for i, item in enumerate(q["items"]) if not qtypes.TYPES[item["type"]].auto]


def blank_text(response, item: int) -> bool:
    return not isinstance(response, list) or item >= len(response) or not str(response[item] or "").strip()


def _grade(attempt: Attempt) -> None:
    """(Re)grade an attempt from its saved answers, corrected keys and finished hand grades. Until every
    non-blank free-text item has its final hand grade the attempt is pending and has no pass/fail."""
    from .grading import final_hand_points

    exam = attempt.exam
    answers = {a.slot: a for a in db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))}
    _versions, questions = exam_questions(exam.id, [s["v"] for s in attempt.slots])
    hand = final_hand_points(attempt, questions) if any(free_items(q) for q in questions.values()) else {}
    total, pending = 0.0, False
    for index, slot in enumerate(attempt.slots):
        q = questions[slot["v"]]
        shown = shown_question(q, tuple(slot["o"]))
        answer = answers.get(index)
        response = answer.response if answer else None
        points = score(shown, response, slot["p"], partial_credit=exam.partial_credit)
        for item in free_items(q):
            final = hand.get((index, item))
            if final is not None:
                points += final
            elif not blank_text(response, item):
                pending = True
        if answer is not None:
            answer.points, answer.correct = round(points, 2), points >= slot["p"]
        total += points
    attempt.score = round(total, 2)
    attempt.pending_manual = pending
    attempt.passed = None if pending else exam_rules.passed(attempt.score, policy_of(exam))


def submit(user: User, attempt_id: int, *, now: datetime, by: str = "person") -> SubmitResult:
    """Idempotent under concurrency: the attempt row is locked, so one call grades and records the event;
    the others (and later replays) get the stored result (F4, F6, S6)."""
    begin_write()
    attempt = db.session.execute(select(Attempt).where(Attempt.id == attempt_id).with_for_update()).scalar_one_or_none()
    if attempt is None or (user is not None and attempt.user_id != user.id):
        raise NotFound("作答不存在")
    if attempt.status == "submitted":
        db.session.rollback()
        return SubmitResult(db.session.get(Attempt, attempt_id), False)
    _submit_locked(attempt, user, now=now, by=by)
    commit()
    return SubmitResult(attempt, True)


SYSTEM_SUBMITS = ("scheduler", "integrity")   # made by the system, not by the person: the audit says so


def _submit_locked(attempt: Attempt, user: User | None, *, now: datetime, by: str, note: dict | None = None) -> None:
    """Grade and close a running attempt whose row the caller holds locked, and record the event."""
    policy = policy_of(attempt.exam)
    if by == "person" and not exam_rules.accepts_submit(now, attempt.deadline, policy):
        by = "overdue"      # too late for the person's own submit: the saved answers are submitted as they are
    elif by == "person" and now > attempt.deadline:
        by = "grace"
    _grade(attempt)
    attempt.status, attempt.submitted_at, attempt.submitted_by = "submitted", now, by
    audit.record("attempt.submit", actor=f"system:{by}" if by in SYSTEM_SUBMITS else (user or "system"), now=now,
                 object_type="attempt", object_id=attempt.id,
                 data={"exam": attempt.exam_id, "score": attempt.score, "passed": attempt.passed, "by": by,
                       **(note or {})})


def submit_overdue(*, now: datetime) -> int:
    """The scheduler's job: submit every running attempt past its deadline and grace, with its saved answers.
    Running it twice changes nothing the second time (F9)."""
    ids = list(db.session.scalars(select(Attempt.id).where(Attempt.status == "running", Attempt.deadline < now)))
    db.session.rollback()
    done = 0
    for attempt_id in ids:
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is None or not exam_rules.is_overdue(now, attempt.deadline, policy_of(attempt.exam)):
            db.session.rollback()
            continue
        done += submit(None, attempt_id, now=now, by="scheduler").changed
    return done


INTEGRITY_KINDS = ("hidden", "visible")


@dataclass
class IntegrityResult:
    recorded: bool
    attempt: Attempt       # its status tells the page whether the attempt has just been submitted


def record_integrity(user: User, attempt_id: int, kind: str, *, now: datetime, ip: str = "") -> IntegrityResult:
    """A tab switch, and an IP address that differs from the one the attempt started from. A tab switch
    past the exam's threshold shows on the monitor; when the exam says so, it also submits the attempt at
    once with its saved answers (submitted_by "integrity"), in the same transaction as the event."""
    from ..domain.integrity import over_threshold

    begin_write()
    attempt = db.session.execute(select(Attempt).where(Attempt.id == attempt_id).with_for_update()).scalar_one_or_none()
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("作答不存在")
    if attempt.status != "running":
        db.session.rollback()
        return IntegrityResult(False, db.session.get(Attempt, attempt_id))
    db.session.add(IntegrityEvent(attempt_id=attempt.id, kind=kind, at=now, data={"ip": ip}))
    if ip and attempt.ip and ip != attempt.ip:
        db.session.add(IntegrityEvent(attempt_id=attempt.id, kind="ip_change", at=now,
                                      data={"from": attempt.ip, "to": ip}))
    exam = attempt.exam
    if kind == "hidden" and exam.integrity_auto_submit and exam.tab_switch_threshold is not None:
        db.session.flush()
        switches = db.session.scalar(select(func.count()).select_from(IntegrityEvent).where(
            IntegrityEvent.attempt_id == attempt.id, IntegrityEvent.kind == "hidden"))
        if over_threshold(switches, exam.tab_switch_threshold):
            _submit_locked(attempt, user, now=now, by="integrity",
                           note={"switches": switches, "threshold": exam.tab_switch_threshold})
    commit()
    return IntegrityResult(True, attempt)


def review(attempt: Attempt) -> list[dict]:
    """After the answers may be shown: each question as it was shown, the person's answer, the key
    (as corrected, when a regrade corrected it)."""
    versions, questions = exam_questions(attempt.exam_id, [s["v"] for s in attempt.slots])
    answers = {a.slot: a for a in db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))}
    out = []
    for index, slot in enumerate(attempt.slots):
        v = versions[slot["v"]]
        shown = shown_question(questions[slot["v"]], tuple(slot["o"]))
        shown.update(explanation=v.explanation, points=slot["p"])
        answer = answers.get(index)
        out.append({"q": shown, "response": answer.response if answer else None,
                    "earned": answer.points if answer and answer.points is not None else 0.0})
    return out


def sync_notebooks(*, now: datetime) -> int:
    """After an exam has closed (make-up included), its wrong answers join the takers' wrong-answer
    notebooks, once per exam. Returns how many answers were added."""
    from ..models import NotebookEntry
    from .practice import local_day, note_answer

    added = 0
    for exam in db.session.scalars(select(Exam).where(Exam.status == "published", Exam.notebook_synced_at.is_(None))):
        last_close = max(d for d in (exam.closes_at, exam.makeup_closes_at) if d is not None)
        if last_close > now:
            continue
        if db.session.scalar(select(func.count()).select_from(Attempt).where(
                Attempt.exam_id == exam.id, Attempt.status == "running")):
            continue    # overdue attempts are submitted first, so their wrong answers are not missed
        begin_write()
        exam = db.session.get(Exam, exam.id)
        if exam.notebook_synced_at is not None:
            db.session.rollback()
            continue
        wrong = db.session.execute(
            select(Attempt.user_id, QuestionVersion.question_id)
            .join(Answer, Answer.attempt_id == Attempt.id)
            .join(QuestionVersion, QuestionVersion.id == Answer.question_version_id)
            .where(Attempt.exam_id == exam.id, Attempt.status == "submitted", Answer.correct.is_(False))).all()
        day = local_day(now)
        entries = {(e.user_id, e.question_id): e for e in db.session.scalars(select(NotebookEntry).where(
            NotebookEntry.user_id.in_({u for u, _q in wrong}),
            NotebookEntry.question_id.in_({q for _u, q in wrong})))} if wrong else {}
        for user_id, question_id in wrong:
            entries[(user_id, question_id)] = note_answer(entries.get((user_id, question_id)), user_id, question_id,
                                                          correct=False, day=day, now=now)
            added += 1
        exam.notebook_synced_at = now
        commit()
    return added
