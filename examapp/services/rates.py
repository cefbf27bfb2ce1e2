"""The yearly rates report (DESIGN §2 "Rates", §4 report JSON).

Everything starts from one SQL subquery, `facts`: a row per active, on-post learner under the report's root
unit with 0/1 columns for each count (exempt, expected, study_completed, sat, passed, excellent,
enforcement_staff, valid_certificates) and the details that explain them. The report groups it by unit
(one GROUP BY) and rolls the units up the tree in Python (a few hundred units); the drill-down lists the
same rows, filtered by a figure. So the figures and the people behind them can never disagree.

Decisions where DESIGN is silent:
- the year's annual exams are the published or closed exams of kind `annual` and that year; a person's
  counting score is per exam (the exam's own rule); passed / excellent in any of them counts;
- an answer sheet still waiting for hand grading counts as sat, not (yet) as passed;
- a person without an applicable study plan has not completed their hours (nothing says what they owe);
- exemptions (免考) take people out of `expected` and so out of every numerator over it; the certificate
  rate is over all enforcement staff, exempt or not: an exam exemption is no licence to enforce;
- the report date is today for the current year and 31 December for a past one; a certificate counts
  when it was valid on that date, judged by its dated events.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Float, Numeric, and_, case, cast, func, literal_column, or_, select

from ..domain import certificates as cert_rules
from ..domain import rates as calc
from ..domain.rates import COUNTS, Counts
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import Attempt, Certificate, CertificateEvent, Exam, Exemption, OrgUnit, User
from . import audience, settings, study_plans
from .certificate_views import local_today
from .scope import Scope

EXAM_STATUSES = ("published", "closed")


def _number(value):
    """A constant inlined as SQL: PostgreSQL cannot type a bound parameter inside CASE."""
    return literal_column(repr(int(value)) if isinstance(value, int) else repr(float(value)))


def report_date(year: int, now: datetime) -> date:
    today = local_today(now)
    return today if year >= today.year else date(year, 12, 31)


def annual_exams(year: int) -> list[Exam]:
    return list(db.session.scalars(select(Exam).where(Exam.kind == "annual", Exam.year == year,
                                                      Exam.status.in_(EXAM_STATUSES)).order_by(Exam.id)))


def excellent_mark(exam: Exam) -> float:
    """The 优秀 band's lower bound, or the top band's when no band has that name (default 90)."""
    bands = [(label, float(minimum)) for label, minimum in (exam.bands or [])]
    named = [m for label, m in bands if label == "优秀"]
    return named[0] if named else max((m for _l, m in bands), default=90.0)


# -- the per-person facts -----------------------------------------------------------------------------

def _counted(scored, exam: Exam):
    """The exam's counting rule as an aggregate over its submitted, graded attempts."""
    score = func.coalesce(scored.c.score, 0.0)
    if exam.counting == "last":
        return func.max(case((scored.c.rn_last == 1, score)))
    if exam.counting == "first":
        return func.max(case((scored.c.rn_first == 1, score)))
    if exam.counting == "average":
        return cast(func.round(cast(func.avg(score), Numeric(12, 4)), 2), Float)
    return func.max(score)


def _exam_results(exams: list[Exam]):
    """(uid, passed, excellent, score): per person over the year's annual exams."""
    ids = [e.id for e in exams]
    person_exam = (Attempt.user_id, Attempt.exam_id)
    scored = (select(Attempt.user_id.label("uid"), Attempt.exam_id.label("exam_id"), Attempt.score.label("score"),
                     func.row_number().over(partition_by=person_exam, order_by=Attempt.number).label("rn_first"),
                     func.row_number().over(partition_by=person_exam, order_by=Attempt.number.desc()).label("rn_last"))
              .where(Attempt.exam_id.in_(ids), Attempt.status == "submitted", Attempt.pending_manual.is_(False))
              .subquery("scored"))
    counted = case(*[(scored.c.exam_id == e.id, _counted(scored, e)) for e in exams])
    per_exam = (select(scored.c.uid, scored.c.exam_id, counted.label("score"))
                .group_by(scored.c.uid, scored.c.exam_id).subquery("per_exam"))
    pass_mark = case(*[(per_exam.c.exam_id == e.id, _number(float(e.pass_mark))) for e in exams])
    excellent = case(*[(per_exam.c.exam_id == e.id, _number(excellent_mark(e))) for e in exams])
    return (select(per_exam.c.uid,
                   func.max(case((per_exam.c.score >= pass_mark, 1), else_=0)).label("passed"),
                   func.max(case((per_exam.c.score >= excellent, 1), else_=0)).label("excellent"),
                   func.max(per_exam.c.score).label("score"))
            .group_by(per_exam.c.uid).subquery("exam_results"))


