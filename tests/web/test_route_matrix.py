"""Every route × every role. A new route fails here until it is added to EXPECTED with who may use it."""
import pytest

from tests.conftest import World, login

PERSONAS = ("anonymous", "employee", "unit_admin", "auditor", "admin")
EVERYONE = set(PERSONAS) - {"anonymous"}
ADMINS = {"admin", "unit_admin"}
READERS = {"admin", "unit_admin", "auditor"}
PUBLIC = set(PERSONAS)
LEARNERS = {"employee", "unit_admin", "admin"}  # everyone holding the employee role in the test world

# endpoint -> {method: personas allowed}
EXPECTED = {
    "static": {"GET": PUBLIC},
    "bootstrap.static": {"GET": PUBLIC},
    "main.healthz": {"GET": PUBLIC},
    "main.set_language": {"GET": PUBLIC},
    "main.home": {"GET": EVERYONE},
    "auth.login": {"GET": PUBLIC, "POST": PUBLIC},
    "auth.logout": {"POST": EVERYONE},
    "auth.change_password": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.confirm_password": {"GET": EVERYONE, "POST": EVERYONE},
    "admin.units": {"GET": READERS},
    "admin.unit_new": {"GET": ADMINS, "POST": ADMINS},
    "admin.unit_edit": {"GET": ADMINS, "POST": ADMINS},
    "admin.unit_move": {"POST": ADMINS},
    "admin.unit_set_active": {"POST": ADMINS},
    "admin.users": {"GET": READERS},
    "admin.user_new": {"GET": ADMINS, "POST": ADMINS},
    "admin.user_edit": {"GET": READERS, "POST": ADMINS},
    "admin.user_set_active": {"POST": ADMINS},
    "admin.user_reset_password": {"POST": ADMINS},
    "admin.imports": {"GET": ADMINS},
    "admin.import_template": {"GET": ADMINS},
    "admin.import_preview": {"POST": ADMINS},
    "admin.import_apply": {"POST": ADMINS},
    "audit.events": {"GET": {"admin", "auditor"}},
    "admin.questions": {"GET": {"admin", "auditor"}},
    "admin.question_new": {"GET": {"admin"}, "POST": {"admin"}},
    "admin.question_edit": {"GET": {"admin", "auditor"}, "POST": {"admin"}},
    "admin.question_status": {"POST": {"admin"}},
    "admin.law_coverage": {"GET": {"admin", "auditor"}},
    "api.login": {"POST": PUBLIC},
    "api.openapi": {"GET": PUBLIC},
    "admin.exams_admin": {"GET": READERS},
    "admin.exam_new": {"GET": {"admin"}, "POST": {"admin"}},
    "admin.exam_edit": {"GET": {"admin", "auditor"}, "POST": {"admin"}},
    "admin.exam_rules_save": {"POST": {"admin"}},
    "admin.exam_audience_save": {"POST": {"admin"}},
    "admin.exam_publish": {"POST": {"admin"}},
    "admin.exam_monitor": {"GET": READERS},
    "admin.exam_add_time": {"POST": ADMINS},
    "admin.exam_reopen": {"POST": ADMINS},
    "admin.attempt_integrity": {"GET": READERS},
    "admin.exam_results": {"GET": {"admin", "auditor"}},
    "admin.exam_grading": {"GET": {"admin", "auditor"}, "POST": {"admin"}},
    "admin.exam_regrade": {"GET": {"admin", "auditor"}, "POST": {"admin"}},
    "admin.approvals_list": {"GET": READERS},
    "admin.approval_view": {"GET": READERS, "POST": ADMINS},
    "admin.exam_overrides": {"POST": {"admin"}},
    "api.integrity_event": {"POST": LEARNERS},
    "exams.mine": {"GET": LEARNERS},
    "exams.detail": {"GET": LEARNERS},
    "exams.start": {"POST": LEARNERS},
    "exams.take": {"GET": LEARNERS},
    "exams.result": {"GET": LEARNERS},
    "api.my_exams": {"GET": LEARNERS},
    "api.start": {"POST": LEARNERS},
    "api.attempt_status": {"GET": LEARNERS},
    "api.save": {"PUT": LEARNERS},
    "api.submit": {"POST": LEARNERS},
    "api.exam_results": {"GET": READERS},
    "admin.bank_import": {"GET": {"admin"}},
    "admin.bank_template": {"GET": {"admin"}},
    "admin.bank_import_preview": {"POST": {"admin"}},
    "admin.bank_import_apply": {"POST": {"admin"}},
    "admin.bank_export": {"GET": {"admin", "auditor"}},
    "admin.laws_admin": {"GET": {"admin", "auditor"}},
    "admin.law_preview": {"POST": {"admin"}},
    "admin.law_apply": {"POST": {"admin"}},
    "laws.index": {"GET": EVERYONE},
    "practice.home": {"GET": LEARNERS},
    "practice.chapters": {"GET": LEARNERS},
    "practice.question": {"GET": LEARNERS},
    "practice.answer": {"POST": LEARNERS},
    "practice.favourite": {"POST": LEARNERS},
    "practice.notebook": {"GET": LEARNERS},
    "practice.stats": {"GET": LEARNERS},
    "practice.mock_new": {"GET": LEARNERS, "POST": LEARNERS},
    "practice.mock": {"GET": LEARNERS, "POST": LEARNERS},
    "laws.search": {"GET": EVERYONE},
    "laws.toc": {"GET": EVERYONE},
    "laws.part": {"GET": EVERYONE},
    "laws.article": {"GET": EVERYONE},
    "audit.verify": {"GET": {"admin", "auditor"}},
    "notifications.index": {"GET": EVERYONE},
    "notifications.open_one": {"POST": EVERYONE},
    "notifications.read_all": {"POST": EVERYONE},
    "certificates.index": {"GET": READERS},
    "certificates.view": {"GET": READERS},
    "certificates.act": {"POST": {"admin"}},
    "certificates.applications": {"GET": READERS},
    "certificates.apply": {"GET": ADMINS, "POST": ADMINS},
    "certificates.application": {"GET": READERS, "POST": {"admin"}},
    "certificates.import_page": {"GET": {"admin"}},
    "certificates.import_template": {"GET": {"admin"}},
    "certificates.import_preview": {"POST": {"admin"}},
    "certificates.import_apply": {"POST": {"admin"}},
    "certificates.compliance": {"GET": READERS},
    "admin.settings": {"GET": {"admin", "auditor"}, "POST": {"admin"}},
    "plans.plans_admin": {"GET": {"admin", "auditor"}},
    "plans.plan_new": {"GET": {"admin"}, "POST": {"admin"}},
    "plans.plan_edit": {"GET": {"admin", "auditor"}, "POST": {"admin"}},
    "plans.offline_lessons": {"GET": READERS},
    "plans.attendance": {"GET": READERS, "POST": ADMINS},
    "plans.attendance_template": {"GET": ADMINS},
    "plans.attendance_preview": {"POST": ADMINS},
    "plans.attendance_apply": {"POST": ADMINS},
    "plans.progress": {"GET": READERS},
    "plans.progress_people": {"GET": READERS},
    "plans.my_hours": {"GET": LEARNERS},
    "plans.certificate": {"GET": LEARNERS},
    "verify.form": {"GET": PUBLIC},
    "verify.result": {"GET": PUBLIC},
    "admin.certificate_pdf": {"GET": READERS},
    "study.mine": {"GET": LEARNERS},
    "study.course": {"GET": LEARNERS},
    "study.lesson": {"GET": LEARNERS},
    "study.lesson_file": {"GET": LEARNERS},
    "study.session_start": {"POST": LEARNERS},
    "study.beat": {"POST": LEARNERS},
    "study.session_close": {"POST": LEARNERS},
    "study.courses_admin": {"GET": READERS},
    "study.course_new": {"GET": {"admin"}, "POST": {"admin"}},
    "study.course_edit": {"GET": READERS, "POST": {"admin"}},
    "study.course_status": {"POST": {"admin"}},
    "study.lesson_new": {"GET": {"admin"}, "POST": {"admin"}},
    "study.lesson_edit": {"GET": READERS, "POST": {"admin"}},
    "study.flags": {"GET": READERS},
    "evidence.answer_sheet": {"GET": READERS},
    "evidence.index": {"GET": READERS},
    "evidence.download": {"GET": READERS},
    "evidence.verify": {"GET": READERS, "POST": READERS},     # the upload check changes nothing: auditors too
    "reports.rates_page": {"GET": READERS},
    "reports.rates_export": {"GET": READERS},
    "reports.rate_people_page": {"GET": READERS},
    "reports.remediation_page": {"GET": READERS},
    "reports.remediation_export": {"GET": READERS},
    "reports.exemptions_list": {"GET": READERS},
    "reports.exemption_new": {"GET": ADMINS, "POST": ADMINS},
    "reports.exemption_attachment": {"GET": READERS},
    "reports.snapshot_list": {"GET": READERS},
    "reports.snapshot_close": {"POST": {"admin"}},
    "api.rates_report": {"GET": READERS},
    "summary.annual": {"GET": READERS},
    "summary.annual_docx": {"GET": READERS},
}


