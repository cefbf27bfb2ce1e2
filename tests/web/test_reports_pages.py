"""The rates pages over the hand-built bureau: the table, the drill-down, the exports (opened with openpyxl
and csv), the API, exemptions with an attachment, closing a year, and what auditors may not do."""
import csv
import io
import json

from openpyxl import load_workbook

from examapp.extensions import db
from examapp.models import AuditEvent, Exemption, ReportSnapshot
from examapp.services import rates
from tests.conftest import login, make_user
from tests.rates_bureau import YEAR, expected_rows, with_rates

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(app, username):
    c = app.test_client()
    assert login(c, username).status_code == 302
    return c


def _rows_by_name(bureau):
    names = {"D1": "一处", "D2": "二区局", "D3": "三处", "X": "测试局（本级）"}
    return {names[code]: with_rates(c) for code, c in expected_rows().items()}


def _report_now(bureau, code="X"):
    # the pages use the real clock: compare against the service at the same moment
    from examapp.clock import utcnow
    return rates.build(bureau["admin"], YEAR, unit_code=code, now=utcnow())


def test_the_rates_page_shows_every_row_with_links_to_its_people(app, bureau):
    auditor = make_user("aud", bureau["units"]["X"], "auditor", name="审计员")
    page = client_for(app, auditor.username).get(f"/reports/rates?year={YEAR}").get_data(as_text=True)
    report = _report_now(bureau)
    for row in report.rows:
        assert row.label in page
    assert 'id="rates-table"' in page and "data-sortable" in page and 'id="chart-units"' in page
    assert "figure=sat&amp;gap=1" in page or "gap=1" in page
    assert report.digest[:16] in page


def test_the_people_page_lists_the_gap_with_reasons(app, bureau):
    c = client_for(app, "boss")
    d1 = bureau["units"]["D1"]
    page = c.get(f"/reports/rates/people?year={YEAR}&unit_id={d1.id}&figure=passed&gap=1").get_data(as_text=True)
    assert "人员a2" in page and "未合格（58 分）" in page
    assert c.get(f"/reports/rates/people?year={YEAR}&unit_id={d1.id}&figure=nope").status_code == 404
    assert c.get(f"/reports/rates/people?year={YEAR}&unit_id=999999&figure=sat").status_code == 404


def test_exports_open_with_the_same_figures_and_are_audited(app, bureau):
    c = client_for(app, "boss")
    report = _report_now(bureau).as_json()
    xlsx = c.get(f"/reports/rates.xlsx?year={YEAR}&unit=X")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.data))
    first = wb.worksheets[0]
    header = [cell.value for cell in first[1]]
    assert header[:4] == ["单位", "应参考", "免考", "学时完成"] and first.freeze_panes == "B2"
    body = {row[0]: dict(zip(header, row, strict=False)) for row in first.iter_rows(min_row=2, values_only=True)}
    for row in report["rows"]:
        assert body[row["name"]]["应参考"] == row["expected"]
        assert body[row["name"]]["参考率"] == row["participation_rate"]
        assert body[row["name"]]["持证率"] == row["certificate_rate"]
    assert body["合计"]["合格"] == report["total"]["passed"]
    rate_cell = first.cell(row=2, column=header.index("参考率") + 1)
    assert rate_cell.number_format == "0.0%"
    assert "第二级" in wb.sheetnames and "说明" in wb.sheetnames
    second = {r[0]: r for r in wb["第二级"].iter_rows(min_row=2, values_only=True)}
    assert second["二区执法股"][1] == with_rates(_d21())["expected"]
    text = c.get(f"/reports/rates.csv?year={YEAR}&unit=X").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][0] == "单位" and lines[-1][0] == "合计" and int(lines[-1][1]) == report["total"]["expected"]
    data = json.loads(c.get(f"/reports/rates.json?year={YEAR}&unit=X").data)
    assert data == report
    exports = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "report.export")).all()
    assert len(exports) == 3 and json.loads(exports[0].data_json)["digest"] == report["digest"]


def _d21():
    from tests.rates_bureau import PEOPLE, expected_facts
    out = {}
    for p in PEOPLE:
        f = expected_facts(p)
        if f and (p.moved_to or p.unit) == "D21":
            for k, v in f.items():
                out[k] = out.get(k, 0) + v
    return out


