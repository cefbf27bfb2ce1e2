"""An employee takes an exam in Chromium, with the network gone in the middle, and reads the result."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from examapp.clock import utcnow
from examapp.extensions import db
from examapp.models import Answer, Attempt, Exam, ExamAudience, ExamPaper
from examapp.services import bank, exams, laws
from tests.conftest import BANK_DIR, LAWS_DIR, NOW
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not LAWS_DIR.exists(), reason="../shared/laws is not beside")]


@pytest.fixture
def exam_now(app):
    laws.import_law("seed", "constitution.md", (LAWS_DIR / "constitution.md").read_bytes(), now=NOW)
    assert bank.import_bank_file("seed", "constitution.yaml", (BANK_DIR / "constitution.yaml").read_bytes(),
                                 now=NOW).ok
    now = utcnow()
    e = Exam(title="宪法知识测验", kind="annual", year=now.year, opens_at=now - timedelta(hours=1),
             closes_at=now + timedelta(days=1), duration_minutes=20, one_per_page=True)
    db.session.add(e)
    db.session.flush()
    paper = ExamPaper(exam_id=e.id, version=1, mode="rules", rules=[["constitution", "single", None, 6, 10],
                                                                    ["constitution", "judge", None, 4, 10]])
    db.session.add(paper)
    db.session.flush()
    e.current_paper_id = paper.id
    db.session.add(ExamAudience(exam_id=e.id, kind="unit_tree", value="GXJ"))
    db.session.commit()
    from examapp.services.actors import SystemActor
    exams.publish(SystemActor(), e.id, now=now)
    return e.id


def pick_first_choice(page):
    section = page.locator(".exam-q:not(.d-none)")
    section.locator("input[type=radio]").first.check()


def test_take_an_exam_through_an_offline_spell(app, live_server, page, exam_now):
    log_in(page, live_server, "employee", app.config["DEMO_PASSWORD"])
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="考试", exact=True).click()
    page.get_by_role("link", name="进入考试").click()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="开始作答").click()
    page.wait_for_selector("#timer")
    expect(page.locator(".exam-q:not(.d-none)")).to_have_count(1)     # one question per page, once the script ran
    for _ in range(3):
        pick_first_choice(page)
        expect(page.locator("#save-state")).to_have_text("已保存")
        page.locator(".exam-q:not(.d-none) .next-button").click()
    shot(page, "exam-taking", full_page=False)

    page.context.set_offline(True)
    for _ in range(3):
        pick_first_choice(page)
        page.locator(".exam-q:not(.d-none) .next-button").click()
    page.wait_for_selector("#offline-banner:not(.d-none)")
    shot(page, "exam-offline", full_page=False)
    page.context.set_offline(False)
    page.wait_for_selector("#offline-banner.d-none", state="attached", timeout=15000)
    expect(page.locator("#exam")).to_have_attribute("data-pending", "0", timeout=15000)   # every kept answer sent
    expect(page.locator("#save-state")).to_have_text("已保存", timeout=15000)

    attempt_id = int(page.locator("#exam").get_attribute("data-attempt"))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.attempt_id == attempt_id)) == 6

    page.locator("[data-go='9']").click()
    page.locator(".exam-q:not(.d-none) .next-button").click()       # to the submit page
    assert "未作答：7、8、9、10" in page.locator("#review-unanswered").text_content()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="确认交卷").click()
    page.wait_for_selector("#score")
    shot(page, "exam-result", full_page=False)
    db.session.commit()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == "submitted" and attempt.submitted_by == "person"
    assert page.outside_requests == []


def test_a_browser_clock_two_hours_wrong_changes_nothing(app, live_server, browser, exam_now):
    """F8: the remaining time comes from the server's deadline, whatever the computer's clock says."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.clock.install(time=utcnow() + timedelta(hours=2))          # the computer's clock runs 2 h ahead
    log_in(page, live_server, "employee", app.config["DEMO_PASSWORD"])
    page.goto(f"{live_server}/exams/{exam_now}")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="开始作答").click()
    page.wait_for_selector("#timer")
    expect(page.locator("#timer")).to_have_text(re.compile(r"^(19|20):\d\d$"))   # a 20-minute exam
    pick_first_choice(page)
    expect(page.locator("#save-state")).to_have_text("已保存")
    expect(page.locator("#timer")).to_have_text(re.compile(r"^(19|20):\d\d$"))
    db.session.rollback()                        # read what the server committed
    attempt = db.session.scalar(select(Attempt).where(Attempt.exam_id == exam_now))
    assert attempt.status == "running"           # not submitted as "time is up" by a wrong clock
    context.close()
