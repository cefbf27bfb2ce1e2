"""Journeys a person makes, in Chromium: log in as each demo role; import people with a progress bar."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e

EXPECT_ON_HOME = {
    "admin": "单位与人员",
    "unitadmin": "零陵区科技和工业信息化局",
    "auditor": "审计链",
    "employee": "无线电管理科",
    "employee2": "工业股",
}


def log_in(page, base, username, password):
    page.goto(f"{base}/login")
    page.get_by_label("工号").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("username", list(EXPECT_ON_HOME))
def test_each_demo_role_logs_in_and_sees_its_home(app, live_server, page, username):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server, username, app.config["DEMO_PASSWORD"])
    assert page.url == f"{live_server}/"
    assert EXPECT_ON_HOME[username] in page.content()
    shot(page, f"home-{username}")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server}/login")
    assert errors == [] and page.outside_requests == []


def test_admin_imports_people_and_watches_the_progress(app, live_server, page, tmp_path):
    rows = "".join(f"e2e{i:04d},导入{i},QX-LL-ZH,科员,否\n" for i in range(700))
    file = tmp_path / "roster.csv"
    file.write_text("工号,姓名,单位编码,职务,执法岗位\n" + rows, encoding="utf-8")
    log_in(page, live_server, "admin", app.config["DEMO_PASSWORD"])
    page.goto(f"{live_server}/admin/imports")
    page.get_by_label("导入内容").select_option("people")
    page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(str(file))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state("networkidle")
    assert "将新增" in page.content()
    shot(page, "import-preview", full_page=False)
    page.get_by_role("button", name="确认导入").click()
    status = page.locator("#apply-status")
    status.wait_for(state="visible")
    page.wait_for_function("document.getElementById('apply-status').textContent.includes('导入完成')")
    assert "新增 700" in status.text_content()
    assert page.locator("#apply-bar").text_content() == "700 / 700"
    shot(page, "import-done", full_page=False)
    page.goto(f"{live_server}/admin/users?q=e2e0699")
    assert "导入699" in page.content()
    assert page.outside_requests == []


def test_english_switch(app, live_server, page):
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    shot(page, "login-en")
