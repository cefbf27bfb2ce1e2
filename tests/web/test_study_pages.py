"""The study pages: admins build courses and upload lessons; learners study with server-timed beats;
files reach only the course's audience."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from examapp.extensions import db
from examapp.models import Course, Exam, Lesson, StudyPlan
from examapp.services import study
from examapp.services.study import CourseInput, LessonInput, Upload
from tests.conftest import NOW, make_exam
from tests.web.test_exam_admin import form as exam_form

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
MP4 = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom" + b"\0" * 4000


@pytest.fixture
def clock(monkeypatch):
    """The study views' time, moved by the test."""
    now = {"t": NOW}
    monkeypatch.setattr("examapp.web.study.views.utcnow", lambda: now["t"])
    return now


@pytest.fixture
def lessons(world, small_law):
    course = study.save_course(world.admin, None, CourseInput(title="测试法学习", year=NOW.year,
                                                              audience=[("unit_tree", "A")]), now=NOW)
    law = study.save_lesson(world.admin, course.id, None, LessonInput(kind="law_reading", title="总则",
                                                                       law_code="test_law", law_part="第一章"), now=NOW)
    pdf = study.save_lesson(world.admin, course.id, None, LessonInput(kind="document", title="讲义"),
                            Upload("讲义.pdf", io.BytesIO(PDF)), now=NOW)
    video = study.save_lesson(world.admin, course.id, None, LessonInput(kind="video", title="视频", credit_minutes=5),
                              Upload("lecture.mp4", io.BytesIO(MP4)), now=NOW)
    offline = study.save_lesson(world.admin, course.id, None, LessonInput(
        kind="offline", title="宪法宣誓", offline_kind="oath", starts_at=NOW, location="三楼会议室"), now=NOW)
    study.set_status(world.admin, course.id, "published", now=NOW)
    return {"course": course, "law": law, "pdf": pdf, "video": video, "offline": offline}


def test_my_courses_and_a_law_lesson_page(login_as, lessons):
    c = login_as("employee")
    home = c.get("/").get_data(as_text=True)
    assert 'href="/study/"' in home and "学习" in home
    page = c.get("/study/").get_data(as_text=True)
    assert "测试法学习" in page and "总则" in page and "0 / 45 分钟" in page
    page = c.get(f"/study/lessons/{lessons['law'].id}").get_data(as_text=True)
    assert "第一条" in page and "为了测试，制定本法。" in page and "第三条" not in page   # only the chapter
    assert "js/study.js" in page and 'data-beat-seconds="30"' in page and "<script>" not in page
    page = c.get(f"/study/lessons/{lessons['offline'].id}").get_data(as_text=True)
    assert "宪法宣誓" in page and "三楼会议室" in page and "以签到为准" in page and "js/study.js" not in page


