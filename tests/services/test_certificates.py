"""The certificate workflow: application, approval with numbering, every lifecycle step, four-eyes
revocation, compliance figures and the import."""
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from examapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from examapp.extensions import db
from examapp.models import (
    Attempt,
    AuditEvent,
    Certificate,
    CertificateEvent,
    Exam,
    ExamPaper,
    NumberSequence,
    StudyRecord,
)
from examapp.services import approvals, certificate_import, settings
from examapp.services import certificates as svc
from tests.conftest import NOW, make_user

TODAY = date(2026, 3, 15)          # NOW in the bureau's time zone


def give_hours(user, hours: float, at: datetime = NOW - timedelta(days=30)):
    db.session.add(StudyRecord(user_id=user.id, year=at.year, kind="offline", minutes=hours * 60, source="attendance",
                               recorded_at=at))
    db.session.commit()


def give_score(user, kind: str, score: float, *, total: float = 100, pending: bool = False, at: datetime = NOW):
    exam = Exam(title=f"资格考试 {kind}", kind=kind, year=at.year, status="closed", opens_at=at - timedelta(days=1),
                closes_at=at, total_points=total)
    db.session.add(exam)
    db.session.flush()
    paper = ExamPaper(exam_id=exam.id, version=1, mode="fixed", fixed=[])
    db.session.add(paper)
    db.session.flush()
    db.session.add(Attempt(exam_id=exam.id, user_id=user.id, paper_id=paper.id, number=1, status="submitted",
                           started_at=at - timedelta(hours=1), deadline=at, submitted_at=at - timedelta(minutes=5),
                           slots=[], score=score, passed=score >= 60, pending_manual=pending))
    db.session.commit()


def qualify(user, *, hours=40, major=75, public=80):
    if hours:
        give_hours(user, hours)
    if major is not None:
        give_score(user, "qualification_major", major)
    if public is not None:
        give_score(user, "qualification_public", public)


def issue(world, user=None, cert_type="ENFORCEMENT", now=NOW):
    user = user or world.employee
    application = svc.apply(world.unit_admin, user.username, cert_type, "无线电管理", now=now)
    application = svc.decide(world.admin, application.id, True, "", now=now)
    return db.session.get(Certificate, application.certificate_id)


@pytest.fixture
def eligible(world):
    qualify(world.employee)
    return world.employee


# -- workflow -------------------------------------------------------------------------------------

def test_apply_approve_issue_end_to_end(world, eligible):
    application = svc.apply(world.unit_admin, "employee", "ENFORCEMENT", "无线电管理", now=NOW)
    assert application.status == "pending"
    assert application.evidence["hours"] == 40
    assert [a["kind"] for a in application.evidence["attempts"]] == ["qualification_major", "qualification_public"]
    assert application.evidence["attempts"][0]["score"] == 75
    application = svc.decide(world.admin, application.id, True, "同意", now=NOW)
    cert = db.session.get(Certificate, application.certificate_id)
    assert application.status == "approved"
    assert cert.number == "ZF-A1-2026-00001"
    assert (cert.issued_on, cert.expires_on, cert.status) == (TODAY, date(2031, 3, 15), "valid")
    assert cert.authority == "市工业和信息化局" and cert.area == "无线电管理"
    assert cert.evidence["hours"] == 40
    assert [e.kind for e in svc.events(cert.id)] == ["issue"]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"certificate.apply", "certificate.issue", "certificate.application_approved"} <= actions


def test_refusal_names_every_unmet_condition(world):
    give_hours(world.employee, 39.9)
    give_score(world.employee, "qualification_major", 59.5)
    with pytest.raises(svc.Ineligible) as e:
        svc.apply(world.unit_admin, "employee", "ENFORCEMENT", "", now=NOW)
    message = e.value.message
    assert "培训学时 39.9 小时，不足 40 小时" in message
    assert "资格考试（专业）最好成绩 59.5 分，未达到 60 分" in message
    assert "没有资格考试（公共）的成绩" in message
    assert e.value.evidence["hours"] == 39.9
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_hours_outside_the_window_and_ungraded_attempts_do_not_count(world):
    give_hours(world.employee, 30)
    give_hours(world.employee, 20, at=NOW - timedelta(days=400))
    give_score(world.employee, "qualification_major", 90)
    give_score(world.employee, "qualification_public", 95, pending=True)
    give_score(world.employee, "qualification_public", 40, total=50)      # scored on 100: 80
    unmet, evidence = svc.check_person(world.admin, world.employee.id, "ENFORCEMENT", NOW)
    assert [u.code for u in unmet] == ["hours"]
    assert evidence["hours"] == 30
    assert [a["percent"] for a in evidence["attempts"]] == [90, 80]


