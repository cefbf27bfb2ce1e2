"""Answer sheets: the paper as shown, responses, the key in force (a corrected key included), points, hand
marks; and who may read which sheet."""
import random
from datetime import timedelta

import pytest

from examapp.domain.paper import shown_question
from examapp.errors import NotFound, PermissionDenied
from examapp.extensions import db
from examapp.models import QuestionVersion
from examapp.services import answer_sheets, approvals, exams, grading, regrade
from examapp.services.practice import as_question
from tests.conftest import NOW, judge_version, make_exam, paper_answers, take_case

LATER = NOW + timedelta(days=30)


def test_the_sheet_shows_the_paper_as_the_taker_saw_it(world, judge_exam):
    attempt = paper_answers(world.employee, judge_exam, judge=True, single_right=False)
    sheet = answer_sheets.sheet_for(world.admin, attempt.id, now=LATER)
    assert (sheet.username, sheet.name, sheet.unit_code, sheet.unit_name) == ("employee", "张三", "A1", "甲区综合股")
    assert (sheet.number, sheet.makeup, sheet.status, sheet.score, sheet.passed) == (1, False, "submitted", 60.0, True)
    assert sheet.result_label == "合格"
    assert sheet.started_at == "2026-03-15 10:00:00" and sheet.submitted_at == "2026-03-15 10:01:00"   # Asia/Shanghai
    judge, single = sheet.questions
    assert (judge.type_label, judge.response, judge.answer, judge.awarded, judge.correct) == (
        "判断题", "正确", "正确", 60.0, True)
    slot = attempt.slots[1]
    shown = shown_question(as_question(db.session.get(QuestionVersion, slot["v"])), tuple(slot["o"]))
    assert single.options == tuple(f"{'ABCD'[i]}. {o}" for i, o in enumerate(shown["options"]))
    assert single.answer == shown["answer"] and single.response != shown["answer"]
    assert (single.awarded, single.correct, single.points) == (0.0, False, 40.0)
    assert single.stem == "期限为（  ）。" and not judge.key_corrected


def test_a_corrected_key_shows_as_grading_uses_it(world, graders, judge_exam):
    attempt = paper_answers(world.employee, judge_exam, judge=False, single_right=True)
    version = judge_version(judge_exam)
    approval = regrade.request_regrade(graders[0], judge_exam.id, version_id=version.id, key_input="错误",
                                       reason="依第三条应为错误", now=NOW + timedelta(days=1))
    approvals.decide(graders[1], approval.id, approve=True, note="核对无误", now=NOW + timedelta(days=2))
    sheet = answer_sheets.sheet_for(world.admin, attempt.id, now=LATER)
    judge = next(q for q in sheet.questions if q.type_label == "判断题")
    assert (judge.answer, judge.response, judge.awarded, judge.key_corrected) == ("错误", "错误", 60.0, True)
    assert sheet.score == 100.0


def test_hand_graded_items_show_pending_then_their_final_marks(world, graders, case_exam):
    attempt = take_case(world.employee, case_exam, "不合法，超过了三十日的期限。")
    sheet = answer_sheets.sheet_for(world.admin, attempt.id, now=LATER)
    assert sheet.pending_manual and sheet.result_label == "待阅卷"
    (case,) = sheet.questions
    auto, free = case.items
    assert (auto.correct, auto.hand_graded, free.hand_graded, free.final_points, free.max_points) == (
        True, False, True, None, 50.0)
    assert "三十日" in free.answer and "超过" in free.response
    grading.grade(graders[0], attempt.id, 0, 1, round_=1, points=45, comment="", now=NOW + timedelta(hours=1))
    grading.grade(graders[1], attempt.id, 0, 1, round_=2, points=40, comment="", now=NOW + timedelta(hours=2))
    sheet = answer_sheets.sheet_for(world.admin, attempt.id, now=LATER)
    assert sheet.questions[0].items[1].final_points == 42.5
    assert (sheet.score, sheet.passed, sheet.result_label) == (92.5, True, "合格")


def test_a_running_attempt_has_no_points_yet(world, judge_exam):
    attempt, _ = exams.start_attempt(world.employee, judge_exam.id, now=NOW, rng=random.Random(3))
    sheet = answer_sheets.sheet_for(world.admin, attempt.id, now=NOW + timedelta(minutes=1))
    assert sheet.status == "running" and sheet.result_label == "作答中" and sheet.score is None
    assert all(q.awarded is None and q.response == "未作答" for q in sheet.questions)


def test_scope_decides_who_reads_a_sheet(world, judge_exam, small_law):
    mine = paper_answers(world.victim, judge_exam, judge=True, single_right=True)
    b_exam = make_exam([["test_law", "judge", None, 1, 100]], audience=(("unit_tree", "B"),))
    theirs = paper_answers(world.b_person, b_exam, judge=True, single_right=True)
    for reader in (world.admin, world.auditor, world.unit_admin, world.a_auditor):
        assert answer_sheets.sheet_for(reader, mine.id, now=LATER).username == "victim"
    for outsider in (world.unit_admin, world.a_auditor, world.employee):
        with pytest.raises(NotFound):
            answer_sheets.sheet_for(outsider, theirs.id, now=LATER)
    with pytest.raises(NotFound):
        answer_sheets.sheet_for(world.employee, mine.id, now=LATER)
    with pytest.raises(NotFound):
        answer_sheets.sheet_for(world.admin, 99999, now=LATER)


def test_while_an_exam_is_open_only_admins_and_auditors_who_do_not_sit_it_see_its_sheets(world, judge_exam):
    from tests.conftest import make_user
    attempt = paper_answers(world.victim, judge_exam, judge=True, single_right=True)
    running = NOW + timedelta(hours=1)
    not_a_taker = make_user("ua2", world.a, "unit_admin", name="甲二号管理员")
    sitting_auditor = make_user("aud2", world.a1, "auditor", "employee", scope=world.a, name="参考的审计员")
    for viewer in (world.unit_admin, not_a_taker, sitting_auditor):
        with pytest.raises(PermissionDenied):
            answer_sheets.sheet_for(viewer, attempt.id, now=running)
    assert answer_sheets.sheet_for(world.a_auditor, attempt.id, now=running)
    assert answer_sheets.sheet_for(world.admin, attempt.id, now=running)
    for viewer in (world.unit_admin, not_a_taker, sitting_auditor):
        assert answer_sheets.sheet_for(viewer, attempt.id, now=LATER).username == "victim"


def test_attempts_by_person_lists_only_what_the_reader_may_open(world, judge_exam):
    a = paper_answers(world.employee, judge_exam, judge=True, single_right=True)
    assert answer_sheets.attempts_by_person(world.unit_admin, judge_exam.id) == {world.employee.id: [(a.id, 1, False)]}
    b_reader = world.b_person
    assert answer_sheets.attempts_by_person(b_reader, judge_exam.id) == {}
