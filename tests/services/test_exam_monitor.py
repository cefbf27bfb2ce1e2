"""The live monitor's actions (more time, reopen), scoped and audited; the tab-switch threshold, with and
without auto-submit; risk scores in bulk."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from examapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from examapp.extensions import db
from examapp.models import Answer, Attempt, AuditEvent, ExamOverride, IntegrityEvent
from examapp.services import exam_admin, exams, integrity
from tests.conftest import NOW, make_exam

RULES = [["test_law", "single", None, 1, 50], ["test_law", "judge", None, 1, 50]]
MIN = timedelta(minutes=1)


@pytest.fixture
def exam(world, small_law):
    """Open for two hours from NOW for the whole bureau, 30 minutes, one attempt."""
    return make_exam(RULES, audience=(("unit_tree", "R"),), closes_at=NOW + timedelta(hours=2), attempts_allowed=1)


def start(user, exam, now=NOW):
    attempt, _created = exams.start_attempt(user, exam.id, now=now, rng=random.Random(1))
    return attempt


def judge_id(attempt) -> int:
    return next(q["id"] for q in exams.paper_for_taker(attempt) if q["type"] == "judge")


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def override(exam, user) -> ExamOverride:
    return db.session.scalar(select(ExamOverride).where(ExamOverride.exam_id == exam.id,
                                                        ExamOverride.user_id == user.id))


# -- more time ---------------------------------------------------------------------------------------

def test_add_time_moves_the_running_deadline_and_adds_to_the_standing_extra_time(world, exam):
    exam_admin.set_overrides(world.admin, exam.id, usernames=["employee"], extra_minutes=15, reason="视力障碍",
                             now=NOW)
    attempt = start(world.employee, exam)
    assert attempt.deadline == NOW + 45 * MIN
    exam_admin.add_time(world.admin, exam.id, attempt.id, minutes=10, reason="网络中断 10 分钟", now=NOW + 20 * MIN)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline == NOW + 55 * MIN
    row = override(exam, world.employee)
    assert row.extra_minutes == 25 and row.reason == "视力障碍；网络中断 10 分钟"     # added, not replaced
    (event,) = events("exam.add_time")
    assert event.actor_name == "admin" and '"minutes":10' in event.data_json and "网络中断" in event.data_json
    # the person may answer in the added minutes
    assert exams.save_answer(world.employee, attempt.id, judge_id(attempt), True, 1, now=NOW + 50 * MIN).seq == 1


def test_add_time_needs_minutes_a_reason_and_a_running_attempt(world, exam):
    attempt = start(world.employee, exam)
    with pytest.raises(ValidationError, match="请填写原因") as e:
        exam_admin.add_time(world.admin, exam.id, attempt.id, minutes=10, reason="  ", now=NOW)
    assert e.value.field == "reason"
    for bad in (0, 601, "10", None, True):
        with pytest.raises(ValidationError) as e:
            exam_admin.add_time(world.admin, exam.id, attempt.id, minutes=bad, reason="x", now=NOW)
        assert e.value.field == "minutes"
    exam_admin.add_time(world.admin, exam.id, attempt.id, minutes=590, reason="x", now=NOW)
    with pytest.raises(ValidationError, match="累计加时不能超过 600 分钟"):
        exam_admin.add_time(world.admin, exam.id, attempt.id, minutes=11, reason="y", now=NOW)
    exams.submit(world.employee, attempt.id, now=NOW + MIN)
    with pytest.raises(Conflict, match="已交卷"):
        exam_admin.add_time(world.admin, exam.id, attempt.id, minutes=5, reason="x", now=NOW + 2 * MIN)
    assert len(events("exam.add_time")) == 1 and override(exam, world.employee).extra_minutes == 590


def test_add_time_past_the_grace_period_is_refused(world, exam):
    attempt = start(world.employee, exam)
    with pytest.raises(Conflict, match="已过截止时间"):
        exam_admin.add_time(world.admin, exam.id, attempt.id, minutes=5, reason="x", now=NOW + 32 * MIN)


# -- reopen ------------------------------------------------------------------------------------------

def test_reopen_after_close_gives_one_attempt_in_an_own_window_and_keeps_the_old_one(world, exam):
    attempt = start(world.employee, exam)
    exams.save_answer(world.employee, attempt.id, judge_id(attempt), True, 1, now=NOW + MIN)
    exams.submit(world.employee, attempt.id, now=NOW + 5 * MIN)
    db.session.expire_all()
    before = db.session.get(Attempt, attempt.id)
    kept = (before.status, before.score, before.passed, before.submitted_at, before.submitted_by, before.deadline)
    answers = [(a.slot, a.response, a.points) for a in db.session.scalars(select(Answer).where(
        Answer.attempt_id == attempt.id))]
    later = NOW + timedelta(days=1)                     # the exam closed at NOW + 2 h
    with pytest.raises(Conflict, match="考试已结束"):
        exams.start_attempt(world.employee, exam.id, now=later)

    done = exam_admin.reopen(world.admin, exam.id, attempt.id, reason="考场断电，重考", now=later)
    assert done.attempts_left == 1 and done.window == (later, later + 30 * MIN)
    row = override(exam, world.employee)
    assert row.extra_attempts == 1 and (row.opens_at, row.closes_at) == done.window and row.reason == "考场断电，重考"
    (event,) = events("exam.reopen")
    assert event.object_id == str(attempt.id) and "考场断电" in event.data_json

    again = start(world.employee, exam, now=later + 2 * MIN)
    assert again.id != attempt.id and again.number == 2 and again.deadline == later + 30 * MIN
    db.session.expire_all()
    old = db.session.get(Attempt, attempt.id)                        # the graded record is untouched
    assert (old.status, old.score, old.passed, old.submitted_at, old.submitted_by, old.deadline) == kept
    assert [(a.slot, a.response, a.points) for a in db.session.scalars(select(Answer).where(
        Answer.attempt_id == attempt.id))] == answers
    exams.submit(world.employee, again.id, now=later + 10 * MIN)
    with pytest.raises(Conflict, match="作答次数已用完"):                 # one more, not more
        exams.start_attempt(world.employee, exam.id, now=later + 11 * MIN)


def test_reopen_while_the_window_is_open_only_adds_an_attempt(world, exam):
    attempt = start(world.employee, exam)
    exams.submit(world.employee, attempt.id, now=NOW + 5 * MIN)
    done = exam_admin.reopen(world.admin, exam.id, attempt.id, reason="误交卷", now=NOW + 6 * MIN)
    assert done.window is None and done.attempts_left == 1
    row = override(exam, world.employee)
    assert row.opens_at is None and row.extra_attempts == 1
    again = start(world.employee, exam, now=NOW + 7 * MIN)
    with pytest.raises(Conflict, match="已有进行中的作答"):
        exam_admin.reopen(world.admin, exam.id, attempt.id, reason="x", now=NOW + 8 * MIN)
    with pytest.raises(Conflict, match="尚未交卷"):
        exam_admin.reopen(world.admin, exam.id, again.id, reason="x", now=NOW + 8 * MIN)
    with pytest.raises(ValidationError, match="请填写原因"):
        exam_admin.reopen(world.admin, exam.id, attempt.id, reason="", now=NOW + 8 * MIN)
    assert len(events("exam.reopen")) == 1


def test_a_unit_admin_acts_only_in_the_subtree_and_an_auditor_not_at_all(world, exam):
    mine = start(world.employee, exam)            # A1, in the unit_admin's subtree (A)
    theirs = start(world.b_person, exam)          # B
    exam_admin.add_time(world.unit_admin, exam.id, mine.id, minutes=5, reason="设备故障", now=NOW + MIN)
    with pytest.raises(NotFound):
        exam_admin.add_time(world.unit_admin, exam.id, theirs.id, minutes=5, reason="x", now=NOW + MIN)
    exams.submit(world.b_person, theirs.id, now=NOW + 2 * MIN)
    with pytest.raises(NotFound):
        exam_admin.reopen(world.unit_admin, exam.id, theirs.id, reason="x", now=NOW + 3 * MIN)
    with pytest.raises(NotFound):                 # an attempt of another exam is not found either
        exam_admin.add_time(world.admin, exam.id + 1, mine.id, minutes=5, reason="x", now=NOW + MIN)
    for auditor in (world.auditor, world.a_auditor):
        with pytest.raises(PermissionDenied):
            exam_admin.add_time(auditor, exam.id, mine.id, minutes=5, reason="x", now=NOW + MIN)
        with pytest.raises(PermissionDenied):
            exam_admin.reopen(auditor, exam.id, theirs.id, reason="x", now=NOW + 3 * MIN)
    assert len(events("exam.add_time")) == 1 and events("exam.reopen") == []
    assert override(exam, world.b_person) is None
    # the monitor lists only the subtree for a unit_admin or a scoped auditor
    for actor, names in ((world.unit_admin, ["employee"]), (world.a_auditor, ["employee"]),
                         (world.admin, ["employee"]), (world.auditor, ["employee"])):
        rows = db.session.scalars(exam_admin.monitor_query(actor, exam.id, running=True)).all()
        assert [world.employee.username for a in rows if a.user_id == world.employee.id] == names
    done = db.session.scalars(exam_admin.monitor_query(world.unit_admin, exam.id, running=False)).all()
    assert done == []                             # bperson's submitted attempt is outside A
    assert [a.id for a in db.session.scalars(exam_admin.monitor_query(world.admin, exam.id, running=False))] \
        == [theirs.id]


# -- the tab-switch threshold ------------------------------------------------------------------------

def switch(user, attempt, at, ip="10.0.0.1"):
    exams.record_integrity(user, attempt.id, "visible", now=at - timedelta(seconds=5), ip=ip)
    return exams.record_integrity(user, attempt.id, "hidden", now=at, ip=ip)


def test_auto_submit_past_the_threshold_submits_once_with_the_saved_answers(world, small_law):
    exam = make_exam(RULES, tab_switch_threshold=2, integrity_auto_submit=True)
    attempt = start(world.employee, exam)
    exams.save_answer(world.employee, attempt.id, judge_id(attempt), True, 1, now=NOW + MIN)
    for n in (2, 3):                               # two switches are tolerated
        assert switch(world.employee, attempt, NOW + n * MIN).attempt.status == "running"
    result = switch(world.employee, attempt, NOW + 4 * MIN)
    assert result.recorded and result.attempt.status == "submitted"
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert done.submitted_by == "integrity" and done.submitted_at == NOW + 4 * MIN and done.score == 50
    (event,) = events("attempt.submit")
    assert event.actor_name == "system:integrity"
    assert '"by":"integrity"' in event.data_json and '"switches":3' in event.data_json
    # later saves, events and submits change nothing
    with pytest.raises(Conflict, match="已交卷"):
        exams.save_answer(world.employee, attempt.id, judge_id(attempt), False, 2, now=NOW + 5 * MIN)
    late = switch(world.employee, attempt, NOW + 6 * MIN)
    assert not late.recorded and late.attempt.status == "submitted"
    assert not exams.submit(world.employee, attempt.id, now=NOW + 7 * MIN).changed
    assert len(events("attempt.submit")) == 1
    assert db.session.scalar(select(func.count()).select_from(IntegrityEvent).where(
        IntegrityEvent.attempt_id == attempt.id, IntegrityEvent.kind == "hidden")) == 3


def test_without_auto_submit_the_attempt_is_only_flagged(world, small_law):
    exam = make_exam(RULES, tab_switch_threshold=1)
    attempt = start(world.employee, exam)
    for n in (1, 2, 3):
        assert switch(world.employee, attempt, NOW + n * MIN).attempt.status == "running"
    (row,) = exam_admin.monitor_rows(exam, [db.session.get(Attempt, attempt.id)], now=NOW + 4 * MIN)
    assert row.switches == 3 and row.flagged and row.risk.score >= 15
    assert events("attempt.submit") == []


def test_auto_submit_needs_a_threshold(world):
    data = exam_admin.ExamInput(title="x", kind="mock", year=2026, opens_at=NOW, closes_at=NOW + timedelta(days=1),
                                integrity_auto_submit=True)
    with pytest.raises(ValidationError, match="自动交卷须先设置切屏次数阈值") as e:
        exam_admin.save_exam(world.admin, None, data, now=NOW)
    assert e.value.field == "integrity_auto_submit"
    data.tab_switch_threshold = 101
    with pytest.raises(ValidationError, match="0–100"):
        exam_admin.save_exam(world.admin, None, data, now=NOW)
    data.tab_switch_threshold = 3
    exam = exam_admin.save_exam(world.admin, None, data, now=NOW)
    assert exam.tab_switch_threshold == 3 and exam.integrity_auto_submit


def test_once_people_sit_it_the_threshold_moves_only_without_auto_submit(world, small_law):
    exam = make_exam(RULES, tab_switch_threshold=3)
    start(world.employee, exam)
    fields = dict(title=exam.title, kind=exam.kind, year=exam.year, opens_at=exam.opens_at, closes_at=exam.closes_at,
                  duration_minutes=exam.duration_minutes, attempts_allowed=exam.attempts_allowed,
                  shuffle_questions=exam.shuffle_questions, shuffle_options=exam.shuffle_options)
    exam_admin.save_exam(world.admin, exam.id, exam_admin.ExamInput(**fields, tab_switch_threshold=5), now=NOW)
    assert exam.tab_switch_threshold == 5
    with pytest.raises(Conflict, match="已有人作答"):
        exam_admin.save_exam(world.admin, exam.id, exam_admin.ExamInput(
            **fields, tab_switch_threshold=5, integrity_auto_submit=True), now=NOW)


# -- risk in bulk ------------------------------------------------------------------------------------

def test_risks_are_read_in_a_fixed_number_of_queries(app, world, exam):
    from sqlalchemy import event as sa_event
    people = (world.employee, world.victim, world.b_person, world.unit_admin)
    attempts = [start(u, exam) for u in people]
    for a, u in zip(attempts, people, strict=True):
        switch(u, a, NOW + MIN)
    ids = [a.id for a in attempts]
    assert exam.duration_minutes == 30                 # loaded before counting
    statements = []
    listener = lambda _conn, _cursor, statement, *rest: statements.append(statement)     # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        risks = integrity.attempt_risks(exam, ids, now=NOW + 2 * MIN)
        per_person = integrity.person_risks(exam, now=NOW + 2 * MIN)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 6                           # three for each call, whatever the number of attempts
    assert set(risks) == set(ids) and all(r.score >= 5 for r in risks.values())
    assert per_person[world.employee.id][0] == ids[0]
