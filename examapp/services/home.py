"""What each role's home page shows."""
from dataclasses import dataclass

from sqlalchemy import func, select

from ..domain.orgpath import ids_of
from ..extensions import db
from ..models import OrgUnit, User
from . import audit, org
from .scope import Scope


@dataclass
class UnitRow:
    unit: OrgUnit
    own: int
    total: int
    enforcement: int
    depth: int


def unit_rows(actor) -> list[UnitRow]:
    """Units in scope with their own and subtree head counts (two aggregate queries, rolled up here)."""
    units = org.tree(actor, include_inactive=False)
    scope = Scope.of(actor)
    counts = dict(db.session.execute(
        scope.users(select(User.unit_id, func.count(User.id))).where(User.active.is_(True)).group_by(User.unit_id)
    ).all())
    enforcement = dict(db.session.execute(
        scope.users(select(User.unit_id, func.count(User.id)))
        .where(User.active.is_(True), User.is_enforcement.is_(True)).group_by(User.unit_id)
    ).all())
    totals: dict[int, int] = {}
    enf_totals: dict[int, int] = {}
    for u in units:
        for ancestor in ids_of(u.path):
            totals[ancestor] = totals.get(ancestor, 0) + counts.get(u.id, 0)
            enf_totals[ancestor] = enf_totals.get(ancestor, 0) + enforcement.get(u.id, 0)
    top = min((u.depth for u in units), default=0)
    return [UnitRow(u, counts.get(u.id, 0), totals.get(u.id, 0), enf_totals.get(u.id, 0), u.depth - top)
            for u in units]


@dataclass
class Todo:
    approvals: int                           # others' requests waiting for this admin
    grading: list[tuple[int, str, int]]      # (exam id, title, answer sheets waiting for hand grading)


def todo(user) -> Todo:
    from ..models import Attempt, Exam
    from . import approvals
    grading = db.session.execute(
        select(Exam.id, Exam.title, func.count(Attempt.id)).join(Attempt, Attempt.exam_id == Exam.id)
        .where(Attempt.status == "submitted", Attempt.pending_manual.is_(True))
        .group_by(Exam.id, Exam.title).order_by(Exam.id)).all()
    return Todo(approvals.pending_count(user), [tuple(row) for row in grading])


def cards_for(user) -> dict:
    cards: dict = {"profile": user}
    if user.has_role("admin", "unit_admin"):
        rows = unit_rows(user)
        cards["units"] = rows
        cards["people_total"] = sum(r.own for r in rows)
        top = [r for r in rows if r.depth == 1] or rows[:1]
        cards["chart"] = [{"name": r.unit.name, "total": r.total} for r in top]
    if user.has_role("admin"):
        cards["todo"] = todo(user)
    if user.has_role("auditor", "admin"):
        cards["chain"] = audit.chain_status()
        cards["verification"] = audit.page_verification(cards["chain"])
    return cards
