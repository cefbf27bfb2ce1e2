"""An employee studies a lesson in Chromium: the page beats, the server credits the time between beats
(its clock pinned and stepped 30 s a beat), and the credited minutes shown grow; with screenshots."""
import io
from datetime import timedelta
from itertools import count

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from examapp.extensions import db
from examapp.models import User
from examapp.services import laws, study
from examapp.services.actors import SystemActor
from examapp.services.study import CourseInput, LessonInput, Upload
from tests.conftest import LAWS_DIR, NOW
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not LAWS_DIR.exists(), reason="../shared/laws is not beside")]


def lecture_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont("STSong-Light", 20)
    c.drawString(72, 760, "宪法学习讲义")
    c.setFont("STSong-Light", 12)
    c.drawString(72, 730, "一、宪法是国家的根本法，具有最高的法律效力。")
    c.save()
    return out.getvalue()


@pytest.fixture
def lessons(app, live_server, monkeypatch):
    laws.import_law("seed", "constitution.md", (LAWS_DIR / "constitution.md").read_bytes(), now=NOW)
    actor = SystemActor(username="system:test")
    course = study.save_course(actor, None, CourseInput(title="宪法学习（测试）", year=NOW.year,
                                                        audience=[("role", "employee")]), now=NOW)
    law = study.save_lesson(actor, course.id, None, LessonInput(kind="law_reading", title="宪法 第一章 总纲",
                                                                 credit_minutes=3, law_code="constitution",
                                                                 law_part="第一章"), now=NOW)
    pdf = study.save_lesson(actor, course.id, None, LessonInput(kind="document", title="宪法学习讲义", credit_minutes=20),
                            Upload("宪法学习讲义.pdf", io.BytesIO(lecture_pdf())), now=NOW)
    study.save_lesson(actor, course.id, None, LessonInput(kind="offline", title="国家宪法日宪法宣誓", credit_minutes=60,
                                                          offline_kind="oath", starts_at=NOW + timedelta(days=30),
                                                          location="机关三楼会议室"), now=NOW)
    study.set_status(actor, course.id, "published", now=NOW)
    app.config["STUDY_BEAT_SECONDS"] = 1                 # beat every second or so
    ticks = count()
    # every request of the study views sees the server's clock 30 s later than the one before
    monkeypatch.setattr("examapp.web.study.views.utcnow", lambda: NOW + timedelta(seconds=30 * next(ticks)))
    return {"course": course, "law": law, "pdf": pdf}


def test_an_employee_studies_a_lesson_and_sees_the_credited_minutes_grow(app, live_server, page, lessons):
    log_in(page, live_server, "employee", app.config["DEMO_PASSWORD"])
    page.get_by_role("link", name="学习", exact=True).first.click()
    expect(page.get_by_role("heading", name="我的学习")).to_be_visible()
    expect(page.locator("body")).to_contain_text("宪法学习（测试）")
    shot(page, "study-courses")

    page.get_by_role("link", name="宪法 第一章 总纲").click()
    expect(page.locator("body")).to_contain_text("中华人民共和国是工人阶级领导的")
    minutes = page.locator("#study-minutes")
    expect(minutes).to_have_text("0")
    page.mouse.move(200, 300)
    expect(minutes).to_have_text("1", timeout=15000)          # two beats: 2 × 30 s of server time
    page.mouse.move(300, 400)
    expect(minutes).to_have_text("2", timeout=15000)
    expect(page.locator("#study-state")).to_contain_text("正在计时")
    shot(page, "study-lesson-counting", full_page=False)
    expect(minutes).to_have_text("3", timeout=15000)           # the lesson's credit: it stops there
    expect(page.locator("#study-state")).to_contain_text("本课时学时已满")
    assert page.locator("#study-progress").get_attribute("value") == "100"
    shot(page, "study-lesson-complete", full_page=False)
    assert page.outside_requests == []

    employee = db.session.scalar(select(User).where(User.username == "employee"))
    db.session.expire_all()
    record = study.record_for(employee.id, lessons["law"].id)
    assert record.minutes == 3 and record.completed_at is not None

    page.goto(f"{live_server}/study/courses/{lessons['course'].id}")
    expect(page.locator("body")).to_contain_text("已完成")
    shot(page, "study-course")
    page.goto(f"{live_server}/study/lessons/{lessons['pdf'].id}")
    expect(page.locator("iframe.lesson-pdf")).to_be_visible()
    page.wait_for_timeout(1500)
    shot(page, "study-pdf-lesson", full_page=False)