def _sat(exams: list[Exam]):
    """(uid, pending): people with a submitted attempt in one of the exams, main or make-up."""
    return (select(Attempt.user_id.label("uid"),
                   func.max(case((Attempt.pending_manual.is_(True), 1), else_=0)).label("pending"))
            .where(Attempt.exam_id.in_([e.id for e in exams]), Attempt.status == "submitted")
            .group_by(Attempt.user_id).subquery("sat"))


STATUS_KINDS = tuple(cert_rules.TRANSITIONS)
VALID_KINDS = tuple(k for k, t in cert_rules.TRANSITIONS.items() if t.target == "valid")


def valid_certificate_clause(as_of: date, today: date, cert_type: str | None = "ENFORCEMENT"):
    """A certificate (of `cert_type`, or any with None) valid on `as_of`: today by its status; on a past
    date by the last status change dated on or before it, or as issued when its changes all came later."""
    dated = and_(Certificate.issued_on <= as_of, Certificate.expires_on >= as_of)
    if cert_type is not None:
        dated = and_(Certificate.type == cert_type, dated)
    if as_of >= today:
        return and_(dated, Certificate.status == "valid")
    last_change = (select(CertificateEvent.kind)
                   .where(CertificateEvent.certificate_id == Certificate.id, CertificateEvent.on <= as_of,
                          CertificateEvent.kind.in_(STATUS_KINDS))
                   .order_by(CertificateEvent.on.desc(), CertificateEvent.at.desc(), CertificateEvent.id.desc())
                   .limit(1).correlate(Certificate).scalar_subquery())
    changed_later = (select(CertificateEvent.id)
                     .where(CertificateEvent.certificate_id == Certificate.id, CertificateEvent.on > as_of,
                            CertificateEvent.kind.in_(STATUS_KINDS))
                     .correlate(Certificate).exists())
    # no change by then: valid as issued when it changed later, else as its status says
    unchanged_valid = or_(Certificate.status.in_(("valid", "expired", "replaced")), changed_later)
    return and_(dated, case((last_change.is_(None), unchanged_valid), else_=last_change.in_(VALID_KINDS)))


def _certified(as_of: date, today: date):
    return (select(Certificate.holder_id.label("uid")).where(valid_certificate_clause(as_of, today))
            .group_by(Certificate.holder_id).subquery("certified"))


def _exempted(year: int):
    return (select(Exemption.user_id.label("uid"), func.max(Exemption.id).label("exemption_id"))
            .where(Exemption.year == year, Exemption.status == "approved")
            .group_by(Exemption.user_id).subquery("exempted"))


