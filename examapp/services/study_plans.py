"""Study plans (a year's required hours for an audience), attendance of offline sessions, progress by unit
and person, and reminders for those behind.

Which plan applies to a person is decided in one place: `domain.study_plan.applicable_plan` (newest
matching plan wins); `plan_case` is the same rule as SQL for the aggregate queries.

Hours of a year: StudyRecord minutes of the year (必修 = records of the required category), plus, when the
person's plan counts practice, 1 minute per practice answer capped at 30 minutes a day (PracticeAnswer
rows of the bureau's local days of the year). Practice never counts towards the 必修 hours.
Expected people: active, on-post learners (employee role) in the actor's scope to whom a plan applies.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Float, and_, case, cast, false, func, literal_column, null, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite

from ..domain import study_plan as rules
from ..domain.like import ESCAPE, containing
from ..domain.study_plan import Hours, PlanRule
from ..errors import NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..formats.tabular import Column, FileError, RowError, parse_bool, read_table
from ..models import Course, CourseAudience, Lesson, OrgUnit, PracticeAnswer, StudyPlan, StudyRecord, User
from . import audience, audit
from .imports import FileCheck
from .scope import Scope
from .tx import begin_write, commit

# -- plans ------------------------------------------------------------------------------------------


@dataclass
class PlanInput:
    year: int
    title: str
    deadline: datetime | None                 # UTC
    required_hours: float = 40
    compulsory_hours: float = 30
    count_practice: bool = False
    audience: list[tuple[str, str]] = field(default_factory=list)


def _require_admin(actor) -> None:
    if not actor.has_role("admin"):
        raise PermissionDenied("只有系统管理员可以维护学习计划")


def _snapshot(plan: StudyPlan) -> dict:
    return {"year": plan.year, "title": plan.title, "required_hours": plan.required_hours,
            "compulsory_hours": plan.compulsory_hours, "deadline": plan.deadline.isoformat() if plan.deadline else None,
            "count_practice": plan.count_practice, "audience": [list(e) for e in plan.audience or []]}


def save_plan(actor, plan_id: int | None, data: PlanInput, *, now: datetime) -> StudyPlan:
    _require_admin(actor)
    problems = rules.validate_plan(data.title, data.required_hours, data.compulsory_hours, data.year)
    if problems:
        raise ValidationError(*problems[0])
    if data.deadline is None:
        raise ValidationError("deadline", "请填写完成期限")
    begin_write()
    audience.check(data.audience)
    if plan_id is None:
        plan, before = StudyPlan(created_by=getattr(actor, "username", "system"), created_at=now), None
        db.session.add(plan)
    else:
        plan = db.session.get(StudyPlan, plan_id)
        if plan is None:
            raise NotFound("学习计划不存在")
        before = _snapshot(plan)
    plan.year, plan.title = data.year, data.title.strip()
    plan.required_hours, plan.compulsory_hours = float(data.required_hours), float(data.compulsory_hours)
    plan.deadline, plan.count_practice = data.deadline, bool(data.count_practice)
    plan.audience = [list(e) for e in sorted(set(data.audience))]
    db.session.flush()
    after = _snapshot(plan)
    if before != after:
        audit.record("study_plan.create" if before is None else "study_plan.update", actor=actor, now=now,
                     object_type="study_plan", object_id=plan.id, data={"before": before, "after": after})
    commit()
    return plan


def get_plan(plan_id: int) -> StudyPlan:
    plan = db.session.get(StudyPlan, plan_id) if isinstance(plan_id, int) else None
    if plan is None:
        raise NotFound("学习计划不存在")
    return plan


def plans_of_year(year: int) -> list[StudyPlan]:
    """Newest first: the order in which they are tried."""
    return list(db.session.scalars(select(StudyPlan).where(StudyPlan.year == year)
                                   .order_by(StudyPlan.created_at.desc(), StudyPlan.id.desc())))


def all_plans():
    return select(StudyPlan).order_by(StudyPlan.year.desc(), StudyPlan.created_at.desc(), StudyPlan.id.desc())


def _entries(plan: StudyPlan) -> list[tuple[str, str]]:
    return [(k, v) for k, v in (plan.audience or [])]


def _rule(plan: StudyPlan) -> PlanRule:
    return PlanRule(plan.id, plan.created_at, tuple(_entries(plan)))


def plan_for(user: User, year: int) -> StudyPlan | None:
    """The plan that applies to the person in that year (the newest matching one), or None."""
    plans = plans_of_year(year)
    codes = {v for p in plans for k, v in _entries(p) if k in ("unit", "unit_tree")}
    paths = dict(db.session.execute(select(OrgUnit.code, OrgUnit.path).where(OrgUnit.code.in_(codes))).all()) \
        if codes else {}
    chosen = rules.applicable_plan([_rule(p) for p in plans], audience.person_of(user), paths)
    return next((p for p in plans if chosen is not None and p.id == chosen.id), None)


def plan_case(plans: list[StudyPlan]):
    """The applicable plan's id for a row of User joined with OrgUnit, as SQL (NULL: no plan). The rows are
    learners already, so each plan's audience is tested on the row itself: a subquery per plan would be
    copied into every expression that reads the plan and rescan the roster each time."""
    if not plans:
        return null()
    ordered = sorted(plans, key=lambda p: (p.created_at, p.id), reverse=True)
    paths = audience.unit_paths([e for p in ordered for e in _entries(p)])
    return case(*[(audience.condition(_entries(p), paths), _number(p.id)) for p in ordered], else_=null())


def _learners():
    return audience.people_query([], empty_means_everyone=True)


def _number(value):
    """A constant inlined as SQL: a bound parameter in a CASE has no type PostgreSQL can infer."""
    return literal_column(repr(int(value)) if isinstance(value, int) else repr(float(value)))


# -- hours ------------------------------------------------------------------------------------------

def local_year(now: datetime) -> int:
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return now.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).year


def _minutes(condition):
    return func.coalesce(func.sum(case((condition, StudyRecord.minutes), else_=0.0)), 0.0)


def _record_totals(year: int, user_ids=None):
    stmt = (select(StudyRecord.user_id.label("uid"),
                   _minutes(and_(StudyRecord.kind != "practice", StudyRecord.category == "required")).label("compulsory"),
                   _minutes(and_(StudyRecord.kind != "practice", StudyRecord.category != "required")).label("elective"),
                   _minutes(StudyRecord.kind == "online").label("online"),
                   _minutes(StudyRecord.kind == "offline").label("offline"),
                   _minutes(StudyRecord.kind == "practice").label("practice"))
            .where(StudyRecord.year == year).group_by(StudyRecord.user_id))
    if user_ids is not None:
        stmt = stmt.where(StudyRecord.user_id.in_(user_ids))
    return stmt.subquery("records")


def _practice_totals(year: int, user_ids=None):
    daily = (select(PracticeAnswer.user_id.label("uid"), func.count().label("n"))
             .where(PracticeAnswer.day >= date(year, 1, 1), PracticeAnswer.day <= date(year, 12, 31))
             .group_by(PracticeAnswer.user_id, PracticeAnswer.day))
    if user_ids is not None:
        daily = daily.where(PracticeAnswer.user_id.in_(user_ids))
    daily = daily.subquery("daily")
    minutes = daily.c.n * rules.PRACTICE_MINUTES_PER_ANSWER
    capped = case((minutes > rules.PRACTICE_DAILY_CAP_MINUTES, rules.PRACTICE_DAILY_CAP_MINUTES), else_=minutes)
    return (select(daily.c.uid, cast(func.sum(capped), Float).label("practice"))
            .group_by(daily.c.uid).subquery("practice"))


def hours_of(user_ids, year: int) -> dict[int, Hours]:
    """Credited minutes by category and kind, for each person (two aggregate queries)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rec = _record_totals(year, ids)
    out = {uid: Hours() for uid in ids}
    for row in db.session.execute(select(rec)):
        out[row.uid] = Hours(float(row.compulsory), float(row.elective), float(row.online), float(row.offline),
                             float(row.practice))
    prac = _practice_totals(year, ids)
    for uid, minutes in db.session.execute(select(prac.c.uid, prac.c.practice)):
        h = out[uid]
        out[uid] = Hours(h.compulsory, h.elective, h.online, h.offline, h.practice + float(minutes or 0))
    return out


