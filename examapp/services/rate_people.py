"""The named people behind each figure of the rates report and behind its gap, with the reason, and the
remediation list (整改清单) built from the same rows. Both read `rates.facts`, so a list always has as
many people as the figure it explains."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from ..domain import rates as calc
from ..domain.rates import FIGURES, Deadlines, Figure, PersonFacts
from ..errors import NotFound
from ..extensions import db
from ..formats.report_tables import remediation_xlsx
from ..models import EXEMPTION_REASONS, Attempt, Exemption, OrgUnit, StudyPlan, User
from . import audit, rates
from .certificate_views import local_today
from .exam_results import unit_labels
from .paging import paginate_rows
from .scope import Scope
from .tx import begin_write, commit


@dataclass
class PersonRow:
    user: User
    unit: str
    facts: PersonFacts
    reasons: list[str]
    actions: list[tuple[str, object]]


def figure_of(key: str) -> Figure:
    figure = FIGURES.get(key)
    if figure is None:
        raise NotFound("没有这项指标")
    return figure


def _unit(actor, unit_id) -> OrgUnit:
    return Scope.of(actor).get_unit(unit_id)


def _query(year: int, unit: OrgUnit, *, own: bool, now: datetime, where=None):
    facts = rates.facts(year, rates.report_date(year, now), local_today(now), unit)
    approver = aliased(User)
    stmt = (select(facts, User, OrgUnit.id.label("unit_ref"), Exemption.reason_kind, approver.name.label("approver"))
            .join(User, User.id == facts.c.uid).join(OrgUnit, OrgUnit.id == facts.c.unit_id)
            .outerjoin(Exemption, Exemption.id == facts.c.exemption_id)
            .outerjoin(approver, approver.id == Exemption.decided_by))
    if own:
        stmt = stmt.where(facts.c.unit_id == unit.id)
    if where is not None:
        stmt = stmt.where(where(facts))
    return stmt.order_by(OrgUnit.path, User.username)


def _person(row) -> PersonFacts:
    exemption = ""
    if row.exempt:
        exemption = EXEMPTION_REASONS.get(row.reason_kind or "", row.reason_kind or "")
        exemption += f"（{row.approver} 批准）" if row.approver else ""
    return PersonFacts(int(row.exempt), int(row.study_completed), int(row.sat), int(row.passed), int(row.excellent),
                       int(row.enforcement_staff), int(row.valid_certificates), row.plan_id is not None,
                       float(row.minutes or 0), float(row.required or 0),
                       None if row.score is None else float(row.score), int(row.pending or 0), exemption)


def deadlines(year: int, now: datetime) -> Deadlines:
    """The dates a remediation can be due by: the year's latest plan deadline, the annual exam's close while
    it is open and its make-up window's close while that is still to come."""
    plan_deadline = db.session.scalar(select(StudyPlan.deadline).where(StudyPlan.year == year)
                                      .order_by(StudyPlan.deadline.desc()).limit(1))
    exam_open = makeup = None
    makeup_for: set[str] = set()
    for exam in rates.annual_exams(year):
        if exam.opens_at <= now < exam.closes_at:
            exam_open = max(filter(None, (exam_open, exam.closes_at)))
        if exam.makeup_closes_at and exam.makeup_closes_at > now:
            makeup = max(filter(None, (makeup, exam.makeup_closes_at)))
            makeup_for |= set(exam.makeup_for or [])
    study_due = plan_deadline if plan_deadline and plan_deadline > now else None
    return Deadlines(study_due, exam_open, makeup, frozenset(makeup_for))


def _rows(result, year: int, now: datetime) -> list[PersonRow]:
    rows = list(result)
    labels = unit_labels({r.unit_ref for r in rows}) if rows else {}
    due = deadlines(year, now)
    out = []
    for r in rows:
        p = _person(r)
        out.append(PersonRow(r.User, labels[r.unit_ref], p, calc.reasons(p), calc.actions(p, due)))
    return out


