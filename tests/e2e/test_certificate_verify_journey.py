"""Journeys in Chromium: an anonymous visitor checks a certificate by its number; an admin prints one."""
import shutil
import subprocess

import pytest
from sqlalchemy import select

from examapp.extensions import db
from examapp.models import Certificate, User
from tests.e2e.conftest import ARTIFACTS, shot
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e


def number_of(username: str, status: str) -> str:
    return db.session.scalar(select(Certificate.number).join(User, Certificate.holder_id == User.id)
                             .where(User.username == username, Certificate.status == status))


def test_a_visitor_verifies_a_certificate_by_its_number(live_server, page):
    valid, revoked = number_of("employee", "valid"), number_of("zs0102", "revoked")
    assert valid and revoked
    page.goto(f"{live_server}/verify/")
    page.get_by_label("证件编号").fill(valid)
    shot(page, "verify-form", full_page=False)
    page.get_by_role("button", name="核验").click()
    page.wait_for_url(f"{live_server}/verify/{valid}")
    assert page.locator("#verify-status").text_content().strip() == "有效"
    body = page.locator("main").inner_text()
    assert "周明辉" in body and "无线电管理科" in body and "employee" not in page.content()
    shot(page, "verify-valid")

    page.get_by_label("证件编号").fill(revoked)
    page.get_by_role("button", name="核验").click()
    page.wait_for_url(f"{live_server}/verify/{revoked}")
    assert page.locator("#verify-status").text_content().strip() == "已吊销"
    assert "该证件当前不能用于执法活动" in page.content()
    shot(page, "verify-revoked")

    page.get_by_label("证件编号").fill("ZF-NOPE-2026-99999")
    page.get_by_role("button", name="核验").click()
    assert "未查到该证号的证件" in page.content()
    shot(page, "verify-unknown", full_page=False)
    assert page.outside_requests == []


def test_an_admin_prints_a_certificate(app, live_server, page, tmp_path):
    number = number_of("employee", "valid")
    log_in(page, live_server, "admin", app.config["DEMO_PASSWORD"])
    response = page.context.request.get(f"{live_server}/admin/certificates/{number}.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.body())
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(tmp_path / "certificate")],
                   check=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "certificate.png", ARTIFACTS / "certificate-pdf-demo.png")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "周明辉" in text and number in text and "无线电管理科" in text
    assert f"{live_server}/verify/{number}" in text      # the QR code's address, printed under it
    # the verify page the QR code leads to, seen by someone not logged in
    anonymous = page.context.browser.new_context()
    try:
        other = anonymous.new_page()
        other.goto(f"{live_server}/verify/{number}")
        assert other.locator("#verify-status").text_content().strip() == "有效"
    finally:
        anonymous.close()
