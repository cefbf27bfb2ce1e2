"""The annual summary (年度学法考法工作情况) on a hand-built bureau where every figure of 2026 and 2025 is known.

The world (tests/conftest.py): R (admin), A (unitadmin) with A1 (employee) and A2 (victim), B (bperson);
the learners are admin, unitadmin, employee, victim and bperson. Now is 2026-03-15.
"""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from examapp.errors import NotFound, ValidationError
from examapp.extensions import db
from examapp.models import (
    Attempt,
    AuditEvent,
    CertificateEvent,
    Course,
    Exam,
    ExamPaper,
    Exemption,
    Lesson,
    StudyRecord,
)
from examapp.services import annual_summary as service
from tests.certificate_factory import make_certificate
from tests.conftest import NOW


def course(year: int, status: str, *lessons: tuple[str, str | None]) -> list[Lesson]:
    """A course of the year with lessons given as (kind, offline kind)."""
    c = Course(title=f"课程{year}{status}", year=year, status=status, category="required")
    c.lessons = [Lesson(ordinal=i, kind=kind, title=f"课时{i}", credit_minutes=120, offline_kind=offline,
                        starts_at=datetime(year, 3, 1) if offline else None)
                 for i, (kind, offline) in enumerate(lessons)]
    db.session.add(c)
    db.session.flush()
    return c.lessons


def record(user, lesson: Lesson | None, minutes: float, *, year: int, kind: str | None = None) -> None:
    kind = kind or ("offline" if lesson is not None and lesson.kind == "offline" else "online")
    db.session.add(StudyRecord(user_id=user.id, lesson_id=lesson.id if lesson else None,
                               course_id=lesson.course_id if lesson else None, year=year, kind=kind,
                               minutes=minutes, source="attendance" if kind == "offline" else "heartbeat",
                               recorded_at=datetime(year, 3, 2)))


def exam(kind: str, year: int, status: str, *scores: tuple[object, float]) -> Exam:
    """An exam with one submitted attempt per (person, score)."""
    opens = datetime(year, 3, 1)
    e = Exam(title=f"{kind}{year}", kind=kind, year=year, status=status, opens_at=opens,
             closes_at=opens + timedelta(days=7))
    db.session.add(e)
    db.session.flush()
    paper = ExamPaper(exam_id=e.id, version=1, mode="fixed", fixed=[])
    db.session.add(paper)
    db.session.flush()
    for user, score in scores:
        db.session.add(Attempt(exam_id=e.id, user_id=user.id, paper_id=paper.id, number=1, status="submitted",
                               started_at=opens, deadline=opens + timedelta(hours=1),
                               submitted_at=opens + timedelta(minutes=30), slots=[], score=score,
                               passed=score >= 60, pending_manual=False))
    return e


def events(cert, *dated: tuple[str, date]) -> None:
    for kind, on in dated:
        db.session.add(CertificateEvent(certificate_id=cert.id, kind=kind, on=on, actor="admin",
                                        at=datetime.combine(on, datetime.min.time()) + timedelta(hours=2)))


def build_bureau(w):
    """The records behind BUREAU and A_SUBTREE below (shared with the page tests)."""
    emp, victim, bp, admin, ua = w.employee, w.victim, w.b_person, w.admin, w.unit_admin
    bp.is_enforcement = True

    # -- 2026: C1 published (online L1, lecture L2, oath L3), C2 draft (group study L4), C3 published but
    #    nobody credited (lecture L5)
    l1, l2, l3 = course(2026, "published", ("document", None), ("offline", "lecture"), ("offline", "oath"))
    (l4,) = course(2026, "draft", ("offline", "group_study"))
    course(2026, "published", ("offline", "lecture"))
    record(emp, l1, 45, year=2026)
    record(emp, l2, 90, year=2026)
    record(emp, l3, 60, year=2026)
    record(victim, l2, 90, year=2026)
    record(victim, l1, 0, year=2026)                 # opened, nothing credited: not trained by it
    record(bp, l2, 90, year=2026)
    record(bp, l1, 45, year=2026)
    record(admin, l4, 60, year=2026)                 # a draft course: hours count, the session does not
    record(ua, None, 120, year=2026, kind="practice")
    # -- 2025: P1 archived (lectures PL1 PL2, 党组中心组学法 PL3, online PL4)
    pl1, pl2, pl3, pl4 = course(2025, "archived", ("offline", "lecture"), ("offline", "lecture"),
                                ("offline", "leader_study"), ("document", None))
    record(emp, pl1, 120, year=2025)
    record(emp, pl2, 120, year=2025)
    record(emp, pl4, 60, year=2025)
    record(victim, pl1, 120, year=2025)
    record(bp, pl3, 60, year=2025)
    record(admin, pl3, 60, year=2025)

    # -- exams
    exam("annual", 2026, "published", (emp, 95), (victim, 50), (bp, 70), (ua, 85))
    exam("qualification_major", 2026, "published", (emp, 80))
    exam("qualification_public", 2026, "published")  # nobody sat: not held
    exam("competition", 2026, "closed", (bp, 77))
    exam("mock", 2026, "published", (emp, 30))       # not a round
    exam("annual", 2025, "closed", (emp, 88), (victim, 92), (bp, 40), (admin, 60))
    exam("annual", 2025, "closed", (bp, 65))         # B's second sitting (a separate round)
    db.session.add(Exemption(user_id=admin.id, year=2026, reason_kind="other", status="approved",
                             requested_by=admin.id, requested_at=NOW))
    db.session.commit()

    # -- certificates
    c1 = make_certificate(emp, "ZF-1", issued_on=date(2025, 5, 10), expires_on=date(2030, 5, 10))
    c2 = make_certificate(bp, "ZF-2", status="replaced", issued_on=date(2020, 3, 1), expires_on=date(2025, 3, 1))
    c3 = make_certificate(bp, "ZF-3", status="suspended", issued_on=date(2025, 2, 20), expires_on=date(2030, 2, 20))
    c4 = make_certificate(victim, "JD-4", type="SUPERVISION", status="cancelled", issued_on=date(2024, 1, 10),
                          expires_on=date(2029, 1, 10))
    c5 = make_certificate(admin, "JD-5", type="SUPERVISION", issued_on=date(2026, 1, 5), expires_on=date(2031, 1, 5))
    c6 = make_certificate(ua, "ZF-6", status="revoked", issued_on=date(2023, 1, 1), expires_on=date(2028, 1, 1))
    c2.replaced_by_id = c3.id
    events(c1, ("issue", date(2025, 5, 10)))
    events(c2, ("issue", date(2020, 3, 1)), ("renew", date(2025, 2, 20)))
    events(c3, ("issue", date(2025, 2, 20)), ("suspend", date(2026, 2, 1)))
    events(c4, ("issue", date(2024, 1, 10)), ("suspend", date(2025, 6, 1)), ("reinstate", date(2025, 7, 1)),
           ("cancel", date(2026, 3, 1)))
    events(c5, ("issue", date(2026, 1, 5)))
    events(c6, ("issue", date(2023, 1, 1)), ("revoke", date(2025, 11, 11)))
    db.session.commit()
    return w


