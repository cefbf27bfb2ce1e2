"""The one scoping helper: every query that lists or loads units, people or records goes through it.

An admin sees everything; a unit_admin or auditor sees the subtrees of the units their roles are
scoped to (never a sibling); anyone else sees only themselves.
"""
from dataclasses import dataclass

from sqlalchemy import Select, false, or_, select

from ..domain.orgpath import is_within
from ..domain.roles import ROLES
from ..errors import NotFound
from ..extensions import db
from ..models import OrgUnit, User


@dataclass(frozen=True)
class Scope:
    everything: bool
    paths: tuple[str, ...]      # subtree roots the actor may see
    self_id: int | None = None  # the actor, who can always see their own record

    @classmethod
    def of(cls, actor) -> "Scope":
        if actor is None or not getattr(actor, "is_authenticated", False):
            return cls(False, ())
        roles = actor.roles
        if any(r.role == "admin" for r in roles):
            return cls(True, ())
        paths = sorted({r.scope_unit.path for r in roles
                        if ROLES[r.role].scoped and r.scope_unit is not None})
        # drop paths already covered by a broader one
        paths = [p for p in paths if not any(p != q and is_within(p, q) for q in paths)]
        return cls(False, tuple(paths), actor.id)

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.paths

    def _path_clause(self, column):
        if self.everything:
            return None
        if not self.paths:
            return false()
        return or_(*[column.like(p + "%") for p in self.paths])

    def units(self, stmt: Select | None = None) -> Select:
        stmt = stmt if stmt is not None else select(OrgUnit)
        clause = self._path_clause(OrgUnit.path)
        return stmt if clause is None else stmt.where(clause)

    def users(self, stmt: Select | None = None) -> Select:
        """People the actor may see: `stmt` must select from User; the unit is joined here."""
        stmt = stmt if stmt is not None else select(User)
        clause = self._path_clause(OrgUnit.path)
        if clause is None:
            return stmt
        return stmt.join(OrgUnit, User.unit_id == OrgUnit.id).where(clause)

    def covers_unit(self, unit: OrgUnit) -> bool:
        return self.everything or any(is_within(unit.path, p) for p in self.paths)

    def get_unit(self, unit_id) -> OrgUnit:
        unit = db.session.get(OrgUnit, unit_id) if isinstance(unit_id, int) else None
        if unit is None or not self.covers_unit(unit):
            raise NotFound("单位不存在")
        return unit

    def get_user(self, user_id) -> User:
        user = db.session.get(User, user_id) if isinstance(user_id, int) else None
        if user is None or not (self.covers_unit(user.unit) or user.id == self.self_id):
            raise NotFound("人员不存在")
        return user

    def unit_by_code(self, code: str) -> OrgUnit | None:
        if not code or "\x00" in code:          # PostgreSQL refuses NUL in text: no unit has it
            return None
        return db.session.execute(self.units().where(OrgUnit.code == code)).scalar_one_or_none()
