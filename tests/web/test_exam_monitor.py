"""The live monitor's pages and forms, the integrity page, the risk column of the results, the exam form's
auto-submit setting, and the taking page told when the tab-switch rule submitted its attempt."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from examapp.clock import utcnow
from examapp.extensions import db
from examapp.models import Attempt, AuditEvent, Exam
from examapp.services import exams
from examapp.web.admin.exam_forms import to_local
from tests.conftest import PASSWORD, make_exam

RULES = [["test_law", "single", None, 1, 50], ["test_law", "judge", None, 1, 50]]


@pytest.fixture
def exam(world, small_law):
    """Open now (real clock) for the whole bureau, with a threshold of two tab switches (flag only)."""
    return make_exam(RULES, audience=(("unit_tree", "R"),), opens_at=utcnow() - timedelta(hours=1),
                     closes_at=utcnow() + timedelta(days=1), tab_switch_threshold=2)


def start(user, exam):
    attempt, _created = exams.start_attempt(user, exam.id, now=utcnow(), rng=random.Random(1))
    return attempt


def monitor(client, exam):
    r = client.get(f"/admin/exams/{exam.id}/monitor")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_the_monitor_lists_running_and_submitted_with_actions_for_admins_only(login_as, world, exam):
    running = start(world.employee, exam)
    for _ in range(3):
        exams.record_integrity(world.employee, running.id, "hidden", now=utcnow(), ip="10.0.0.9")
    done = start(world.b_person, exam)
    exams.submit(world.b_person, done.id, now=utcnow())

    html = monitor(login_as("admin"), exam)
    assert "正在作答（1 人）" in html and "已交卷（1 份" in html and "张三" in html and "王五" in html
    assert "超过阈值" in html and 'class="table-danger"' in html           # 3 switches > 2
    assert f"/monitor/attempts/{running.id}/add-time" in html and f"/monitor/attempts/{done.id}/reopen" in html
    assert f"/attempts/{running.id}/integrity" in html                      # the risk score links to the record
    assert "js/monitor.js" in html and 'id="monitor-live"' in html and "不会自动扣分" in html

    html = monitor(login_as("auditor"), exam)                               # read-only: no buttons
    assert "张三" in html and "王五" in html and "超过阈值" in html
    assert "add-time" not in html and "reopen" not in html and "确定加时" not in html

    html = monitor(login_as("unit_admin"), exam)                            # subtree A only
    assert "张三" in html and "王五" not in html and "add-time" in html and "reopen" not in html
    assert login_as("employee").get(f"/admin/exams/{exam.id}/monitor").status_code == 403


def test_add_time_form(login_as, world, exam):
    attempt = start(world.employee, exam)
    before = attempt.deadline
    c = login_as("unit_admin")
    url = f"/admin/exams/{exam.id}/monitor/attempts/{attempt.id}/add-time"
    page = c.post(url, data={"minutes": "10", "reason": ""}, follow_redirects=True).get_data(as_text=True)
    assert "请填写原因" in page
    page = c.post(url, data={"minutes": "abc", "reason": "断网"}, follow_redirects=True).get_data(as_text=True)
    assert "加时须为 1–600 分钟的整数" in page
    r = c.post(url, data={"minutes": "10", "reason": "断网", "page": "1", "done_page": "2"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/exams/{exam.id}/monitor?page=1&done_page=2")
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "已加时 10 分钟" in page
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline == before + timedelta(minutes=10)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.add_time"))
    assert event.actor_name == "unitadmin"


def test_reopen_form_and_scope(login_as, world, exam):
    mine = start(world.employee, exam)
    exams.submit(world.employee, mine.id, now=utcnow())
    theirs = start(world.b_person, exam)
    exams.submit(world.b_person, theirs.id, now=utcnow())
    c = login_as("unit_admin")
    assert c.post(f"/admin/exams/{exam.id}/monitor/attempts/{theirs.id}/reopen",
                  data={"reason": "x"}).status_code == 404                   # another unit's person
    assert c.post(f"/admin/exams/{exam.id}/monitor/attempts/{theirs.id}/add-time",
                  data={"minutes": "5", "reason": "x"}).status_code == 404
    page = c.post(f"/admin/exams/{exam.id}/monitor/attempts/{mine.id}/reopen", data={"reason": "误点交卷"},
                  follow_redirects=True).get_data(as_text=True)
    assert "已为 张三 重新开放" in page and "原答卷和成绩不变" in page
    start(world.employee, exam)
    html = monitor(c, exam)
    assert "正在重新作答" in html and f"/monitor/attempts/{mine.id}/reopen" not in html
    auditor = login_as("auditor")
    for url in (f"/admin/exams/{exam.id}/monitor/attempts/{mine.id}/reopen",
                f"/admin/exams/{exam.id}/monitor/attempts/{mine.id}/add-time"):
        assert auditor.post(url, data={"reason": "x", "minutes": "5"}).status_code == 403
    assert [e.actor_name for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exam.reopen"))] \
        == ["unitadmin"]


def test_monitor_forms_need_a_csrf_token(app, login_as, world, exam):
    attempt = start(world.employee, exam)
    c = login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        r = c.post(f"/admin/exams/{exam.id}/monitor/attempts/{attempt.id}/add-time",
                   data={"minutes": "5", "reason": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert r.status_code == 400


def test_the_integrity_page_lists_events_in_local_time(login_as, world, exam):
    attempt = start(world.employee, exam)
    at = attempt.started_at + timedelta(minutes=3)
    exams.record_integrity(world.employee, attempt.id, "hidden", now=at, ip="10.0.0.9")
    exams.record_integrity(world.employee, attempt.id, "visible", now=at + timedelta(seconds=75), ip="10.0.0.9")
    url = f"/admin/exams/{exam.id}/attempts/{attempt.id}/integrity"
    html = login_as("admin").get(url).get_data(as_text=True)
    assert to_local(at).strftime("%Y-%m-%d %H:%M:%S") in html                 # bureau time, not UTC
    assert "离开答题页面" in html and "回到答题页面" in html and "离开 75 秒" in html
    assert "切屏 1 次（+5）" in html and "离开答题页面共 1 分 15 秒（+3）" in html
    assert "不会自动扣分" in html and "张三" in html
    assert login_as("auditor").get(url).status_code == 200
    other = start(world.b_person, exam)
    assert login_as("unit_admin").get(f"/admin/exams/{exam.id}/attempts/{other.id}/integrity").status_code == 404
    assert login_as("unit_admin").get(url).status_code == 200
    assert login_as("employee").get(url).status_code == 403
    assert login_as("admin").get(f"/admin/exams/{exam.id + 1}/attempts/{attempt.id}/integrity").status_code == 404


def test_results_show_the_risk_score_per_person(login_as, world, exam):
    attempt = start(world.employee, exam)
    for _ in range(2):
        exams.record_integrity(world.employee, attempt.id, "hidden", now=utcnow(), ip="10.0.0.9")
    exams.submit(world.employee, attempt.id, now=utcnow())
    html = login_as("admin").get(f"/admin/exams/{exam.id}/results").get_data(as_text=True)
    assert "风险分" in html and f"/attempts/{attempt.id}/integrity" in html and "切屏 2 次（+10）" in html


def test_the_exams_list_takes_a_unit_admin_to_the_monitor_only(login_as, world, exam):
    html = login_as("unit_admin").get("/admin/exams").get_data(as_text=True)
    assert f"/admin/exams/{exam.id}/monitor" in html and f'href="/admin/exams/{exam.id}"' not in html
    assert f"/admin/exams/{exam.id}/results" not in html
    html = login_as("admin").get("/admin/exams").get_data(as_text=True)
    assert f'href="/admin/exams/{exam.id}"' in html and f"/admin/exams/{exam.id}/results" in html


def test_the_exam_form_sets_threshold_and_auto_submit(login_as, world, small_law):
    from tests.web.test_exam_admin import form
    c = login_as("admin")
    r = c.post("/admin/exams/new", data=form(integrity_auto_submit="y"))
    assert r.status_code == 400 and "自动交卷须先设置切屏次数阈值" in r.get_data(as_text=True)
    r = c.post("/admin/exams/new", data=form(tab_switch_threshold="-1"))
    assert r.status_code == 400
    r = c.post("/admin/exams/new", data=form(tab_switch_threshold="3", integrity_auto_submit="y"))
    assert r.status_code == 302
    exam = db.session.scalar(select(Exam))
    assert exam.tab_switch_threshold == 3 and exam.integrity_auto_submit
    page = c.get(f"/admin/exams/{exam.id}").get_data(as_text=True)
    assert 'name="tab_switch_threshold"' in page and 'value="3"' in page and "切屏超过阈值时自动交卷" in page


def test_the_taking_page_is_told_and_leaves_for_the_result(app, world, small_law):
    exam = make_exam(RULES, opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(days=1),
                     tab_switch_threshold=1, integrity_auto_submit=True)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        api = app.test_client()
        token = api.post("/api/v1/auth/login", json={"username": "employee", "password": PASSWORD}).get_json()["csrf_token"]
        headers = {"X-CSRFToken": token}
        detail = api.get(f"/exams/{exam.id}").get_data(as_text=True)
        assert "切换超过 1 次，系统将按已保存的答案自动交卷" in detail
        attempt = api.post(f"/api/v1/exams/{exam.id}/attempts", headers=headers).get_json()["attempt"]
        url = f"/api/v1/attempts/{attempt['id']}/events"
        first = api.post(url, json={"kind": "hidden"}, headers=headers).get_json()
        assert first == {"recorded": True, "status": "running", "submitted_by": None}
        assert api.post(url, json={"kind": "visible"}, headers=headers).get_json()["status"] == "running"
        second = api.post(url, json={"kind": "hidden"}, headers=headers).get_json()
        assert second == {"recorded": True, "status": "submitted", "submitted_by": "integrity"}
        question = attempt["questions"][0]["id"]
        late = api.put(f"/api/v1/attempts/{attempt['id']}/answers/{question}", json={"response": "A", "seq": 1},
                       headers=headers)
        assert late.status_code == 409 and late.get_json()["status"] == "submitted"
        assert api.post(url, json={"kind": "visible"}, headers=headers).get_json()["recorded"] is False
        r = api.get(f"/exams/attempts/{attempt['id']}")
        assert r.status_code == 302 and r.headers["Location"].endswith("/result")
        result = api.get(r.headers["Location"]).get_data(as_text=True)
        assert "系统已按已保存的答案自动交卷" in result
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
