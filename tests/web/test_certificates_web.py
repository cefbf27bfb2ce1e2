"""Certificate pages: apply, approve, lifecycle forms, revocation request, import, compliance, settings."""
import io
from datetime import date

from sqlalchemy import func, select

from examapp.extensions import db
from examapp.models import Approval, Certificate, CertificateApplication, Setting
from tests.conftest import NOW, make_user
from tests.services.test_certificates import issue, qualify, xlsx


def other_cert(world, user, number="B-0001", status="valid"):
    cert = Certificate(type="ENFORCEMENT", number=number, holder_id=user.id, unit_id=user.unit_id,
                       issued_on=date(2024, 1, 1), expires_on=date(2099, 1, 1), status=status, evidence={},
                       created_at=NOW)
    db.session.add(cert)
    db.session.commit()
    return cert


def test_unit_admin_checks_and_applies_then_admin_approves(world, login_as):
    qualify(world.employee, hours=39.9)
    ua = login_as("unit_admin")
    r = ua.get("/admin/certificates/applications/new?username=employee&type=ENFORCEMENT")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "培训学时 39.9 小时，不足 40 小时" in page and "张三" in page
    r = ua.post("/admin/certificates/applications/new", data={"username": "employee", "type": "ENFORCEMENT",
                                                              "area": "", "submit": "1"})
    assert r.status_code == 422 and "不足 40 小时" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CertificateApplication)) == 0

    qualify(world.employee, hours=1, major=None, public=None)
    r = ua.post("/admin/certificates/applications/new", data={"username": "employee", "type": "ENFORCEMENT",
                                                              "area": "无线电管理", "submit": "1"})
    assert r.status_code == 302
    application = db.session.scalars(select(CertificateApplication)).one()
    assert r.headers["Location"].endswith(f"/admin/certificates/applications/{application.id}")
    page = ua.get(r.headers["Location"]).get_data(as_text=True)
    assert "待审批" in page and "批准并发证" not in page          # unit admins apply, admins approve

    admin = login_as("admin")
    r = admin.post(f"/admin/certificates/applications/{application.id}", data={"note": "", "refuse": "1"})
    assert r.status_code == 400 and "不予批准时请填写理由" in r.get_data(as_text=True)
    r = admin.post(f"/admin/certificates/applications/{application.id}", data={"note": "同意", "approve": "1"})
    assert r.status_code == 302
    cert = db.session.scalars(select(Certificate)).one()
    assert r.headers["Location"].endswith(f"/admin/certificates/{cert.id}")
    page = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "ZF-A1-2026-00001" in page and "有效" in page and "发证" in page


def test_unit_admin_cannot_apply_for_someone_outside_the_subtree(world, login_as):
    qualify(world.b_person)
    r = login_as("unit_admin").post("/admin/certificates/applications/new",
                                    data={"username": "bperson", "type": "ENFORCEMENT", "submit": "1"})
    assert r.status_code == 404
    assert "不在您的管理范围内" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CertificateApplication)) == 0


def test_certificate_page_offers_only_allowed_actions_and_refuses_others(world, login_as):
    qualify(world.employee)
    cert = issue(world)
    admin = login_as("admin")
    page = admin.get(f"/admin/certificates/{cert.id}").get_data(as_text=True)
    assert 'value="suspend"' in page and 'value="reinstate"' not in page and 'value="reissue"' not in page
    r = admin.post(f"/admin/certificates/{cert.id}/action", data={"kind": "suspend", "reason": ""})
    assert r.status_code == 400 and "请填写原因" in r.get_data(as_text=True)
    r = admin.post(f"/admin/certificates/{cert.id}/action", data={"kind": "suspend", "reason": "调查"})
    assert r.status_code == 302
    page = admin.get(f"/admin/certificates/{cert.id}").get_data(as_text=True)
    assert "暂扣" in page and 'value="reinstate"' in page and 'value="suspend"' not in page
    r = admin.post(f"/admin/certificates/{cert.id}/action", data={"kind": "lose", "reason": "遗失"})
    assert r.status_code == 409 and "证件当前状态为「暂扣」，不能挂失" in r.get_data(as_text=True)
    r = admin.post(f"/admin/certificates/{cert.id}/action", data={"kind": "nonsense", "reason": "x"})
    assert r.status_code == 400 and "未知的证件操作" in r.get_data(as_text=True)


