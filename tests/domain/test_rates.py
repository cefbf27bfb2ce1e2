from datetime import datetime

from examapp.domain.rates import Counts, Deadlines, PersonFacts, actions, classify, digest, rank_key, reasons

LIMITS = (0.95, 0.85, 0.70)


def test_rates_are_fractions_and_null_where_nobody_is_counted():
    c = Counts(expected=8, exempt=1, study_completed=6, sat=7, passed=5, excellent=1, enforcement_staff=0,
               valid_certificates=0)
    r = c.rates()
    assert r == {"study_completion_rate": 0.75, "participation_rate": 0.875, "pass_rate": 0.7143,
                 "pass_rate_of_expected": 0.625, "excellence_rate": 0.1429, "certificate_rate": None}
    assert Counts().rates()["pass_rate"] is None
    assert Counts.total([c, c]).expected == 16


def test_a_unit_is_as_good_as_its_weakest_figure_and_a_threshold_is_reached_exactly():
    base = {"study_completion_rate": 1.0, "participation_rate": 1.0, "pass_rate_of_expected": 0.95,
            "certificate_rate": None}
    assert classify(base, LIMITS) == "一类"
    assert classify({**base, "certificate_rate": 0.9499}, LIMITS) == "二类"
    assert classify({**base, "participation_rate": 0.85}, LIMITS) == "二类"
    assert classify({**base, "participation_rate": 0.7}, LIMITS) == "三类"
    assert classify({**base, "participation_rate": 0.6999}, LIMITS) == "不合格"
    assert classify(dict.fromkeys(base), LIMITS) == ""
    better, worse = {**base, "participation_rate": 0.96}, {**base, "participation_rate": 0.9}
    assert sorted([worse, better], key=rank_key) == [better, worse]


def test_the_digest_depends_on_the_figures_not_on_key_order():
    rows = [{"unit": "A", "expected": 1}]
    assert digest(rows, {"expected": 1, "sat": 0}) == digest(rows, {"sat": 0, "expected": 1})
    assert digest(rows, {"expected": 1}) != digest(rows, {"expected": 2})


def person(**kw):
    base = dict(exempt=0, study_completed=1, sat=1, passed=1, excellent=0, enforcement_staff=0,
                valid_certificates=0, has_plan=True, minutes=600, required=600, score=80.0, pending=0)
    return PersonFacts(**{**base, **kw})


def test_reasons_say_why_a_person_is_in_a_gap():
    assert reasons(person()) == []
    assert reasons(person(exempt=1, exemption="产假（张三 批准）")) == ["免考：产假（张三 批准）"]
    assert reasons(person(study_completed=0, minutes=300)) == ["学时不足 5.0/10.0"]
    assert reasons(person(has_plan=False, study_completed=0)) == ["无适用的学习计划"]
    assert reasons(person(sat=0, passed=0, score=None)) == ["未参加年度考试"]
    assert reasons(person(passed=0, score=58.5)) == ["未合格（58.5 分）"]
    assert reasons(person(passed=0, score=None, pending=1)) == ["待阅卷"]
    assert reasons(person(enforcement_staff=1)) == ["无有效执法证"]


def test_actions_give_what_to_do_by_when():
    plan_due, close, makeup = datetime(2026, 12, 31), datetime(2026, 11, 30), datetime(2026, 12, 20)
    open_exam = Deadlines(plan_due, close, makeup, frozenset({"absent", "failed"}))
    after_close = Deadlines(plan_due, None, makeup, frozenset({"absent", "failed"}))
    nothing_left = Deadlines(None, None, None, frozenset())
    short = person(study_completed=0, minutes=420)
    assert actions(short, open_exam) == [("补足学时 3.0 小时", plan_due)]
    assert actions(person(sat=0, passed=0, score=None), open_exam) == [("参加年度考试", close)]
    assert actions(person(sat=0, passed=0, score=None), after_close) == [("参加补考", makeup)]
    assert actions(person(passed=0, score=50.0), open_exam) == [("在考试关闭前再次参加年度考试", close)]
    assert actions(person(passed=0, score=50.0), after_close) == [("参加补考", makeup)]
    assert actions(person(passed=0, score=50.0), nothing_left) == [("参加下一次年度考试", None)]
    assert actions(person(passed=0, score=None, pending=1), open_exam) == []         # waiting for the graders
    assert actions(person(exempt=1, sat=0, passed=0, study_completed=0), open_exam) == []
    assert actions(person(enforcement_staff=1), nothing_left) == [("取得有效行政执法证，取得前不得从事执法", None)]
