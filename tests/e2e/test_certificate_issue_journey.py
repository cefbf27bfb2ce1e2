"""A unit admin applies for a certificate in Chromium, an admin approves and prints it, and anyone can
verify it by its number."""
import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from examapp.extensions import db
from examapp.models import Certificate, OrgUnit, User
from tests.e2e.conftest import ARTIFACTS, shot
from tests.e2e.test_journeys import log_in
from tests.services.test_certificates import qualify

pytestmark = pytest.mark.e2e


def enforcement_person_without_certificate(unit_code: str) -> User:
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
    holders = select(Certificate.holder_id)
    return db.session.scalars(select(User).join(OrgUnit, OrgUnit.id == User.unit_id).where(
        OrgUnit.path.like(unit.path + "%"), User.is_enforcement.is_(True), User.active.is_(True),
        User.id.not_in(holders)).order_by(User.username)).first()


def test_apply_issue_print_and_verify(app, live_server, browser, tmp_path):
    password = app.config["DEMO_PASSWORD"]
    person = enforcement_person_without_certificate("QX-LL")
    assert person is not None, "the demo keeps enforcement staff without a certificate"
    qualify(person, hours=42, major=78, public=85)

    unit_admin = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN").new_page()
    log_in(unit_admin, live_server, "unitadmin", password)
    unit_admin.goto(f"{live_server}/admin/certificates/applications/new")
    unit_admin.locator("#username").fill(person.username)
    unit_admin.locator("#area").fill("工业和信息化行政执法")
    unit_admin.get_by_role("button", name="检查资格").click()
    expect(unit_admin.locator("body")).to_contain_text("42")           # the hours shown as evidence
    shot(unit_admin, "certificate-apply-check")
    unit_admin.get_by_role("button", name="提交申领").click()
    expect(unit_admin.locator("#application-status")).to_be_visible()
    shot(unit_admin, "certificate-applied")
    application_url = unit_admin.url

    admin = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN").new_page()
    log_in(admin, live_server, "admin", password)
    admin.goto(application_url)
    admin.get_by_role("button", name="批准并发证").click()
    expect(admin.locator("#cert-status")).to_have_text("有效")
    shot(admin, "certificate-issued")
    db.session.rollback()
    cert = db.session.scalar(select(Certificate).where(Certificate.holder_id == person.id))
    assert cert is not None and cert.number in admin.locator("h1").text_content()

    pdf = admin.request.get(f"{live_server}/admin/certificates/{cert.number}.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf.body())
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(tmp_path / "page")], check=True)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "page.png", ARTIFACTS / "certificate-issued-pdf.png")
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert person.name in text and cert.number in text

    visitor = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN").new_page()
    visitor.goto(f"{live_server}/verify/")
    visitor.locator("input[name=number]").fill(cert.number)
    visitor.locator("form button[type=submit], form input[type=submit]").first.click()
    expect(visitor.locator("body")).to_contain_text("有效")
    expect(visitor.locator("body")).to_contain_text(person.name)
    assert person.username not in visitor.content()
    shot(visitor, "certificate-verified")
