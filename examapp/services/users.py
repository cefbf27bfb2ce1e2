"""People: create, edit, roles, deactivate, reset password, search."""
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select

from ..domain.like import ESCAPE, containing
from ..domain.passwords import check_password_policy
from ..domain.people import FLAGS, USERNAME_RE, email_problem
from ..domain.roles import ROLES, can_grant
from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import db
from ..models import OrgUnit, User, UserRole
from . import audit
from .passwords import hash_password
from .scope import Scope
from .tx import begin_write, commit


@dataclass
class PersonInput:
    username: str
    name: str
    unit_id: int
    position: str = ""
    on_post: bool = True
    is_enforcement: bool = False
    is_supervision: bool = False
    is_leader: bool = False
    # role -> scope unit id (None: the person's own unit for scoped roles)
    roles: dict[str, int | None] = field(default_factory=lambda: {"employee": None})
    email: str | None = None        # None: left as it is ("" clears it)


def check_person_fields(username: str, name: str, position: str) -> None:
    if not USERNAME_RE.match(username or ""):
        raise ValidationError("username", "工号须为 2–64 位字母、数字或 _ . -")
    if not (name or "").strip() or len(name) > 64:
        raise ValidationError("name", "姓名不能为空，且不超过 64 个字符")
    if len(position or "") > 80:
        raise ValidationError("position", "职务不超过 80 个字符")


def _check_email(email: str | None) -> str | None:
    if email is None:
        return None
    email = email.strip()
    problem = email_problem(email)
    if problem:
        raise ValidationError("email", problem)
    return email


def _apply_roles(actor, scope: Scope, user: User, wanted: dict[str, int | None]) -> dict:
    """Replace the user's roles by `wanted`, refusing any grant or revoke the actor may not make."""
    actor_roles = actor.role_names
    current = {r.role: r.scope_unit_id for r in user.roles}
    resolved: dict[str, int | None] = {}
    for role, scope_unit_id in wanted.items():
        spec = ROLES.get(role)
        if spec is None:
            raise ValidationError("roles", f"未知角色 {role}")
        if spec.scoped:
            unit = scope.get_unit(scope_unit_id) if scope_unit_id else user.unit
            resolved[role] = unit.id
        else:
            resolved[role] = None
    changed = {r for r in set(current) | set(resolved)
               if (r in current) != (r in resolved) or current.get(r) != resolved.get(r)}
    for role in changed:
        if not can_grant(actor_roles, role):
            raise PermissionDenied(f"无权授予或撤销角色 {ROLES[role].label if role in ROLES else role}")
    if not changed:
        return {}
    user.set_roles(resolved)
    return {"roles": [sorted(current), sorted(resolved)]}


def _check_unit(scope: Scope, unit_id: int) -> OrgUnit:
    unit = scope.get_unit(unit_id)
    if not unit.active:
        raise ValidationError("unit_id", f"单位 {unit.name} 已停用")
    return unit


def create_user(actor, data: PersonInput, *, password: str, must_change: bool = True,
                now: datetime) -> User:
    check_person_fields(data.username, data.name, data.position)
    email = _check_email(data.email) or ""
    check_password_policy(password, username=data.username, name=data.name,
                          min_length=current_app.config["PASSWORD_MIN_LENGTH"])
    begin_write()
    scope = Scope.of(actor)
    unit = _check_unit(scope, data.unit_id)
    if db.session.scalar(select(User.id).where(User.username == data.username)):
        raise Conflict(f"工号 {data.username} 已存在")
    user = User(username=data.username, name=data.name.strip(), unit=unit, position=data.position.strip(), email=email,
                password_hash=hash_password(password), must_change_password=must_change,
                **{f: getattr(data, f) for f in FLAGS})
    db.session.add(user)
    db.session.flush()
    _apply_roles(actor, scope, user, data.roles)
    db.session.flush()
    audit.record("user.create", actor=actor, now=now, object_type="user", object_id=user.id,
                 data={"username": user.username, "name": user.name, "unit": unit.code,
                       "roles": sorted(user.role_names), **{f: getattr(user, f) for f in FLAGS},
                       **({"email": email} if email else {})})
    commit()
    return user