@pytest.fixture
def bureau(world):
    return build_bureau(world)


def pairs(summary) -> dict:
    return {f.key: (f.this, f.last) for s in summary.sections for f in s.figures}


BUREAU = {
    # 学法
    "courses": (1, 1), "lessons": (3, 4),
    "offline_sessions": (2, 3), "offline_people": (3, 4), "offline_times": (4, 5),
    "lecture_sessions": (1, 2), "lecture_people": (3, 2), "lecture_times": (3, 3),
    "group_study_sessions": (0, 0), "group_study_people": (0, 0), "group_study_times": (0, 0),
    "leader_study_sessions": (0, 1), "leader_study_people": (0, 2), "leader_study_times": (0, 2),
    "oath_sessions": (1, 0), "oath_people": (1, 0), "oath_times": (1, 0),
    "people_trained": (5, 4), "hours": (10.0, 9.0), "average_hours": (2.0, 2.25),
    "study_completion_rate": (0.0, 0.0),      # no study plan in either year
    # 考法
    "exam_rounds": (3, 2), "annual_rounds": (1, 2), "qualification_major_rounds": (1, 0),
    "qualification_public_rounds": (0, 0), "competition_rounds": (1, 0),
    "expected": (4, 5), "exempt": (1, 0), "sat": (4, 4), "passed": (3, 4), "excellent": (1, 1),
    "participation_rate": (1.0, 0.8), "pass_rate": (0.75, 1.0), "pass_rate_of_expected": (0.75, 0.8),
    "excellence_rate": (0.25, 0.25),
    # 执法资格
    "cert_issued": (1, 1), "cert_renewed": (0, 1), "cert_suspended": (1, 1), "cert_revoked": (0, 1),
    "cert_cancelled": (1, 0),
    "valid_certificates_total": (2, 3), "valid_enforcement": (1, 2), "valid_supervision": (1, 1),
    "enforcement_staff": (2, 2), "certified_staff": (1, 2), "certificate_rate": (0.5, 1.0),
}

A_SUBTREE = {
    "courses": (1, 1), "lessons": (3, 3),
    "offline_sessions": (2, 2), "offline_people": (2, 2), "offline_times": (3, 3),
    "lecture_sessions": (1, 2), "lecture_people": (2, 2), "lecture_times": (2, 3),
    "group_study_sessions": (0, 0), "group_study_people": (0, 0), "group_study_times": (0, 0),
    "leader_study_sessions": (0, 0), "leader_study_people": (0, 0), "leader_study_times": (0, 0),
    "oath_sessions": (1, 0), "oath_people": (1, 0), "oath_times": (1, 0),
    "people_trained": (3, 2), "hours": (6.75, 7.0), "average_hours": (2.25, 3.5),
    "study_completion_rate": (0.0, 0.0),
    "exam_rounds": (2, 1), "annual_rounds": (1, 1), "qualification_major_rounds": (1, 0),
    "qualification_public_rounds": (0, 0), "competition_rounds": (0, 0),
    "expected": (3, 3), "exempt": (0, 0), "sat": (3, 2), "passed": (2, 2), "excellent": (1, 1),
    "participation_rate": (1.0, 0.6667), "pass_rate": (0.6667, 1.0), "pass_rate_of_expected": (0.6667, 0.6667),
    "excellence_rate": (0.3333, 0.5),
    "cert_issued": (0, 1), "cert_renewed": (0, 0), "cert_suspended": (0, 1), "cert_revoked": (0, 1),
    "cert_cancelled": (1, 0),
    "valid_certificates_total": (1, 2), "valid_enforcement": (1, 1), "valid_supervision": (0, 1),
    "enforcement_staff": (1, 1), "certified_staff": (1, 1), "certificate_rate": (1.0, 1.0),
}