def test_revocation_request_goes_to_the_approvals_page(world, login_as, graders):
    qualify(world.employee)
    cert = issue(world)
    r = login_as("admin").post(f"/admin/certificates/{cert.id}/action", data={"kind": "revoke", "reason": "严重违法"})
    approval = db.session.scalars(select(Approval)).one()
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/approvals/{approval.id}")
    assert db.session.get(Certificate, cert.id).status == "valid"
    c = login_as(graders[1])
    page = c.get(f"/admin/approvals/{approval.id}").get_data(as_text=True)
    assert cert.number in page and "吊销证件" in page
    r = c.post(f"/admin/approvals/{approval.id}", data={"note": "", "approve": "1"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).status == "revoked"
    assert "已吊销" in c.get(f"/admin/certificates/{cert.id}").get_data(as_text=True)


def test_lists_are_scoped(world, login_as):
    qualify(world.employee)
    mine = issue(world)
    theirs = other_cert(world, world.b_person)
    ua = login_as("unit_admin")
    page = ua.get("/admin/certificates").get_data(as_text=True)
    assert mine.number in page and theirs.number not in page
    assert ua.get(f"/admin/certificates/{theirs.id}").status_code == 404
    page = login_as("auditor").get("/admin/certificates?type=ENFORCEMENT&status=valid").get_data(as_text=True)
    assert mine.number in page and theirs.number in page and 'id="action-form"' not in page
    assert login_as("auditor").get(f"/admin/certificates/{mine.id}").status_code == 200
    page = login_as("admin").get("/admin/certificates?days=abc&unit=99999999999&status=zzz&page=-1")
    assert page.status_code == 200


def test_compliance_page_and_user_pages_mark_uncertified_staff(world, login_as):
    make_user("e2", world.a2, is_enforcement=True, name="赵六")
    qualify(world.employee)
    issue(world)
    page = login_as("unit_admin").get("/admin/certificates/compliance?days=30").get_data(as_text=True)
    assert "赵六" in page and "不得从事执法" in page and "<svg" in page and "持证率（%）" in page
    assert "50%" in page and "%%" not in page
    assert "王五" not in page
    e2 = db.session.scalar(select(type(world.admin)).filter_by(username="e2"))
    assert "不得从事执法" in login_as("auditor").get(f"/admin/users/{e2.id}").get_data(as_text=True)
    assert "不得从事执法" in login_as("admin").get(f"/admin/users/{e2.id}").get_data(as_text=True)
    assert "不得从事执法" not in login_as("admin").get(f"/admin/users/{world.employee.id}").get_data(as_text=True)
    world.employee.active = False
    db.session.commit()
    page = login_as("admin").get("/admin/certificates/compliance").get_data(as_text=True)
    assert "建议注销" in page and "人员已停用" in page


def test_import_preview_then_apply(world, login_as):
    admin = login_as("admin")
    bad = xlsx([["OLD-1", "ghost", "执法", "2022-01-10", "2027-01-10", "", ""]])
    r = admin.post("/admin/certificates/import/preview", data={"file": (io.BytesIO(bad), "old.xlsx")},
                   content_type="multipart/form-data")
    assert r.status_code == 422 and "第 2 行「工号」列：工号 ghost 不存在" in r.get_data(as_text=True)
    good = xlsx([["OLD-1", "employee", "执法", "2022-01-10", "2027-01-10", "", "无线电"]])
    r = admin.post("/admin/certificates/import/preview", data={"file": (io.BytesIO(good), "old.xlsx")},
                   content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "OLD-1" in page
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    r = admin.post("/admin/certificates/import/apply", data={"token": token, "filename": "old.xlsx"})
    assert r.status_code == 302
    assert db.session.scalars(select(Certificate.number)).all() == ["OLD-1"]
    assert admin.get("/admin/certificates/import/template.xlsx").data[:2] == b"PK"
    r = admin.post("/admin/certificates/import/preview", data={}, content_type="multipart/form-data")
    assert r.status_code == 400


def test_settings_page(world, login_as):
    admin = login_as("admin")
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "证件有效期" in page and "市工业和信息化局" in page
    form = {"cert.validity_years": "x", "cert.renewal_lead_months": "6", "cert.min_hours": "40",
            "cert.hours_window_months": "12", "cert.pass_mark": "60", "cert.number_pattern": "{year}",
            "cert.authority": "市工业和信息化局", "report.class1_min": "95", "report.class2_min": "85",
            "report.class3_min": "70"}
    r = admin.post("/admin/settings", data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "「证件有效期」应填写整数" in page and "{seq}" in page
    assert db.session.scalar(select(func.count()).select_from(Setting)) == 0
    form.update({"cert.validity_years": "6", "cert.number_pattern": "{type_code}{year}{seq:05d}"})
    assert admin.post("/admin/settings", data=form).status_code == 302
    assert {s.key: s.value for s in db.session.scalars(select(Setting))} == {
        "cert.validity_years": 6, "cert.number_pattern": "{type_code}{year}{seq:05d}"}
    page = login_as("auditor").get("/admin/settings").get_data(as_text=True)
    assert "6 年" in page and 'name="cert.validity_years"' not in page


def test_menu_has_the_certificates_entry(world, login_as):
    assert "/admin/certificates" in login_as("unit_admin").get("/").get_data(as_text=True)
    assert "/admin/certificates" not in login_as("employee").get("/").get_data(as_text=True)


def test_the_people_list_marks_enforcement_staff_without_a_certificate(login_as, world):
    page = login_as("admin").get("/admin/users?q=employee").get_data(as_text=True)
    assert "张三" in page and "不得从事执法" in page          # employee is enforcement staff without one
    page = login_as("admin").get("/admin/users?q=victim").get_data(as_text=True)
    assert "李四" in page and "不得从事执法" not in page
