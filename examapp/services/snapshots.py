"""Closing a year: its rates frozen as they were (ReportSnapshot), so later roster changes do not rewrite
last year's figures. The snapshot keeps every counted person's facts and the units as they stood, so the
frozen report of any unit can be rebuilt, and compared with a live recomputation person by person."""
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from ..domain.audit_chain import canonical_json
from ..domain.rates import COUNTS, Counts
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import Exam, OrgUnit, ReportSnapshot, StudyPlan, User
from . import audit, rates
from .certificate_views import local_today
from .scope import Scope
from .study_plans import local_year, root_units
from .tx import begin_write, commit

UNIT_FIELDS = ("id", "code", "name", "path", "parent_id", "depth", "active", "sort_order")
PERSON_FIELDS = ("uid", "unit_id", *COUNTS)


def get(year: int) -> ReportSnapshot | None:
    return db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.year == year))


def _live_people(year: int, root: OrgUnit | None, now: datetime) -> list[list[int]]:
    facts = rates.facts(year, rates.report_date(year, now), local_today(now), root)
    return [list(map(int, row)) for row in db.session.execute(
        select(*[facts.c[name] for name in PERSON_FIELDS]).order_by(facts.c.uid))]


def close_year(actor, year: int, *, now: datetime) -> ReportSnapshot:
    """Freeze the year's report for the whole bureau. Only an admin, only a year that has ended, once."""
    if not actor.has_role("admin"):
        raise PermissionDenied("只有系统管理员可以关闭年度")
    year = rates.check_year(year)
    if year >= local_year(now):
        raise ValidationError("year", f"{year} 年度尚未结束，不能关闭")
    begin_write()
    if get(year) is not None:
        raise Conflict(f"{year} 年度已关闭")
    roots = root_units(actor)
    if not roots:
        raise NotFound("没有可统计的单位")
    report = rates.live(year, roots[0], now)
    units = [[getattr(u, f) for f in UNIT_FIELDS] for u in rates.all_units()]
    people = _live_people(year, None, now)
    head = audit.chain_status()
    snapshot = ReportSnapshot(year=year, as_of=report.as_of.isoformat(), report=report.as_json(),
                              people=canonical_json({"units": units, "people": people}), digest=report.digest,
                              audit_seq=head.head_seq, audit_hash=head.head_hash, created_by=actor.id, created_at=now)
    db.session.add(snapshot)
    db.session.flush()
    audit.record("report.snapshot", actor=actor, now=now, object_type="report_snapshot", object_id=snapshot.id,
                 data={"year": year, "digest": snapshot.digest, "people": len(people), "audit_seq": head.head_seq,
                       "audit_hash": head.head_hash})
    commit()
    audit.write_checkpoint(audit.verify(), now)      # the chain head, outside the database, at every snapshot
    return snapshot


# -- the frozen report of a unit ------------------------------------------------------------------------

@dataclass
class Frozen:
    snapshot: ReportSnapshot
    units: list[rates.UnitInfo]
    people: list[list[int]]

    @classmethod
    def of(cls, snapshot: ReportSnapshot) -> "Frozen":
        data = json.loads(snapshot.people)
        units = [rates.UnitInfo(**dict(zip(UNIT_FIELDS, u, strict=True))) for u in data["units"]]
        return cls(snapshot, units, data["people"])

    def unit(self, code: str) -> rates.UnitInfo | None:
        return next((u for u in self.units if u.code == code), None)

    def report(self, code: str) -> rates.Report | None:
        root = self.unit(code)
        if root is None:
            return None
        paths = {u.id: u.path for u in self.units}
        own: dict[int, Counts] = {}
        for person in self.people:
            unit_id = person[1]
            if paths.get(unit_id, "").startswith(root.path):
                own[unit_id] = own.get(unit_id, Counts()) + Counts(*person[2:])
        under = [u for u in self.units if u.path.startswith(root.path)]
        return rates.assemble(self.snapshot.year, root, date.fromisoformat(self.snapshot.as_of), under, own)

    def people_under(self, code: str) -> dict[int, list[int]]:
        root = self.unit(code)
        paths = {u.id: u.path for u in self.units}
        return {p[0]: p for p in self.people if root is not None and paths.get(p[1], "").startswith(root.path)}


@dataclass
class Difference:
    user: User | None
    kind: str                 # moved | left | joined | changed
    detail: str


@dataclass
class FrozenView:
    snapshot: ReportSnapshot
    report: rates.Report | None           # the frozen figures of this unit (None: the unit did not exist)
    live: rates.Report
    differences: list[Difference] = field(default_factory=list)
    more: int = 0

    @property
    def same(self) -> bool:
        return self.report is not None and self.report.digest == self.live.digest


