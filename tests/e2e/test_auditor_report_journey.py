"""An auditor in Chromium: from the year's rates by unit, down to the people behind a pass-rate gap, to one
named person's answer sheet; and nothing on the way lets them change anything."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from examapp.extensions import db
from examapp.models import User
from tests.conftest import NOW, make_exam, paper_answers
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e


def person(username):
    return db.session.scalar(select(User).where(User.username == username))


def test_auditor_goes_from_the_rates_to_one_persons_answer_sheet(app, live_server, page, small_law):
    exam = make_exam([["test_law", "judge", None, 1, 60], ["test_law", "single", None, 1, 40]],
                     audience=(("unit_tree", "GXJ"),), shuffle_questions=False, title=f"{NOW.year}年度法治考试")
    paper_answers(person("employee"), exam, judge=True, single_right=True)        # 100
    paper_answers(person("employee2"), exam, judge=False, single_right=True)      # 40: failed
    db.session.commit()

    log_in(page, live_server, "auditor", app.config["DEMO_PASSWORD"])
    page.goto(f"{live_server}/reports/rates?year={NOW.year}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{NOW.year} 年度学法考法情况")
    expect(page.locator("#rates-total")).to_contain_text("合计")
    expect(page.locator("#chart-units")).to_be_visible()
    shot(page, "report-rates")

    district = page.get_by_role("row").filter(has_text="零陵区科技和工业信息化局")
    district.locator("a[title='未合格']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("未合格")
    row = page.get_by_role("row").filter(has_text="李婷")
    expect(row).to_contain_text("未合格（40 分）")
    shot(page, "report-failed-people")

    row.get_by_role("link", name="第 1 次").click()
    expect(page.locator("body")).to_contain_text("李婷")
    expect(page.locator("body")).to_contain_text("本法自公布之日起施行")
    expect(page.locator("body")).to_contain_text("40")
    shot(page, "report-answer-sheet")
    assert page.locator("main form[method=post]").count() == 0          # an auditor reads only
    assert page.outside_requests == []
