"""The annual summary page and its Word export show the figures the service computes (the hand-built bureau of
tests/services/test_annual_summary.py), within the reader's subtree."""
import html
import io
import re

import pytest
from docx import Document
from sqlalchemy import select

from examapp.domain.annual_summary import SPECS, shown
from examapp.extensions import db
from examapp.models import AuditEvent
from tests.conftest import NOW
from tests.services.test_annual_summary import A_SUBTREE, BUREAU, build_bureau

ROW = re.compile(r'<tr data-figure="(\w+)">.*?<td class="text-end" data-this>(.*?)</td>\s*'
                 r'<td class="text-end" data-last>(.*?)</td>', re.S)


@pytest.fixture
def bureau(world, monkeypatch):
    monkeypatch.setattr("examapp.web.summary.views.utcnow", lambda: NOW)
    return build_bureau(world)


def printed(values: dict) -> dict:
    return {key: (shown(this, SPECS[key].unit), shown(last, SPECS[key].unit)) for key, (this, last) in values.items()}


def page_figures(page: str) -> dict:
    return {key: (html.unescape(this), html.unescape(last)) for key, this, last in ROW.findall(page)}


def test_the_page_shows_every_figure_of_the_readers_subtree(bureau, login_as):
    r = login_as("unit_admin").get("/reports/summary")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "2026年度学法考法工作情况" in page and "甲区局" in page
    assert page_figures(page) == printed(A_SUBTREE)
    for title in ("学法", "考法", "执法资格"):
        assert title in page
    assert page.count('<svg class="w-100 chart"') == 3         # this year against last year, per group
    assert 'href="/reports/summary.docx?year=2026&amp;unit=A"' in page


def test_the_admin_sees_the_bureau_and_may_choose_a_unit(bureau, login_as):
    admin = login_as("admin")
    page = admin.get("/reports/summary?year=2026").get_data(as_text=True)
    assert page_figures(page) == printed(BUREAU)
    assert '<select class="form-select" id="unit" name="unit">' in page
    assert all(f'<option value="{code}"' in page for code in ("R", "A", "A1", "A2", "B"))
    assert page_figures(admin.get("/reports/summary?year=2026&unit=A").get_data(as_text=True)) == printed(A_SUBTREE)
    # a year out of range falls back to this year, as on the other report pages
    assert page_figures(admin.get("/reports/summary?year=1999").get_data(as_text=True)) == printed(BUREAU)


def test_no_unit_outside_the_subtree_and_no_page_for_learners(bureau, login_as):
    ua = login_as("unit_admin")
    assert ua.get("/reports/summary?unit=B").status_code == 404
    assert ua.get("/reports/summary.docx?unit=B").status_code == 404
    assert login_as("employee").get("/reports/summary").status_code == 403
    assert 'href="/reports/summary"' in login_as("auditor").get("/").get_data(as_text=True)
    assert 'href="/reports/summary"' not in login_as("employee").get("/").get_data(as_text=True)


def test_the_word_document_holds_the_same_figures_and_is_audited(bureau, login_as):
    r = login_as("auditor").get("/reports/summary.docx?year=2026")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "annual-summary-2026-R.docx" in r.headers["Content-Disposition"]
    doc = Document(io.BytesIO(r.data))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "2026年度学法考法工作情况"
    assert "市局" in text[1] and "2026-03-15" in text[1]
    prose = "".join(text)
    assert "参学5人，较上年增加1人" in prose and "累计学时10学时，较上年增加1学时" in prose
    assert "法治讲座1场（3人次）、宪法宣誓1场（1人次）" in prose
    assert "参考率100.0%，较上年提高20个百分点" in prose and "合格率75.0%，较上年下降25个百分点" in prose
    assert "新发执法证件1件、换发0件、暂扣1件、吊销0件、注销1件" in prose and "持证率50.0%" in prose

    assert len(doc.tables) == 3
    assert [c.text for c in doc.tables[0].rows[0].cells] == ["项目", "本年度", "上年度", "增减", "增减幅度"]
    in_doc = {row.cells[0].text.strip("　"): (row.cells[1].text, row.cells[2].text)
              for table in doc.tables for row in table.rows[1:]}
    assert in_doc == {SPECS[key].label: pair for key, pair in printed(BUREAU).items()}
    trained = next(row for row in doc.tables[0].rows if row.cells[0].text == "参学人数")
    assert [c.text for c in trained.cells[3:]] == ["+1", "+25.0%"]

    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")).one()
    assert (event.actor_name, event.object_id) == ("auditor", "annual_summary:2026:R")
    digest = re.search(r"SHA-256）：([0-9a-f]{64})", prose).group(1)
    assert digest in event.data_json