def _scope_clause(scope: Scope):
    if scope.everything:
        return true()
    return or_(*[OrgUnit.path.like(p + "%") for p in scope.paths]) if scope.paths else false()


def _not_exempt(year: int):
    from .exemptions import not_exempt  # exemptions imports the approvals registry, which imports services
    return not_exempt(year)


def progress_subquery(actor, year: int, plans: list[StudyPlan], root: OrgUnit | None = None):
    """One row per expected person (approved 免考 of the year leave it, as in the rates report): unit, plan,
    minutes by category/kind, required minutes, done (0/1). `actor` None: everyone (the rates report scopes
    by its own root)."""
    people = (_learners()
              .with_only_columns(User.id.label("uid"), User.unit_id.label("unit_id"), OrgUnit.path.label("path"),
                                 plan_case(plans).label("plan_id"))
              .where(User.on_post.is_(True), true() if actor is None else _scope_clause(Scope.of(actor)),
                     _not_exempt(year)))
    if root is not None:
        people = people.where(OrgUnit.path.like(root.path + "%"))
    people = people.subquery("people")
    rec, prac = _record_totals(year), _practice_totals(year)
    compulsory = func.coalesce(rec.c.compulsory, 0.0)
    elective = func.coalesce(rec.c.elective, 0.0)
    practice = func.coalesce(rec.c.practice, 0.0) + func.coalesce(prac.c.practice, 0.0)
    counting = [p.id for p in plans if p.count_practice]
    counted = case((people.c.plan_id.in_(counting), practice), else_=0.0) if counting else _number(0.0)
    total = compulsory + elective + counted
    required = case(*[(people.c.plan_id == p.id, _number(p.required_hours * 60)) for p in plans], else_=0.0) \
        if plans else _number(0.0)
    required_compulsory = case(*[(people.c.plan_id == p.id, _number(p.compulsory_hours * 60)) for p in plans],
                               else_=0.0) \
        if plans else _number(0.0)
    done = case((and_(total >= required - 1e-6, compulsory >= required_compulsory - 1e-6), 1), else_=0)
    return (select(people.c.uid, people.c.unit_id, people.c.path, people.c.plan_id,
                   compulsory.label("compulsory"), elective.label("elective"),
                   func.coalesce(rec.c.online, 0.0).label("online"), func.coalesce(rec.c.offline, 0.0).label("offline"),
                   practice.label("practice"), total.label("total"), required.label("required"),
                   required_compulsory.label("required_compulsory"), done.label("done"))
            .select_from(people)
            .outerjoin(rec, rec.c.uid == people.c.uid)
            .outerjoin(prac, prac.c.uid == people.c.uid)
            .where(people.c.plan_id.is_not(None))
            .subquery("progress"))