def test_supervision_needs_the_supervision_post(world, eligible):
    with pytest.raises(svc.Ineligible) as e:
        svc.apply(world.admin, "employee", "SUPERVISION", "", now=NOW)
    assert [u.code for u in e.value.unmet] == ["post"]


def test_off_post_person_is_refused(world, eligible):
    world.employee.on_post = False
    db.session.commit()
    with pytest.raises(svc.Ineligible) as e:
        svc.apply(world.admin, "employee", "ENFORCEMENT", "", now=NOW)
    assert "不是在编在岗人员" in e.value.message


def test_unit_admin_cannot_apply_outside_the_subtree_and_employees_not_at_all(world):
    qualify(world.b_person)
    world.b_person.is_enforcement = True
    db.session.commit()
    with pytest.raises(NotFound):
        svc.apply(world.unit_admin, "bperson", "ENFORCEMENT", "", now=NOW)
    with pytest.raises(PermissionDenied):
        svc.apply(world.employee, "employee", "ENFORCEMENT", "", now=NOW)
    with pytest.raises(ValidationError):
        svc.apply(world.admin, "bperson", "DRIVING", "", now=NOW)
    assert svc.apply(world.admin, "bperson", "ENFORCEMENT", "", now=NOW).status == "pending"


def test_one_pending_application_and_no_second_valid_certificate(world, eligible):
    application = svc.apply(world.unit_admin, "employee", "ENFORCEMENT", "", now=NOW)
    with pytest.raises(Conflict):
        svc.apply(world.unit_admin, "employee", "ENFORCEMENT", "", now=NOW)
    svc.decide(world.admin, application.id, True, "", now=NOW)
    with pytest.raises(Conflict) as e:
        svc.apply(world.unit_admin, "employee", "ENFORCEMENT", "", now=NOW)
    assert "已持有有效的行政执法证" in e.value.message


def test_decide_rechecks_needs_admin_and_a_refusal_needs_a_note(world, eligible):
    application = svc.apply(world.unit_admin, "employee", "ENFORCEMENT", "", now=NOW)
    with pytest.raises(PermissionDenied):
        svc.decide(world.unit_admin, application.id, True, "", now=NOW)
    world.employee.is_enforcement = False
    db.session.commit()
    with pytest.raises(svc.Ineligible) as e:
        svc.decide(world.admin, application.id, True, "", now=NOW)
    assert "不在执法岗位" in e.value.message
    db.session.rollback()
    with pytest.raises(ValidationError):
        svc.decide(world.admin, application.id, False, " ", now=NOW)
    refused = svc.decide(world.admin, application.id, False, "岗位已调整", now=NOW)
    assert refused.status == "refused" and refused.certificate_id is None
    with pytest.raises(Conflict):
        svc.decide(world.admin, application.id, True, "", now=NOW)


def test_numbers_are_sequential_per_key_and_skip_taken_ones(world):
    for username in ("n1", "n2", "n3"):
        qualify(make_user(username, world.a1, is_enforcement=True))
    qualify(make_user("n4", world.a2, is_enforcement=True))
    db.session.add(Certificate(type="ENFORCEMENT", number="ZF-A1-2026-00002", holder_id=world.victim.id,
                               unit_id=world.a2.id, issued_on=TODAY, expires_on=date(2030, 1, 1), status="cancelled",
                               evidence={}, created_at=NOW))
    db.session.commit()
    numbers = [issue(world, db.session.scalar(select(type(world.admin)).filter_by(username=u))).number
               for u in ("n1", "n2", "n4", "n3")]
    assert numbers == ["ZF-A1-2026-00001", "ZF-A1-2026-00003", "ZF-A2-2026-00001", "ZF-A1-2026-00004"]
    assert db.session.get(NumberSequence, "type_code=ZF|unit=A1|year=2026").value == 4


