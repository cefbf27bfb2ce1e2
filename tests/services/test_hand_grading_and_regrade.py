"""Hand grading (two blind graders, a third when they disagree) and regrading after a key correction
with four eyes and a dry run."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from examapp.errors import Conflict, PermissionDenied, ValidationError
from examapp.extensions import db
from examapp.models import Answer, Approval, Attempt, AuditEvent, KeyCorrection
from examapp.services import approvals, audit, exams, grading, regrade
from tests.conftest import NOW, judge_version, paper_answers, take_case


def test_score_is_withheld_until_both_blind_grades_agree(world, graders, case_exam):
    attempt = take_case(world.employee, case_exam, "不合法，超过了三十日的期限。")
    assert attempt.pending_manual and attempt.passed is None and attempt.score == 50.0

    first = grading.next_task(graders[0], case_exam)
    assert first.round == 1 and "三十日" in first.reference and "超过" in first.response
    assert world.employee.name not in repr(first)          # blind to the taker
    grading.grade(graders[0], attempt.id, first.item.slot, first.item.item, round_=1, points=45, comment="",
                  now=NOW + timedelta(hours=1))
    assert grading.next_task(graders[0], case_exam) is None        # the same person never grades it twice
    with pytest.raises(Conflict):
        grading.grade(graders[0], attempt.id, 0, 1, round_=2, points=45, comment="", now=NOW + timedelta(hours=1))

    second = grading.next_task(graders[1], case_exam)
    assert second.round == 2
    done = grading.grade(graders[1], attempt.id, 0, 1, round_=2, points=40, comment="要点基本齐全",
                         now=NOW + timedelta(hours=2))
    assert not done.pending_manual
    assert done.score == 92.5 and done.passed is True          # 50 + (45 + 40) / 2
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(attempt.id))).all()
    assert actions.count("attempt.hand_grade") == 2 and "attempt.graded" in actions


def test_grades_too_far_apart_go_to_a_third_grader_whose_points_count(world, graders, case_exam):
    attempt = take_case(world.employee, case_exam, "合法。")
    grading.grade(graders[0], attempt.id, 0, 1, round_=1, points=0, comment="", now=NOW)
    still = grading.grade(graders[1], attempt.id, 0, 1, round_=2, points=30, comment="", now=NOW)
    assert still.pending_manual and still.passed is None           # 30 apart > 20% of 50
    assert grading.next_task(graders[0], case_exam) is None
    task = grading.next_task(graders[2], case_exam)
    assert task.round == 3
    done = grading.grade(graders[2], attempt.id, 0, 1, round_=3, points=5, comment="结论错误", now=NOW)
    assert done.score == 55.0 and done.passed is False
    assert audit.verify().ok            # the graded score is the one the chain recorded last (S13)


def test_blank_free_answers_need_no_grader_and_points_are_bounded(world, graders, case_exam):
    blank = take_case(world.employee, case_exam, "   ")
    assert not blank.pending_manual and blank.score == 50.0
    other = take_case(world.victim, case_exam, "不合法")
    with pytest.raises(ValidationError) as e:
        grading.grade(graders[0], other.id, 0, 1, round_=1, points=51, comment="", now=NOW)
    assert e.value.field == "points"
    overview = grading.overview(case_exam)
    assert overview.total == 1 and overview.attempts_pending == 1


def test_key_correction_dry_run_names_whose_pass_changes_and_needs_a_second_admin(world, graders, judge_exam):
    said_false = paper_answers(world.employee, judge_exam, judge=False, single_right=True)     # 40 → 100
    said_true = paper_answers(world.victim, judge_exam, judge=True, single_right=False)        # 60 → 0
    assert (said_false.score, said_true.score) == (40.0, 60.0)
    version = judge_version(judge_exam)

    with pytest.raises(ValidationError):
        regrade.parse_correction(judge_exam, version.id, "正确")        # the key in force already
    v, answer = regrade.parse_correction(judge_exam, version.id, "错误")
    run = regrade.dry_run(judge_exam, v, answer)
    assert {c.user.username: (c.old_score, c.new_score, c.new_passed) for c in run.changes} == {
        "employee": (40.0, 100.0, True), "victim": (60.0, 0.0, False)}
    assert len(run.pass_changes) == 2
    assert db.session.get(Attempt, said_false.id).score == 40.0          # a dry run changes nothing

    approval = regrade.request_regrade(graders[0], judge_exam.id, version_id=version.id, key_input="错误",
                                       reason="题目表述有误，依第三条应为错误", now=NOW + timedelta(days=1))
    assert approval.payload["preview"]["pass_changes"] == 2
    with pytest.raises(PermissionDenied):
        approvals.decide(graders[0], approval.id, approve=True, now=NOW + timedelta(days=1))
    with pytest.raises(Conflict):
        regrade.request_regrade(graders[1], judge_exam.id, version_id=version.id, key_input="错误", reason="重复",
                                now=NOW + timedelta(days=1))
    assert db.session.scalar(select(KeyCorrection.id)) is None

    approvals.decide(graders[1], approval.id, approve=True, note="核对条文无误", now=NOW + timedelta(days=2))
    assert db.session.get(Attempt, said_false.id).score == 100.0
    assert db.session.get(Attempt, said_false.id).passed is True
    assert db.session.get(Attempt, said_true.id).passed is False
    assert db.session.get(Approval, approval.id).status == "approved"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attempt.regrade")).all()
    assert {e.object_id for e in events} == {str(said_false.id), str(said_true.id)}
    with pytest.raises(Conflict):
        approvals.decide(graders[2], approval.id, approve=True, now=NOW + timedelta(days=2))

    # the review shows the corrected key; a later attempt is graded with it
    review = exams.review(db.session.get(Attempt, said_false.id))
    assert next(r for r in review if r["q"]["type"] == "judge")["q"]["answer"] is False
    later = paper_answers(world.unit_admin, judge_exam, judge=False, single_right=False)
    assert later.score == 60.0
    assert audit.verify().ok            # regraded scores are what the chain recorded last (S13)


def test_a_rejection_needs_a_reason_and_changes_nothing(world, graders, judge_exam):
    attempt = paper_answers(world.employee, judge_exam, judge=False, single_right=True)
    version = judge_version(judge_exam)
    approval = regrade.request_regrade(graders[0], judge_exam.id, version_id=version.id, key_input="错误",
                                       reason="疑似答案有误", now=NOW)
    with pytest.raises(ValidationError):
        approvals.decide(graders[1], approval.id, approve=False, now=NOW)
    approvals.decide(graders[1], approval.id, approve=False, note="原答案正确", now=NOW)
    assert db.session.get(Attempt, attempt.id).score == 40.0
    assert db.session.scalar(select(KeyCorrection.id)) is None
    assert db.session.scalar(select(Answer.points).where(Answer.attempt_id == attempt.id,
                                                         Answer.correct.is_(False))) == 0.0