@dataclass
class UnitProgress:
    unit: OrgUnit
    own_staff: bool             # the unit's own people only (not its sub-units)
    has_children: bool
    expected: int = 0
    completed: int = 0
    total_minutes: float = 0

    @property
    def label(self) -> str:
        return f"{self.unit.name}（本级）" if self.own_staff else self.unit.name

    @property
    def rate(self) -> float | None:
        return self.completed / self.expected if self.expected else None

    @property
    def rate_percent(self) -> float:
        return round(100 * self.rate, 1) if self.rate is not None else 0

    @property
    def average_hours(self) -> float:
        return round(self.total_minutes / self.expected / 60, 1) if self.expected else 0


def root_units(actor) -> list[OrgUnit]:
    scope = Scope.of(actor)
    if scope.everything:
        return list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.active.is_(True))
                                       .order_by(OrgUnit.sort_order, OrgUnit.id)))
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.path.in_(scope.paths)).order_by(OrgUnit.path)))


def progress_by_unit(actor, year: int, unit: OrgUnit | None = None) -> tuple[list[UnitProgress], UnitProgress | None]:
    """Rows for the unit's own staff and each child subtree (or the actor's root units), and a total."""
    plans = plans_of_year(year)
    if unit is None:
        roots = root_units(actor)
        rows = [UnitProgress(u, False, True) for u in roots]
    else:
        children = list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id,
                                                                 OrgUnit.active.is_(True))
                                           .order_by(OrgUnit.sort_order, OrgUnit.id)))
        grandchildren = set(db.session.scalars(select(OrgUnit.parent_id).where(
            OrgUnit.parent_id.in_([c.id for c in children])))) if children else set()
        rows = [UnitProgress(unit, True, False)] + [UnitProgress(c, False, c.id in grandchildren) for c in children]
    if not rows or not plans:
        return rows, None
    progress = progress_subquery(actor, year, plans, unit)
    whens = [((progress.c.unit_id == r.unit.id) if r.own_staff else progress.c.path.like(r.unit.path + "%"), i)
             for i, r in enumerate(rows)]
    bucketed = select(case(*whens, else_=-1).label("b"), progress.c.done, progress.c.total).subquery("bucketed")
    for b, n, completed, minutes in db.session.execute(
            select(bucketed.c.b, func.count(), func.sum(bucketed.c.done), func.sum(bucketed.c.total))
            .group_by(bucketed.c.b)):
        if b is not None and b >= 0:
            rows[b].expected, rows[b].completed, rows[b].total_minutes = n, int(completed or 0), float(minutes or 0)
    total = UnitProgress(unit or (rows[0].unit if len(rows) == 1 else None), False, False,
                         sum(r.expected for r in rows), sum(r.completed for r in rows),
                         sum(r.total_minutes for r in rows))
    return rows, total