def first_part(law) -> int:
    from sqlalchemy import select

    from examapp.extensions import db
    from examapp.models import LawPart
    return db.session.scalar(select(LawPart.id).where(LawPart.version_id == law.current_version_id)
                             .order_by(LawPart.ordinal))


def sample_args(rule, world: World, small_law) -> dict:
    values = {"unit_id": world.a2.id, "user_id": world.victim.id, "kind": "people", "fmt": "xlsx", "code": "en",
              "flag": 1, "filename": "css/app.css", "part_id": first_part(small_law), "number": 2,
              "question_id": 1, "mock_id": 1, "action": "retire",
              "exam_id": 1, "attempt_id": 1, "notification_id": 1, "approval_id": 1, "certificate_id": 1, "application_id": 1, "plan_id": 1, "lesson_id": 1,
              "year": 2026, "course_id": 1, "token": "no-such-token", "exemption_id": 1}
    if rule.endpoint == "admin.bank_template":
        values["fmt"] = "xlsx"
    if rule.endpoint.startswith(("laws.", "practice.")) or rule.endpoint == "admin.law_coverage":
        values["code"] = "test_law"
    if rule.endpoint == "bootstrap.static":
        values["filename"] = "css/bootstrap.min.css"
    return {arg: values[arg] for arg in rule.arguments}