def test_number_pattern_setting(world, eligible):
    settings.set(world.admin, "cert.number_pattern", "湘{year}{type_code}{seq:04d}", now=NOW)
    assert issue(world).number == "湘2026ZF0001"


# -- lifecycle ------------------------------------------------------------------------------------

@pytest.fixture
def cert(world, eligible):
    return issue(world)


def status(cert_id):
    db.session.expire_all()
    return db.session.get(Certificate, cert_id).status


def test_review_records_the_date_and_checks_post_sanction_and_hours(world, cert):
    later = NOW + timedelta(days=200)
    give_hours(world.employee, 40, at=later - timedelta(days=1))
    outcome = svc.transition(world.admin, cert.id, "review", "年度审验", now=later, sanctioned=False)
    assert outcome.certificate.status == "valid" and outcome.certificate.last_review_on == date(2026, 10, 1)
    with pytest.raises(svc.Ineligible) as e:
        svc.transition(world.admin, cert.id, "review", "年度审验", now=later, sanctioned=True)
    assert "处分" in e.value.message
    db.session.rollback()
    with pytest.raises(svc.Ineligible) as e:
        svc.transition(world.admin, cert.id, "review", "年度审验", now=NOW + timedelta(days=800))
    assert "培训学时 0 小时" in e.value.message


def test_suspend_reinstate_recall_cancel(world, cert):
    svc.transition(world.admin, cert.id, "suspend", "涉嫌违规，暂扣调查", now=NOW)
    assert status(cert.id) == "suspended"
    with pytest.raises(Conflict) as e:
        svc.transition(world.admin, cert.id, "suspend", "再次暂扣", now=NOW)
    assert "证件当前状态为「暂扣」，不能暂扣" == e.value.message
    svc.transition(world.admin, cert.id, "reinstate", "调查结束", now=NOW)
    assert status(cert.id) == "valid"
    svc.transition(world.admin, cert.id, "recall", "调离执法岗位", now=NOW)
    assert status(cert.id) == "recalled"
    svc.transition(world.admin, cert.id, "cancel", "退休", now=NOW)
    assert status(cert.id) == "cancelled"
    for kind in ("review", "renew", "suspend", "reinstate", "recall", "cancel", "lose", "reissue"):
        with pytest.raises(Conflict) as e:
            svc.transition(world.admin, cert.id, kind, "再办", now=NOW)
        assert "「已注销」" in e.value.message
    kinds = [e.kind for e in svc.events(cert.id)]
    assert kinds == ["issue", "suspend", "reinstate", "recall", "cancel"]
    event = svc.events(cert.id)[1]
    assert (event.reason, event.actor, event.on, event.data["old_status"]) == ("涉嫌违规，暂扣调查", "admin", TODAY, "valid")


def test_reason_required_admin_only_and_unknown_kinds(world, cert):
    with pytest.raises(ValidationError) as e:
        svc.transition(world.admin, cert.id, "suspend", "  ", now=NOW)
    assert e.value.field == "reason"
    with pytest.raises(PermissionDenied):
        svc.transition(world.unit_admin, cert.id, "suspend", "原因", now=NOW)
    for kind in ("expire", "issue", "fly", "revoke"):
        with pytest.raises(ValidationError):
            svc.transition(world.admin, cert.id, kind, "原因", now=NOW)
    assert status(cert.id) == "valid"


def test_renew_issues_a_new_certificate_and_replaces_the_old(world, cert):
    later = datetime(2030, 12, 1, 2)
    give_hours(world.employee, 40, at=later - timedelta(days=10))
    outcome = svc.transition(world.admin, cert.id, "renew", "到期换证", now=later)
    assert status(cert.id) == "replaced"
    new = outcome.new
    assert new.number == "ZF-A1-2030-00001" and new.issued_on == date(2030, 12, 1) and new.expires_on == date(2035, 12, 1)
    assert new.evidence["renews"] == cert.number
    with pytest.raises(Conflict):
        svc.transition(world.admin, cert.id, "renew", "再换", now=later)


