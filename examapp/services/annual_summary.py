"""The annual summary behind the director's duty report (年度学法考法工作情况): one year's figures for a unit
subtree, each against last year, by aggregate queries (a handful per year, whatever the roster's size).

Decisions where DESIGN and the issue are silent:
- the subtree is the actor's (admin: the bureau; unit_admin/auditor: their unit), or a unit within it;
  people belong to it by their unit now (as in the rates report);
- courses, lessons, offline sessions and exam rounds are counted for a subtree by its people's records:
  a course or lesson counts when somebody in the subtree was credited on it, an exam round when somebody
  in it submitted an attempt. So a unit's summary never claims a lecture nobody of the unit attended, and
  the bureau's shows what was actually held (the records are the evidence);
- a course counts when it is of the year and published (or archived after the year, credits kept); an
  offline session's kind is its lesson's `offline_kind` and its year its course's;
- people trained and hours take every credited record of the year (minutes > 0), whatever the course's
  state, and include people since deactivated: last year's training does not vanish when someone leaves;
- the exam figures of the annual exam (expected, sat, passed, the rates) and the enforcement staff's
  certificate rate are the rates report's (`services.rates`), as officially reported: frozen for a closed
  year (`snapshots.official`), so the summary and the rates export can never disagree;
- certificate events count distinct certificates by the event's date; "新发" leaves out the certificate a
  renewal (换发) or reissue (补发) creates, which is counted as the renewal; imports are not issuances;
- dated figures (valid certificates) are taken on the rates report's date: today for the current year,
  31 December for a past one (judged by the certificates' dated events).
"""
import re
from datetime import date, datetime

from sqlalchemy import and_, case, distinct, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..domain import annual_summary as calc
from ..errors import ValidationError
from ..extensions import db
from ..formats import summary_docx
from ..models import Attempt, Certificate, CertificateEvent, Course, Exam, Lesson, OrgUnit, StudyRecord, User
from . import audit, rates, snapshots, study_plans
from .certificate_views import local_today
from .tx import begin_write, commit

HELD_COURSES = ("published", "archived")
HELD_EXAMS = ("published", "closed")


def check_year(year, now: datetime) -> int:
    latest = study_plans.local_year(now)
    if not isinstance(year, int) or not 2001 <= year <= latest:
        raise ValidationError("year", f"年度应为 2001–{latest} 之间的整数")
    return year


def _bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _people_in(root: OrgUnit, stmt, user_id_column):
    """`stmt` joined to the people of the subtree through `user_id_column`."""
    return (stmt.join(User, User.id == user_id_column).join(OrgUnit, OrgUnit.id == User.unit_id)
            .where(OrgUnit.path.like(root.path + "%")))


# -- 学法 -----------------------------------------------------------------------------------------------

def _study(year: int, root: OrgUnit) -> dict:
    held = and_(Course.year == year, Course.status.in_(HELD_COURSES))
    offline = and_(held, StudyRecord.kind == "offline", Lesson.kind == "offline")
    credited = (select(func.count(distinct(StudyRecord.user_id)), func.coalesce(func.sum(StudyRecord.minutes), 0.0),
                       func.count(distinct(case((held, Course.id)))),
                       func.count(distinct(case((held, Lesson.id)))),
                       func.count(distinct(case((offline, StudyRecord.user_id)))),
                       func.count(case((offline, StudyRecord.id))))
                .select_from(StudyRecord)
                .outerjoin(Course, Course.id == StudyRecord.course_id)
                .outerjoin(Lesson, Lesson.id == StudyRecord.lesson_id)
                .where(StudyRecord.year == year, StudyRecord.minutes > 0))
    people, minutes, courses, lessons, offline_people, offline_times = db.session.execute(
        _people_in(root, credited, StudyRecord.user_id)).one()
    out = {"courses": courses, "lessons": lessons, "people_trained": people,
           "hours": calc.hours(minutes), "average_hours": calc.average(float(minutes) / 60.0, people),
           "offline_people": offline_people, "offline_times": offline_times}
    by_kind = (select(Lesson.offline_kind, func.count(distinct(Lesson.id)), func.count(distinct(StudyRecord.user_id)),
                      func.count(StudyRecord.id))
               .select_from(StudyRecord)
               .join(Lesson, Lesson.id == StudyRecord.lesson_id).join(Course, Course.id == Lesson.course_id)
               .where(StudyRecord.year == year, StudyRecord.minutes > 0, StudyRecord.kind == "offline",
                      Lesson.kind == "offline", held)
               .group_by(Lesson.offline_kind))
    rows = {kind: (sessions, n, times) for kind, sessions, n, times
            in db.session.execute(_people_in(root, by_kind, StudyRecord.user_id))}
    for kind in calc.OFFLINE_KINDS:
        sessions, n, times = rows.get(kind, (0, 0, 0))
        out.update({f"{kind}_sessions": sessions, f"{kind}_people": n, f"{kind}_times": times})
    out["offline_sessions"] = sum(sessions for sessions, _n, _t in rows.values())
    return out


