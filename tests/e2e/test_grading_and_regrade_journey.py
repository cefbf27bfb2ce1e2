"""Two admins in Chromium: they hand-grade a free-text answer blind, then one corrects an answer key
with a dry run and the other approves the regrade."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from examapp.extensions import db
from examapp.models import Attempt, User
from tests.conftest import make_exam, paper_answers, take_case
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e


def person(username):
    return db.session.scalar(select(User).where(User.username == username))


def as_user(browser, base, username, password):
    page = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN").new_page()
    log_in(page, base, username, password)
    return page


def test_blind_double_grading_then_a_four_eyes_regrade(app, live_server, browser, case_law):
    password = app.config["DEMO_PASSWORD"]
    people = (("user", "employee"), ("user", "employee2"))
    case_exam = make_exam([["test_law", "case", None, 1, 100]], audience=people, title="案例分析测验")
    attempt = take_case(person("employee"), case_exam, "不合法。第二条规定期限为三十日，该单位四十日才答复，超过了法定期限。")

    first = as_user(browser, live_server, "admin", password)
    first.goto(f"{live_server}/admin/exams/{case_exam.id}/grading")
    expect(first.get_by_role("heading", name="一评")).to_be_visible()
    expect(first.locator("blockquote")).to_contain_text("超过了法定期限")
    expect(first.locator("body")).not_to_contain_text("周明辉")          # graders do not see the taker
    shot(first, "grading-first-round")
    first.get_by_label("得分").fill("45")
    first.get_by_role("button", name="提交评分").click()
    expect(first.locator(".alert-success").first).to_contain_text("已保存评分")

    second = as_user(browser, live_server, "admin2", password)
    second.goto(f"{live_server}/admin/exams/{case_exam.id}/grading")
    expect(second.get_by_role("heading", name="二评")).to_be_visible()
    second.get_by_label("得分").fill("40")
    second.get_by_role("button", name="提交评分").click()
    expect(second.locator("[data-stage=done]")).to_have_text("1")
    shot(second, "grading-done")
    db.session.rollback()      # end the test thread's read snapshot: the server committed in its own
    assert db.session.get(Attempt, attempt.id).score == 92.5

    judge_exam = make_exam([["test_law", "judge", None, 1, 60], ["test_law", "single", None, 1, 40]],
                           audience=people, shuffle_questions=False, attempts_allowed=1, title="期限专题测验")
    paper_answers(person("employee"), judge_exam, judge=False, single_right=True)
    paper_answers(person("employee2"), judge_exam, judge=True, single_right=False)
    first.goto(f"{live_server}/admin/exams/{judge_exam.id}/regrade")
    first.get_by_role("row", name="本法自公布之日起施行").get_by_role("link", name="更正").click()
    first.get_by_label("更正后的答案", exact=False).fill("错误")
    first.get_by_label("原因", exact=False).fill("依第三条，本法自公布之日起施行，题目表述与条文不符")
    first.get_by_role("button", name="试算影响").click()
    expect(first.locator("#dry-run")).to_be_visible()
    expect(first.locator("table").first).to_contain_text("周明辉")
    shot(first, "regrade-dry-run")
    first.get_by_role("button", name="提交审批").click()
    expect(first.locator("body")).to_contain_text("须由另一位管理员审批")
    shot(first, "regrade-approval-requested")

    second.goto(f"{live_server}/admin/approvals")
    second.get_by_role("link", name="#", exact=False).first.click()
    second.get_by_label("审批意见", exact=False).fill("已核对第三条，同意更正")
    second.get_by_role("button", name="批准").click()
    expect(second.locator(".alert-success").first).to_contain_text("已批准")
    shot(second, "regrade-approved")
    db.session.rollback()      # end the test thread's read snapshot: the server committed in its own
    scores = sorted(db.session.scalars(select(Attempt.score).where(Attempt.exam_id == judge_exam.id)))
    assert scores == [0.0, 100.0]
