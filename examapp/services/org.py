"""The org tree: create, rename, move and deactivate units, keeping materialized paths right."""
from datetime import datetime

from sqlalchemy import func, literal, select, update

from ..domain import orgpath
from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import db
from ..models import OrgUnit, User
from ..models.org import UNIT_KINDS
from . import audit
from .scope import Scope
from .tx import begin_write, commit


def _check_fields(code: str, name: str, kind: str) -> None:
    if not code or len(code) > 40:
        raise ValidationError("code", "单位编码不能为空，且不超过 40 个字符")
    if not name or len(name) > 120:
        raise ValidationError("name", "单位名称不能为空，且不超过 120 个字符")
    if kind not in UNIT_KINDS:
        raise ValidationError("kind", f"单位类型须为 {', '.join(UNIT_KINDS)} 之一")


def _writable_parent(scope: Scope, parent_id: int | None) -> OrgUnit | None:
    if parent_id is None:
        if not scope.everything:
            raise PermissionDenied("只有系统管理员可以创建顶级单位")
        return None
    parent = scope.get_unit(parent_id)
    if not parent.active:
        raise ValidationError("parent", "上级单位已停用")
    return parent


def add_unit(*, code: str, name: str, kind: str, parent: OrgUnit | None, sort_order: int = 0) -> OrgUnit:
    """Insert a unit and give it its path (no commit, no audit: callers do both)."""
    unit = OrgUnit(code=code, name=name, kind=kind, parent_id=parent.id if parent else None,
                   sort_order=sort_order, path="", depth=0)
    db.session.add(unit)
    db.session.flush()
    unit.path = orgpath.child_path(parent.path if parent else None, unit.id)
    unit.depth = orgpath.depth_of(unit.path)
    return unit


def create_unit(actor, *, code: str, name: str, kind: str, parent_id: int | None, now: datetime,
                sort_order: int = 0) -> OrgUnit:
    code, name = (code or "").strip(), (name or "").strip()
    _check_fields(code, name, kind)
    begin_write()
    scope = Scope.of(actor)
    parent = _writable_parent(scope, parent_id)
    if db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)):
        raise Conflict(f"单位编码 {code} 已存在")
    unit = add_unit(code=code, name=name, kind=kind, parent=parent, sort_order=sort_order)
    audit.record("unit.create", actor=actor, now=now, object_type="unit", object_id=unit.id,
                 data={"code": code, "name": name, "kind": kind, "parent": parent.code if parent else None})
    commit()
    return unit


def update_unit(actor, unit_id: int, *, name: str, kind: str, sort_order: int, now: datetime) -> OrgUnit:
    name = (name or "").strip()
    begin_write()
    unit = Scope.of(actor).get_unit(unit_id)
    _check_fields(unit.code, name, kind)
    changes = {k: [getattr(unit, k), v] for k, v in
               (("name", name), ("kind", kind), ("sort_order", sort_order)) if getattr(unit, k) != v}
    if changes:
        unit.name, unit.kind, unit.sort_order = name, kind, sort_order
        audit.record("unit.update", actor=actor, now=now, object_type="unit", object_id=unit.id,
                     data={"code": unit.code, "changes": changes})
    commit()
    return unit


def rebase_subtree(unit: OrgUnit, new_parent: OrgUnit) -> int:
    """Move `unit` under `new_parent`: one UPDATE rewrites the paths of the whole subtree."""
    old_prefix = unit.path
    new_prefix = orgpath.child_path(new_parent.path, unit.id)
    shift = orgpath.depth_of(new_prefix) - orgpath.depth_of(old_prefix)
    result = db.session.execute(
        update(OrgUnit)
        .where(OrgUnit.path.like(old_prefix + "%"))
        .values(path=literal(new_prefix) + func.substr(OrgUnit.path, len(old_prefix) + 1),
                depth=OrgUnit.depth + shift)
        .execution_options(synchronize_session=False)
    )
    unit.parent_id = new_parent.id
    db.session.flush()
    db.session.expire_all()
    return result.rowcount


def move_unit(actor, unit_id: int, *, new_parent_id: int, now: datetime) -> OrgUnit:
    begin_write()
    scope = Scope.of(actor)
    unit = scope.get_unit(unit_id)
    if not scope.everything and unit.path in scope.paths:
        raise PermissionDenied("不能移动自己管理范围的根单位")
    new_parent = scope.get_unit(new_parent_id)
    if unit.parent_id == new_parent.id:
        raise ValidationError("parent", "单位已在该上级单位之下")
    orgpath.check_move(unit.path, new_parent.path)
    old_parent = unit.parent.code if unit.parent else None
    moved = rebase_subtree(unit, new_parent)
    unit = db.session.get(OrgUnit, unit_id)
    audit.record("unit.move", actor=actor, now=now, object_type="unit", object_id=unit.id,
                 data={"code": unit.code, "from": old_parent, "to": new_parent.code, "units_moved": moved})
    commit()
    return unit


def set_unit_active(actor, unit_id: int, *, active: bool, now: datetime) -> OrgUnit:
    begin_write()
    scope = Scope.of(actor)
    unit = scope.get_unit(unit_id)
    if not scope.everything and unit.path in scope.paths:
        raise PermissionDenied("不能停用自己管理范围的根单位")
    if not active:
        below = select(OrgUnit.id).where(OrgUnit.path.like(unit.path + "%"), OrgUnit.id != unit.id,
                                         OrgUnit.active.is_(True))
        if db.session.scalar(select(func.count()).select_from(below.subquery())):
            raise Conflict("请先停用或移走其下级单位")
        people = db.session.scalar(select(func.count()).select_from(User)
                                   .where(User.unit_id == unit.id, User.active.is_(True)))
        if people:
            raise Conflict(f"该单位仍有 {people} 名在用人员，请先调出或停用")
    elif unit.parent is not None and not unit.parent.active:
        raise Conflict("上级单位已停用，请先启用上级单位")
    if unit.active != active:
        unit.active = active
        audit.record("unit.activate" if active else "unit.deactivate", actor=actor, now=now,
                     object_type="unit", object_id=unit.id, data={"code": unit.code})
    commit()
    return unit


def tree(actor, *, include_inactive: bool = True) -> list[OrgUnit]:
    """The units the actor may see, in tree order (parents before children, by sort order)."""
    stmt = Scope.of(actor).units()
    if not include_inactive:
        stmt = stmt.where(OrgUnit.active.is_(True))
    units = list(db.session.execute(stmt).scalars())
    by_parent: dict[int | None, list[OrgUnit]] = {}
    ids = {u.id for u in units}
    for u in units:
        key = u.parent_id if u.parent_id in ids else None
        by_parent.setdefault(key, []).append(u)
    ordered: list[OrgUnit] = []

    def walk(key):
        for child in sorted(by_parent.get(key, []), key=lambda u: (u.sort_order, u.code)):
            ordered.append(child)
            walk(child.id)

    walk(None)
    return ordered


def people_counts(actor) -> dict[int, int]:
    """Active people per unit (own staff, not the subtree), one GROUP BY."""
    stmt = Scope.of(actor).users(select(User.unit_id, func.count(User.id))).where(User.active.is_(True))
    return dict(db.session.execute(stmt.group_by(User.unit_id)).all())