def update_user(actor, user_id: int, data: PersonInput, *, now: datetime) -> User:
    check_person_fields(data.username, data.name, data.position)
    email = _check_email(data.email)
    begin_write()
    scope = Scope.of(actor)
    user = scope.get_user(user_id)
    if not scope.covers_unit(user.unit):
        raise PermissionDenied("无权修改该人员")
    if data.username != user.username:
        raise ValidationError("username", "工号创建后不能修改")
    changes = {}
    if data.unit_id != user.unit_id:
        unit = _check_unit(scope, data.unit_id)
        changes["unit"] = [user.unit.code, unit.code]
        user.unit = unit
    for attr in ("name", "position", *FLAGS):
        new = getattr(data, attr).strip() if isinstance(getattr(data, attr), str) else getattr(data, attr)
        if getattr(user, attr) != new:
            changes[attr] = [getattr(user, attr), new]
            setattr(user, attr, new)
    if email is not None and email != user.email:
        changes["email"] = [user.email, email]
        user.email = email
    role_change = _apply_roles(actor, scope, user, data.roles)
    if role_change:
        changes.update(role_change)
        user.session_version += 1  # new rights take effect with a fresh login
    if changes:
        audit.record("user.update", actor=actor, now=now, object_type="user", object_id=user.id,
                     data={"username": user.username, "changes": changes})
    commit()
    return user


def set_user_active(actor, user_id: int, *, active: bool, now: datetime) -> User:
    begin_write()
    scope = Scope.of(actor)
    user = scope.get_user(user_id)
    if user.id == actor.id:
        raise ValidationError("active", "不能停用自己的账号")
    if not scope.covers_unit(user.unit) or any(not can_grant(actor.role_names, r) for r in user.role_names):
        raise PermissionDenied("无权停用或启用该人员")
    if user.active != active:
        user.active = active
        user.session_version += 1
        audit.record("user.activate" if active else "user.deactivate", actor=actor, now=now,
                     object_type="user", object_id=user.id, data={"username": user.username})
    commit()
    return user


def generate_initial_password() -> str:
    """A random password that meets the policy; shown once to the admin who set it."""
    return f"Ex{secrets.randbelow(10**4):04d}-{secrets.token_urlsafe(6)}"


def reset_password(actor, user_id: int, *, now: datetime, password: str | None = None) -> tuple[User, str]:
    begin_write()
    scope = Scope.of(actor)
    user = scope.get_user(user_id)
    if not scope.covers_unit(user.unit) or any(not can_grant(actor.role_names, r) for r in user.role_names):
        raise PermissionDenied("无权重置该人员的密码")
    password = password or generate_initial_password()
    check_password_policy(password, username=user.username, name=user.name,
                          min_length=current_app.config["PASSWORD_MIN_LENGTH"])
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_version += 1
    audit.record("user.password_reset", actor=actor, now=now, object_type="user", object_id=user.id,
                 data={"username": user.username})
    commit()
    return user, password


@dataclass
class PeopleFilter:
    q: str = ""
    unit_id: int | None = None
    subtree: bool = True
    role: str = ""
    flag: str = ""
    active: str = "1"   # "1" active, "0" inactive, "" all


def people_query(actor, f: PeopleFilter):
    scope = Scope.of(actor)
    stmt = scope.users(select(User))
    if scope.everything:
        stmt = stmt.join(OrgUnit, User.unit_id == OrgUnit.id)
    if f.q:
        like = containing(f.q.strip())
        stmt = stmt.where(or_(User.username.ilike(like, escape=ESCAPE), User.name.ilike(like, escape=ESCAPE),
                              User.position.ilike(like, escape=ESCAPE)))
    if f.unit_id:
        unit = scope.get_unit(f.unit_id)
        stmt = stmt.where(OrgUnit.path.like(unit.path + "%")) if f.subtree else stmt.where(User.unit_id == unit.id)
    if f.role in ROLES:
        stmt = stmt.where(User.roles.any(UserRole.role == f.role))
    if f.flag in FLAGS:
        stmt = stmt.where(getattr(User, f.flag).is_(True))
    if f.active in ("0", "1"):
        stmt = stmt.where(User.active.is_(f.active == "1"))
    return stmt.order_by(OrgUnit.path, User.username)
