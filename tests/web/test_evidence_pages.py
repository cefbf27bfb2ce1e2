"""The answer sheet page, the evidence pack page and its download, and the upload check (auditors may post
it: it changes nothing)."""
import io
import json
import re
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy import select, text

from examapp.extensions import db
from examapp.models import AuditEvent
from tests.conftest import NOW, login, make_exam, paper_answers

LATER = NOW + timedelta(days=30)
YEAR = NOW.year


@pytest.fixture
def taken(world, judge_exam):
    mine = paper_answers(world.employee, judge_exam, judge=True, single_right=False)
    b_exam = make_exam([["test_law", "judge", None, 1, 100]], audience=(("unit_tree", "B"),), title="乙区考试")
    theirs = paper_answers(world.b_person, b_exam, judge=True, single_right=True)
    return mine, theirs


@pytest.fixture(autouse=True)
def after_the_exams():
    """The pages read the clock: the exams have closed."""
    with mock.patch("examapp.web.evidence.views.utcnow", return_value=LATER):
        yield


def client_for(app, username):
    c = app.test_client()
    assert login(c, username).status_code == 302
    return c


def test_the_answer_sheet_page_and_its_pdf(app, world, taken):
    mine, _ = taken
    c = client_for(app, "admin")
    r = c.get(f"/reports/attempts/{mine.id}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for expected in ("张三", "employee", "甲区综合股", "期限为（  ）。", "本法自公布之日起施行。", "data-print", "evidence.css"):
        assert expected in html, expected
    assert re.search(r'id="sheet-score">\s*60 / 100', html)
    pdf = c.get(f"/reports/attempts/{mine.id}?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert c.get(f"/reports/attempts/{mine.id}?format=pdf").data == pdf.data       # deterministic


def test_another_subtree_gets_404_and_an_employee_403(app, world, taken):
    mine, theirs = taken
    for username in ("unitadmin", "aauditor"):
        c = client_for(app, username)
        assert c.get(f"/reports/attempts/{mine.id}").status_code == 200
        assert c.get(f"/reports/attempts/{theirs.id}").status_code == 404
        assert c.get(f"/reports/attempts/{theirs.id}?format=pdf").status_code == 404
    assert client_for(app, "auditor").get(f"/reports/attempts/{theirs.id}").status_code == 200
    assert client_for(app, "employee").get(f"/reports/attempts/{mine.id}").status_code == 403


def test_the_results_page_links_each_attempt_to_its_sheet(app, world, taken, judge_exam):
    mine, _ = taken
    html = client_for(app, "admin").get(f"/admin/exams/{judge_exam.id}/results").get_data(as_text=True)
    assert f'href="/reports/attempts/{mine.id}"' in html


def test_the_pack_page_previews_then_downloads_and_the_export_is_audited(app, world, taken):
    c = client_for(app, "aauditor")
    page = c.get("/reports/evidence")
    assert page.status_code == 200 and "证据包" in page.get_data(as_text=True)
    preview = c.get(f"/reports/evidence?year={YEAR}")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="evidence-preview"' in html and "单位 A" in html
    link = re.search(r'id="evidence-download" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    r = c.get(link)
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert f"evidence-{YEAR}-A.zip" in r.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(r.data)) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["builder"] == "aauditor" and manifest["scope"]["unit"] == "A"
        assert "bperson" not in z.read("roster.csv").decode("utf-8-sig")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.export"))
    assert event.actor_name == "aauditor"


def test_the_pack_page_names_a_bad_scope(app, world, taken):
    c = client_for(app, "unitadmin")
    r = c.get("/reports/evidence?year=abc")
    assert r.status_code == 400 and "年度" in r.get_data(as_text=True)
    assert c.get(f"/reports/evidence?year={YEAR}&unit=B").status_code == 404
    assert c.get(f"/reports/evidence/pack?year={YEAR}&unit=B").status_code == 404
    assert client_for(app, "employee").get(f"/reports/evidence/pack?year={YEAR}").status_code == 403


def download(c, query: str) -> bytes:
    r = c.get(f"/reports/evidence/pack?{query}")
    assert r.status_code == 200
    return r.data


def test_an_auditor_checks_a_pack_by_upload(app, world, taken):
    mine, _ = taken
    c = client_for(app, "auditor")
    data = download(c, f"year={YEAR}")
    r = c.post("/reports/evidence/verify", data={"pack": (io.BytesIO(data), "pack.zip")},
               content_type="multipart/form-data")
    assert r.status_code == 200 and "一致：" in r.get_data(as_text=True)

    db.session.execute(text("UPDATE attempt SET score = 99 WHERE id = :id"), {"id": mine.id})
    db.session.commit()
    r = c.post("/reports/evidence/verify", data={"pack": (io.BytesIO(data), "pack.zip")},
               content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "不一致" in html
    assert f"attempts.jsonl：记录 作答编号 {mine.id} 的「score」不同" in html
    assert f"answer_sheets/employee-{mine.id}.pdf" in html


def test_bad_uploads_are_named_never_a_500(app, world, taken):
    c = client_for(app, "auditor")
    r = c.post("/reports/evidence/verify", data={"pack": (io.BytesIO(b"hello"), "notes.zip")},
               content_type="multipart/form-data")
    assert r.status_code == 400 and "notes.zip" in r.get_data(as_text=True)
    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").close()
    r = c.post("/reports/evidence/verify", data={"pack": (io.BytesIO(empty.getvalue()), "empty.zip")},
               content_type="multipart/form-data")
    assert r.status_code == 400 and "manifest.json" in r.get_data(as_text=True)
    assert c.post("/reports/evidence/verify", data={}).status_code == 400


def test_a_subtree_auditor_cannot_check_a_whole_bureau_pack(app, world, taken):
    data = download(client_for(app, "admin"), f"year={YEAR}")
    r = client_for(app, "aauditor").post("/reports/evidence/verify", data={"pack": (io.BytesIO(data), "p.zip")},
                                         content_type="multipart/form-data")
    assert r.status_code == 400 and "超出您可查看的单位范围" in r.get_data(as_text=True)


def test_the_upload_check_needs_a_csrf_token_even_for_auditors(app, world, taken):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        c = app.test_client()
        html = c.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        c.post("/login", data={"username": "auditor", "password": "Test-pass-2026", "csrf_token": token})
        page = c.get("/reports/evidence/verify").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert c.post("/reports/evidence/verify", data={}).status_code == 400      # no token
        r = c.post("/reports/evidence/verify", data={"csrf_token": token})
        assert r.status_code == 400 and "请选择要核验的证据包" in r.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_auditors_still_cannot_write_elsewhere(app, world):
    c = client_for(app, "auditor")
    assert c.post("/admin/units/new", data={"code": "X", "name": "x"}).status_code == 403


def test_the_menu_links_the_evidence_page_for_auditors(app, world):
    assert 'href="/reports/evidence"' in client_for(app, "auditor").get("/").get_data(as_text=True)
    assert 'href="/reports/evidence"' not in client_for(app, "employee").get("/").get_data(as_text=True)
