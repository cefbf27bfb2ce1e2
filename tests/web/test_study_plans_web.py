"""The study plan pages: plans admin, attendance (pick, unit, sign-in sheet), progress, my hours, certificate."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from examapp.extensions import db
from examapp.models import StudyPlan, StudyRecord
from examapp.services import study_plans as sp
from tests.conftest import NOW
from tests.services.test_study_plans import build_bureau, make_lesson, sheet


@pytest.fixture
def bureau(world, small_law):
    return build_bureau(world)


def plan_form(**over):
    data = {"title": "2026年度学习计划", "year": "2026", "required_hours": "40", "compulsory_hours": "30",
            "deadline": "2026-12-31T23:00", "audience": "unit_tree:A\nflag:is_enforcement"}
    data.update(over)
    return data


def test_an_admin_creates_and_edits_a_plan_in_local_time(login_as, world):
    c = login_as("admin")
    r = c.post("/admin/study-plans/new", data=plan_form(compulsory_hours="50"))
    assert r.status_code == 400 and "必修学时不能超过应修学时" in r.get_data(as_text=True)
    r = c.post("/admin/study-plans/new", data=plan_form(audience="unit_tree:NOPE"))
    assert r.status_code == 400 and "NOPE" in r.get_data(as_text=True)
    r = c.post("/admin/study-plans/new", data=plan_form(audience="team:A"))
    assert r.status_code == 400 and "未知的范围类型 team" in r.get_data(as_text=True)
    r = c.post("/admin/study-plans/new", data=plan_form(deadline="tomorrow"))
    assert r.status_code == 400
    r = c.post("/admin/study-plans/new", data=plan_form())
    assert r.status_code == 302
    p = db.session.scalar(select(StudyPlan))
    assert p.deadline.hour == 15 and p.audience == [["flag", "is_enforcement"], ["unit_tree", "A"]]
    page = c.get(f"/admin/study-plans/{p.id}").get_data(as_text=True)
    assert "2026-12-31T23:00" in page and "unit_tree:A" in page
    assert "2026年度学习计划" in c.get("/admin/study-plans").get_data(as_text=True)
    auditor = login_as("auditor")
    assert auditor.get(f"/admin/study-plans/{p.id}").status_code == 200
    assert auditor.post(f"/admin/study-plans/{p.id}", data=plan_form(title="x")).status_code == 403
    assert c.get("/admin/study-plans/999").status_code == 404


def test_attendance_by_search_and_unit_and_scope(login_as, world):
    lesson = make_lesson()
    c = login_as("unit_admin")
    page = c.get(f"/admin/attendance/{lesson.id}?q=张").get_data(as_text=True)
    assert "张三" in page
    assert "王五" not in c.get(f"/admin/attendance/{lesson.id}?q=王").get_data(as_text=True)   # B is not theirs
    r = c.post(f"/admin/attendance/{lesson.id}", data={"mode": "people", "user_id": [str(world.employee.id)]})
    assert r.status_code == 302
    r = c.post(f"/admin/attendance/{lesson.id}", data={"mode": "people", "user_id": [str(world.b_person.id)]})
    assert r.status_code == 404
    r = c.post(f"/admin/attendance/{lesson.id}", data={"mode": "people", "user_id": ["x"]})
    assert r.status_code == 400
    c.post(f"/admin/attendance/{lesson.id}", data={"mode": "unit", "unit_id": str(world.a.id)})
    assert db.session.scalar(select(func.count()).select_from(StudyRecord)) == 3
    listed = c.get(f"/admin/attendance/{lesson.id}").get_data(as_text=True)
    assert "张三" in listed and "李四" in listed
    assert c.get("/admin/attendance").status_code == 200 and lesson.title in c.get("/admin/attendance").get_data(
        as_text=True)
    assert login_as("auditor").post(f"/admin/attendance/{lesson.id}", data={"mode": "people"}).status_code == 403


def test_sign_in_sheet_upload_preview_and_apply(login_as, world):
    lesson = make_lesson()
    c = login_as("admin")
    bad = sheet(("nobody", "", "", ""))
    r = c.post(f"/admin/attendance/{lesson.id}/preview", data={"file": (io.BytesIO(bad), "签到.xlsx")},
               content_type="multipart/form-data")
    assert r.status_code == 422 and "第 2 行「工号」列" in r.get_data(as_text=True)
    r = c.post(f"/admin/attendance/{lesson.id}/preview", data={"file": (io.BytesIO(b"junk"), "x.xlsx")},
               content_type="multipart/form-data")
    assert r.status_code == 422 and "不是有效的 Excel" in r.get_data(as_text=True)
    good = sheet(("employee", "张三", "是", ""), ("victim", "", "否", ""))
    r = c.post(f"/admin/attendance/{lesson.id}/preview", data={"file": (io.BytesIO(good), "签到.xlsx")},
               content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "确认导入" in body
    assert db.session.scalar(select(func.count()).select_from(StudyRecord)) == 0
    token = body.split('name="token" type="hidden" value="')[1].split('"')[0]
    r = c.post(f"/admin/attendance/{lesson.id}/apply", data={"token": token, "filename": "签到.xlsx"})
    assert r.status_code == 302
    assert [u for (u,) in db.session.execute(select(StudyRecord.user_id))] == [world.employee.id]
    assert c.post(f"/admin/attendance/{lesson.id}/apply", data={"token": "../../etc"}).status_code == 400
    assert c.get("/admin/attendance/template.xlsx").status_code == 200


def test_progress_pages_scoped_with_drill_down_and_behind_list(login_as, bureau):
    admin = login_as("admin")
    page = admin.get("/admin/study-progress?year=2026").get_data(as_text=True)
    assert "市局" in page and "<svg" in page
    page = admin.get(f"/admin/study-progress?year=2026&unit_id={bureau.root.id}").get_data(as_text=True)
    assert "甲区局" in page and "乙区局" in page and "66.7%" in page
    behind = admin.get("/admin/study-progress/people?year=2026&behind=1").get_data(as_text=True)
    assert "王五" in behind and "甲管理员" in behind and "李四" not in behind
    ua = login_as("unit_admin")
    page = ua.get("/admin/study-progress?year=2026").get_data(as_text=True)
    assert "甲区局" in page and "乙区局" not in page
    assert ua.get(f"/admin/study-progress?year=2026&unit_id={bureau.b.id}").status_code == 404
    people = ua.get("/admin/study-progress/people?year=2026").get_data(as_text=True)
    assert "张三" in people and "王五" not in people
    assert admin.get("/admin/study-progress?year=abc&unit_id=x&page=-3").status_code == 200
    assert "还没有学习计划" in admin.get("/admin/study-progress?year=2019").get_data(as_text=True)


def test_my_hours_and_the_completion_certificate(login_as, bureau):
    c = login_as("employee")
    page = c.get("/study/hours?year=2026").get_data(as_text=True)
    assert "执法人员学习计划" in page and "<progress" in page and "结业证明" in page
    cert = c.get("/study/hours/2026/certificate")
    assert cert.status_code == 200 and "张三" in cert.get_data(as_text=True)
    behind = login_as("unit_admin")
    assert behind.get("/study/hours/2026/certificate").status_code == 404
    assert "未完成" in behind.get("/study/hours?year=2026").get_data(as_text=True)
    assert c.get("/study/hours/2019/certificate").status_code == 404


def test_reminder_link_opens_my_hours(login_as, bureau):
    general = db.session.scalar(select(StudyPlan).where(StudyPlan.title == "2026年度学习计划"))
    general.deadline = NOW + timedelta(days=3)
    db.session.commit()
    assert sp.send_reminders(now=NOW) == 3
    c = login_as("unit_admin")
    assert "学时尚未达标" in c.get("/notifications/").get_data(as_text=True)
