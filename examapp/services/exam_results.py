"""Results of one exam: the audience against who sat, counted scores, bands, units, and an Excel export."""
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from ..domain import exam_rules
from ..extensions import db
from ..models import Attempt, Exam, OrgUnit, User
from .exams import audience_query, policy_of


@dataclass
class PersonResult:
    user: User
    unit: str
    attempts: int
    status: str               # not_started | running | submitted
    score: float | None
    passed: bool
    band: str


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
        return len(self.people)

    @property
    def sat(self) -> int:
        return sum(1 for p in self.people if p.status == "submitted")

    @property
    def passed(self) -> int:
        return sum(1 for p in self.people if p.passed)

    @property
    def absent(self) -> list[PersonResult]:
        return [p for p in self.people if p.status == "not_started"]


def unit_labels(unit_ids: set[int]) -> dict[int, str]:
    """Names that tell units apart: a 综合股 under two district bureaus reads as 'district · 综合股'."""
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))}
    parents = {u.id: u for u in db.session.scalars(select(OrgUnit).where(
        OrgUnit.id.in_({u.parent_id for u in units.values() if u.parent_id})))}
    return {uid: (f"{parents[u.parent_id].name} · {u.name}" if u.depth >= 2 and u.parent_id in parents else u.name)
            for uid, u in units.items()}


def results(exam: Exam) -> ExamResults:
    policy = policy_of(exam)
    people = db.session.execute(audience_query(exam).add_columns(OrgUnit.id)
                                .order_by(OrgUnit.path, User.username)).all()
    labels = unit_labels({unit_id for _u, unit_id in people})
    scores: dict[int, list[float]] = defaultdict(list)
    running: set[int] = set()
    started: Counter = Counter()
    for user_id, status, score in db.session.execute(
            select(Attempt.user_id, Attempt.status, Attempt.score).where(Attempt.exam_id == exam.id)
            .order_by(Attempt.user_id, Attempt.number)).all():
        started[user_id] += 1
        if status == "submitted":
            scores[user_id].append(score or 0.0)
        else:
            running.add(user_id)
    rows, units = [], {}
    for user, unit_id in people:
        unit_name = labels[unit_id]
        counted = exam_rules.counted_score(scores.get(user.id, []), policy)
        status = "submitted" if user.id in scores else ("running" if user.id in running else "not_started")
        result = PersonResult(user, unit_name, started[user.id], status, counted,
                              exam_rules.passed(counted, policy), exam_rules.band_for(counted, policy))
        rows.append(result)
        unit = units.setdefault(unit_name, UnitRow(unit_name))
        unit.expected += 1
        unit.sat += status == "submitted"
        unit.passed += result.passed
    band_counts = Counter(r.band for r in rows if r.status == "submitted")
    bands = [(b.label, band_counts.get(b.label, 0)) for b in sorted(policy.bands, key=lambda b: -b.minimum)]
    return ExamResults(exam, rows, bands, list(units.values()))


def export_xlsx(r: ExamResults) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "成绩"
    ws.append(["工号", "姓名", "单位", "作答次数", "状态", "计分成绩", "是否合格", "等次"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    labels = {"not_started": "未参加", "running": "作答中", "submitted": "已交卷"}
    for p in r.people:
        ws.append([p.user.username, p.user.name, p.unit, p.attempts, labels[p.status], p.score,
                   "是" if p.passed else "否", p.band])
    summary = wb.create_sheet("汇总")
    summary.append(["单位", "应参考", "参考", "合格"])
    for u in r.units:
        summary.append([u.unit, u.expected, u.sat, u.passed])
    summary.append(["合计", r.expected, r.sat, r.passed])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