def _figure_filter(figure: Figure, gap: bool):
    def where(f):
        if gap:
            return and_(f.c[figure.base] == 1, f.c[figure.numerator] == 0)
        return f.c[figure.numerator] == 1
    return where


def people(actor, year: int, unit_id, figure_key: str, *, gap: bool = False, own: bool = False, now: datetime,
           page: int = 1, per_page: int = 50):
    """One page of the people counted in a figure (or in its gap) for a unit's subtree (or its own staff)."""
    year = rates.check_year(year)
    figure = figure_of(figure_key)
    if gap and figure.base is None:
        raise NotFound("这项指标没有差额名单")
    unit = _unit(actor, unit_id)
    stmt = _query(year, unit, own=own, now=now, where=_figure_filter(figure, gap))
    pagination = paginate_rows(stmt, page=page, per_page=per_page)
    return unit, figure, pagination, _rows(pagination.items, year, now)


def _gap_clause(f):
    """Anyone who must do something: a counted person short of hours, absent or failed, or enforcement
    staff without a valid certificate."""
    counted = f.c.expected == 1
    failed = and_(f.c.sat == 1, f.c.passed == 0, ~and_(f.c.pending == 1, f.c.score.is_(None)))
    return (counted & ((f.c.study_completed == 0) | (f.c.sat == 0) | failed)) | \
        ((f.c.enforcement_staff == 1) & (f.c.valid_certificates == 0))


def remediation(actor, year: int, unit_id, *, now: datetime, page: int = 1, per_page: int = 100):
    """整改清单 of a unit's subtree: who must do what by when."""
    year = rates.check_year(year)
    unit = _unit(actor, unit_id)
    stmt = _query(year, unit, own=False, now=now, where=_gap_clause)
    pagination = paginate_rows(stmt, page=page, per_page=per_page)
    return unit, pagination, _rows(pagination.items, year, now)


def remediation_all(actor, year: int, unit_id, *, now: datetime) -> tuple[OrgUnit, list[PersonRow]]:
    """The whole list, for the export."""
    rates.check_year(year)
    unit = _unit(actor, unit_id)
    return unit, _rows(db.session.execute(_query(year, unit, own=False, now=now, where=_gap_clause)), year, now)


def attempts_of(year: int, user_ids: list[int]) -> dict[int, list[Attempt]]:
    """The submitted attempts of these people in the year's annual exams, for links to their answer sheets."""
    exams = [e.id for e in rates.annual_exams(year)]
    out: dict[int, list[Attempt]] = {}
    if not exams or not user_ids:
        return out
    for attempt in db.session.scalars(select(Attempt).where(Attempt.exam_id.in_(exams), Attempt.user_id.in_(user_ids),
                                                            Attempt.status == "submitted")
                                      .order_by(Attempt.user_id, Attempt.exam_id, Attempt.number)):
        out.setdefault(attempt.user_id, []).append(attempt)
    return out


def remediation_file(actor, year: int, unit_id, *, now: datetime) -> tuple[bytes, str]:
    """整改清单 as Excel, one row per action; the export is audited like the report's."""
    unit, rows = remediation_all(actor, year, unit_id, now=now)
    lines = [[r.user.username, r.user.name, r.unit, r.user.position, "；".join(r.reasons), action,
              due.strftime("%Y-%m-%d") if due else ""] for r in rows for action, due in r.actions]
    data = remediation_xlsx(f"{unit.name} {year} 年度整改清单", lines)
    begin_write()
    audit.record("report.export", actor=actor, now=now, object_type="report", object_id=f"remediation:{year}",
                 data={"unit": unit.code, "format": "xlsx", "people": len(rows)})
    commit()
    return data, f"remediation-{year}-{unit.code}.xlsx"


__all__ = ["PersonRow", "attempts_of", "deadlines", "figure_of", "people", "remediation", "remediation_all", "remediation_file"]