def people_query(actor, year: int, unit: OrgUnit | None, *, behind: bool = False, q: str = ""):
    """Expected people of the unit's subtree (or the actor's scope), by unit and name: for db.paginate."""
    plans = plans_of_year(year)
    if not plans:
        return select(User).where(false())
    progress = progress_subquery(actor, year, plans, unit)
    stmt = (select(User).join(progress, progress.c.uid == User.id).join(OrgUnit, OrgUnit.id == User.unit_id)
            .order_by(OrgUnit.path, User.username))
    if behind:
        stmt = stmt.where(progress.c.done == 0)
    q = (q or "").strip()
    if q:
        like = containing(q)
        stmt = stmt.where(or_(User.name.like(like, escape=ESCAPE), User.username.like(like, escape=ESCAPE)))
    return stmt


@dataclass
class PersonProgress:
    user: User
    plan: StudyPlan | None
    hours: Hours
    required: float           # hours
    compulsory_required: float
    done: bool

    @property
    def total_minutes(self) -> float:
        return self.hours.total(bool(self.plan and self.plan.count_practice))

    @property
    def percent(self) -> int:
        return rules.percent(self.total_minutes, self.required)


def people_rows(actor, year: int, users: list[User]) -> list[PersonProgress]:
    """The figures for one page of people (a fixed number of queries)."""
    if not users:
        return []
    plans = {p.id: p for p in plans_of_year(year)}
    progress = progress_subquery(actor, year, list(plans.values()))
    rows = {r.uid: r for r in db.session.execute(select(progress).where(progress.c.uid.in_([u.id for u in users])))}
    out = []
    for u in users:
        r = rows.get(u.id)
        if r is None:
            continue
        plan = plans.get(r.plan_id)
        out.append(PersonProgress(u, plan, Hours(float(r.compulsory), float(r.elective), float(r.online),
                                                 float(r.offline), float(r.practice)),
                                  plan.required_hours if plan else 0, plan.compulsory_hours if plan else 0,
                                  bool(r.done)))
    return out


# -- a learner's own page ----------------------------------------------------------------------------

@dataclass
class MyStudy:
    year: int
    plan: StudyPlan | None
    hours: Hours
    by_course: list[tuple[str, str, str, float]]     # course title, category, kind, minutes
    complete: bool

    @property
    def total_minutes(self) -> float:
        return self.hours.total(bool(self.plan and self.plan.count_practice))

    @property
    def percent(self) -> int:
        return rules.percent(self.total_minutes, self.plan.required_hours) if self.plan else 0


def my_study(user: User, year: int) -> MyStudy:
    plan = plan_for(user, year)
    hours = hours_of([user.id], year)[user.id]
    rows = db.session.execute(
        select(func.coalesce(Course.title, ""), StudyRecord.category, StudyRecord.kind, func.sum(StudyRecord.minutes))
        .outerjoin(Course, Course.id == StudyRecord.course_id)
        .where(StudyRecord.user_id == user.id, StudyRecord.year == year)
        .group_by(Course.title, StudyRecord.category, StudyRecord.kind)
        .order_by(Course.title, StudyRecord.kind)).all()
    complete = plan is not None and rules.is_complete(hours, required_hours=plan.required_hours,
                                                       compulsory_hours=plan.compulsory_hours,
                                                       count_practice=plan.count_practice)
    return MyStudy(year, plan, hours, [(t, c, k, float(m or 0)) for t, c, k, m in rows], complete)


