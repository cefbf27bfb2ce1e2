"""The study plan pages in Chromium: an admin reads progress by unit and who is behind; an employee reads
their hours against the plan."""
import pytest
from playwright.sync_api import expect

from examapp.extensions import db
from examapp.services import study_plans
from tests.conftest import NOW
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e


def test_progress_by_unit_and_my_hours(app, live_server, browser):
    study_plans.seed_demo(now=NOW)
    db.session.commit()
    password = app.config["DEMO_PASSWORD"]
    admin = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN").new_page()
    log_in(admin, live_server, "admin", password)
    admin.goto(f"{live_server}/admin/study-progress?year={NOW.year}")
    expect(admin.locator("svg.chart")).to_be_visible()
    shot(admin, "study-progress-units")
    expect(admin.locator("table")).to_contain_text("无线电管理科")      # the root's units, not one lone row
    admin.get_by_role("row", name="无线电管理科").get_by_role("link", name="人员").click()
    expect(admin.locator("table").first).to_be_visible()
    shot(admin, "study-progress-people")

    employee = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN").new_page()
    log_in(employee, live_server, "employee", password)
    employee.goto(f"{live_server}/study/hours?year={NOW.year}")
    expect(employee.locator("progress.study-progress")).to_be_visible()
    shot(employee, "study-my-hours")