def facts(year: int, as_of: date, today: date, root: OrgUnit | None = None):
    """One row per active, on-post learner under `root` (everyone when None): the counts as 0/1 columns,
    and the details behind them (plan minutes, counting score, a pending hand grading, the exemption)."""
    people = (audience.learners()
              .with_only_columns(User.id.label("uid"), User.unit_id.label("unit_id"), OrgUnit.path.label("path"),
                                 User.is_enforcement.label("enforcement"))
              .where(User.on_post.is_(True)))
    if root is not None:
        people = people.where(OrgUnit.path.like(root.path + "%"))
    people = people.subquery("people")
    plans = study_plans.plans_of_year(year)
    progress = study_plans.progress_subquery(None, year, plans, root)
    exams = annual_exams(year)
    exempted, certified = _exempted(year), _certified(as_of, today)
    counted = exempted.c.uid.is_(None)
    stmt = select(people.c.uid, people.c.unit_id, people.c.path)
    joins = [(exempted, exempted.c.uid), (progress, progress.c.uid), (certified, certified.c.uid)]
    if exams:
        results, sat = _exam_results(exams), _sat(exams)
        joins += [(results, results.c.uid), (sat, sat.c.uid)]
        sat_col = case((and_(counted, sat.c.uid.is_not(None)), 1), else_=0)
        passed = case((and_(counted, results.c.passed == 1), 1), else_=0)
        excellent = case((and_(counted, results.c.excellent == 1), 1), else_=0)
        score, pending = results.c.score, func.coalesce(sat.c.pending, 0)
    else:
        sat_col = passed = excellent = pending = _number(0)
        score = literal_column("NULL")
    enforcement = case((people.c.enforcement.is_(True), 1), else_=0)
    stmt = stmt.add_columns(
        case((counted, 0), else_=1).label("exempt"),
        case((counted, 1), else_=0).label("expected"),
        case((and_(counted, progress.c.done == 1), 1), else_=0).label("study_completed"),
        sat_col.label("sat"), passed.label("passed"), excellent.label("excellent"),
        enforcement.label("enforcement_staff"),
        case((and_(people.c.enforcement.is_(True), certified.c.uid.is_not(None)), 1), else_=0)
        .label("valid_certificates"),
        progress.c.plan_id.label("plan_id"), progress.c.total.label("minutes"), progress.c.required.label("required"),
        cast(score, Float).label("score"), pending.label("pending"), exempted.c.exemption_id.label("exemption_id"))
    stmt = stmt.select_from(people)
    for sub, uid in joins:
        stmt = stmt.outerjoin(sub, uid == people.c.uid)
    return stmt.subquery("facts")


def own_counts(fact_rows) -> dict[int, Counts]:
    """The counts of each unit's own staff: one GROUP BY over the facts."""
    stmt = (select(fact_rows.c.unit_id, *[func.sum(fact_rows.c[name]).label(name) for name in COUNTS])
            .group_by(fact_rows.c.unit_id))
    return {row.unit_id: Counts(*(int(getattr(row, name) or 0) for name in COUNTS))
            for row in db.session.execute(stmt)}


# -- the report ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    name: str
    path: str
    parent_id: int | None
    depth: int
    active: bool
    sort_order: int = 0

    @classmethod
    def of(cls, unit: OrgUnit) -> "UnitInfo":
        return cls(unit.id, unit.code, unit.name, unit.path, unit.parent_id, unit.depth, unit.active, unit.sort_order)

    @property
    def order(self) -> tuple:
        return (self.sort_order, self.id)


def roll_up(units: list[UnitInfo], own: dict[int, Counts]) -> dict[int, Counts]:
    """Each unit's subtree total: its own staff plus everything below it (paths list the ancestors)."""
    paths = {u.id: u.path for u in units}
    totals = {u.id: Counts() for u in units}
    for unit_id, counts in own.items():
        for ancestor in (int(p) for p in paths.get(unit_id, "").strip("/").split("/") if p):
            if ancestor in totals:
                totals[ancestor] = totals[ancestor] + counts
    return totals


@dataclass
class Row:
    unit: UnitInfo
    own_staff: bool              # the root's own staff, not its subtree
    counts: Counts
    label: str
    klass: str = ""
    rank: int | None = None

    @property
    def rates(self) -> dict:
        return self.counts.rates()

    def as_json(self) -> dict:
        return {"unit": self.unit.code, "name": self.label, "own_staff": self.own_staff, **self.counts.as_dict()}