def years_with_records(user: User, now: datetime) -> list[int]:
    years = set(db.session.scalars(select(StudyRecord.year).where(StudyRecord.user_id == user.id).distinct()))
    years |= set(db.session.scalars(select(StudyPlan.year).distinct()))
    years.add(local_year(now))
    return sorted(years, reverse=True)


# -- attendance of offline sessions ------------------------------------------------------------------

def offline_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id) if isinstance(lesson_id, int) else None
    if lesson is None or lesson.kind != "offline":
        raise NotFound("线下学习活动不存在")
    return lesson


def offline_lessons_query(year: int | None = None):
    stmt = (select(Lesson).join(Course, Course.id == Lesson.course_id).where(Lesson.kind == "offline")
            .order_by(Course.year.desc(), Lesson.starts_at.desc(), Lesson.id.desc()))
    return stmt.where(Course.year == year) if year else stmt


def attendance_query(actor, lesson_id: int):
    """People credited for the lesson, within the actor's scope (db.paginate)."""
    stmt = (select(User).join(StudyRecord, StudyRecord.user_id == User.id)
            .where(StudyRecord.lesson_id == lesson_id).order_by(User.username))
    return Scope.of(actor).users(stmt)


def attendance_minutes(lesson_id: int, user_ids: list[int]) -> dict[int, float]:
    if not user_ids:
        return {}
    return dict(db.session.execute(select(StudyRecord.user_id, StudyRecord.minutes).where(
        StudyRecord.lesson_id == lesson_id, StudyRecord.user_id.in_(user_ids))).all())


def search_people(actor, q: str, *, limit: int = 50) -> list[User]:
    q = (q or "").strip()
    if not q:
        return []
    stmt = (select(User).where(User.active.is_(True), or_(User.name.like(containing(q), escape=ESCAPE),
                                                          User.username.like(containing(q), escape=ESCAPE)))
            .order_by(User.username).limit(limit))
    return list(db.session.scalars(Scope.of(actor).users(stmt)))


def _require_writer(actor) -> Scope:
    if not actor.has_role("admin", "unit_admin"):
        raise PermissionDenied("只有管理员可以登记出勤")
    return Scope.of(actor)


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _credit(actor, lesson: Lesson, minutes_by_user: dict[int, float], *, now: datetime, source: str,
            via: str) -> tuple[int, int]:
    """Insert the missing attendance records in the caller's transaction: (credited, already credited)."""
    have = set(db.session.scalars(select(StudyRecord.user_id).where(
        StudyRecord.lesson_id == lesson.id, StudyRecord.user_id.in_(list(minutes_by_user)))))
    course = lesson.course
    rows = [{"user_id": uid, "lesson_id": lesson.id, "course_id": course.id, "year": course.year, "kind": "offline",
             "category": course.category or "required", "minutes": float(m), "source": source,
             "recorded_by": getattr(actor, "username", "system")[:64], "recorded_at": now, "completed_at": now}
            for uid, m in sorted(minutes_by_user.items()) if uid not in have]
    inserted: list[int] = []
    make = _INSERTS.get(db.session.get_bind().dialect.name)
    if rows and make is not None:    # a concurrent run may have credited someone meanwhile: skip them
        stmt = make(StudyRecord).on_conflict_do_nothing(index_elements=["user_id", "lesson_id"]) \
            .returning(StudyRecord.user_id)
        inserted = list(db.session.scalars(stmt, rows))
    elif rows:
        db.session.execute(StudyRecord.__table__.insert(), rows)
        inserted = [r["user_id"] for r in rows]
    by_uid = {r["user_id"]: r for r in rows}
    audit.record_many("study.attendance", actor=actor, now=now, object_type="user",
                      items=[(uid, {"lesson_id": lesson.id, "course_id": course.id, "lesson": lesson.title,
                                    "minutes": by_uid[uid]["minutes"], "year": course.year, "via": via})
                             for uid in sorted(inserted)])
    return len(inserted), len(minutes_by_user) - len(inserted)