def test_renew_of_an_expired_certificate_and_refused_without_hours(world, cert):
    later = datetime(2031, 6, 1, 2)
    assert svc.expire("system", cert.id, now=later).certificate.status == "expired"
    assert svc.expire("system", cert.id, now=later) is None                       # idempotent
    with pytest.raises(svc.Ineligible):
        svc.transition(world.admin, cert.id, "renew", "换证", now=later)
    db.session.rollback()
    give_hours(world.employee, 41, at=later - timedelta(days=1))
    assert svc.transition(world.admin, cert.id, "renew", "换证", now=later).new.status == "valid"


def test_expire_only_after_the_date(world, cert):
    assert svc.expire("system", cert.id, now=datetime(2031, 3, 15, 2)) is None      # the last valid day
    assert status(cert.id) == "valid"
    assert svc.expire("system", cert.id, now=datetime(2031, 3, 16, 2)) is not None
    assert [e.actor for e in svc.events(cert.id)][-1] == "system"


def test_lose_then_reissue_once_with_a_new_number(world, cert):
    svc.transition(world.admin, cert.id, "lose", "遗失", now=NOW)
    assert status(cert.id) == "lost"
    outcome = svc.transition(world.admin, cert.id, "reissue", "补发", now=NOW + timedelta(days=3))
    assert status(cert.id) == "lost"
    assert outcome.new.number == "ZF-A1-2026-00002" and outcome.new.expires_on == cert.expires_on
    with pytest.raises(Conflict) as e:
        svc.transition(world.admin, cert.id, "reissue", "再补", now=NOW)
    assert "不能再次补发" in e.value.message
    with pytest.raises(Conflict):
        svc.transition(world.admin, outcome.new.id, "reissue", "补发", now=NOW)


def test_revocation_needs_a_second_admin(world, cert, graders):
    approval = svc.request_revoke(world.admin, cert.id, "严重违法", now=NOW)
    assert status(cert.id) == "valid"
    with pytest.raises(Conflict):
        svc.request_revoke(world.admin, cert.id, "再次申请", now=NOW)
    with pytest.raises(PermissionDenied):
        approvals.decide(world.admin, approval.id, approve=True, now=NOW)
    approvals.decide(graders[1], approval.id, approve=True, note="同意", now=NOW)
    assert status(cert.id) == "revoked"
    event = svc.events(cert.id)[-1]
    assert (event.kind, event.actor, event.reason, event.data["requested_by"]) == ("revoke", "admin2", "严重违法",
                                                                                    world.admin.id)
    with pytest.raises(Conflict) as e:
        svc.request_revoke(world.admin, cert.id, "又一次", now=NOW)
    assert "「已吊销」" in e.value.message


def test_revocation_refused_if_the_status_changed_meanwhile(world, cert, graders):
    approval = svc.request_revoke(world.admin, cert.id, "违法", now=NOW)
    svc.transition(world.admin, cert.id, "cancel", "退休", now=NOW)
    with pytest.raises(Conflict):
        approvals.decide(graders[1], approval.id, approve=True, now=NOW)
    db.session.rollback()
    assert status(cert.id) == "cancelled"


# -- compliance -----------------------------------------------------------------------------------

