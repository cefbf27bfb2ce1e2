"""Admins define, schedule and publish exams; a paper change after people have started is a new version."""
import random
from datetime import timedelta

from sqlalchemy import select

from examapp.clock import utcnow
from examapp.extensions import db
from examapp.models import Attempt, Exam
from examapp.services import exam_admin, exams
from examapp.web.admin.exam_forms import to_local

FMT = "%Y-%m-%dT%H:%M"


def form(**extra):
    now = to_local(utcnow())
    data = {"title": "2026 年度普法考试", "kind": "annual", "year": now.year,
            "opens_at": (now - timedelta(hours=1)).strftime(FMT), "closes_at": (now + timedelta(days=3)).strftime(FMT),
            "duration_minutes": 30, "total_points": 100, "pass_mark": 60, "attempts_allowed": 2, "counting": "best",
            "results_visibility": "immediately", "answers_visibility": "after_close", "navigation": "free",
            "shuffle_questions": "y", "shuffle_options": "y", "one_per_page": "y"}
    data.update(extra)
    return data


def test_create_set_audience_and_rules_then_publish(login_as, world, small_law):
    c = login_as("admin")
    r = c.post("/admin/exams/new", data=form(closes_at="2000-01-01T00:00"))
    assert r.status_code == 400 and "结束时间须晚于开始时间" in r.get_data(as_text=True)
    r = c.post("/admin/exams/new", data=form())
    assert r.status_code == 302
    exam = db.session.scalar(select(Exam))
    c.post(f"/admin/exams/{exam.id}/audience", data={"a-audience": "unit_tree:A\nrole:nonsense"})
    assert exam_admin.audience(exam.id) == [("role", "nonsense"), ("unit_tree", "A")]   # roles are free text
    page = c.post(f"/admin/exams/{exam.id}/audience", data={"a-audience": "unit:NOPE"}, follow_redirects=True)
    assert "单位编码 NOPE 不存在" in page.get_data(as_text=True)
    page = c.post(f"/admin/exams/{exam.id}/rules", data={"r-rules": "test_law, single, 0, 1, 60\ntest_law, judge, 0, 1, 30"},
                  follow_redirects=True)
    assert "合计 90 分，与满分 100 分不符" in page.get_data(as_text=True)
    c.post(f"/admin/exams/{exam.id}/rules", data={"r-rules": "test_law, single, 0, 2, 50"})
    page = c.post(f"/admin/exams/{exam.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "第 1 条抽题规则" in page and "只有 1 道" in page
    c.post(f"/admin/exams/{exam.id}/rules", data={"r-rules": "test_law, single, 0, 1, 50\ntest_law, judge, 0, 1, 50"})
    page = c.post(f"/admin/exams/{exam.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "考试已发布" in page and "样卷预览" in page and "tst-0001" in page
    assert [r.exam.id for r in exams.exams_for(world.employee, now=utcnow())] == [exam.id]


def published(world, small_law):
    now = utcnow()
    exam = exam_admin.save_exam(world.admin, None, exam_admin.ExamInput(
        title="测验", kind="mock", year=now.year, opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1), duration_minutes=30), now=now)
    exam_admin.set_audience(world.admin, exam.id, [("unit_tree", "A")], now=now)
    exam_admin.set_rules(world.admin, exam.id, [["test_law", "single", None, 1, 50], ["test_law", "judge", None, 1, 50]],
                         now=now)
    exams.publish(world.admin, exam.id, now=now)
    return db.session.get(Exam, exam.id)


def test_paper_changes_after_a_start_make_a_new_version(world, small_law):
    exam = published(world, small_law)
    attempt, _ = exams.start_attempt(world.employee, exam.id, now=utcnow(), rng=random.Random(1))
    first_paper = attempt.paper_id
    paper = exam_admin.set_rules(world.admin, exam.id, [["test_law", "fill", None, 1, 50],
                                                        ["test_law", "judge", None, 1, 50]], now=utcnow())
    assert paper.version == 2 and paper.id != first_paper                         # F15
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).paper_id == first_paper           # the running attempt keeps its own
    other, _ = exams.start_attempt(world.victim, exam.id, now=utcnow(), rng=random.Random(1))
    assert other.paper_id == paper.id


def test_after_a_start_only_the_window_may_grow(world, small_law):
    exam = published(world, small_law)
    exams.start_attempt(world.employee, exam.id, now=utcnow())
    data = exam_admin.ExamInput(title=exam.title, kind=exam.kind, year=exam.year, opens_at=exam.opens_at,
                                closes_at=exam.closes_at + timedelta(days=2), duration_minutes=exam.duration_minutes)
    exam_admin.save_exam(world.admin, exam.id, data, now=utcnow())
    import pytest

    from examapp.errors import Conflict
    with pytest.raises(Conflict, match="只能延长"):
        exam_admin.save_exam(world.admin, exam.id, exam_admin.ExamInput(
            title=exam.title, kind=exam.kind, year=exam.year, opens_at=exam.opens_at,
            closes_at=data.closes_at, duration_minutes=5), now=utcnow())
    with pytest.raises(Conflict, match="只能延后"):
        exam_admin.save_exam(world.admin, exam.id, exam_admin.ExamInput(
            title=exam.title, kind=exam.kind, year=exam.year, opens_at=exam.opens_at,
            closes_at=exam.opens_at + timedelta(hours=2), duration_minutes=exam.duration_minutes), now=utcnow())


