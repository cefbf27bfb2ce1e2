"""The summary's arithmetic and prose, without a database."""
from datetime import date

from examapp.domain import annual_summary as calc


def test_changes_by_unit():
    assert calc.change(5, 4, "count") == 1 and calc.relative(5, 4, "count") == 25.0
    assert calc.change(6.75, 7.0, "hours") == -0.25 and calc.relative(6.75, 7.0, "hours") == -3.6
    assert calc.change(0.6667, 1.0, "rate") == -33.3 and calc.relative(0.6667, 1.0, "rate") is None
    assert calc.change(None, 0.5, "rate") is None and calc.change(0.5, None, "rate") is None
    assert calc.relative(3, 0, "count") is None                 # nothing last year: no percentage


def test_printing():
    assert [calc.shown(v, "count") for v in (0, 12, None)] == ["0", "12", "—"]
    assert [calc.shown(v, "hours") for v in (10.0, 2.25, 1234.5)] == ["10", "2.25", "1234.5"]
    assert [calc.shown(v, "rate") for v in (1.0, 0.6667, 0.0)] == ["100.0%", "66.7%", "0.0%"]
    assert [calc.signed(v) for v in (3, -1.5, 0, None)] == ["+3", "−1.5", "0", "—"]
    f = calc.Figure("hours", "累计学时", "hours", 0, 10.0, 9.0)
    assert (f.change_text, f.relative_text) == ("+1", "+11.1%")
    assert calc.Figure("sat", "参考人数", "count", 0, 4, 4).relative_text == "0.0%"


def test_average_and_hours():
    assert calc.hours(405) == 6.75 and calc.average(6.75, 3) == 2.25 and calc.average(0, 0) is None


def test_every_figure_has_a_place_and_the_digest_covers_them():
    sections = calc.compare({"courses": 2}, {"courses": 1})
    assert [s.title for s in sections] == ["学法", "考法", "执法资格"]
    assert sum(len(s.figures) for s in sections) == len(calc.SPECS)
    a = calc.digest(2026, "R", "2026-03-15", {"courses": 2}, {"courses": 1})
    b = calc.digest(2026, "R", "2026-03-15", {"courses": 3}, {"courses": 1})
    assert len(a) == 64 and a != b


def test_prose_is_built_from_the_figures_and_skips_what_does_not_apply():
    zero = dict.fromkeys(calc.SPECS, 0)
    this = {**zero, "courses": 2, "lessons": 5, "lecture_sessions": 1, "lecture_times": 30, "people_trained": 30,
            "hours": 45.5, "average_hours": 1.52, "study_completion_rate": None, "exam_rounds": 1, "annual_rounds": 1,
            "expected": 0, "participation_rate": None, "pass_rate": None, "certificate_rate": None,
            "valid_certificates_total": 3, "valid_enforcement": 3}
    last = {**zero, "people_trained": 30, "hours": 40}
    text = calc.prose(2026, "市局", "2026-03-15", calc.compare(this, last))
    assert text[0] == ("2026年度，市局人员参加学法课程2门、课时5节，其中法治讲座1场（30人次）；参学30人，与上年持平，"
                       "累计学时45.5学时，较上年增加5.5学时，人均1.52学时。")
    assert text[1] == "组织考试1场（年度普法考试1场）；年度普法考试应参考0人，实际参考0人，合格0人。"
    assert text[2] == ("全年新发执法证件0件、换发0件、暂扣0件、吊销0件、注销0件；截至2026-03-15，有效证件3件"
                       "（行政执法证3件、行政执法监督证0件）。")


def test_a_summary_finds_its_figures():
    s = calc.Summary(2026, "R", "市局", date(2026, 3, 15), date(2025, 12, 31),
                     calc.compare({"sat": 4}, {"sat": 3}), "x" * 64)
    assert s.figure("sat").change == 1 and s.values["sat"] == 4