def test_compliance_figures(world, cert):
    # enforcement staff: employee (A1, certified), e2 (A2, none), e3 (A2, suspended), e4 (B, expired),
    # e5 inactive (not counted); victim is not enforcement staff
    e2 = make_user("e2", world.a2, is_enforcement=True, name="赵六")
    e3 = make_user("e3", world.a2, is_enforcement=True)
    e4 = make_user("e4", world.b, is_enforcement=True)
    make_user("e5", world.b, is_enforcement=True, active=False)
    for user, state, expires in ((e3, "suspended", date(2030, 1, 1)), (e4, "valid", date(2026, 3, 14))):
        db.session.add(Certificate(type="ENFORCEMENT", number=f"X-{user.username}", holder_id=user.id,
                                   unit_id=user.unit_id, issued_on=date(2021, 1, 1), expires_on=expires, status=state,
                                   evidence={}, created_at=NOW))
    db.session.commit()
    root, rates, total = svc.certificate_rates(world.admin, TODAY)
    assert root.code == "R"
    assert {r.unit.code: (r.staff, r.certified) for r in rates} == {"A": (3, 1), "B": (1, 0)}
    assert (total.staff, total.certified) == (4, 1)
    uncertified = [u.username for u in db.session.scalars(svc.uncertified(world.admin, TODAY))]
    assert sorted(uncertified) == ["e2", "e3", "e4"]
    assert [u.username for u in db.session.scalars(svc.uncertified(world.unit_admin, TODAY))] == ["e2", "e3"]
    root, rates, total = svc.certificate_rates(world.unit_admin, TODAY)
    assert root.code == "A" and {r.unit.code: r.staff for r in rates} == {"A1": 1, "A2": 2}
    assert svc.lacks_certificate(e2, TODAY) and not svc.lacks_certificate(world.employee, TODAY)
    expiring = list(db.session.scalars(svc.expiring_soon(world.admin, date(2030, 12, 1), 120)))
    assert [c.number for c in expiring] == [cert.number]


def test_cancellation_is_proposed_when_the_post_is_lost_or_the_person_deactivated(world, cert):
    assert list(db.session.scalars(svc.proposed_cancellations(world.admin))) == []
    world.employee.is_enforcement = False
    db.session.commit()
    assert [c.id for c in db.session.scalars(svc.proposed_cancellations(world.admin))] == [cert.id]
    assert [c.id for c in db.session.scalars(svc.proposed_cancellations(world.unit_admin))] == [cert.id]
    assert status(cert.id) == "valid"                # proposed, not done
    svc.transition(world.admin, cert.id, "cancel", "已调离执法岗位", now=NOW)
    assert list(db.session.scalars(svc.proposed_cancellations(world.admin))) == []


def test_scoped_reads(world, cert):
    assert svc.get(world.unit_admin, cert.id) == cert
    with pytest.raises(NotFound):
        svc.get(world.employee, cert.id)
    b_admin = make_user("badmin", world.b, "unit_admin")
    with pytest.raises(NotFound):
        svc.get(b_admin, cert.id)
    assert db.session.scalars(svc.listing(b_admin, svc.CertFilter(), TODAY)).all() == []
    assert [c.id for c in db.session.scalars(svc.listing(world.a_auditor, svc.CertFilter(status="valid"), TODAY))] == [cert.id]
    assert db.session.scalars(svc.listing(world.admin, svc.CertFilter(status="expiring"), TODAY)).all() == []


# -- settings -------------------------------------------------------------------------------------

def test_settings_defaults_validation_and_audit(world):
    assert settings.get("cert.validity_years") == 5 and settings.get("cert.pass_mark") == 60
    with pytest.raises(PermissionDenied):
        settings.set(world.auditor, "cert.validity_years", "3", now=NOW)
    for key, value, words in (("cert.validity_years", "abc", "应填写整数"), ("cert.validity_years", "0", "1 到 20"),
                              ("cert.number_pattern", "{year}", "{seq}"), ("cert.authority", "", "不能为空"),
                              ("cert.nothing", "1", "未知的设置项")):
        with pytest.raises(ValidationError) as e:
            settings.set(world.admin, key, value, now=NOW)
        assert words in e.value.message
    settings.set(world.admin, "cert.validity_years", "3", now=NOW)
    assert settings.get("cert.validity_years") == 3
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "setting.update")).one()
    assert '"new":3' in event.data_json and '"old":5' in event.data_json


def test_validity_setting_applies_to_new_certificates(world, eligible):
    settings.set(world.admin, "cert.validity_years", "3", now=NOW)
    assert issue(world).expires_on == date(2029, 3, 15)


# -- import ---------------------------------------------------------------------------------------

HEADER = ["证号", "工号", "类型", "发证日期", "有效期至", "状态", "执法区域"]