def test_monitor_shows_who_is_in(login_as, world, small_law):
    exam = published(world, small_law)
    attempt, _ = exams.start_attempt(world.employee, exam.id, now=utcnow())
    exams.record_integrity(world.employee, attempt.id, "hidden", now=utcnow(), ip="10.0.0.9")
    html = login_as("auditor").get(f"/admin/exams/{exam.id}/monitor").get_data(as_text=True)
    assert "张三" in html and "0 / 2" in html and ">1</td>" in html


def test_results_audience_against_takers(login_as, world, small_law):
    import io

    from openpyxl import load_workbook
    exam = published(world, small_law)
    attempt, _ = exams.start_attempt(world.employee, exam.id, now=utcnow())
    exams.submit(world.employee, attempt.id, now=utcnow())
    c = login_as("admin")
    html = c.get(f"/admin/exams/{exam.id}/results").get_data(as_text=True)
    assert "未参加（2 人）" in html and "甲管理员" in html and "李四" in html   # unit A's subtree, by name
    assert "甲审计员" not in html                    # an auditor-only account is never a taker
    assert "<svg" in html and "不合格" in html
    xlsx = load_workbook(io.BytesIO(c.get(f"/admin/exams/{exam.id}/results?format=xlsx").data))
    rows = list(xlsx["成绩"].values)
    assert rows[0][:3] == ("工号", "姓名", "单位") and len(rows) == 4
    assert list(xlsx["汇总"].values)[-1] == ("合计", 3, 1, 0)
    assert "甲区局 · 甲区综合股" in html             # units told apart by their parent


def test_overrides_extend_time_and_attempts(world, small_law):
    import pytest

    from examapp.errors import ValidationError
    exam = published(world, small_law)
    attempt, _ = exams.start_attempt(world.employee, exam.id, now=utcnow())
    before = attempt.deadline
    with pytest.raises(ValidationError, match="请填写原因"):
        exam_admin.set_overrides(world.admin, exam.id, usernames=["employee"], extra_minutes=15, reason=" ", now=utcnow())
    with pytest.raises(ValidationError, match="工号不存在：ghost"):
        exam_admin.set_overrides(world.admin, exam.id, usernames=["ghost"], extra_minutes=15, reason="x", now=utcnow())
    covered = exam_admin.set_overrides(world.admin, exam.id, usernames=["employee"], unit_code="A2", extra_minutes=15,
                                       extra_attempts=1, reason="视力障碍，延时 15 分钟", now=utcnow())
    assert covered == 2                                             # employee, and victim in A2
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline == before + timedelta(minutes=15)
    exams.submit(world.employee, attempt.id, now=utcnow())
    for _ in range(3):                                              # 3 allowed + 1 extra = 4 in all
        nxt, _created = exams.start_attempt(world.employee, exam.id, now=utcnow())
        exams.submit(world.employee, nxt.id, now=utcnow())
    from examapp.errors import Conflict
    with pytest.raises(Conflict, match="作答次数已用完"):
        exams.start_attempt(world.employee, exam.id, now=utcnow())


def test_override_form(login_as, world, small_law):
    exam = published(world, small_law)
    c = login_as("admin")
    page = c.post(f"/admin/exams/{exam.id}/overrides", data={"o-usernames": "employee", "o-extra_minutes": "20",
                                                             "o-extra_attempts": "0", "o-reason": "听障，延时"},
                  follow_redirects=True).get_data(as_text=True)
    assert "已为 1 人设置特殊安排" in page and "延时 20 分钟" in page and "听障，延时" in page
    page = c.post(f"/admin/exams/{exam.id}/overrides", data={"o-usernames": "employee"},
                  follow_redirects=True).get_data(as_text=True)
    assert "请填写原因" in page


def test_review_after_close_only(login_as, world, small_law):
    exam = published(world, small_law)
    attempt, _ = exams.start_attempt(world.employee, exam.id, now=utcnow())
    exams.submit(world.employee, attempt.id, now=utcnow())
    c = login_as("employee")
    page = c.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "考试结束后可在此回顾答卷" in page and "正确答案：" not in page and "答卷回顾" not in page   # S4
    exam.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = c.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "答卷回顾" in page and "正确答案" in page and "得分 0 / 50" in page
    assert login_as("unit_admin").get(f"/exams/attempts/{attempt.id}/result").status_code == 404   # S1


def test_the_exam_form_takes_network_ranges_and_names_a_bad_one(login_as, world):
    c = login_as("admin")
    r = c.post("/admin/exams/new", data=form(ip_ranges_text="10.12.0.0/16\n10.999.0.0/16"))
    assert r.status_code == 400 and "无法识别的地址或网段：10.999.0.0/16" in r.get_data(as_text=True)
    assert c.post("/admin/exams/new", data=form(ip_ranges_text="10.12.0.0/16，192.168.1.7")).status_code == 302
    exam = db.session.scalar(select(Exam))
    assert exam.ip_ranges == ["10.12.0.0/16", "192.168.1.7/32"]
    assert "192.168.1.7/32" in c.get(f"/admin/exams/{exam.id}").get_data(as_text=True)
