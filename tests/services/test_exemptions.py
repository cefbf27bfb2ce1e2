"""免考: a unit admin asks with a reason and a document, a second person (an admin) approves; only then
does the person leave the year's expected people, visibly and audited."""
import io

import pytest

from examapp.errors import Conflict, PermissionDenied, ValidationError
from examapp.extensions import db
from examapp.models import AuditEvent, Exemption, User
from examapp.services import approvals, exemptions, rate_people, rates
from examapp.services.uploads import Upload
from tests.conftest import NOW, make_user

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _ask(actor, username="victim", year=2026, kind="maternity", upload=None):
    return exemptions.request(actor, exemptions.ExemptionInput(username, year, kind, "产假至 2026 年 9 月"),
                              upload, now=NOW)


def _expected(world):
    return rates.build(world.admin, 2026, unit_code="A", now=NOW).total


def test_a_unit_admins_request_counts_only_after_another_admin_approves(world):
    before = _expected(world)
    exemption = _ask(world.unit_admin, upload=Upload("证明.pdf", io.BytesIO(PDF)))
    assert exemption.status == "pending" and exemption.attachment_name == "证明.pdf"
    assert _expected(world).expected == before.expected             # pending: still expected
    with pytest.raises(PermissionDenied):                             # a unit admin cannot approve
        approvals.decide(world.unit_admin, exemption.approval_id, approve=True, now=NOW)
    db.session.rollback()
    approvals.decide(world.admin, exemption.approval_id, approve=True, note="材料齐全", now=NOW)
    exemption = db.session.get(Exemption, exemption.id)
    assert exemption.status == "approved" and exemption.decided_by == world.admin.id
    after = _expected(world)
    assert (after.expected, after.exempt) == (before.expected - 1, before.exempt + 1)
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"approval.request", "approval.approved"} <= actions
    _u, _f, _p, rows = rate_people.people(world.auditor, 2026, world.a.id, "exempt", now=NOW)
    assert [(r.user.username, r.reasons) for r in rows] == [("victim", ["免考：产假（管理员 批准）"])]


def test_an_admin_cannot_approve_their_own_request(world):
    exemption = _ask(world.admin)
    with pytest.raises(PermissionDenied):
        approvals.decide(world.admin, exemption.approval_id, approve=True, now=NOW)


def test_rejected_and_withdrawn_requests_free_the_year_for_a_new_one(world):
    admin2 = make_user("admin2", world.root, "admin", name="副管理员")
    first = _ask(world.unit_admin)
    approvals.decide(admin2, first.approval_id, approve=False, note="材料不全", now=NOW)
    assert db.session.get(Exemption, first.id).status == "rejected"
    second = _ask(world.unit_admin)
    with pytest.raises(Conflict):
        _ask(world.unit_admin)                     # one open request per person and year
    db.session.rollback()
    approvals.withdraw(world.unit_admin, second.approval_id, now=NOW)
    assert db.session.get(Exemption, second.id).status == "withdrawn"
    assert _ask(world.unit_admin).status == "pending"


def test_requests_are_limited_to_the_requesters_subtree_and_checked(world):
    with pytest.raises(ValidationError) as e:
        _ask(world.unit_admin, username="bperson")   # B is outside unit A
    assert e.value.field == "username"
    with pytest.raises(ValidationError) as e:
        _ask(world.unit_admin, kind="holiday")
    assert e.value.field == "reason_kind"
    with pytest.raises(PermissionDenied):
        _ask(world.employee)


def test_the_attachment_is_checked_by_its_content_and_nothing_is_left_behind(world):
    folder = exemptions.attachment_folder()
    with pytest.raises(ValidationError) as e:
        _ask(world.unit_admin, upload=Upload("证明.pdf", io.BytesIO(b"<html><script>x</script></html>")))
    assert "PDF" in e.value.message
    assert list(folder.iterdir()) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Exemption)) == 0


def test_a_unit_admin_sees_their_requests_and_an_auditor_of_another_subtree_does_not(world):
    exemption = _ask(world.unit_admin)
    assert approvals.get(world.unit_admin, exemption.approval_id).id == exemption.approval_id
    b_auditor = make_user("bauditor", world.b, "auditor", name="乙审计员")
    with pytest.raises(Exception):          # noqa: B017 - NotFound: another subtree's request
        approvals.get(b_auditor, exemption.approval_id)
    rows = db.session.execute(exemptions.listing(b_auditor, 2026)).all()
    assert rows == []
    assert [r.User.username for r in db.session.execute(exemptions.listing(world.a_auditor, 2026))] == ["victim"]
    assert approvals.pending_count(world.admin) == 1 and approvals.pending_count(world.unit_admin) == 0


def test_an_exempt_person_gets_no_exam_reminders_and_leaves_the_study_progress(world, small_law):
    from datetime import datetime

    from examapp.models import StudyPlan
    from examapp.services import reminders, study_plans
    from tests.conftest import make_exam
    exam = make_exam([["test_law", "judge", 1, 1, 100]])
    db.session.add(StudyPlan(year=2026, title="全员", required_hours=10, compulsory_hours=0,
                             deadline=datetime(2026, 12, 1), audience=[], created_at=NOW))
    db.session.commit()

    def progress_people():
        sub = study_plans.progress_subquery(None, 2026, study_plans.plans_of_year(2026))
        return set(db.session.scalars(db.select(User.username).join(sub, sub.c.uid == User.id)))

    before = {u for u in db.session.scalars(db.select(User.username).where(User.id.in_(reminders._recipients(exam, "k"))))}
    assert "victim" in before and "victim" in progress_people()
    exemption = _ask(world.unit_admin)
    approvals.decide(world.admin, exemption.approval_id, approve=True, now=NOW)
    after = {u for u in db.session.scalars(db.select(User.username).where(User.id.in_(reminders._recipients(exam, "k"))))}
    assert after == before - {"victim"}
    assert "victim" not in progress_people()


def test_an_annual_exams_results_list_the_exempt_apart_from_the_absent(world, small_law):
    from examapp.services import exam_results
    from tests.conftest import make_exam
    exam = make_exam([["test_law", "judge", 1, 1, 100]])
    before = exam_results.results(exam)
    exemption = _ask(world.unit_admin)
    approvals.decide(world.admin, exemption.approval_id, approve=True, now=NOW)
    after = exam_results.results(exam)
    assert after.expected == before.expected - 1
    assert [p.user.username for p in after.exempt] == ["victim"]
    assert "victim" not in {p.user.username for p in after.absent}