def record_attendance(actor, lesson_id: int, user_ids: list[int], *, now: datetime) -> tuple[int, int]:
    """Credit the lesson's minutes to each person (active, in the actor's scope). Someone already credited
    stays as they were. Returns (credited now, already credited)."""
    scope = _require_writer(actor)
    begin_write()
    lesson = offline_lesson(lesson_id)
    ids = sorted({int(i) for i in user_ids})
    if not ids:
        raise ValidationError("people", "请选择出勤人员")
    found = set(db.session.scalars(scope.users(select(User.id).where(User.id.in_(ids), User.active.is_(True)))))
    if len(found) != len(ids):
        raise NotFound("人员不存在或不在您的管理范围内")
    result = _credit(actor, lesson, dict.fromkeys(ids, lesson.credit_minutes), now=now, source="attendance",
                     via="pick")
    commit()
    return result


def record_unit_attendance(actor, lesson_id: int, unit_id: int, *, now: datetime) -> tuple[int, int]:
    """Credit every active learner of a unit's subtree (the actor's scope)."""
    scope = _require_writer(actor)
    unit = scope.get_unit(unit_id)
    ids = list(db.session.scalars(_learners().with_only_columns(User.id)
                                  .where(OrgUnit.path.like(unit.path + "%"))))
    if not ids:
        raise ValidationError("unit", f"{unit.name} 没有可登记的人员")
    return record_attendance(actor, lesson_id, ids, now=now)


# -- sign-in sheet import ----------------------------------------------------------------------------

SHEET_COLUMNS = [
    Column("username", "工号", required=True, aliases=("用户名", "账号"), help="人员的工号（登录名）", example="gx0101"),
    Column("name", "姓名", help="可选；填写时须与系统中的姓名一致", example="黄丽娟"),
    Column("signed", "签到", help="可选；“否”表示未到，不计学时；留空视为已签到", example="是"),
    Column("minutes", "学时(分钟)", aliases=("学时（分钟）", "学时", "分钟"),
           help="可选；留空按活动的学时计；不得超过活动的学时", example="90"),
]


@dataclass
class SheetItem:
    row: int
    username: str
    name: str
    minutes: float
    action: str                 # credit | already | absent
    user_id: int | None = None


@dataclass
class SheetPlan(FileCheck):
    filename: str
    items: list[SheetItem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""


def plan_sheet(actor, lesson_id: int, filename: str, data: bytes) -> SheetPlan:
    """What importing the sheet would do; every problem names its row and column. Writes nothing."""
    scope = _require_writer(actor)
    lesson = offline_lesson(lesson_id)
    plan = SheetPlan(filename)
    try:
        table = read_table(filename, data, SHEET_COLUMNS)
    except FileError as e:
        plan.file_error = str(e)
        return plan
    h = {c.key: c.header for c in SHEET_COLUMNS}
    usernames = {row.get("username", "").strip() for _n, row in table.rows}
    people = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(usernames)))}
    visible = set(db.session.scalars(scope.users(select(User.id).where(User.username.in_(usernames)))))
    already = set(db.session.scalars(select(StudyRecord.user_id).where(StudyRecord.lesson_id == lesson.id)))
    seen: dict[str, int] = {}
    for number, row in table.rows:
        username = row.get("username", "").strip()
        if not username:
            plan.errors.append(RowError(number, h["username"], "工号不能为空"))
            continue
        if username in seen:
            plan.errors.append(RowError(number, h["username"], f"工号 {username} 与第 {seen[username]} 行重复"))
            continue
        seen[username] = number
        user = people.get(username)
        if user is None or user.id not in visible:
            plan.errors.append(RowError(number, h["username"], f"工号 {username} 不存在或不在您的管理范围内"))
            continue
        if not user.active:
            plan.errors.append(RowError(number, h["username"], f"{user.name}（{username}）已停用"))
            continue
        name = row.get("name", "").strip()
        if name and name != user.name:
            plan.errors.append(RowError(number, h["name"], f"姓名「{name}」与工号 {username} 的姓名「{user.name}」不一致"))
            continue
        try:
            signed = parse_bool(row.get("signed", ""))
        except ValueError as e:
            plan.errors.append(RowError(number, h["signed"], str(e)))
            continue
        minutes_text = row.get("minutes", "").strip()
        minutes = float(lesson.credit_minutes)
        if minutes_text:
            try:
                minutes = float(minutes_text)
            except ValueError:
                plan.errors.append(RowError(number, h["minutes"], f"「{minutes_text}」不是数字"))
                continue
            if not (0 < minutes <= lesson.credit_minutes):
                plan.errors.append(RowError(number, h["minutes"],
                                            f"学时应大于 0 且不超过本次活动的 {lesson.credit_minutes} 分钟"))
                continue
        action = "absent" if signed is False else ("already" if user.id in already else "credit")
        plan.items.append(SheetItem(number, username, user.name, minutes, action, user.id))
    return plan