# -- 考法 -----------------------------------------------------------------------------------------------

def _exam_rounds(year: int, root: OrgUnit) -> dict:
    stmt = (select(Exam.kind, func.count(distinct(Exam.id))).select_from(Attempt)
            .join(Exam, Exam.id == Attempt.exam_id)
            .where(Exam.year == year, Exam.kind.in_(calc.EXAM_KINDS), Exam.status.in_(HELD_EXAMS),
                   Attempt.status == "submitted")
            .group_by(Exam.kind))
    rounds = dict(db.session.execute(_people_in(root, stmt, Attempt.user_id)).all())
    out = {f"{kind}_rounds": rounds.get(kind, 0) for kind in calc.EXAM_KINDS}
    out["exam_rounds"] = sum(rounds.values())
    return out


def _rates(actor, year: int, root: OrgUnit, now: datetime) -> dict:
    """The rates report's figures: `snapshots.official` is `rates.build`, frozen for a closed year."""
    report = snapshots.official(actor, year, root.code, now=now)
    t = report.total
    r = t.rates()
    return {"expected": t.expected, "exempt": t.exempt, "sat": t.sat, "passed": t.passed, "excellent": t.excellent,
            "study_completion_rate": r["study_completion_rate"], "participation_rate": r["participation_rate"],
            "pass_rate": r["pass_rate"], "pass_rate_of_expected": r["pass_rate_of_expected"],
            "excellence_rate": r["excellence_rate"], "enforcement_staff": t.enforcement_staff,
            "certified_staff": t.valid_certificates, "certificate_rate": r["certificate_rate"]}


# -- 执法资格 --------------------------------------------------------------------------------------------

def _certificates(year: int, root: OrgUnit, as_of: date, today: date) -> dict:
    first, last = _bounds(year)
    earlier = aliased(Certificate)
    a_successor = exists().where(earlier.replaced_by_id == Certificate.id)   # made by a renewal or a reissue
    events = (select(CertificateEvent.kind, func.count(distinct(CertificateEvent.certificate_id)))
              .select_from(CertificateEvent).join(Certificate, Certificate.id == CertificateEvent.certificate_id)
              .where(CertificateEvent.on >= first, CertificateEvent.on <= last,
                     CertificateEvent.kind.in_(list(calc.CERT_EVENTS)),
                     or_(CertificateEvent.kind != "issue", ~a_successor))
              .group_by(CertificateEvent.kind))
    counts = dict(db.session.execute(_people_in(root, events, Certificate.holder_id)).all())
    out = {key: counts.get(kind, 0) for kind, key in calc.CERT_EVENTS.items()}
    valid = (select(Certificate.type, func.count(Certificate.id)).select_from(Certificate)
             .where(rates.valid_certificate_clause(as_of, today, None)).group_by(Certificate.type))
    by_type = dict(db.session.execute(_people_in(root, valid, Certificate.holder_id)).all())
    out.update(valid_enforcement=by_type.get("ENFORCEMENT", 0), valid_supervision=by_type.get("SUPERVISION", 0),
               valid_certificates_total=sum(by_type.values()))
    return out


# -- the summary ----------------------------------------------------------------------------------------

def figures(actor, year: int, root: OrgUnit, now: datetime) -> tuple[dict, date]:
    """All figures of one year for the subtree, and the date its dated figures were taken on."""
    today = local_today(now)
    as_of = rates.report_date(year, now)
    values = {**_study(year, root), **_exam_rounds(year, root), **_rates(actor, year, root, now),
              **_certificates(year, root, as_of, today)}
    return values, as_of


def build(actor, year: int, unit_code: str | None = None, *, now: datetime) -> calc.Summary:
    """The summary of `year` for the actor's subtree (or `unit_code` within it), against the year before."""
    year = check_year(year, now)
    root = rates.root_for(actor, unit_code)
    this, as_of = figures(actor, year, root, now)
    last, last_as_of = figures(actor, year - 1, root, now)
    return calc.Summary(year, root.code, root.name, as_of, last_as_of, calc.compare(this, last),
                        calc.digest(year, root.code, as_of.isoformat(), this, last))


def export_docx(actor, year: int, unit_code: str | None = None, *, now: datetime) -> tuple[str, bytes]:
    """The summary as a Word document; the export is recorded in the audit chain (DESIGN §2)."""
    summary = build(actor, year, unit_code, now=now)
    data = summary_docx.render(summary, local_today(now))
    begin_write()
    audit.record("report.export", actor=actor, now=now, object_type="report",
                 object_id=f"annual_summary:{summary.year}:{summary.unit_code}",
                 data={"report": "annual_summary", "format": "docx", "year": summary.year,
                       "unit": summary.unit_code, "as_of": summary.as_of.isoformat(), "digest": summary.digest})
    commit()
    code = re.sub(r"[^A-Za-z0-9_-]", "", summary.unit_code) or "unit"
    return f"annual-summary-{summary.year}-{code}.docx", data


__all__ = ["build", "check_year", "export_docx", "figures"]