@dataclass
class Report:
    year: int
    root: UnitInfo
    as_of: date
    rows: list[Row]
    total: Counts
    units: list[UnitInfo] = field(default_factory=list)
    subtree: dict[int, Counts] = field(default_factory=dict)     # every unit's subtree total (for exports)

    def as_json(self) -> dict:
        rows = [r.as_json() for r in self.rows]
        total = self.total.as_dict()
        return {"year": self.year, "unit": self.root.code, "as_of": self.as_of.isoformat(), "rows": rows,
                "total": total, "digest": calc.digest(rows, total)}

    @property
    def digest(self) -> str:
        return self.as_json()["digest"]

    def levels(self) -> list[list[tuple[UnitInfo, Counts]]]:
        """The subtree's units level by level below the root, each with its subtree total."""
        out: dict[int, list] = {}
        for unit in sorted(self.units, key=lambda u: (u.depth, u.order)):
            if unit.depth > self.root.depth and (unit.active or self.subtree[unit.id].expected
                                                 or self.subtree[unit.id].exempt):
                out.setdefault(unit.depth, []).append((unit, self.subtree[unit.id]))
        return [out[d] for d in sorted(out)]


def thresholds() -> tuple[float, float, float]:
    return (settings.get("report.class1_min") / 100, settings.get("report.class2_min") / 100,
            settings.get("report.class3_min") / 100)


def assemble(year: int, root: UnitInfo, as_of: date, units: list[UnitInfo], own: dict[int, Counts]) -> Report:
    """Rows for the root's children (their subtrees) and the root's own staff, their total, classes, ranks.
    The same for live figures and for a frozen year's stored facts."""
    subtree = roll_up(units, own)
    children = sorted((u for u in units if u.parent_id == root.id), key=lambda u: u.order)
    rows = [Row(u, False, subtree[u.id], u.name) for u in children
            if u.active or subtree[u.id].expected or subtree[u.id].exempt or subtree[u.id].enforcement_staff]
    rows.append(Row(root, True, own.get(root.id, Counts()), f"{root.name}（本级）"))
    limits = thresholds()
    for row in rows:
        row.klass = calc.classify(row.rates, limits)
    ranked = sorted((r for r in rows if calc.weakest(r.rates) is not None), key=lambda r: calc.rank_key(r.rates))
    for position, row in enumerate(ranked, 1):
        row.rank = position
    return Report(year, root, as_of, rows, Counts.total(r.counts for r in rows), units, subtree)


def root_for(actor, unit_code: str | None = None) -> OrgUnit:
    """The report's root: the unit asked for when the actor may see it, else the actor's first root."""
    scope = Scope.of(actor)
    if unit_code:
        unit = scope.unit_by_code(unit_code)
        if unit is None:
            raise NotFound(f"单位 {unit_code} 不存在或不在您的范围内")
        return unit
    roots = study_plans.root_units(actor)
    if not roots:
        raise NotFound("没有可统计的单位")
    return roots[0]


def check_year(year) -> int:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError("year", "年度应为 2000–2100 之间的整数")
    return year


def units_under(root: OrgUnit) -> list[UnitInfo]:
    return [UnitInfo.of(u) for u in db.session.scalars(select(OrgUnit).where(OrgUnit.path.like(root.path + "%")))]


def all_units() -> list[UnitInfo]:
    return [UnitInfo.of(u) for u in db.session.scalars(select(OrgUnit))]


def live(year: int, root: OrgUnit, now: datetime) -> Report:
    """The figures recomputed from today's records: three queries whatever the size of the roster."""
    today = local_today(now)
    as_of = report_date(year, now)
    own = own_counts(facts(year, as_of, today, root))
    return assemble(year, UnitInfo.of(root), as_of, units_under(root), own)


def build(actor, year: int, *, unit_code: str | None = None, now: datetime) -> Report:
    """The live report of `year` for the actor's root (or `unit_code` within their scope)."""
    return live(check_year(year), root_for(actor, unit_code), now)


__all__ = ["Report", "Row", "UnitInfo", "annual_exams", "assemble", "build", "check_year", "excellent_mark", "facts",
           "live", "own_counts", "report_date", "roll_up", "root_for", "valid_certificate_clause"]
