"""Read an article, practise ten questions, revisit the notebook: in Chromium, with screenshots."""
import pytest
from playwright.sync_api import expect

from examapp.services import bank, laws
from tests.conftest import BANK_DIR, LAWS_DIR, NOW
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not LAWS_DIR.exists(), reason="../shared/laws is not beside")]


@pytest.fixture
def constitution(app):
    laws.import_law("seed", "constitution.md", (LAWS_DIR / "constitution.md").read_bytes(), now=NOW)
    assert bank.import_bank_file("seed", "constitution.yaml", (BANK_DIR / "constitution.yaml").read_bytes(),
                                 now=NOW).ok


def answer_somehow(page):
    """Pick the first choice offered (or type a guess): some answers will be wrong, as in real life."""
    form = page.locator("#practice-form")
    radios = form.locator("input[type=radio]")
    boxes = form.locator("input[type=checkbox]")
    fills = form.locator("input.fill-input")
    texts = form.locator("textarea")
    if boxes.count():
        boxes.nth(0).check()
        boxes.nth(1).check()
    for i in range(radios.count()):
        name = radios.nth(i).get_attribute("name")
        group = form.locator(f"input[type=radio][name='{name}']")
        if not group.evaluate_all("els => els.some(e => e.checked)"):
            group.first.check()
    for i in range(fills.count()):
        fills.nth(i).fill("人民")
    for i in range(texts.count()):
        texts.nth(i).fill("依法办理")


def test_read_practise_and_revisit_the_notebook(app, live_server, page, constitution):
    log_in(page, live_server, "employee", app.config["DEMO_PASSWORD"])
    page.get_by_role("link", name="法律法规").click()
    page.get_by_role("link", name="中华人民共和国宪法").click()
    page.get_by_role("link", name="第一章 总纲").click()
    page.get_by_role("link", name="第二条", exact=True).click()
    assert "中华人民共和国的一切权力属于人民" in page.content()
    shot(page, "law-article", full_page=False)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="练习", exact=True).click()
    page.locator(".card", has_text="中华人民共和国宪法").get_by_role("link", name="顺序练习").click()
    verdicts = []
    for n in range(10):
        expect(page.locator("#practice-form")).to_be_visible()
        if n == 0:
            shot(page, "practice-question", full_page=False)
        answer_somehow(page)
        page.get_by_role("button", name="提交答案").click()
        expect(page.locator("#verdict")).not_to_be_empty()
        verdict = page.locator("#verdict").text_content()
        verdicts.append("正确" in verdict)
        assert page.locator(".law-quote").count() >= 1   # the cited article, inline
        if n == 0:
            shot(page, "practice-feedback")
        page.locator("#next-question").click()
    expect(page.locator("text=第 11 / ")).to_have_count(1)   # sequential mode moved on ten questions

    wrong = verdicts.count(False)
    assert wrong >= 1
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="练习", exact=True).click()
    page.get_by_role("link", name="错题本").first.click()
    expect(page.locator("tbody tr")).to_have_count(wrong)
    shot(page, "notebook")
    page.get_by_role("link", name="逐题练习").click()
    expect(page.locator("#practice-form")).to_be_visible()
    assert page.outside_requests == []