def test_every_figure_of_the_bureau_against_last_year(bureau):
    s = service.build(bureau.admin, 2026, now=NOW)
    assert (s.year, s.unit_code, s.unit_name) == (2026, "R", "市局")
    assert (s.as_of, s.last_as_of) == (date(2026, 3, 15), date(2025, 12, 31))
    assert pairs(s) == BUREAU


def test_changes_against_last_year(bureau):
    s = service.build(bureau.admin, 2026, now=NOW)
    trained, hours, participation, passing = (s.figure(k) for k in ("people_trained", "hours",
                                                                      "participation_rate", "pass_rate"))
    assert (trained.change, trained.relative, trained.change_text, trained.relative_text) == (1, 25.0, "+1", "+25.0%")
    assert (hours.change, hours.relative) == (1.0, 11.1)
    assert (participation.change, participation.this_text, participation.last_text) == (20.0, "100.0%", "80.0%")
    assert (passing.change, passing.change_text, passing.relative_text) == (-25.0, "−25", "")
    assert s.figure("group_study_sessions").relative is None       # 0 last year: no relative change


def test_a_unit_admin_sees_their_subtree_only(bureau):
    s = service.build(bureau.unit_admin, 2026, now=NOW)
    assert (s.unit_code, s.unit_name) == ("A", "甲区局")
    assert pairs(s) == A_SUBTREE
    # the same subtree chosen by the admin, or seen by an auditor scoped to A
    assert pairs(service.build(bureau.admin, 2026, "A", now=NOW)) == A_SUBTREE
    assert pairs(service.build(bureau.a_auditor, 2026, now=NOW)) == A_SUBTREE
    with pytest.raises(NotFound):
        service.build(bureau.unit_admin, 2026, "B", now=NOW)
    with pytest.raises(NotFound):
        service.build(bureau.unit_admin, 2026, "R", now=NOW)


def test_a_leaf_unit(bureau):
    """B: bperson alone — the lecture they attended, their competition, their renewed certificate."""
    values = pairs(service.build(bureau.auditor, 2026, "B", now=NOW))
    assert values["lecture_sessions"] == (1, 0) and values["leader_study_sessions"] == (0, 1)
    assert values["people_trained"] == (1, 1) and values["hours"] == (2.25, 1.0)
    assert values["competition_rounds"] == (1, 0) and values["annual_rounds"] == (1, 2)
    assert values["cert_renewed"] == (0, 1) and values["cert_issued"] == (0, 0)   # the renewal's new one is no issue
    assert values["cert_suspended"] == (1, 0) and values["valid_enforcement"] == (0, 1)


def test_the_year_must_have_a_last_year_and_not_be_in_the_future(bureau):
    with pytest.raises(ValidationError):
        service.build(bureau.admin, 2027, now=NOW)
    with pytest.raises(ValidationError):
        service.build(bureau.admin, 2000, now=NOW)
    last = service.build(bureau.admin, 2025, now=NOW)       # a past year: its figures against 2024
    assert last.as_of == date(2025, 12, 31)
    assert {k: v[0] for k, v in pairs(last).items()} == {k: v[1] for k, v in BUREAU.items()}
    assert last.figure("people_trained").last == 0 and last.figure("pass_rate").last is None


def test_the_export_is_audited_with_the_figures_digest(bureau):
    name, data = service.export_docx(bureau.unit_admin, 2026, now=NOW)
    assert name == "annual-summary-2026-A.docx" and data[:2] == b"PK"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")).one()
    assert event.actor_name == "unitadmin" and event.object_id == "annual_summary:2026:A"
    digest = service.build(bureau.unit_admin, 2026, now=NOW).digest
    assert f'"digest":"{digest}"' in event.data_json and '"format":"docx"' in event.data_json


def test_a_closed_years_rates_are_the_frozen_ones(bureau):
    """Once 2025 is closed, a later roster change does not rewrite last year's rates in the summary."""
    from examapp.services import snapshots
    snapshots.close_year(bureau.admin, 2025, now=NOW)
    bureau.victim.on_post = False               # leaves the post after the year's close
    db.session.commit()
    s = service.build(bureau.admin, 2026, now=NOW)
    assert (s.figure("expected").last, s.figure("sat").last, s.figure("passed").last) == (5, 4, 4)
    assert s.figure("participation_rate").last == 0.8
    assert s.figure("expected").this == 3     # this year's live figures do follow the roster