def xlsx(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_all_or_nothing_with_errors_naming_row_and_column(world, cert):
    data = xlsx([
        ["OLD-1", "employee", "执法", "2022-01-10", "2027-01-10", "", "无线电"],
        ["OLD-1", "victim", "监督", "2022-01-10", "2027-01-10", "", ""],
        [cert.number, "victim", "执法", "2022-01-10", "2027-01-10", "", ""],
        ["OLD-4", "ghost", "执法", "2022-01-10", "2027-01-10", "", ""],
        ["OLD-5", "victim", "执法", "2022-13-10", "2027-01-10", "", ""],
        ["OLD-6", "victim", "执法", "2022-01-10", "2021-01-10", "", ""],
        ["OLD-7", "victim", "驾驶", "2022-01-10", "2027-01-10", "作废", ""],
    ])
    result = certificate_import.apply(world.admin, "old.xlsx", data, now=NOW)
    assert not result.ok
    messages = result.messages()
    assert "old.xlsx 第 3 行「证号」列：证号 OLD-1 与第 2 行重复" in messages
    assert f"old.xlsx 第 4 行「证号」列：证号 {cert.number} 已存在" in messages
    assert "old.xlsx 第 5 行「工号」列：工号 ghost 不存在" in messages
    assert any(m.startswith("old.xlsx 第 6 行「发证日期」列") for m in messages)
    assert "old.xlsx 第 7 行「有效期至」列：有效期至早于发证日期" in messages
    assert any(m.startswith("old.xlsx 第 8 行「类型」列") for m in messages)
    assert any(m.startswith("old.xlsx 第 8 行「状态」列") for m in messages)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_import_stores_every_row_with_an_event_and_audit(world):
    data = xlsx([
        ["OLD-1", "employee", "执法", datetime(2022, 1, 10), "2027/1/10", "", "无线电"],
        ["OLD-2", "victim", "监督", "2019年5月1日", "2024-05-01", "", ""],
        ["OLD-3", "bperson", "行政执法证", "2022-01-10", "2027-01-10", "暂扣", ""],
    ])
    preview = certificate_import.plan(world.admin, "old.xlsx", data)
    assert preview.ok and len(preview.rows) == 3
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    result = certificate_import.apply(world.admin, "old.xlsx", data, now=NOW)
    assert result.ok and result.imported == 3
    certs = {c.number: c for c in db.session.scalars(select(Certificate))}
    assert (certs["OLD-1"].status, certs["OLD-1"].issued_on, certs["OLD-1"].area) == ("valid", date(2022, 1, 10), "无线电")
    assert certs["OLD-2"].status == "expired" and certs["OLD-2"].type == "SUPERVISION"
    assert certs["OLD-3"].status == "suspended"
    assert db.session.scalar(select(func.count()).select_from(CertificateEvent).where(CertificateEvent.kind == "import")) == 3
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "certificate.import")) == 3
    again = certificate_import.apply(world.admin, "old.xlsx", data, now=NOW)
    assert not again.ok and "已存在" in again.messages()[0]


def test_import_bad_files_and_permissions(world):
    assert "表头有误" in certificate_import.plan(world.admin, "x.xlsx", xlsx([["1"]], header=["编号?"])).file_error
    assert certificate_import.plan(world.admin, "x.xlsx", b"not a zip").file_error
    with pytest.raises(PermissionDenied):
        certificate_import.plan(world.unit_admin, "x.xlsx", xlsx([]))


def test_the_lists_find_expiring_and_expired_certificates_by_their_dates(world, cert):
    """A certificate inside the renewal lead is expiring; one past its date is expired even before the
    nightly job switched it, in the pages' list and in the command line's list alike."""
    from examapp.services import certificate_views
    cert.expires_on = TODAY + timedelta(days=30)
    db.session.commit()
    listed = lambda status: [c.id for c in db.session.scalars(  # noqa: E731
        svc.listing(world.admin, svc.CertFilter(status=status), TODAY))]
    assert listed("expiring") == [cert.id] and listed("expired") == []
    cert.expires_on = TODAY - timedelta(days=1)
    db.session.commit()
    assert listed("expired") == [cert.id] and listed("valid") == [] and listed("expiring") == []
    rows = certificate_views.list_rows(status="expired", now=NOW)
    assert [r["number"] for r in rows] == [cert.number] and rows[0]["status"] == "expired"
    assert certificate_views.list_rows(status="valid", now=NOW) == []
    assert svc.lacks_certificate(world.employee, TODAY)           # an expired one does not count
