"""The public verify page (S14) and the printable certificate for admins."""
import re
from datetime import date

import pytest

from examapp.extensions import db
from examapp.models import CertificateEvent
from tests.certificate_factory import make_certificate
from tests.conftest import NOW


@pytest.fixture
def certs(world):
    own = make_certificate(world.employee, "ZF-A1-2024-00001")
    other = make_certificate(world.employee, "JD-A1-2023-00007", type="SUPERVISION", status="suspended")
    b = make_certificate(world.b_person, "ZF-B-2024-00002", area="乙区")
    return {"own": own, "other": other, "b": b}


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_anyone_sees_status_holder_unit_and_validity(client, certs):
    r = client.get("/verify/ZF-A1-2024-00001")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for shown in ("有效", "张三", "甲区综合股", "2024-01-10", "2029-01-10", "行政执法证", "ZF-A1-2024-00001"):
        assert shown in html, shown


def test_the_page_shows_nothing_private(client, world, certs):
    """S14: not the username, not the certificate's id, not its evidence or history, not the holder's other
    certificates."""
    db.session.add(CertificateEvent(certificate_id=certs["own"].id, kind="suspend", on=date(2025, 1, 2),
                                    reason="内部调查原因-保密", actor="admin", data={}, at=NOW))
    db.session.commit()
    html = client.get("/verify/ZF-A1-2024-00001").get_data(as_text=True)
    text = visible_text(html)
    assert "employee" not in html and world.employee.username not in text
    assert "JD-A1-2023-00007" not in html and "暂扣" not in html          # the other certificate
    assert "内部调查原因" not in html and "资格考试" not in html and "48" not in text
    assert f"/certificates/{certs['own'].id}" not in html and "无线电管理" not in html   # no id links, no area
    assert "市工业和信息化局" not in text.replace("市工业和信息化局 · 法治学习考试系统", "")   # nor authority


@pytest.mark.parametrize("status,label", [("suspended", "暂扣"), ("revoked", "已吊销"), ("recalled", "已收回"),
                                          ("cancelled", "已注销"), ("expired", "已过期")])
def test_each_status_is_named(client, world, status, label):
    make_certificate(world.victim, "ZF-A2-2024-00009", status=status)
    html = client.get("/verify/ZF-A2-2024-00009").get_data(as_text=True)
    assert f'data-status="{status}"' in html and label in html and "该证件当前不能用于执法活动" in html


def test_a_valid_certificate_past_its_date_reads_expired(client, world):
    make_certificate(world.victim, "ZF-A2-2020-00001", issued_on=date(2020, 1, 1), expires_on=date(2025, 1, 1))
    html = client.get("/verify/ZF-A2-2020-00001").get_data(as_text=True)
    assert 'data-status="expired"' in html and "已过期" in html


@pytest.mark.parametrize("number", ["NOPE-1", "ZF-A1-2024-00001%20", "x" * 41, "%00", "ZF%0AA1", "'%20OR%201=1--"])
def test_unknown_or_malformed_numbers_are_404(client, certs, number):
    r = client.get(f"/verify/{number}")
    assert r.status_code == 404
    assert "张三" not in r.get_data(as_text=True)


def test_the_form_leads_to_the_page(client, certs):
    assert "证件编号" in client.get("/verify/").get_data(as_text=True)
    r = client.get("/verify/?number=+ZF-A1-2024-00001+")
    assert r.status_code == 302 and r.headers["Location"].endswith("/verify/ZF-A1-2024-00001")
    assert client.get("/verify/?number=a/b", follow_redirects=True).status_code == 404


def test_admins_print_in_scope_only(login_as, world, certs):
    admin = login_as("admin")
    r = admin.get("/admin/certificates/ZF-B-2024-00002.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"] == "inline; filename=ZF-B-2024-00002.pdf"
    assert r.data.startswith(b"%PDF-")
    unit_admin = login_as("unit_admin")          # scope A
    assert unit_admin.get("/admin/certificates/ZF-A1-2024-00001.pdf").status_code == 200
    assert unit_admin.get("/admin/certificates/ZF-B-2024-00002.pdf").status_code == 404
    assert unit_admin.get("/admin/certificates/NOPE.pdf").status_code == 404
    c = login_as(world.a_auditor)               # auditor of A: reads A's, not B's
    assert c.get("/admin/certificates/ZF-A1-2024-00001.pdf").status_code == 200
    assert c.get("/admin/certificates/ZF-B-2024-00002.pdf").status_code == 404
    assert login_as("employee").get("/admin/certificates/ZF-A1-2024-00001.pdf").status_code == 403


def test_the_qr_code_points_at_the_configured_site(app, login_as, certs, tmp_path):
    import shutil
    import subprocess
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    app.config["BASE_URL"] = "https://exam.example.gov.cn"
    data = login_as("admin").get("/admin/certificates/ZF-A1-2024-00001.pdf").data
    (tmp_path / "c.pdf").write_bytes(data)
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True).stdout
    assert "https://exam.example.gov.cn/verify/ZF-A1-2024-00001" in text and "张三" in text
