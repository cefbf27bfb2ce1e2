"""Bulk import of units and people: plan (the preview), then apply all-or-nothing with progress."""
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..domain.roles import ROLES, can_grant
from ..extensions import db
from ..formats.roster import (
    PERSON_COLUMNS,
    UNIT_COLUMNS,
    UNIT_KIND_LABELS,
    PersonRow,
    UnitRow,
    parse_people,
    parse_units,
)
from ..formats.tabular import Column, FileError, RowError, read_table
from ..models import OrgUnit, User, UserRole
from . import audit, bulk, org
from .passwords import hash_password
from .scope import Scope
from .tx import begin_write, commit

PROGRESS_EVERY = 250
# New people are inserted (and their audit events appended) in batches of this many rows: one executemany
# per table and batch. Progress is still reported every PROGRESS_EVERY rows read; nothing is visible to
# others before the commit at the end either way.
CREATE_BATCH = 2500


@dataclass
class PlanItem:
    row: int
    key: str               # unit code or username
    label: str             # unit or person name
    action: str            # create | update | unchanged
    changes: dict = field(default_factory=dict)


class FileCheck:
    """What every previewed import shares: `filename`, `items`, `errors` (rows) and `file_error`."""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    def count(self, action: str) -> int:
        return sum(1 for i in self.items if i.action == action)

    def messages(self) -> list[str]:
        if self.file_error:
            return [self.file_error]
        return [f"{self.filename} {e}" for e in self.errors]


