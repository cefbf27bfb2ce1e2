"""Study plans without a database: which plan applies to a person, whether its hours are met, how practice
counts, and when reminders are due.

Audience entries have the exams' format: ("unit_tree", CODE) the unit and everything below it,
("unit", CODE) the unit alone, ("role", ROLE), ("flag", FLAG), ("user", USERNAME); no entries: everyone.
Of the plans of a year that match a person, the newest applies (a later plan for a narrower audience
replaces the general one for those people).
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

AUDIENCE_KINDS = ("unit_tree", "unit", "role", "flag", "user")
FLAGS = ("is_enforcement", "is_supervision", "is_leader", "on_post")

# Practice counts (when a plan says so) as 1 minute per answer, at most 30 minutes a day: answering
# fast all night must not finish a year's plan.
PRACTICE_MINUTES_PER_ANSWER = 1
PRACTICE_DAILY_CAP_MINUTES = 30

REMINDER_DAYS = (30, 7)


@dataclass(frozen=True)
class PlanRule:
    id: int
    created_at: datetime
    audience: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Person:
    username: str
    unit_path: str
    roles: frozenset = field(default_factory=frozenset)
    flags: frozenset = field(default_factory=frozenset)     # the FLAGS the person carries


def parse_audience(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Lines `kind:value` → (entries, problems). Problems name the line."""
    entries, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        kind, sep, value = line.partition(":")
        kind, value = kind.strip(), value.strip()
        if not sep or not value:
            problems.append(f"第 {number} 行「{line}」应写成 类型:值，如 unit_tree:GXJ")
        elif kind not in AUDIENCE_KINDS:
            problems.append(f"第 {number} 行：未知的范围类型 {kind}")
        elif kind == "flag" and value not in FLAGS:
            problems.append(f"第 {number} 行：未知的岗位标记 {value}")
        else:
            entries.append((kind, value))
    return sorted(set(entries)), problems


def matches(audience: Iterable[tuple[str, str]], person: Person, unit_paths: Mapping[str, str]) -> bool:
    """`unit_paths` maps unit codes to their materialized paths; an unknown code matches nobody."""
    entries = list(audience)
    if not entries:
        return True
    for kind, value in entries:
        if kind == "user" and value == person.username:
            return True
        if kind == "role" and value in person.roles:
            return True
        if kind == "flag" and value in person.flags:
            return True
        if kind in ("unit", "unit_tree") and value in unit_paths:
            path = unit_paths[value]
            if person.unit_path == path or (kind == "unit_tree" and person.unit_path.startswith(path)):
                return True
    return False


def newest_first(plans: Iterable[PlanRule]) -> list[PlanRule]:
    return sorted(plans, key=lambda p: (p.created_at, p.id), reverse=True)


def applicable_plan(plans: Iterable[PlanRule], person: Person, unit_paths: Mapping[str, str]) -> PlanRule | None:
    for plan in newest_first(plans):
        if matches(plan.audience, person, unit_paths):
            return plan
    return None


@dataclass(frozen=True)
class Hours:
    """Credited minutes of a year, by category and kind; practice only counts when the plan says so."""
    compulsory: float = 0       # 必修 (courses of the required category)
    elective: float = 0         # 选修
    online: float = 0
    offline: float = 0
    practice: float = 0

    @property
    def studied(self) -> float:
        return self.compulsory + self.elective

    def total(self, count_practice: bool) -> float:
        return self.studied + (self.practice if count_practice else 0)


def is_complete(hours: Hours, *, required_hours: float, compulsory_hours: float, count_practice: bool) -> bool:
    return (hours.total(count_practice) >= required_hours * 60 - 1e-6
            and hours.compulsory >= compulsory_hours * 60 - 1e-6)


def practice_minutes(answers_per_day: Iterable[int]) -> float:
    return float(sum(min(n * PRACTICE_MINUTES_PER_ANSWER, PRACTICE_DAILY_CAP_MINUTES) for n in answers_per_day))


def percent(done_minutes: float, required_hours: float) -> int:
    if required_hours <= 0:
        return 100
    return min(100, int(done_minutes / (required_hours * 60) * 100))


def due_reminder(now: datetime, deadline: datetime, days: Iterable[int] = REMINDER_DAYS) -> int | None:
    """The reminder stage (days before the deadline) that is due now: the nearest lead already reached.
    None once the deadline has passed or before the first lead."""
    if now >= deadline:
        return None
    reached = [d for d in days if deadline - now <= timedelta(days=d)]
    return min(reached) if reached else None


def validate_plan(title: str, required_hours: float, compulsory_hours: float, year: int) -> list[tuple[str, str]]:
    """(field, message) for each problem."""
    problems = []
    if not (title or "").strip():
        problems.append(("title", "请填写计划名称"))
    if not (2000 <= year <= 2100):
        problems.append(("year", "年度应在 2000–2100 之间"))
    if required_hours is None or not (0 < required_hours <= 1000):
        problems.append(("required_hours", "应修学时须大于 0 且不超过 1000"))
    elif compulsory_hours is None or not (0 <= compulsory_hours <= required_hours):
        problems.append(("compulsory_hours", "必修学时须在 0 与应修学时之间"))
    return problems