def test_the_page_beats_and_the_server_credits_time(login_as, world, lessons, clock):
    c = login_as("employee")
    started = c.post(f"/study/lessons/{lessons['law'].id}/sessions", headers={"Accept": "application/json"}).get_json()
    assert started["minutes"] == 0 and started["credit"] == 45
    for seconds in (30, 60, 400, 430):
        clock["t"] = NOW + timedelta(seconds=seconds)
        beat = c.post(started["beat_url"], json={"visible": True, "active": True}).get_json()
    assert beat["minutes"] == 1.5                                     # 30 + 30 + (gap of 340 s: 0) + 30
    clock["t"] = NOW + timedelta(seconds=460)
    assert c.post(started["beat_url"], json={"visible": False, "active": True}).get_json()["seconds"] == 0
    clock["t"] = NOW + timedelta(seconds=490)
    r = c.post(started["beat_url"], data="not json", content_type="application/json")
    assert r.status_code == 200 and r.get_json()["seconds"] == 0      # a malformed body counts as hidden
    clock["t"] = NOW + timedelta(seconds=520)
    assert c.post(started["beat_url"], json={"duration": 3600, "visible": True, "active": True}
                  ).get_json()["minutes"] == 2.0                       # a reported duration is ignored
    other = login_as("unit_admin")
    r = other.post(started["beat_url"], json={"visible": True, "active": True},
                   headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert study.record_for(world.employee.id, lessons["law"].id).minutes == 2.0
    page = c.get("/study/").get_data(as_text=True)
    assert "2 / 45 分钟" in page


def test_a_closed_session_says_so(login_as, lessons, clock):
    c = login_as("employee")
    one = c.post(f"/study/lessons/{lessons['law'].id}/sessions").get_json()
    c.post(f"/study/lessons/{lessons['pdf'].id}/sessions")
    r = c.post(one["beat_url"], json={"visible": True, "active": True}, headers={"Accept": "application/json"})
    assert r.status_code == 409 and "其他页面" in r.get_json()["message"]


def test_files_reach_only_the_audience_with_safe_headers(login_as, lessons):
    url = f"/study/lessons/{lessons['pdf'].id}/file"
    r = login_as("employee").get(url)
    assert r.status_code == 200 and r.data == PDF and r.mimetype == "application/pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]
    assert login_as("admin").get(url).status_code == 200                # admins preview
    from tests.conftest import login
    outsider = login_as("employee").application.test_client()
    login(outsider, "bperson")
    assert outsider.get(url).status_code == 404                          # B is not in the audience
    assert outsider.get(f"/study/lessons/{lessons['pdf'].id}").status_code == 404
    video = login_as("employee").get(f"/study/lessons/{lessons['video'].id}/file", headers={"Range": "bytes=0-99"})
    assert video.status_code == 206 and len(video.data) == 100 and video.mimetype == "video/mp4"
    page = login_as("employee").get(f"/study/lessons/{lessons['video'].id}").get_data(as_text=True)
    assert "<video" in page and 'data-video="1"' in page


def test_admin_creates_a_course_and_uploads_lessons(login_as, world, small_law):
    c = login_as("admin")
    r = c.post("/study/admin/courses/new", data={"title": "", "year": NOW.year, "category": "required"})
    assert r.status_code == 400
    r = c.post("/study/admin/courses/new", data={"title": "执法专题", "year": NOW.year, "category": "elective",
                                                 "audience": "unit:NOPE"})
    assert r.status_code == 400 and "单位编码 NOPE 不存在" in r.get_data(as_text=True)
    r = c.post("/study/admin/courses/new", data={"title": "执法专题", "year": NOW.year, "category": "elective",
                                                 "audience": "flag:is_enforcement\nunit_tree:A"})
    assert r.status_code == 302
    course = db.session.scalar(select(Course))
    assert study.course_audience(course.id) == [("flag", "is_enforcement"), ("unit_tree", "A")]
    base = {"title": "讲义", "kind": "document", "credit_minutes": 30, "offline_kind": "", "law_code": ""}
    r = c.post(f"/study/admin/courses/{course.id}/lessons/new",
               data={**base, "file": (io.BytesIO(b"MZ\x90\0 not a pdf"), "讲义.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 400 and "文件类型不符" in r.get_data(as_text=True)
    r = c.post(f"/study/admin/courses/{course.id}/lessons/new", data={**base, "file": (io.BytesIO(PDF), "讲义.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 302
    r = c.post(f"/study/admin/courses/{course.id}/lessons/new",
               data={"title": "第二章", "kind": "law_reading", "credit_minutes": 20, "law_code": "test_law",
                     "law_part": "第二章", "offline_kind": ""})
    assert r.status_code == 302
    lessons = db.session.scalars(select(Lesson).order_by(Lesson.ordinal)).all()
    assert [(x.kind, x.ordinal) for x in lessons] == [("document", 1), ("law_reading", 2)]
    assert lessons[1].law_part_id is not None
    edit = c.get(f"/study/admin/lessons/{lessons[1].id}").get_data(as_text=True)
    assert 'value="第二章"' in edit
    assert c.post(f"/study/admin/courses/{course.id}/status", data={"status": "published"}).status_code == 302
    assert db.session.get(Course, course.id).status == "published"
    listing = login_as("unit_admin").get("/study/admin/courses").get_data(as_text=True)
    assert "执法专题" in listing and "新建课程" not in listing
    assert "同时学习多门课程" not in login_as("auditor").get("/study/admin/flags").get_data(as_text=True)


def test_flagged_sessions_are_listed_for_admins_in_scope(login_as, world, lessons):
    study.start_session(world.employee, lessons["law"].id, now=NOW)
    study.start_session(world.employee, lessons["pdf"].id, now=NOW + timedelta(seconds=20))
    page = login_as("unit_admin").get("/study/admin/flags").get_data(as_text=True)
    assert "同时学习多门课程" in page and "张三" in page


def test_exam_form_sets_the_study_gate_and_the_detail_page_shows_it(login_as, world, small_law, lessons):
    c = login_as("admin")
    assert c.post("/admin/exams/new", data=exam_form(requires_study_hours="y")).status_code == 302
    assert db.session.scalar(select(Exam)).requires_study_hours is True
    exam = make_exam([["test_law", "judge", None, 1, 100]], requires_study_hours=True, title="资格考试")
    db.session.add(StudyPlan(year=exam.year, title="计划", required_hours=2, compulsory_hours=1,
                             deadline=NOW + timedelta(days=100), audience=[], created_at=NOW))
    db.session.commit()
    e = login_as("employee")
    page = e.get(f"/exams/{exam.id}").get_data(as_text=True)
    assert "学时达标方可参考" in page and "要求 2 学时" in page and f"/exams/{exam.id}/start" not in page
    r = e.post(f"/exams/{exam.id}/start", follow_redirects=True)
    assert "要求 2 学时" in r.get_data(as_text=True)


def test_my_study_links_to_my_hours_and_plan(login_as):
    page = login_as("employee").get("/study/").get_data(as_text=True)
    assert 'id="my-hours-link"' in page and "/study/hours" in page
