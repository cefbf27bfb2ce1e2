"""Taking an exam: the frozen paper, saves with sequence numbers, one submit whatever the concurrency,
the deadline and its grace, the scheduler's overdue job (F4–F7, F9, S1, S4, S6)."""
import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from examapp.errors import Conflict, NotFound
from examapp.extensions import db
from examapp.models import Answer, Attempt, AuditEvent, Exam, ExamAudience, ExamPaper, QuestionVersion, User
from examapp.services import exams
from tests.conftest import NOW, make_exam


@pytest.fixture
def exam(world, small_law):
    return make_exam([["test_law", "single", None, 1, 40], ["test_law", "multiple", None, 1, 30],
                      ["test_law", "judge", None, 1, 20], ["test_law", "fill", None, 1, 10]],
                     shuffle_questions=True, shuffle_options=True)


def start(user, exam, now=NOW, seed=3):
    attempt, _created = exams.start_attempt(user, exam.id, now=now, rng=random.Random(seed))
    return attempt


def key_answers(attempt):
    """The right response for each question as shown on this paper."""
    from examapp.domain.paper import shown_question
    from examapp.models import QuestionVersion
    from examapp.services.practice import as_question
    out = {}
    for slot in attempt.slots:
        v = db.session.get(QuestionVersion, slot["v"])
        shown = shown_question(as_question(v), tuple(slot["o"]))
        out[v.question_id] = shown["answer"] if v.type != "fill" else [a[0] for a in v.answer]
    return out


def test_publish_names_the_rule_that_cannot_be_filled(world, small_law):
    e = Exam(title="x", year=2026, opens_at=NOW, closes_at=NOW + timedelta(days=1))
    db.session.add(e)
    db.session.flush()
    paper = ExamPaper(exam_id=e.id, version=1, mode="rules", rules=[["test_law", "single", None, 2, 50]])
    db.session.add(paper)
    db.session.flush()
    e.current_paper_id = paper.id
    db.session.add(ExamAudience(exam_id=e.id, kind="role", value="employee"))
    db.session.commit()
    from examapp.errors import ValidationError
    with pytest.raises(ValidationError, match="第 1 条抽题规则.*需要 2 道，只有 1 道"):
        exams.publish(world.admin, e.id, now=NOW)


def test_audience_and_my_exams(world, exam):
    assert [r.exam.id for r in exams.exams_for(world.employee, now=NOW)] == [exam.id]
    assert exams.exams_for(world.b_person, now=NOW) == []          # not in the audience
    row = exams.exams_for(world.employee, now=NOW - timedelta(hours=1))[0]
    assert row.status == "upcoming" and not row.can_start
    with pytest.raises(NotFound):
        exams.start_attempt(world.b_person, exam.id, now=NOW)


def test_start_freezes_the_paper_and_shows_no_key(world, exam):
    attempt = start(world.employee, exam)
    assert attempt.deadline == NOW + timedelta(minutes=30) and len(attempt.slots) == 4
    again, created = exams.start_attempt(world.employee, exam.id, now=NOW + timedelta(minutes=1))
    assert again.id == attempt.id and not created
    paper = exams.paper_for_taker(attempt)
    text = repr(paper)
    assert "answer" not in text and "explanation" not in text and "三十日" not in [q.get("answer") for q in paper]
    assert sum(q["points"] for q in paper) == 100


def test_full_marks_and_audit(world, exam):
    attempt = start(world.employee, exam)
    for n, (qid, response) in enumerate(key_answers(attempt).items(), start=1):
        exams.save_answer(world.employee, attempt.id, qid, response, n, now=NOW + timedelta(minutes=n))
    result = exams.submit(world.employee, attempt.id, now=NOW + timedelta(minutes=10))
    assert result.changed and result.attempt.score == 100 and result.attempt.passed
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "attempt.submit")) == 1


def test_stale_saves_are_refused(world, exam):
    attempt = start(world.employee, exam)
    qid = next(iter(key_answers(attempt)))
    exams.save_answer(world.employee, attempt.id, qid, "A", 5, now=NOW)
    with pytest.raises(Conflict):
        exams.save_answer(world.employee, attempt.id, qid, "B", 4, now=NOW)   # F5: the other tab's older save
    with pytest.raises(Conflict):
        exams.save_answer(world.employee, attempt.id, qid, "B", 5, now=NOW)
    stored = db.session.scalar(select(Answer.response).where(Answer.attempt_id == attempt.id))
    assert stored == "A"


