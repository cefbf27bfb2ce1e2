import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from examapp.errors import ValidationError
from examapp.extensions import db
from examapp.models import NotebookEntry, Question
from examapp.services import practice
from examapp.services.practice import Scope
from tests.conftest import NOW


def qid(ext_id):
    return db.session.scalar(select(Question).where(Question.ext_id == ext_id))


LAW_SCOPE = Scope(law="test_law")


def answer(user, ext_id, response, scope=LAW_SCOPE, now=NOW):
    q = qid(ext_id)
    return practice.answer(user, q.id, q.current_version_id, response, scope, now=now)


def test_sequential_practice_remembers_the_position(world, small_law):
    scope = Scope(law="test_law")
    first = practice.next_question(world.employee, scope)
    assert (first.question.ext_id, first.position, first.total) == ("tst-0001", 1, 4)
    answer(world.employee, "tst-0001", "C", scope)
    assert practice.next_question(world.employee, scope).question.ext_id == "tst-0002"
    answer(world.employee, "tst-0004", ["三十日"], scope)
    assert practice.next_question(world.employee, scope).question.ext_id == "tst-0001"  # wraps round
    assert practice.next_question(world.victim, scope).question.ext_id == "tst-0001"   # per person


def test_random_mode_and_filters(world, small_law):
    rng = random.Random(4)
    seen = {practice.next_question(world.employee, Scope(law="test_law", mode="random"), rng=rng).question.ext_id
            for _ in range(40)}
    assert seen == {"tst-0001", "tst-0002", "tst-0003", "tst-0004"}
    judge = practice.next_question(world.employee, Scope(law="test_law", qtype="judge"))
    assert judge.total == 1 and judge.question.ext_id == "tst-0002"
    from examapp.models import LawPart
    chapter2 = db.session.scalar(select(LawPart.id).where(LawPart.title == "第二章 附则"))
    pick = practice.next_question(world.employee, Scope(law="test_law", part=chapter2))
    assert pick.total == 2  # tst-0002 (art. 3) and tst-0003 (arts. 1–3)
    with pytest.raises(ValidationError):
        practice.next_question(world.employee, Scope())


def test_feedback_carries_the_explanation_and_article_text(world, small_law):
    fb = answer(world.employee, "tst-0001", "B")
    assert not fb.correct and fb.in_notebook
    assert [a.number for a in fb.articles] == [2] and "期限为三十日" in fb.articles[0].text
    assert answer(world.employee, "tst-0003", "DBA").correct
    assert answer(world.employee, "tst-0004", ["３０日"]).correct


def test_questions_under_review_leave_the_pool(world, small_law):
    q = qid("tst-0001")
    q.status = "review"
    db.session.commit()
    assert practice.next_question(world.employee, Scope(law="test_law")).total == 3


def test_notebook_over_days(world, small_law):
    answer(world.employee, "tst-0002", False)
    assert practice.notebook_count(world.employee) == 1
    notebook_scope = Scope(source="notebook")
    assert practice.next_question(world.employee, notebook_scope).question.ext_id == "tst-0002"
    for day in range(3):
        answer(world.employee, "tst-0002", True, notebook_scope, now=NOW + timedelta(days=day, hours=1))
    assert practice.notebook_count(world.employee) == 0
    entry = db.session.get(NotebookEntry, (world.employee.id, qid("tst-0002").id))
    assert entry.wrong_count == 1 and not entry.in_notebook


def test_days_are_the_bureau_s_local_days(world, small_law):
    answer(world.employee, "tst-0002", False)
    # 23:30 and 00:30 Beijing time are different days, though the same UTC date
    late = NOW.replace(hour=15, minute=30)
    answer(world.employee, "tst-0002", True, now=late)
    answer(world.employee, "tst-0002", True, now=late + timedelta(hours=1))
    entry = db.session.get(NotebookEntry, (world.employee.id, qid("tst-0002").id))
    assert entry.streak == 2


def test_favourites(world, small_law):
    practice.set_favourite(world.employee, qid("tst-0003").id, True, now=NOW)
    assert [q.ext_id for _e, q in practice.notebook(world.employee, favourites=True)] == ["tst-0003"]
    assert practice.next_question(world.employee, Scope(source="favourites")).total == 1


def test_statistics(world, small_law):
    answer(world.employee, "tst-0001", "C")
    answer(world.employee, "tst-0002", False)
    answer(world.employee, "tst-0002", True, now=NOW + timedelta(days=1))
    s = practice.statistics(world.employee)
    assert (s["answered"], s["correct"], s["days"], s["notebook"]) == (3, 2, 2, 1)
    assert s["by_law"][0].label == "测试法" and round(s["by_law"][0].accuracy, 2) == 0.67
    assert {t.label for t in s["by_chapter"]} == {"测试法 · 第一章 总则", "测试法 · 第二章 附则"}


def test_mock_exam(world, small_law):
    with pytest.raises(ValidationError):
        practice.start_mock(world.employee, law="test_law", count=10, minutes=10, now=NOW)
    from examapp.models import QuestionVersion
    extra = [f"tst-1{i:03d}" for i in range(4)]
    from examapp.services import bank
    text = "law: test_law\nquestions:\n" + "".join(
        f"  - id: {e}\n    type: judge\n    difficulty: 1\n    stem: 判断{e}\n    answer: true\n    articles: [1]\n"
        for e in extra)
    assert bank.import_bank_file("t", "x.yaml", text.encode(), now=NOW).ok
    mock = practice.start_mock(world.employee, law="test_law", count=5, minutes=10, now=NOW, rng=random.Random(1))
    versions = practice.mock_versions(mock)
    responses = {v.id: (v.answer if v.type != "fill" else [["三十日"]][0]) for v in versions}
    done = practice.submit_mock(world.employee, mock.id, responses, now=NOW + timedelta(minutes=5))
    assert done.correct == 5
    again = practice.submit_mock(world.employee, mock.id, {}, now=NOW + timedelta(minutes=6))
    assert again.correct == 5  # graded once
    late = practice.start_mock(world.employee, law="test_law", count=5, minutes=10, now=NOW)
    versions = practice.mock_versions(late)
    result = practice.submit_mock(world.employee, late.id, {v.id: v.answer for v in versions},
                                  now=NOW + timedelta(minutes=12))
    assert result.correct == 0  # past the deadline and its minute of grace, nothing counts
    assert db.session.get(QuestionVersion, versions[0].id) is not None
