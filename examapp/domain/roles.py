"""The roles: one registry that says who is scoped to a subtree and who may change things."""
from dataclasses import dataclass


@dataclass(frozen=True)
class RoleSpec:
    name: str
    label: str
    scoped: bool          # sees only the subtree of its scope unit
    writes: bool          # may change anything at all
    granted_by: tuple[str, ...]


ROLES: dict[str, RoleSpec] = {
    spec.name: spec
    for spec in (
        RoleSpec("employee", "学员", scoped=False, writes=True, granted_by=("admin", "unit_admin")),
        RoleSpec("unit_admin", "单位管理员", scoped=True, writes=True, granted_by=("admin",)),
        RoleSpec("admin", "系统管理员", scoped=False, writes=True, granted_by=("admin",)),
        RoleSpec("auditor", "审计督查", scoped=True, writes=False, granted_by=("admin",)),
    )
}

ADMIN_ROLES = frozenset({"admin", "unit_admin"})


def can_grant(granter_roles: set[str], role: str) -> bool:
    spec = ROLES.get(role)
    return spec is not None and bool(granter_roles.intersection(spec.granted_by))