COUNT_LABELS = {"expected": "应参考", "exempt": "免考", "study_completed": "学时完成", "sat": "参考", "passed": "合格",
                "excellent": "优秀", "enforcement_staff": "执法人员", "valid_certificates": "持有效执法证"}
SHOWN = 200


def _explain(frozen: Frozen, live: rates.Report, now: datetime) -> tuple[list[Difference], int]:
    """The people whose facts differ between the snapshot and today's records, and why."""
    before = frozen.people_under(live.root.code)
    root = db.session.get(OrgUnit, live.root.id)
    after = {p[0]: p for p in _live_people(live.year, root, now)}
    changed = sorted(uid for uid in before.keys() | after.keys() if before.get(uid) != after.get(uid))
    total = len(changed)
    changed = changed[:SHOWN]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(changed)))} if changed else {}
    names = {u.id: u.name for u in frozen.units} | dict(db.session.execute(select(OrgUnit.id, OrgUnit.name)).all())
    out = []
    for uid in changed:
        old, new, user = before.get(uid), after.get(uid), users.get(uid)
        if old is None:
            out.append(Difference(user, "joined", f"现计入 {names.get(new[1], '')}"))
        elif new is None:
            why = "已停用" if user is not None and not user.active else "已不在编在岗或已调出本范围" if user else "已删除"
            out.append(Difference(user, "left", f"冻结时在 {names.get(old[1], '')}，{why}"))
        elif old[1] != new[1]:
            out.append(Difference(user, "moved", f"由 {names.get(old[1], '')} 调至 {names.get(new[1], '')}"))
        else:
            diffs = [f"{COUNT_LABELS[k]} {a}→{b}" for k, a, b in zip(COUNTS, old[2:], new[2:], strict=True) if a != b]
            out.append(Difference(user, "changed", "，".join(diffs)))
    return out, total - len(out)


def compare(actor, live: rates.Report, *, now: datetime) -> FrozenView | None:
    """For a closed year: the frozen figures of the live report's unit and, when they differ, the people
    who explain it."""
    snapshot = get(live.year)
    if snapshot is None:
        return None
    frozen = Frozen.of(snapshot)
    view = FrozenView(snapshot, frozen.report(live.root.code), live)
    if not view.same:
        view.differences, view.more = _explain(frozen, live, now)
    return view


def official(actor, year: int, unit_code: str | None, *, now: datetime) -> rates.Report:
    """The figures to report: frozen for a closed year (when the unit existed then), else live."""
    year = rates.check_year(year)
    root = rates.root_for(actor, unit_code)
    snapshot = get(year)
    frozen = Frozen.of(snapshot).report(root.code) if snapshot is not None else None
    return frozen or rates.live(year, root, now)


def listing() -> list[ReportSnapshot]:
    return list(db.session.scalars(select(ReportSnapshot).order_by(ReportSnapshot.year.desc())))


# -- across years -------------------------------------------------------------------------------------

@dataclass
class TrendPoint:
    year: int
    rates: dict
    frozen: bool


def trend(actor, current: rates.Report, *, now: datetime, years: int = 5) -> list[TrendPoint]:
    """The unit's total rates for the years up to the current report's that have an annual exam, a plan or a
    snapshot; the current report is reused, not recomputed."""
    known = set(db.session.scalars(select(Exam.year).where(Exam.kind == "annual", Exam.status.in_(rates.EXAM_STATUSES))))
    known |= set(db.session.scalars(select(StudyPlan.year))) | set(db.session.scalars(select(ReportSnapshot.year)))
    chosen = sorted({y for y in known if y < current.year} | {current.year})[-years:]
    closed = set(db.session.scalars(select(ReportSnapshot.year).where(ReportSnapshot.year.in_(chosen))))
    out = []
    for y in chosen:
        report = current if y == current.year else official(actor, y, current.root.code, now=now)
        out.append(TrendPoint(y, report.total.rates(), y in closed))
    return out


def ancestors(actor, unit_id: int) -> list[OrgUnit]:
    """The report unit's ancestors the actor may open, for the breadcrumb."""
    unit = db.session.get(OrgUnit, unit_id)
    ids = [int(p) for p in unit.path.strip("/").split("/") if p][:-1] if unit else []
    scope = Scope.of(actor)
    rows = db.session.scalars(scope.units().where(OrgUnit.id.in_(ids))) if ids else []
    return sorted(rows, key=lambda u: u.depth)


__all__ = ["Frozen", "FrozenView", "ancestors", "close_year", "compare", "get", "listing", "official", "trend"]
