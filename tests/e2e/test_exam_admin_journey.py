"""An admin schedules an exam in Chromium, an employee takes it, the admin reads the results, and the
employee reviews the answers once the exam has closed."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from examapp.clock import utcnow
from examapp.extensions import db
from examapp.models import Exam
from examapp.services import bank, laws
from examapp.web.admin.exam_forms import to_local
from tests.conftest import BANK_DIR, LAWS_DIR, NOW
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not LAWS_DIR.exists(), reason="../shared/laws is not beside")]
FMT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def constitution(app):
    laws.import_law("seed", "constitution.md", (LAWS_DIR / "constitution.md").read_bytes(), now=NOW)
    assert bank.import_bank_file("seed", "constitution.yaml", (BANK_DIR / "constitution.yaml").read_bytes(),
                                 now=NOW).ok


def test_schedule_take_read_results_and_review(app, live_server, browser, constitution):
    password = app.config["DEMO_PASSWORD"]
    admin = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    log_in(admin, live_server, "admin", password)
    admin.goto(f"{live_server}/admin/exams/new")
    now = to_local(utcnow())
    admin.get_by_label("考试名称").fill("宪法宣誓日专题测验")
    admin.get_by_label("开始时间").fill((now - timedelta(minutes=5)).strftime(FMT))
    admin.get_by_label("结束时间").fill((now + timedelta(hours=2)).strftime(FMT))
    admin.get_by_label("答题时长（分钟）").fill("15")
    admin.get_by_role("button", name="保存").first.click()
    expect(admin.locator(".alert-success")).to_contain_text("已创建考试")
    admin.get_by_label("参考人员", exact=False).first.fill("unit_tree:GXJ-WXD")
    admin.get_by_role("button", name="保存参考人员").click()
    admin.locator("textarea[name='r-rules']").fill("constitution, single, 0, 5, 10\nconstitution, judge, 0, 5, 10")
    admin.get_by_role("button", name="保存抽题规则").click()
    admin.once("dialog", lambda d: d.accept())
    admin.get_by_role("button", name="发布考试").click()
    expect(admin.locator(".alert-success")).to_contain_text("考试已发布")
    shot(admin, "exam-admin-published", full_page=False)
    exam_id = int(admin.url.rstrip("/").split("/")[-1])

    taker = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(taker, live_server, "employee", password)       # 周明辉, 无线电管理科
    taker.goto(f"{live_server}/exams/{exam_id}")
    taker.once("dialog", lambda d: d.accept())
    taker.get_by_role("button", name="开始作答").click()
    expect(taker.locator(".exam-q:not(.d-none)")).to_have_count(1)
    taker.locator(".exam-q:not(.d-none) input[type=radio]").first.check()
    expect(taker.locator("#save-state")).to_have_text("已保存")
    admin.goto(f"{live_server}/admin/exams/{exam_id}/monitor")        # the taker shows on the live monitor
    expect(admin.locator("body")).to_contain_text("周明辉")
    shot(admin, "exam-admin-monitor", full_page=False)
    for _ in range(10):
        taker.locator(".exam-q:not(.d-none) input[type=radio]").first.check()
        expect(taker.locator("#save-state")).to_have_text("已保存")
        taker.locator(".exam-q:not(.d-none) .next-button").click()
    taker.once("dialog", lambda d: d.accept())
    taker.get_by_role("button", name="确认交卷").click()
    expect(taker.locator("#score")).to_be_visible()
    expect(taker.get_by_text("考试结束后可在此回顾答卷")).to_be_visible()

    admin.goto(f"{live_server}/admin/exams/{exam_id}/results")
    expect(admin.locator("#result-summary")).to_contain_text("5")   # the five people of 无线电管理科
    assert "周明辉" not in admin.locator("h2:has-text('未参加') + p").text_content()
    shot(admin, "exam-admin-results", full_page=False)

    exam = db.session.get(Exam, exam_id)
    exam.closes_at = utcnow() - timedelta(minutes=1)           # the exam closes
    db.session.commit()
    taker.reload()
    expect(taker.locator("#review-list > li")).to_have_count(10)
    shot(taker, "exam-review", full_page=False)