def test_deadline_grace_and_late_saves(world, exam):
    attempt = start(world.employee, exam)
    qid = next(iter(key_answers(attempt)))
    end = attempt.deadline
    exams.save_answer(world.employee, attempt.id, qid, "A", 1, now=end)
    with pytest.raises(Conflict):
        exams.save_answer(world.employee, attempt.id, qid, "B", 2, now=end + timedelta(seconds=1))   # F7
    result = exams.submit(world.employee, attempt.id, now=end + timedelta(seconds=59))
    assert result.attempt.submitted_by == "grace"
    db.session.rollback()
    stored = {(a.slot, a.response, a.seq, a.points) for a in db.session.scalars(select(Answer).where(
        Answer.attempt_id == attempt.id))}
    score = db.session.get(Attempt, attempt.id).score
    with pytest.raises(Conflict):
        exams.save_answer(world.employee, attempt.id, qid, "C", 3, now=end)   # F6: after submit
    db.session.rollback()
    assert {(a.slot, a.response, a.seq, a.points) for a in db.session.scalars(select(Answer).where(
        Answer.attempt_id == attempt.id))} == stored                        # F6: the answers are unchanged
    assert db.session.get(Attempt, attempt.id).score == score


def test_a_submit_after_the_grace_submits_the_saved_answers(world, exam):
    attempt = start(world.employee, exam)
    result = exams.submit(world.employee, attempt.id, now=attempt.deadline + timedelta(seconds=61))
    assert result.attempt.submitted_by == "overdue" and result.attempt.score == 0


def test_concurrent_submits_grade_once(app, world, exam):
    attempt = start(world.employee, exam)
    employee_id, attempt_id = world.employee.id, attempt.id
    results = []

    def worker():
        with app.app_context():
            user = db.session.get(User, employee_id)
            try:
                results.append(exams.submit(user, attempt_id, now=NOW + timedelta(minutes=5)).changed)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.commit()
    assert sorted(results) == [False] * 5 + [True]                                    # F4
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "attempt.submit")) == 1
    again = exams.submit(world.employee, attempt_id, now=NOW + timedelta(days=1))     # a replay later
    assert not again.changed and again.attempt.submitted_at == NOW + timedelta(minutes=5)


def test_the_scheduler_submits_overdue_attempts_once(world, exam):
    attempt = start(world.employee, exam)
    qid, response = next(iter(key_answers(attempt).items()))
    exams.save_answer(world.employee, attempt.id, qid, response, 1, now=NOW)
    assert exams.submit_overdue(now=attempt.deadline + timedelta(seconds=30)) == 0    # still in the grace
    assert exams.submit_overdue(now=attempt.deadline + timedelta(minutes=2)) == 1     # F9
    assert exams.submit_overdue(now=attempt.deadline + timedelta(minutes=3)) == 0
    done = db.session.get(Attempt, attempt.id)
    assert done.status == "submitted" and done.submitted_by == "scheduler" and done.score > 0


def test_another_person_s_attempt_is_not_found(world, exam):
    attempt = start(world.employee, exam)
    with pytest.raises(NotFound):
        exams.get_attempt(world.victim, attempt.id)
    with pytest.raises(NotFound):
        exams.submit(world.victim, attempt.id, now=NOW)
    with pytest.raises(NotFound):
        exams.save_answer(world.victim, attempt.id, 1, "A", 1, now=NOW)


def test_attempts_run_out(world, exam):
    for n in range(3):
        attempt = start(world.employee, exam, now=NOW + timedelta(hours=n))
        exams.submit(world.employee, attempt.id, now=NOW + timedelta(hours=n, minutes=1))
    with pytest.raises(Conflict, match="作答次数已用完"):
        start(world.employee, exam, now=NOW + timedelta(hours=5))


def test_wrong_exam_answers_join_the_notebook_after_close(world, exam):
    from examapp.models import NotebookEntry
    from examapp.services import practice
    attempt = start(world.employee, exam)
    keys = key_answers(attempt)
    for n, (qid, response) in enumerate(keys.items(), start=1):
        wrong = {"single": "Z", "multiple": "Z", "judge": None, "fill": ["错"]}
        from examapp.models import Question
        kind = db.session.get(Question, qid).current.type
        exams.save_answer(world.employee, attempt.id, qid, response if kind == "judge" else wrong[kind], n, now=NOW)
    exams.submit(world.employee, attempt.id, now=NOW + timedelta(minutes=5))
    assert exams.sync_notebooks(now=NOW + timedelta(days=1)) == 0          # still open: nothing yet
    assert exams.sync_notebooks(now=exam.closes_at + timedelta(minutes=1)) == 3
    assert exams.sync_notebooks(now=exam.closes_at + timedelta(hours=1)) == 0   # once per exam
    assert practice.notebook_count(world.employee) == 3
    assert db.session.query(NotebookEntry).count() == 3