def cases(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_matrix(app):
    routes = {(rule.endpoint, m) for rule, m in cases(app)}
    expected = {(ep, m) for ep, methods in EXPECTED.items() for m in methods}
    assert routes == expected, f"undeclared: {routes - expected}; stale: {expected - routes}"


def test_every_view_declares_access(app):
    from examapp.security import access_for
    with app.test_request_context():
        missing = [ep for ep in app.view_functions if access_for(ep) is None]
    assert missing == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_route_matrix(app, world, small_law, persona):
    """S2: each persona gets every route it may use and a 403 (or the login page) for every other one."""
    user = {"employee": world.employee, "unit_admin": world.unit_admin, "auditor": world.auditor,
            "admin": world.admin}.get(persona)
    failures = []
    for rule, method in cases(app):
        client = app.test_client()
        if user is not None:
            assert login(client, user.username).status_code == 302
        url = app.url_map.bind("localhost").build(rule.endpoint, sample_args(rule, world, small_law))
        response = client.open(url, method=method, data={})
        allowed = persona in EXPECTED[rule.endpoint][method]
        status = response.status_code
        to_login = (status == 302 and response.headers["Location"].startswith("/login")) or \
            (status == 401 and url.startswith("/api/"))
        if status >= 500:
            failures.append(f"{method} {url}: {status}")
        elif allowed and (status in (401, 403) or (to_login and rule.endpoint != "auth.logout")):
            failures.append(f"{method} {url}: allowed for {persona} but got {status}")
        elif not allowed:
            expected = "login redirect" if persona == "anonymous" else "403"
            ok = to_login if persona == "anonymous" else status == 403
            if not ok:
                failures.append(f"{method} {url}: {persona} should get {expected}, got {status}")
    assert failures == []