def apply_sheet(actor, lesson_id: int, filename: str, data: bytes, *, now: datetime) -> SheetPlan:
    """Plan again and, when the whole sheet is valid, credit everyone signed in, in one transaction."""
    begin_write()
    plan = plan_sheet(actor, lesson_id, filename, data)
    if not plan.ok:
        db.session.rollback()
        return plan
    lesson = offline_lesson(lesson_id)
    wanted = {i.user_id: i.minutes for i in plan.items if i.action == "credit"}
    if wanted:
        _credit(actor, lesson, wanted, now=now, source="import", via=f"sheet:{filename}"[:120])
    audit.record("study.attendance_import", actor=actor, now=now, object_type="lesson", object_id=lesson.id,
                 data={"file": filename, "credited": len(wanted), "already": plan.count("already"),
                       "absent": plan.count("absent")})
    commit()
    return plan


# -- reminders ---------------------------------------------------------------------------------------

def send_reminders(*, now: datetime) -> int:
    """30 and 7 days before a plan's deadline, tell the people it applies to who are behind. Keyed by plan,
    stage and deadline: a rerun sends nothing new, a moved deadline reminds again."""
    from ..services.actors import SystemActor
    from . import notifications
    from .reminders import local_time, path_for

    horizon = max(rules.REMINDER_DAYS)
    plans = list(db.session.scalars(select(StudyPlan).where(StudyPlan.deadline > now,
                                                            StudyPlan.deadline <= now + timedelta(days=horizon))
                                    .order_by(StudyPlan.id)))
    everyone = SystemActor(username="system:scheduler")
    jobs = []
    for plan in plans:
        stage = rules.due_reminder(now, plan.deadline)
        if stage is None:
            continue
        year_plans = plans_of_year(plan.year)
        progress = progress_subquery(everyone, plan.year, year_plans)
        ids = list(db.session.scalars(select(progress.c.uid).where(progress.c.plan_id == plan.id,
                                                                   progress.c.done == 0)))
        key = f"study:{plan.id}:{stage}d:{plan.deadline:%Y%m%d%H%M}"
        body = (f"《{plan.title}》要求 {plan.required_hours:g} 学时（其中必修 {plan.compulsory_hours:g} 学时），"
                f"{local_time(plan.deadline)} 截止，您尚未完成，请抓紧学习。")
        jobs.append((ids, key, body, plan.id))
    db.session.rollback()   # end the read transaction: notify_many opens the writing one
    sent = 0
    link = path_for("plans.my_hours")
    for ids, key, body, plan_id in jobs:
        sent += notifications.notify_many(ids, key, "study_behind", "学时尚未达标", body, link, now,
                                          object_type="study_plan", object_id=plan_id)
    return sent


# -- demo --------------------------------------------------------------------------------------------

def _demo_course(title: str, year: int, lessons: list[tuple[str, str, int, datetime | None]], now: datetime) -> Course:
    """A published required course of this title and year with these lessons (kind, title, minutes, when)."""
    course = db.session.scalar(select(Course).where(Course.title == title, Course.year == year))
    if course is None:
        course = Course(title=title, year=year, category="required", status="published", created_by="system:seed",
                        description="集中学法、党组中心组学法和网上学法平台的全年学习。", created_at=now)
        db.session.add(course)
        db.session.flush()
        db.session.add(CourseAudience(course_id=course.id, kind="role", value="employee"))
        for ordinal, (kind, lesson_title, minutes, when) in enumerate(lessons):
            course.lessons.append(Lesson(ordinal=ordinal, kind=kind, title=lesson_title,
                                  credit_minutes=minutes, starts_at=when, location="市局三楼会议室" if kind == "offline"
                                  else None, offline_kind="group_study" if kind == "offline" else None,
                                  body="全年网上学法：按平台课程目录学习。" if kind == "document" else ""))
        db.session.flush()
    return course


