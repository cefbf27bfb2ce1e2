"""Item analysis of a hand-built exam of twelve takers whose figures were worked out by hand, through the
real taking flow (shuffled options, saves in the shown letters, grading on submit)."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import event

from examapp.domain.qtypes import LETTERS
from examapp.extensions import db
from examapp.models import KeyCorrection, QuestionVersion
from examapp.services import exams, item_analysis
from examapp.services import questions as question_service
from tests.conftest import NOW, make_exam, make_user

# Per taker, in STORED terms: single (key C, 40 points), multiple (key ABD, 30), judge (key true, 20),
# fill (三十日, 10); None is left blank. Totals: 80 70 50 40 40 30 30 30 30 20 20 10, so with 12 takers
# the upper and lower groups (27 % → 3) are t1–t3 and t10–t12, with no tie on either boundary.
PLAN = {
    "t01": ("C", "ABD", False, "三十日"),   # 80
    "t02": ("C", "ABD", False, None),       # 70
    "t03": ("C", "AB", False, "三十日"),    # 50
    "t04": ("C", "ABCD", None, "十日"),     # 40
    "t05": ("A", "ABD", False, "三十日"),   # 40
    "t06": ("A", "ABD", False, None),       # 30
    "t07": ("B", "C", True, "三十日"),      # 30
    "t08": ("B", "AC", True, "三十日"),     # 30
    "t09": ("A", "ABD", False, "十日"),     # 30
    "t10": ("B", "BD", True, None),         # 20
    "t11": ("A", None, True, "五日"),       # 20
    "t12": (None, "D", False, "三十日"),    # 10
}
TOTALS = [80, 70, 50, 40, 40, 30, 30, 30, 30, 20, 20, 10]


def shown(letters: str, order: list[int]) -> str:
    """The letters a taker clicks for these stored options, on a paper shown in `order`."""
    return "".join(sorted(LETTERS[order.index(LETTERS.index(c))] for c in letters))


def sit(user, exam, plan, seed: int, *, now=NOW):
    attempt, _ = exams.start_attempt(user, exam.id, now=now, rng=random.Random(seed))
    single, multiple, judge, fill = plan
    seq = 0
    for slot in attempt.slots:
        v = db.session.get(QuestionVersion, slot["v"])
        response = {"single": single, "multiple": multiple, "judge": judge,
                    "fill": [fill] if fill is not None else None}[v.type]
        if response is None:
            continue
        if v.type in ("single", "multiple"):
            response = shown(response, slot["o"])
        seq += 1
        exams.save_answer(user, attempt.id, v.question_id, response, seq, now=now)
    return exams.submit(user, attempt.id, now=now + timedelta(minutes=5)).attempt


def build_exam(world, small_law):
    """The exam of PLAN; t01 first makes a blank attempt (its best one counts), and one person never submits."""
    exam = make_exam([["test_law", "single", None, 1, 40], ["test_law", "multiple", None, 1, 30],
                      ["test_law", "judge", None, 1, 20], ["test_law", "fill", None, 1, 10]],
                     shuffle_questions=True, shuffle_options=True)
    scores = []
    for i, (name, plan) in enumerate(PLAN.items()):
        user = make_user(name, world.a1, "employee")
        if name == "t01":
            assert sit(user, exam, (None, None, None, None), seed=99).score == 0
        scores.append(sit(user, exam, plan, seed=i).score)
    assert scores == TOTALS
    exams.start_attempt(world.victim, exam.id, now=NOW, rng=random.Random(5))   # running: not counted
    return exam


@pytest.fixture
def exam(world, small_law):
    return build_exam(world, small_law)


def by_ext(analysis):
    return {i.ext_id: i for i in analysis.items}


def test_item_figures_match_the_hand_computation(exam):
    a = item_analysis.analyse(exam)
    assert a.takers == 12
    items = by_ext(a)
    single, judge, multiple, fill = (items[k].stats for k in ("tst-0001", "tst-0002", "tst-0003", "tst-0004"))
    # single: right t01–t04 → 4/12; upper 3/3, lower 0/3; nobody chose D
    assert (single.n, single.unanswered) == (12, 1)
    assert single.facility == pytest.approx(4 / 12) and single.discrimination == pytest.approx(1.0)
    assert single.option_counts == {"A": 4, "B": 3, "C": 4, "D": 0}
    assert single.reasons == ("unused_distractor",)
    # judge: right t07 t08 t10 t11 → 4/12; upper 0/3, lower 2/3: the strong takers disagree with the key
    assert judge.facility == pytest.approx(4 / 12) and judge.discrimination == pytest.approx(-2 / 3)
    assert judge.option_counts == {"true": 4, "false": 7} and judge.unanswered == 1
    assert judge.reasons == ("negative_discrimination",)
    # multiple: right t01 t02 t05 t06 t09 → 5/12; upper 2/3, lower 0/3; each letter counted
    assert multiple.facility == pytest.approx(5 / 12) and multiple.discrimination == pytest.approx(2 / 3)
    assert multiple.option_counts == {"A": 8, "B": 8, "C": 3, "D": 8} and multiple.unanswered == 1
    assert not multiple.weak
    # fill: right t01 t03 t05 t07 t08 t12 → 6/12; upper 2/3, lower 1/3; no options
    assert fill.facility == pytest.approx(0.5) and fill.discrimination == pytest.approx(1 / 3)
    assert fill.option_counts == {} and fill.unanswered == 3 and not fill.weak
    # weak items first, then the hardest
    assert [i.ext_id for i in a.items] == ["tst-0001", "tst-0002", "tst-0003", "tst-0004"]
    assert a.weak == 2
    assert [(k, n, right) for k, _t, n, right in items["tst-0001"].option_rows] == [
        ("A", 4, False), ("B", 3, False), ("C", 4, True), ("D", 0, False)]
    assert items["tst-0001"].option_rows[2][1] == "三十日"
    assert a.facility_chart == [{"label": "< 30%", "count": 0}, {"label": "30–50%", "count": 3},
                                {"label": "50–70%", "count": 1}, {"label": "70–95%", "count": 0},
                                {"label": "> 95%", "count": 0}]


def test_article_error_rates_from_the_saved_exam_answers(exam):
    rows = {r.number: r for r in item_analysis.analyse(exam).articles}
    # article 1: the multiple question (11 saved, 6 wrong); 2: single 11/7 + multiple 11/6 + fill 9/3;
    # 3: judge 11/7 + multiple 11/6
    assert (rows[1].answers, rows[1].wrong) == (11, 6)
    assert (rows[2].answers, rows[2].wrong) == (31, 16)
    assert (rows[3].answers, rows[3].wrong) == (22, 13)
    assert [r.number for r in item_analysis.analyse(exam).articles] == [3, 1, 2]
    assert rows[3].label == "第三条" and rows[3].law_title == "测试法" and rows[3].law_code == "test_law"


def test_a_corrected_key_marks_the_corrected_option(exam):
    judge_version = by_ext(item_analysis.analyse(exam))["tst-0002"].version_id
    db.session.add(KeyCorrection(exam_id=exam.id, question_version_id=judge_version, answer=False))
    db.session.commit()
    item = by_ext(item_analysis.analyse(exam))["tst-0002"]
    assert item.corrected and item.key == {"false"}
    assert [(k, right) for k, _t, _n, right in item.option_rows] == [("true", False), ("false", True)]


def test_counting_rule_picks_the_attempt(exam):
    exam.counting = "first"          # t01's first attempt was blank: it now stands for t01
    db.session.commit()
    single = by_ext(item_analysis.analyse(exam))["tst-0001"].stats
    assert single.n == 12 and single.unanswered == 2 and single.facility == pytest.approx(3 / 12)


def test_an_exam_nobody_sat_has_no_items(world, small_law):
    exam = make_exam([["test_law", "single", None, 1, 100]])
    a = item_analysis.analyse(exam)
    assert a.takers == 0 and a.items == [] and a.articles == []


def count_selects(fn):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def test_a_few_bulk_queries_whatever_the_number_of_takers(exam):
    db.session.expire_all()
    assert exam.counting == "best"       # the exam row itself is loaded before counting
    selects = count_selects(lambda: item_analysis.analyse(exam))
    # counted attempts, their answers, the versions, key corrections, citations, laws, article labels
    assert len(selects) <= 7, selects


def test_coverage_error_rates_add_exam_answers_beside_practice(exam, small_law, world):
    from examapp.services import practice
    from examapp.services.practice import Scope
    judge = by_ext(item_analysis.analyse(exam))["tst-0002"]
    for i in range(4):
        practice.answer(world.employee, judge.question_id, judge.version_id, i == 0, Scope(law="test_law"), now=NOW)
    rows = {r.article.number: r for r in question_service.error_rates(small_law)}
    three = rows[3]
    assert (three.practice_answers, three.practice_wrong, three.exam_answers, three.exam_wrong) == (4, 3, 22, 13)
    assert three.rate == pytest.approx(16 / 26) and three.exam_rate == pytest.approx(13 / 22)
    # every submitted attempt counts here, t01's blank first one too (it saved nothing)
    assert (rows[1].exam_answers, rows[1].practice_answers, rows[1].practice_rate) == (11, 0, None)
    assert [r.article.number for r in question_service.error_rates(small_law)] == [3, 1, 2]