def test_the_api_gives_the_report_json_within_the_callers_scope(app, bureau):
    auditor = make_user("aud2", bureau["units"]["D2"], "auditor", name="审计")
    c = client_for(app, auditor.username)
    r = c.get(f"/api/v1/reports/rates?year={YEAR}")
    assert r.status_code == 200 and r.json["unit"] == "D2"
    assert r.json == _report_now(bureau, "D2").as_json()
    assert c.get(f"/api/v1/reports/rates?year={YEAR}&unit=X").status_code == 404
    assert c.get("/api/v1/reports/rates").status_code == 400
    assert c.get("/api/v1/reports/rates?year=abc").status_code == 400
    employee = make_user("emp", bureau["units"]["D1"], "employee")
    assert client_for(app, employee.username).get(f"/api/v1/reports/rates?year={YEAR}").status_code == 403


def test_a_unit_admin_files_an_exemption_with_a_document_and_an_admin_approves(app, bureau):
    d1 = bureau["units"]["D1"]
    make_user("ua", d1, "unit_admin", "employee", name="一处管理员")
    c = client_for(app, "ua")
    r = c.post("/reports/exemptions/new", data={"username": "c2", "year": str(YEAR), "reason_kind": "illness",
                                                "reason": "住院"}, content_type="multipart/form-data")
    assert r.status_code == 400 and "不在您的管理范围内" in r.get_data(as_text=True)      # c2 is in D3
    r = c.post("/reports/exemptions/new", data={"username": "a2", "year": str(YEAR), "reason_kind": "illness",
                                                "reason": "住院", "attachment": (io.BytesIO(PDF), "诊断证明.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 303
    exemption = db.session.scalar(db.select(Exemption).where(Exemption.user_id == bureau["people"]["a2"].id))
    listing = c.get(f"/reports/exemptions?year={YEAR}").get_data(as_text=True)
    assert "诊断证明.pdf" in listing and "待审批" in listing
    file = c.get(f"/reports/exemptions/{exemption.id}/attachment")
    assert file.status_code == 200 and file.data == PDF and file.mimetype == "application/pdf"
    boss = client_for(app, "boss")
    approval_page = boss.get(f"/admin/approvals/{exemption.approval_id}").get_data(as_text=True)
    assert "人员a2" in approval_page and "诊断证明.pdf" in approval_page
    r = boss.post(f"/admin/approvals/{exemption.approval_id}", data={"approve": "批准", "note": ""})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Exemption, exemption.id).status == "approved"
    other = make_user("ua3", bureau["units"]["D3"], "unit_admin", name="三处管理员")
    assert client_for(app, other.username).get(f"/reports/exemptions/{exemption.id}/attachment").status_code == 404


def test_an_admin_closes_a_year_and_an_auditor_cannot(app, bureau):
    auditor = make_user("aud", bureau["units"]["X"], "auditor", name="审计员")
    a = client_for(app, auditor.username)
    assert a.post("/reports/snapshots", data={"year": "2025"}).status_code == 403
    boss = client_for(app, "boss")
    r = boss.post("/reports/snapshots", data={"year": "2025"})
    assert r.status_code == 303
    snapshot = db.session.scalar(db.select(ReportSnapshot))
    assert snapshot.year == 2025
    page = a.get("/reports/rates?year=2025").get_data(as_text=True)
    assert "frozen-banner" in page and snapshot.digest[:16] in page
    assert "已关闭" in boss.post("/reports/snapshots", data={"year": "2025"}, follow_redirects=True).get_data(as_text=True)


def test_remediation_page_and_export(app, bureau):
    c = client_for(app, "boss")
    x = bureau["units"]["X"]
    page = c.get(f"/reports/remediation?year={YEAR}&unit_id={x.id}").get_data(as_text=True)
    assert "补足学时" in page and "人员b3" in page
    wb = load_workbook(io.BytesIO(c.get(f"/reports/remediation.xlsx?year={YEAR}&unit_id={x.id}").data))
    rows = list(wb.active.iter_rows(min_row=3, values_only=True))
    assert any(r[0] == "b9" and r[5].startswith("取得有效行政执法证") for r in rows)


def test_bad_parameters_never_fail_the_pages(app, bureau):
    c = client_for(app, "boss")
    for url in ("/reports/rates?year=abc", "/reports/rates?year=99999", "/reports/rates?unit=%00",
                "/reports/rates/people?figure=sat", "/reports/remediation?unit_id=abc", "/reports/rates.pdf",
                "/reports/exemptions?year=x&status=zzz&page=-1"):
        assert c.get(url).status_code in (200, 404), url