def test_the_notebook_waits_for_overdue_attempts_to_be_submitted(world, exam):
    from examapp.services import practice
    attempt = start(world.employee, exam, now=exam.closes_at - timedelta(minutes=1))
    qid = next(iter(key_answers(attempt)))
    exams.save_answer(world.employee, attempt.id, qid, "Z", 1, now=exam.closes_at - timedelta(seconds=30))
    after = exam.closes_at + timedelta(minutes=5)
    assert exams.sync_notebooks(now=after) == 0           # the attempt is still running: wait for it
    assert db.session.get(Exam, exam.id).notebook_synced_at is None
    exams.submit_overdue(now=after)
    assert exams.sync_notebooks(now=after) >= 1
    assert practice.notebook_count(world.employee) >= 1


def test_a_save_costs_the_same_few_queries_whatever_the_paper_size(world, exam):
    from sqlalchemy import event
    attempt = start(world.employee, exam)
    last_qid = list(key_answers(attempt))[-1]
    assert world.employee.roles          # loaded, as a request has loaded its user before the view runs
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        exams.save_answer(world.employee, attempt.id, last_qid, "A", 1, now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    selects = [s.split("FROM")[1].split()[0] for s in statements if s.lstrip().upper().startswith("SELECT")]
    # the attempt (locked, with its exam) and the stored answer; the paper's versions were read when the attempt
    # started and are kept in memory: never a query per slot
    assert selects.count("question_version") == 0 and len(selects) <= 2, selects


def test_an_exam_limited_to_the_bureau_network_refuses_other_addresses(world, small_law):
    """Starting and saving from outside the exam's ranges are refused; inside they work."""
    from examapp.errors import PermissionDenied
    limited = make_exam([["test_law", "single", None, 1, 100]], ip_ranges=["10.12.0.0/16"])
    with pytest.raises(PermissionDenied) as e:
        exams.start_attempt(world.employee, limited.id, now=NOW, ip="203.0.113.9")
    assert "203.0.113.9" in e.value.message
    attempt, _ = exams.start_attempt(world.employee, limited.id, now=NOW, ip="10.12.3.4")
    question_id = db.session.get(QuestionVersion, attempt.slots[0]["v"]).question_id
    with pytest.raises(PermissionDenied):
        exams.save_answer(world.employee, attempt.id, question_id, "A", 1, now=NOW, ip="198.51.100.1")
    assert exams.save_answer(world.employee, attempt.id, question_id, "A", 2, now=NOW, ip="10.12.9.9").seq == 2


def test_my_exams_reads_a_fixed_number_of_queries_however_many_exams(world, small_law):
    """"My exams" (page and API) must not cost queries per exam: one read each of the exams, their audiences,
    the unit paths, the person's attempts and exceptions."""
    from sqlalchemy import event

    def statements_for_my_exams() -> tuple[int, int]:
        seen = []
        listener = lambda *args: seen.append(1)          # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            rows = exams.exams_for(world.employee, now=NOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen), len(rows)

    make_exam([["test_law", "judge", 1, 1, 100]], title="一")
    one, shown = statements_for_my_exams()
    assert shown == 1
    for title in ("二", "三", "四"):
        make_exam([["test_law", "judge", 1, 1, 100]], title=title)
    make_exam([["test_law", "judge", 1, 1, 100]], audience=(("unit", "B"),), title="别人的")
    four, shown = statements_for_my_exams()
    assert shown == 4 and four == one


def test_an_edited_question_does_not_change_a_running_attempt(world, small_law):
    """F15: an admin rewrites a question (text and key) while an attempt runs: the taker keeps the version
    they were shown and is graded by it; a later attempt gets the new version."""
    from examapp.models import Question
    from examapp.services import bank, questions
    exam = make_exam([["test_law", "judge", None, 1, 100]], shuffle_questions=False, attempts_allowed=2)
    attempt, _ = exams.start_attempt(world.employee, exam.id, now=NOW, rng=random.Random(1))
    shown = exams.paper_for_taker(attempt)[0]
    version = db.session.get(QuestionVersion, attempt.slots[0]["v"])
    question = db.session.get(Question, version.question_id)
    data = bank.version_as_dict(question.ext_id, version)
    data.update(stem=version.stem + "（已修订）", answer=not version.answer)
    questions.save(world.admin, law_code="test_law", ext_id=question.ext_id, data=data, now=NOW,
                   question_id=question.id)
    assert db.session.get(Question, question.id).current_version_id != version.id
    assert exams.paper_for_taker(db.session.get(Attempt, attempt.id))[0]["stem"] == shown["stem"]
    exams.save_answer(world.employee, attempt.id, shown["id"], version.answer, 1, now=NOW)
    assert exams.submit(world.employee, attempt.id, now=NOW + timedelta(minutes=1)).attempt.score == 100.0
    later, _ = exams.start_attempt(world.employee, exam.id, now=NOW + timedelta(minutes=2), rng=random.Random(1))
    assert exams.paper_for_taker(later)[0]["stem"].endswith("（已修订）")
