"""Results of one exam: the audience against who sat, counted scores, bands, units, and an Excel export."""
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from ..domain import exam_rules
from ..errors import NotFound
from ..extensions import db
from ..models import Attempt, Exam, Exemption, OrgUnit, User
from .exams import audience_query, policy_of
from .scope import Scope


@dataclass
class PersonResult:
    user: User
    unit: str
    attempts: int
    status: str               # not_started | running | submitted | exempt (免考 for an annual exam's year, not sat)
    score: float | None
    passed: bool
    band: str
    grading: bool = False     # an answer sheet waits for hand grading: its score is not counted yet


@dataclass
class UnitRow:
    unit: str
    expected: int = 0
    sat: int = 0
    passed: int = 0


@dataclass
class ExamResults:
    exam: Exam
    people: list[PersonResult]
    bands: list[tuple[str, int]]
    units: list[UnitRow] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return sum(1 for p in self.people if p.status != "exempt")

    @property
    def exempt(self) -> list[PersonResult]:
        return [p for p in self.people if p.status == "exempt"]

    @property
    def sat(self) -> int:
        return sum(1 for p in self.people if p.status == "submitted")

    @property
    def passed(self) -> int:
        return sum(1 for p in self.people if p.passed)

    @property
    def absent(self) -> list[PersonResult]:
        return [p for p in self.people if p.status == "not_started"]


def rate(numerator: int, denominator: int) -> float | None:
    """A fraction 0..1, or None where nobody is counted (as in the rates report)."""
    return round(numerator / denominator, 4) if denominator else None


def unit_labels(unit_ids: set[int]) -> dict[int, str]:
    """Names that tell units apart: a 综合股 under two district bureaus reads as 'district · 综合股'."""
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))}
    parents = {u.id: u for u in db.session.scalars(select(OrgUnit).where(
        OrgUnit.id.in_({u.parent_id for u in units.values() if u.parent_id})))}
    return {uid: (f"{parents[u.parent_id].name} · {u.name}" if u.depth >= 2 and u.parent_id in parents else u.name)
            for uid, u in units.items()}


def results(exam: Exam, *, scope: Scope | None = None) -> ExamResults:
    """`scope` keeps only the audience members of a unit admin's or auditor's subtrees."""
    policy = policy_of(exam)
    stmt = audience_query(exam).add_columns(OrgUnit.id)
    if scope is not None:
        stmt = scope.units(stmt)     # audience_query has joined OrgUnit already
    people = db.session.execute(stmt.order_by(OrgUnit.path, User.username)).all()
    labels = unit_labels({unit_id for _u, unit_id in people})
    scores: dict[int, list[float]] = defaultdict(list)
    running: set[int] = set()
    sat: set[int] = set()
    grading: set[int] = set()
    started: Counter = Counter()
    for user_id, status, score, pending in db.session.execute(
            select(Attempt.user_id, Attempt.status, Attempt.score, Attempt.pending_manual)
            .where(Attempt.exam_id == exam.id).order_by(Attempt.user_id, Attempt.number)).all():
        started[user_id] += 1
        if status != "submitted":
            running.add(user_id)
        elif pending:
            sat.add(user_id)
            grading.add(user_id)
        else:
            sat.add(user_id)
            scores[user_id].append(score or 0.0)
    exempt = set(db.session.scalars(select(Exemption.user_id).where(
        Exemption.year == exam.year, Exemption.status == "approved"))) if exam.kind == "annual" else set()
    rows, units = [], {}
    for user, unit_id in people:
        unit_name = labels[unit_id]
        counted = exam_rules.counted_score(scores.get(user.id, []), policy)
        status = "submitted" if user.id in sat else ("running" if user.id in running else
                                                     "exempt" if user.id in exempt else "not_started")
        result = PersonResult(user, unit_name, started[user.id], status, counted,
                              exam_rules.passed(counted, policy), exam_rules.band_for(counted, policy) if counted
                              is not None else "", user.id in grading)
        rows.append(result)
        unit = units.setdefault(unit_name, UnitRow(unit_name))
        unit.expected += status != "exempt"
        unit.sat += status == "submitted"
        unit.passed += result.passed
    band_counts = Counter(r.band for r in rows if r.status == "submitted" and r.band)
    bands = [(b.label, band_counts.get(b.label, 0)) for b in sorted(policy.bands, key=lambda b: -b.minimum)]
    return ExamResults(exam, rows, bands, list(units.values()))


def results_for(actor, exam_id: int) -> ExamResults:
    """One exam's results as `actor` may see them: an admin the whole audience, a unit admin or auditor the
    people of their subtrees. An exam with nobody of theirs in its audience is not found, as on every page."""
    scope = Scope.of(actor)
    exam = db.session.get(Exam, exam_id) if isinstance(exam_id, int) else None
    if exam is None or scope.is_empty:
        raise NotFound("考试不存在")
    r = results(exam, scope=None if scope.everything else scope)
    if not scope.everything and not r.people:
        raise NotFound("考试不存在")
    return r


def export_xlsx(r: ExamResults) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "成绩"
    ws.append(["工号", "姓名", "单位", "作答次数", "状态", "计分成绩", "是否合格", "等次"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    labels = {"not_started": "未参加", "running": "作答中", "submitted": "已交卷", "exempt": "免考"}
    for p in r.people:
        ws.append([p.user.username, p.user.name, p.unit, p.attempts,
                   labels[p.status] + ("（待阅卷）" if p.grading else ""), p.score,
                   "是" if p.passed else "否", p.band])
    summary = wb.create_sheet("汇总")
    summary.append(["单位", "应参考", "参考", "合格"])
    for u in r.units:
        summary.append([u.unit, u.expected, u.sat, u.passed])
    summary.append(["合计", r.expected, r.sat, r.passed])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
