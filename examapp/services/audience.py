"""Audience entries shared by exams, courses and study plans: `unit_tree:CODE` (a unit and everything
below it), `unit:CODE`, `role:NAME`, `flag:is_enforcement` (a post flag) and `user:USERNAME`.

The SQL conditions apply to rows of User joined with OrgUnit (as `learners()` selects them)."""
from collections.abc import Iterable, Mapping

from sqlalchemy import false, or_, select, true

from ..domain.study_plan import Person, matches
from ..errors import ValidationError
from ..extensions import db
from ..models import OrgUnit, User, UserRole

KINDS = ("unit", "unit_tree", "role", "flag", "user")
FLAGS = ("is_enforcement", "is_supervision", "is_leader", "on_post")


def parse_lines(text: str) -> list[tuple[str, str]]:
    """The admin's textarea, one `kind:value` a line, as entries (checked by `check`)."""
    entries = []
    for line in (text or "").splitlines():
        if line.strip():
            kind, _sep, value = line.strip().replace("：", ":").partition(":")
            entries.append((kind.strip(), value.strip()))
    return entries


def check(entries: Iterable[tuple[str, str]], field: str = "audience") -> list[tuple[str, str]]:
    """The entries, deduplicated and sorted, or a ValidationError naming the first bad one."""
    entries = [(str(k), str(v)) for k, v in entries]
    for kind, value in entries:
        if kind not in KINDS:
            raise ValidationError(field, f"未知的范围类型 {kind}")
        if kind in ("unit", "unit_tree") and not db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == value)):
            raise ValidationError(field, f"单位编码 {value} 不存在")
        if kind == "user" and not db.session.scalar(select(User.id).where(User.username == value)):
            raise ValidationError(field, f"工号 {value} 不存在")
        if kind == "flag" and value not in FLAGS:
            raise ValidationError(field, f"未知的岗位标记 {value}")
    return sorted(set(entries))


def unit_paths(entries: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Unit code → materialized path for the units the entries name, in one query."""
    codes = {v for k, v in entries if k in ("unit", "unit_tree")}
    if not codes:
        return {}
    return dict(db.session.execute(select(OrgUnit.code, OrgUnit.path).where(OrgUnit.code.in_(codes))).all())


def _clause(kind: str, value: str, paths: Mapping[str, str]):
    if kind == "user":
        return User.username == value
    if kind == "role":
        return User.roles.any(UserRole.role == value)
    if kind == "flag" and value in FLAGS:
        return getattr(User, value).is_(True)
    if kind in ("unit", "unit_tree") and value in paths:
        return OrgUnit.path.like(paths[value] + "%") if kind == "unit_tree" else OrgUnit.path == paths[value]
    return None


def condition(entries: Iterable[tuple[str, str]], paths: Mapping[str, str] | None = None):
    """The entries as one SQL condition. No entries: everyone (true); entries that name nothing that
    exists (an unknown unit code): nobody."""
    entries = list(entries)
    if not entries:
        return true()
    paths = unit_paths(entries) if paths is None else paths
    clauses = [c for c in (_clause(k, v, paths) for k, v in entries) if c is not None]
    return or_(*clauses) if clauses else false()


def learners():
    """Active learners, User joined with OrgUnit. Accounts without the employee role (an outside auditor)
    are never learners."""
    return (select(User).join(OrgUnit, OrgUnit.id == User.unit_id)
            .where(User.active.is_(True), User.roles.any(UserRole.role == "employee")))


def people_query(entries, *, empty_means_everyone: bool = False):
    """The learners the entries cover, as one query. No entries: nobody (an exam or course without an
    audience), or everyone when `empty_means_everyone` (a study plan)."""
    entries = list(entries)
    if not entries and not empty_means_everyone:
        return learners().where(false())
    return learners().where(condition(entries))


def person_of(user) -> Person:
    return Person(user.username, user.unit.path, frozenset(user.role_names),
                  frozenset(f for f in FLAGS if getattr(user, f)))


def holding(user, entries_by_id: Mapping[int, list]) -> set[int]:
    """Of the objects (exams, courses) whose audience entries are given, those whose audience holds `user`:
    the rule of `people_query`, tested in Python for one person instead of one query per object. An object
    without entries holds nobody; only active learners are held."""
    if not user.active or not user.has_role("employee"):
        return set()
    paths = unit_paths([e for entries in entries_by_id.values() for e in entries])
    person = person_of(user)
    return {oid for oid, entries in entries_by_id.items() if entries and matches(entries, person, paths)}


def contains(entries, user, *, empty_means_everyone: bool = False) -> bool:
    query = people_query(entries, empty_means_everyone=empty_means_everyone)
    return db.session.scalar(query.where(User.id == user.id).with_only_columns(User.id)) is not None
