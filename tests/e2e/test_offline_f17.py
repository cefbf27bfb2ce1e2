"""F17: the browser goes offline for 90 s mid-exam; the banner shows, the answers wait in the page and go out on
reconnect. The page's clock is Playwright's, so the 90 s pass on the page (its timer, its 5-second resend loop
failing 18 times) without the test waiting 90 real seconds; the network really is cut (context.set_offline)."""
import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from examapp.extensions import db
from examapp.models import Answer, QuestionVersion
from tests.conftest import LAWS_DIR
from tests.e2e.test_exam_journey import exam_now  # noqa: F401  (the fixture: a 20-minute exam open now)
from tests.e2e.test_journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not LAWS_DIR.exists(), reason="../shared/laws is not beside")]


def stored_answers(attempt_id: int) -> dict[int, tuple[int, object]]:
    db.session.rollback()           # read what the server committed
    rows = db.session.execute(select(QuestionVersion.question_id, Answer.seq, Answer.response)
                              .join(QuestionVersion, QuestionVersion.id == Answer.question_version_id)
                              .where(Answer.attempt_id == attempt_id)).all()
    return {qid: (seq, response) for qid, seq, response in rows}


def test_f17_ninety_seconds_offline_keeps_the_answers_and_resends_them(app, live_server, browser, exam_now):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.clock.install()                                   # runs on real time until the test moves it on
    try:
        log_in(page, live_server, "employee", app.config["DEMO_PASSWORD"])
        page.goto(f"{live_server}/exams/{exam_now}")
        page.once("dialog", lambda d: d.accept())
        page.get_by_role("button", name="开始作答").click()
        page.wait_for_selector("#timer")
        exam = page.locator("#exam")
        attempt_id = int(exam.get_attribute("data-attempt"))
        shown = page.locator(".exam-q:not(.d-none)")

        shown.locator("input[type=radio]").first.check()
        expect(page.locator("#save-state")).to_have_text("已保存")
        first_qid = int(shown.get_attribute("data-qid"))
        shown.locator(".next-button").click()

        context.set_offline(True)
        offline_qids = []
        for _ in range(2):
            offline_qids.append(int(shown.get_attribute("data-qid")))
            shown.locator("input[type=radio]").first.check()
            shown.locator(".next-button").click()
        shown.locator(".prev-button").click()                   # back to the last one: the taker changes it
        shown.locator("input[type=radio]").nth(1).check()
        value = shown.locator("input[type=radio]").nth(1).get_attribute("value")
        changed_to = {"true": True, "false": False}.get(value, value)          # a judge answer is a boolean
        expect(page.locator("#offline-banner")).to_be_visible()

        page.clock.run_for(90_000)                              # 90 s offline; the resend loop keeps failing
        expect(page.locator("#offline-banner")).to_be_visible()
        expect(page.locator("#save-state")).to_have_text("未保存（离线）")
        expect(exam).to_have_attribute("data-pending", "2")
        expect(page.locator("#timer")).to_have_text(re.compile(r"^18:\d\d$"))    # 20 min less 90 s, by the server's deadline
        kept = json.loads(page.evaluate(f"window.localStorage.getItem('exam-{attempt_id}')"))
        assert sorted(int(q) for q in kept) == sorted(offline_qids)            # kept in the page, not lost with the tab
        assert kept[str(offline_qids[1])]["response"] == changed_to
        assert set(stored_answers(attempt_id)) == {first_qid}                   # nothing reached the server meanwhile

        context.set_offline(False)
        expect(page.locator("#offline-banner")).to_be_hidden(timeout=15000)
        expect(exam).to_have_attribute("data-pending", "0", timeout=15000)
        expect(page.locator("#save-state")).to_have_text("已保存", timeout=15000)
        held = stored_answers(attempt_id)
        assert set(held) == {first_qid, *offline_qids}
        assert held[offline_qids[1]][1] == changed_to                            # the latest answer, not the first pick
        assert page.evaluate(f"window.localStorage.getItem('exam-{attempt_id}')") in (None, "{}")
    finally:
        context.close()