def seed_demo(*, now: datetime) -> str:
    """Plans for this year and last, a year of group study and online study, and attendance records: most
    people finished last year; this year a third are done and the rest behind. Idempotent."""
    from .actors import SystemActor

    actor = SystemActor(username="system:seed")
    this = local_year(now)
    from . import study
    study.seed_demo_courses(now)        # it skips lessons whose law is not imported
    begin_write()
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    made_plans = 0
    for year in (this - 1, this):
        title = f"{year}年度法治学习计划"
        if db.session.scalar(select(StudyPlan.id).where(StudyPlan.year == year, StudyPlan.title == title)) is None:
            deadline = datetime(year, 12, 31, 23, 59, tzinfo=tz).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
            db.session.add(StudyPlan(year=year, title=title, required_hours=40, compulsory_hours=30, deadline=deadline,
                                     count_practice=False, audience=[], created_by="system:seed",
                                     created_at=min(now, datetime(year, 1, 5))))
            made_plans += 1
    start = datetime(this, 1, 2, 1)

    def when(days_ago: int) -> datetime:
        return max(start, now - timedelta(days=days_ago))

    last = _demo_course(f"{this - 1}年度集中学法", this - 1, [
        ("offline", "集中学习：民法典专题", 480, datetime(this - 1, 3, 20, 1)),
        ("offline", "党组中心组学法：行政处罚法", 240, datetime(this - 1, 6, 12, 1)),
        ("offline", "法治讲座：优化营商环境条例", 480, datetime(this - 1, 9, 8, 1)),
        ("document", "网上学法平台全年学习", 1440, None)], now)
    current = _demo_course(f"{this}年度集中学法", this, [
        ("offline", "集中学习：宪法和国家安全法", 480, when(60)),
        ("offline", "党组中心组学法：信访工作条例", 240, when(30)),
        ("offline", "集中学习：保障中小企业款项支付条例", 480, when(10)),
        ("document", "网上学法平台全年学习", 1440, None)], now)
    people = list(db.session.execute(select(User.id, User.username).where(User.active.is_(True))
                                     .order_by(User.username)))
    have = set(db.session.execute(select(StudyRecord.user_id, StudyRecord.lesson_id).where(
        StudyRecord.lesson_id.in_([lesson.id for lesson in last.lessons + current.lessons]))).all())
    rows = []
    for i, (uid, username) in enumerate(people):
        if username in ("auditor",):
            continue
        # last year: four in five finished; this year: a third finished, `employee` half-way, `employee2` done
        plan_last = "all" if i % 5 or username in ("employee", "employee2") else "some"
        plan_this = {0: "all", 1: "some", 2: "little"}[i % 3]
        plan_this = {"employee": "some", "employee2": "all"}.get(username, plan_this)
        for course, extent in ((last, plan_last), (current, plan_this)):
            for n, lesson in enumerate(course.lessons):
                if (uid, lesson.id) in have:
                    continue
                if lesson.kind == "offline":
                    if extent == "little" or (extent == "some" and n > 0):
                        continue
                    minutes, kind, source, at = float(lesson.credit_minutes), "offline", "attendance", lesson.starts_at
                else:
                    minutes = float(lesson.credit_minutes) if extent == "all" else (600.0 if extent == "some" else 300.0)
                    kind, source, at = "online", "heartbeat", min(now, datetime(course.year, 12, 20))
                rows.append({"user_id": uid, "lesson_id": lesson.id, "course_id": course.id, "year": course.year,
                             "kind": kind, "category": course.category, "minutes": minutes, "source": source,
                             "recorded_by": "system:seed", "recorded_at": at or now,
                             "completed_at": (at or now) if minutes >= lesson.credit_minutes else None})
    if rows:
        db.session.execute(StudyRecord.__table__.insert(), rows)
    if rows or made_plans:
        audit.record("study.seed", actor=actor, now=now, object_type="study_plan", object_id="demo",
                     data={"plans": made_plans, "records": len(rows), "years": [this - 1, this]})
    commit()
    return f"study plans: {made_plans} plans and {len(rows)} study records created this run"