@dataclass
class ImportPlan(FileCheck):
    kind: str
    filename: str
    total: int = 0
    items: list[PlanItem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""


@dataclass
class Kind:
    name: str
    title: str
    columns: list[Column]
    plan: object
    apply: object


# -- units --------------------------------------------------------------------------------------

def _plan_units(actor, filename: str, rows: list[UnitRow], errors: list[RowError]):
    scope = Scope.of(actor)
    all_units = {u.code: u for u in db.session.execute(select(OrgUnit)).scalars()}
    in_file = {r.code: r for r in rows}
    h = {c.key: c.header for c in UNIT_COLUMNS}
    items = []
    final_parent: dict[str, str | None] = {c: (u.parent.code if u.parent else None) for c, u in all_units.items()}
    for r in rows:
        existing = all_units.get(r.code)
        if existing is not None and not scope.covers_unit(existing):
            errors.append(RowError(r.row, h["code"], f"单位编码 {r.code} 已被管理范围之外的单位使用"))
            continue
        if r.parent_code:
            if r.parent_code not in in_file and r.parent_code not in all_units:
                errors.append(RowError(r.row, h["parent_code"], f"上级单位编码 {r.parent_code} 不存在"))
                continue
            parent = all_units.get(r.parent_code)
            if parent is not None and r.parent_code not in in_file and not scope.covers_unit(parent):
                errors.append(RowError(r.row, h["parent_code"], f"上级单位 {r.parent_code} 不在您的管理范围内"))
                continue
            final_parent[r.code] = r.parent_code
        elif existing is None:
            if not scope.everything:
                errors.append(RowError(r.row, h["parent_code"], "只有系统管理员可以创建顶级单位，请填写上级单位编码"))
                continue
            final_parent[r.code] = None
        if existing is not None and not scope.everything and existing.path in scope.paths \
                and final_parent[r.code] != (existing.parent.code if existing.parent else None):
            errors.append(RowError(r.row, h["parent_code"], "不能移动自己管理范围的根单位"))
            continue
        if existing is None:
            items.append(PlanItem(r.row, r.code, r.name, "create",
                                  {"parent": r.parent_code or None, "kind": r.kind or "department"}))
        else:
            changes = {}
            if r.name != existing.name:
                changes["name"] = [existing.name, r.name]
            if r.kind and r.kind != existing.kind:
                changes["kind"] = [existing.kind, r.kind]
            if r.sort_order is not None and r.sort_order != existing.sort_order:
                changes["sort_order"] = [existing.sort_order, r.sort_order]
            old_parent = existing.parent.code if existing.parent else None
            if final_parent[r.code] != old_parent:
                changes["parent"] = [old_parent, final_parent[r.code]]
            items.append(PlanItem(r.row, r.code, r.name, "update" if changes else "unchanged", changes))
    # a parent chain that comes back to itself would detach part of the tree
    for r in rows:
        seen, code = set(), r.code
        while code is not None and code not in seen:
            seen.add(code)
            code = final_parent.get(code)
        if code is not None:
            errors.append(RowError(r.row, h["parent_code"], f"上级关系形成循环（涉及 {r.code}）"))
    return items


def _apply_units(actor, plan: ImportPlan, rows: list[UnitRow], now: datetime) -> Iterator[tuple[int, int]]:
    by_code = {r.code: r for r in rows}
    units = {u.code: u for u in db.session.execute(select(OrgUnit)).scalars()}
    done = 0
    pending = [i for i in plan.items if i.action == "create"]
    while pending:  # parents first: a unit waits until its parent exists
        ready = [i for i in pending if not i.changes["parent"] or i.changes["parent"] in units]
        for item in ready:
            r = by_code[item.key]
            parent = units.get(r.parent_code) if r.parent_code else None
            unit = org.add_unit(code=r.code, name=r.name, kind=r.kind or "department", parent=parent,
                                sort_order=r.sort_order or 0)
            units[r.code] = unit
            audit.record("unit.create", actor=actor, now=now, object_type="unit", object_id=unit.id,
                         data={"code": r.code, "name": r.name, "kind": unit.kind,
                               "parent": r.parent_code or None, "via": "import"})
            done += 1
            if done % PROGRESS_EVERY == 0:
                yield done, plan.total
        pending = [i for i in pending if i not in ready]
    for item in (i for i in plan.items if i.action == "update"):
        r, unit = by_code[item.key], db.session.execute(select(OrgUnit).where(OrgUnit.code == item.key)).scalar_one()
        if "parent" in item.changes:
            new_parent = db.session.execute(
                select(OrgUnit).where(OrgUnit.code == item.changes["parent"][1])).scalar_one()
            org.rebase_subtree(unit, new_parent)
            unit = db.session.execute(select(OrgUnit).where(OrgUnit.code == item.key)).scalar_one()
        unit.name = r.name
        unit.kind = r.kind or unit.kind
        unit.sort_order = unit.sort_order if r.sort_order is None else r.sort_order
        audit.record("unit.update", actor=actor, now=now, object_type="unit", object_id=unit.id,
                     data={"code": unit.code, "changes": item.changes, "via": "import"})
        done += 1
        if done % PROGRESS_EVERY == 0:
            yield done, plan.total


# -- people -------------------------------------------------------------------------------------

def _existing_users(usernames: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for start in range(0, len(usernames), 500):
        chunk = usernames[start:start + 500]
        for user in db.session.execute(select(User).where(User.username.in_(chunk))).scalars():
            found[user.username] = user
    return found


def _plan_people(actor, filename: str, rows: list[PersonRow], errors: list[RowError]):
    scope = Scope.of(actor)
    units = {u.code: u for u in db.session.execute(scope.units()).scalars()}
    existing = _existing_users([r.username for r in rows])
    h = {c.key: c.header for c in PERSON_COLUMNS}
    granter = actor.role_names
    items = []
    for r in rows:
        unit = units.get(r.unit_code)
        if unit is None:
            errors.append(RowError(r.row, h["unit_code"], f"单位编码 {r.unit_code} 不存在或不在您的管理范围内"))
            continue
        if not unit.active:
            errors.append(RowError(r.row, h["unit_code"], f"单位 {r.unit_code} 已停用"))
            continue
        user = existing.get(r.username)
        if user is not None and not scope.covers_unit(user.unit):
            errors.append(RowError(r.row, h["username"], f"工号 {r.username} 已被管理范围之外的人员使用"))
            continue
        current_roles = sorted(user.role_names) if user else []
        wanted_roles = sorted(r.roles) if r.roles is not None else (current_roles if user else ["employee"])
        denied = [x for x in set(current_roles) ^ set(wanted_roles) if not can_grant(granter, x)]
        if denied:
            errors.append(RowError(r.row, h["roles"], "无权授予或撤销角色：" + "、".join(ROLES[x].label for x in denied)))
            continue
        if user is None:
            items.append(PlanItem(r.row, r.username, r.name, "create",
                                  {"unit": r.unit_code, "roles": wanted_roles}))
            continue
        changes = {}
        if r.name != user.name:
            changes["name"] = [user.name, r.name]
        if r.unit_code != user.unit.code:
            changes["unit"] = [user.unit.code, r.unit_code]
        if r.position is not None and r.position != user.position:
            changes["position"] = [user.position, r.position]
        if r.email is not None and r.email != user.email:
            changes["email"] = [user.email, r.email]
        for key, value in r.flags.items():
            if getattr(user, key) != value:
                changes[key] = [getattr(user, key), value]
        if wanted_roles != current_roles:
            changes["roles"] = [current_roles, wanted_roles]
        if r.active is not None and r.active != user.active:
            changes["active"] = [user.active, r.active]
        items.append(PlanItem(r.row, r.username, r.name, "update" if changes else "unchanged", changes))
    return items


def _apply_people(actor, plan: ImportPlan, rows: list[PersonRow], now: datetime, *,
                  initial_password: str) -> Iterator[tuple[int, int]]:
    by_username = {r.username: r for r in rows}
    units = {u.code: u for u in db.session.execute(select(OrgUnit)).scalars()}
    existing = _existing_users([i.key for i in plan.items if i.action == "update"])
    # One hash for the batch: every new person must change it at first login.
    password_hash = hash_password(initial_password) if plan.count("create") else ""
    done = 0
    pending_creates: list[tuple[dict, PlanItem]] = []

    def flush_creates():
        # Core executemany per table for the batch, ids taken first (ORM objects cost 10x here, and
        # INSERT ... RETURNING of a batch is slow on PostgreSQL: see bulk.py).
        if not pending_creates:
            return
        db.session.flush()
        ids = bulk.reserve_ids(User.__table__, len(pending_creates))
        for uid, (row, _item) in zip(ids, pending_creates, strict=True):
            row["id"] = uid
        bulk.insert_rows(User.__table__, [row for row, _ in pending_creates])
        roles = []
        for row, item in pending_creates:
            unit_id = row["unit_id"]
            roles.extend({"user_id": row["id"], "role": x,
                          "scope_unit_id": unit_id if ROLES[x].scoped else None} for x in item.changes["roles"])
        bulk.insert_rows(UserRole.__table__, roles)
        audit.record_many("user.create", actor=actor, now=now, object_type="user", items=[
            (row["id"], {"username": row["username"], "name": row["name"], "unit": item.changes["unit"],
                         "roles": item.changes["roles"], "via": "import"})
            for row, item in pending_creates])
        pending_creates.clear()

    for item in plan.items:
        if item.action == "unchanged":
            continue
        r = by_username[item.key]
        unit = units[r.unit_code]
        scoped_unit = unit.id
        if item.action == "create":
            pending_creates.append(({
                "username": r.username, "name": r.name, "unit_id": unit.id, "position": r.position or "",
                "email": r.email or "",
                "password_hash": password_hash, "must_change_password": True, "session_version": 1,
                "active": True if r.active is None else r.active, "created_at": now,
                "on_post": r.flags.get("on_post", True), "is_enforcement": r.flags.get("is_enforcement", False),
                "is_supervision": r.flags.get("is_supervision", False), "is_leader": r.flags.get("is_leader", False),
            }, item))
        else:
            user = existing[item.key]
            for key, (_old, new) in item.changes.items():
                if key == "unit":
                    user.unit_id = unit.id
                elif key == "roles":
                    user.set_roles({x: scoped_unit if ROLES[x].scoped else None for x in new})
                else:
                    setattr(user, key, new)
            if {"roles", "active"} & item.changes.keys():
                user.session_version += 1
            audit.record("user.update", actor=actor, now=now, object_type="user", object_id=user.id,
                         data={"username": user.username, "changes": item.changes, "via": "import"})
        done += 1
        if len(pending_creates) >= CREATE_BATCH:
            flush_creates()
        if done % PROGRESS_EVERY == 0:
            yield done, plan.total
    flush_creates()


KINDS = {
    "units": Kind("units", "单位", UNIT_COLUMNS, (parse_units, _plan_units), _apply_units),
    "people": Kind("people", "人员", PERSON_COLUMNS, (parse_people, _plan_people), _apply_people),
}


def _parse(kind: Kind, actor, filename: str, data: bytes) -> tuple[ImportPlan, list]:
    plan = ImportPlan(kind.name, filename)
    try:
        table = read_table(filename, data, kind.columns)
    except FileError as e:
        plan.file_error = str(e)
        return plan, []
    parse, make_plan = kind.plan
    rows, errors = parse(table)
    plan.total = len(table.rows)
    plan.errors = errors
    plan.items = make_plan(actor, filename, rows, plan.errors)
    plan.errors.sort(key=lambda e: e.row)
    return plan, rows


def preview(kind_name: str, actor, filename: str, data: bytes) -> ImportPlan:
    """What the file would create and update, and every error; writes nothing."""
    plan, _rows = _parse(KINDS[kind_name], actor, filename, data)
    db.session.rollback()
    return plan


def apply(kind_name: str, actor, filename: str, data: bytes, *, now: datetime,
          **options) -> Iterator[tuple[int, int] | ImportPlan]:
    """Yields (done, total) as rows are written, then the final plan. All or nothing: any error
    found now (the database may have changed since the preview) writes nothing."""
    kind = KINDS[kind_name]
    begin_write()
    plan, rows = _parse(kind, actor, filename, data)
    if not plan.ok:
        db.session.rollback()
        yield plan
        return
    try:
        yield from kind.apply(actor, plan, rows, now, **options)
        audit.record(f"import.{kind.name}", actor=actor, now=now, object_type="import", object_id=filename[:64],
                     data={"file": filename, "rows": plan.total, "created": plan.count("create"),
                           "updated": plan.count("update")})
        commit()
    except BaseException:
        db.session.rollback()
        raise
    yield plan


def run(kind_name: str, actor, filename: str, data: bytes, *, now: datetime, **options) -> ImportPlan:
    """apply() without progress: the final plan."""
    result = None
    for step in apply(kind_name, actor, filename, data, now=now, **options):
        result = step
    return result


__all__ = ["KINDS", "UNIT_KIND_LABELS", "ImportPlan", "apply", "preview", "run"]
