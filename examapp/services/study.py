"""Courses and lessons (admin), online study measured by the server from heartbeats, the files behind
lessons (served only to the course's audience), and the hours other parts count (plans, certificates)."""
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, String, cast, func, select

from ..domain import file_types, study_time
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import Course, CourseAudience, Law, LawPart, Lesson, StudyRecord, StudySession, User
from ..models.course import COURSE_CATEGORIES, LESSON_KINDS, OFFLINE_KINDS
from . import audience, audit, uploads
from .scope import Scope
from .tx import begin_write, commit
from .uploads import Upload

ONLINE_KINDS = ("law_reading", "document", "video")     # credited by heartbeats; the others by attendance
FILE_KINDS = {"document": (file_types.PDF, file_types.PNG, file_types.JPEG), "video": (file_types.MP4,)}
KIND_LABELS = {"law_reading": "法规学习", "document": "讲义课件", "video": "视频", "broadcast": "庭审直播",
               "offline": "线下学习"}
OFFLINE_LABELS = {"lecture": "法治讲座", "group_study": "集中学习", "leader_study": "党组中心组学法",
                  "oath": "宪法宣誓"}
CATEGORY_LABELS = {"required": "必修", "elective": "选修"}


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _local(utc: datetime) -> datetime:
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(_tz()).replace(tzinfo=None)


def is_admin(actor) -> bool:
    return bool(actor is not None and actor.has_role("admin"))


# -- courses ----------------------------------------------------------------------------------------

@dataclass
class CourseInput:
    title: str
    year: int
    category: str = "required"
    description: str = ""
    audience: list | None = None       # [(kind, value)], as for exams; None leaves it unchanged


def _check_course(data: CourseInput) -> None:
    if not data.title.strip() or len(data.title) > 200:
        raise ValidationError("title", "课程名称不能为空，且不超过 200 个字符")
    if not isinstance(data.year, int) or not 2000 <= data.year <= 2100:
        raise ValidationError("year", "年度须在 2000–2100 之间")
    if data.category not in COURSE_CATEGORIES:
        raise ValidationError("category", "课程类别须为必修或选修")
    if len(data.description or "") > 4000:
        raise ValidationError("description", "课程简介不超过 4000 个字符")


def get_course(course_id) -> Course:
    course = db.session.get(Course, course_id) if isinstance(course_id, int) else None
    if course is None:
        raise NotFound("课程不存在")
    return course


def course_audience(course_id: int) -> list[tuple[str, str]]:
    return [(k, v) for k, v in db.session.execute(
        select(CourseAudience.kind, CourseAudience.value).where(CourseAudience.course_id == course_id)
        .order_by(CourseAudience.kind, CourseAudience.value)).all()]


def save_course(actor, course_id: int | None, data: CourseInput, *, now: datetime) -> Course:
    _check_course(data)
    begin_write()
    entries = audience.check(data.audience) if data.audience is not None else None
    fields = {"title": data.title.strip(), "year": data.year, "category": data.category,
              "description": (data.description or "").strip()}
    if course_id is None:
        course = Course(status="draft", created_by=getattr(actor, "username", ""), created_at=now, **fields)
        db.session.add(course)
        db.session.flush()
        changes = {k: ["", str(v)] for k, v in fields.items()}
        action = "course.create"
    else:
        course = get_course(course_id)
        changes = {k: [str(getattr(course, k)), str(v)] for k, v in fields.items() if getattr(course, k) != v}
        for k, v in fields.items():
            setattr(course, k, v)
        action = "course.update"
    if entries is not None:
        before = course_audience(course.id)
        if before != entries:
            changes["audience"] = [before, entries]
            db.session.execute(CourseAudience.__table__.delete().where(CourseAudience.course_id == course.id))
            db.session.add_all(CourseAudience(course_id=course.id, kind=k, value=v) for k, v in entries)
    if changes:
        audit.record(action, actor=actor, now=now, object_type="course", object_id=course.id,
                     data={"changes": changes})
    commit()
    return course


def set_status(actor, course_id: int, status: str, *, now: datetime) -> Course:
    """Publish (learners see it), or archive (hidden again; what was credited stays)."""
    if status not in ("published", "archived", "draft"):
        raise ValidationError("status", "未知的课程状态")
    begin_write()
    course = get_course(course_id)
    if status == "published":
        if not course.lessons:
            raise ValidationError("lessons", "课程还没有课时，不能发布")
        if not course_audience(course.id):
            raise ValidationError("audience", "请指定学习人员范围")
    if course.status != status:
        audit.record(f"course.{'publish' if status == 'published' else status}", actor=actor, now=now,
                     object_type="course", object_id=course.id, data={"from": course.status, "to": status})
        course.status = status
    commit()
    return course


def courses_page(page: int, per_page: int, *, year: int | None = None):
    stmt = select(Course).order_by(Course.year.desc(), Course.id.desc())
    if year:
        stmt = stmt.where(Course.year == year)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


# -- lessons ----------------------------------------------------------------------------------------

@dataclass
class LessonInput:
    kind: str
    title: str
    credit_minutes: int = 45
    ordinal: int | None = None
    law_code: str = ""
    law_part: str = ""                 # a chapter of the law: its number or title ("第二章"); empty: the whole law
    starts_at: datetime | None = None  # broadcast / offline
    link: str = ""
    offline_kind: str = ""
    location: str = ""
    body: str = ""


def lesson_folder() -> Path:
    return uploads.folder("lessons")


def _find_part(law: Law, text: str) -> LawPart:
    text = text.strip()
    parts = db.session.scalars(select(LawPart).where(LawPart.version_id == law.current_version_id)
                               .order_by(LawPart.ordinal)).all()
    for part in parts:
        if part.title == text or part.title.split()[0] == text or (text.isdigit() and part.id == int(text)):
            return part
    raise ValidationError("law_part", f"《{law.title}》中没有章节「{text}」")


def _check_lesson(data: LessonInput, lesson: Lesson | None, upload: Upload | None) -> dict:
    """The lesson's fields from the input, or a ValidationError naming the field."""
    if data.kind not in LESSON_KINDS:
        raise ValidationError("kind", "未知的课时类型")
    if not data.title.strip() or len(data.title) > 200:
        raise ValidationError("title", "课时名称不能为空，且不超过 200 个字符")
    if not isinstance(data.credit_minutes, int) or not 1 <= data.credit_minutes <= 600:
        raise ValidationError("credit_minutes", "学时须在 1–600 分钟之间")
    fields = {"kind": data.kind, "title": data.title.strip(), "credit_minutes": data.credit_minutes,
              "law_code": None, "law_part_id": None, "starts_at": None, "link": None, "offline_kind": None,
              "location": None, "body": (data.body or "").strip()}
    if len(fields["body"]) > 20000:
        raise ValidationError("body", "讲义文字不超过 20000 个字符")
    if data.kind == "law_reading":
        law = db.session.execute(select(Law).where(Law.code == (data.law_code or "").strip())).scalar_one_or_none()
        if law is None or law.current_version_id is None:
            raise ValidationError("law_code", "请选择已导入的法律")
        fields["law_code"] = law.code
        fields["law_part_id"] = _find_part(law, data.law_part).id if (data.law_part or "").strip() else None
    elif data.kind in FILE_KINDS:
        has_file = upload is not None or (lesson is not None and lesson.kind == data.kind and lesson.stored_name)
        if not has_file and not (data.kind == "document" and fields["body"]):
            raise ValidationError("file", "请上传文件" if data.kind == "video" else "请上传文件或填写讲义文字")
    elif data.kind == "broadcast":
        link = (data.link or "").strip()
        if data.starts_at is None:
            raise ValidationError("starts_at", "请填写直播开始时间")
        if not link.startswith(("https://", "http://")) or len(link) > 500 or any(c.isspace() for c in link):
            raise ValidationError("link", "直播链接须以 http:// 或 https:// 开头，且不超过 500 个字符")
        fields.update(starts_at=data.starts_at, link=link)
    elif data.kind == "offline":
        if data.offline_kind not in OFFLINE_KINDS:
            raise ValidationError("offline_kind", "请选择线下学习形式")
        if data.starts_at is None:
            raise ValidationError("starts_at", "请填写时间")
        if not (data.location or "").strip() or len(data.location) > 200:
            raise ValidationError("location", "请填写地点（不超过 200 个字符）")
        fields.update(starts_at=data.starts_at, offline_kind=data.offline_kind, location=data.location.strip())
    return fields


def _store(upload: Upload, kind: str) -> tuple[str, str, int]:
    """(stored name, MIME type, size); the size limit depends on the kind."""
    limit = current_app.config["STUDY_VIDEO_MAX_BYTES" if kind == "video" else "STUDY_FILE_MAX_BYTES"]
    return uploads.store(upload, lesson_folder(), FILE_KINDS.get(kind, ()), limit, KIND_LABELS[kind])


def save_lesson(actor, course_id: int, lesson_id: int | None, data: LessonInput, upload: Upload | None = None, *,
                now: datetime) -> Lesson:
    begin_write()
    course = get_course(course_id)
    lesson = None
    if lesson_id is not None:
        lesson = db.session.get(Lesson, lesson_id) if isinstance(lesson_id, int) else None
        if lesson is None or lesson.course_id != course.id:
            raise NotFound("课时不存在")
    fields = _check_lesson(data, lesson, upload)
    stored = _store(upload, data.kind) if upload is not None and data.kind in FILE_KINDS else None
    old_file = lesson.stored_name if lesson is not None else None
    try:
        if lesson is None:
            ordinal = data.ordinal if data.ordinal is not None else (db.session.scalar(
                select(func.max(Lesson.ordinal)).where(Lesson.course_id == course.id)) or 0) + 1
            lesson = Lesson(course_id=course.id, ordinal=ordinal, **fields)
            db.session.add(lesson)
            changes = {k: ["", str(v)] for k, v in fields.items() if v not in (None, "")}
            action = "lesson.create"
        else:
            if data.ordinal is not None:
                fields["ordinal"] = data.ordinal
            changes = {k: [str(getattr(lesson, k)), str(v)] for k, v in fields.items() if getattr(lesson, k) != v}
            for k, v in fields.items():
                setattr(lesson, k, v)
            action = "lesson.update"
        if stored is not None:
            lesson.stored_name, lesson.mime_type, lesson.file_size = stored
            lesson.file_name = Path(upload.filename).name[:255]
            changes["file"] = [old_file or "", f"{lesson.file_name} ({lesson.mime_type}, {lesson.file_size} B)"]
        elif data.kind not in FILE_KINDS and lesson.stored_name:
            lesson.stored_name = lesson.mime_type = lesson.file_size = lesson.file_name = None
            changes["file"] = [old_file, ""]
        db.session.flush()
        if changes:
            audit.record(action, actor=actor, now=now, object_type="lesson", object_id=lesson.id,
                         data={"course": course.id, "changes": changes})
        commit()
    except BaseException:
        db.session.rollback()
        if stored is not None:
            (lesson_folder() / stored[0]).unlink(missing_ok=True)
        raise
    if old_file and old_file != lesson.stored_name:
        (lesson_folder() / old_file).unlink(missing_ok=True)
    return lesson


def get_lesson(lesson_id) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id) if isinstance(lesson_id, int) else None
    if lesson is None:
        raise NotFound("课时不存在")
    return lesson


# -- the learner's side -----------------------------------------------------------------------------

def in_course_audience(course: Course, user) -> bool:
    return audience.contains(course_audience(course.id), user)


def lesson_for(user, lesson_id) -> Lesson:
    """A lesson of a published course whose audience holds `user`; an admin may preview any lesson.
    Anything else is not found (S1)."""
    lesson = db.session.get(Lesson, lesson_id) if isinstance(lesson_id, int) else None
    if lesson is None:
        raise NotFound("课时不存在")
    if is_admin(user):
        return lesson
    if lesson.course.status != "published" or not in_course_audience(lesson.course, user):
        raise NotFound("课时不存在")
    return lesson


def course_for(user, course_id) -> Course:
    course = db.session.get(Course, course_id) if isinstance(course_id, int) else None
    if course is None or not (is_admin(user) or (course.status == "published" and in_course_audience(course, user))):
        raise NotFound("课程不存在")
    return course


def lesson_file(user, lesson_id) -> tuple[Path, Lesson]:
    lesson = lesson_for(user, lesson_id)
    path = lesson_folder() / lesson.stored_name if lesson.stored_name else None
    if path is None or not path.is_file():
        raise NotFound("文件不存在")
    return path, lesson


@dataclass
class CourseRow:
    course: Course
    lessons: list[Lesson]
    minutes: dict[int, float]          # lesson id -> credited minutes
    done: dict[int, bool]

    @property
    def credit(self) -> int:
        return sum(lesson.credit_minutes for lesson in self.lessons)

    @property
    def earned(self) -> float:
        return sum(min(self.minutes.get(lesson.id, 0), lesson.credit_minutes) for lesson in self.lessons)


def records_of(user_id: int, lesson_ids: list[int]) -> dict[int, StudyRecord]:
    if not lesson_ids:
        return {}
    return {r.lesson_id: r for r in db.session.scalars(select(StudyRecord).where(
        StudyRecord.user_id == user_id, StudyRecord.lesson_id.in_(lesson_ids)))}


def courses_for(user, year: int | None = None, *, default: int | None = None
                ) -> tuple[list[CourseRow], list[int], int | None]:
    """(rows, years, year): the published courses of `year` whose audience holds `user`, with what they have
    earned, and every year they have courses in. `year` None: `default` when it has courses, else the newest
    year that has. A fixed number of queries."""
    courses = list(db.session.scalars(select(Course).where(Course.status == "published")
                                      .order_by(Course.year.desc(), Course.id)))
    entries: dict[int, list] = {c.id: [] for c in courses}
    for course_id, kind, value in db.session.execute(
            select(CourseAudience.course_id, CourseAudience.kind, CourseAudience.value)
            .where(CourseAudience.course_id.in_(list(entries)))):
        entries[course_id].append((kind, value))
    held = audience.holding(user, entries)
    mine = [c for c in courses if c.id in held]
    years = sorted({c.year for c in mine}, reverse=True)
    if year is None:
        year = default if default in years or not years else years[0]
    shown = [c for c in mine if c.year == year]
    lessons: dict[int, list[Lesson]] = {c.id: [] for c in shown}
    for lesson in db.session.scalars(select(Lesson).where(Lesson.course_id.in_(list(lessons)))
                                     .order_by(Lesson.course_id, Lesson.ordinal)):
        lessons[lesson.course_id].append(lesson)
    records = records_of(user.id, [lesson.id for found in lessons.values() for lesson in found])
    minutes = {lid: r.minutes for lid, r in records.items()}
    done = {lid: r.completed_at is not None for lid, r in records.items()}
    return [CourseRow(c, lessons[c.id], minutes, done) for c in shown], years, year


def record_for(user_id: int, lesson_id: int) -> StudyRecord | None:
    return db.session.execute(select(StudyRecord).where(StudyRecord.user_id == user_id,
                                                        StudyRecord.lesson_id == lesson_id)).scalar_one_or_none()


# -- sessions and heartbeats ------------------------------------------------------------------------

@dataclass(frozen=True)
class Beat:
    minutes: float           # credited on the lesson so far
    credit_minutes: int
    seconds: int             # credited by this beat
    completed: bool


def _lock_person(user_id: int) -> None:
    """One person's starts and beats run one at a time (one credited session, one record row)."""
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def start_session(user, lesson_id, *, now: datetime, ip: str = "") -> StudySession:
    """A new session on an online lesson; any other open session of the person is closed (one credited
    session at a time), and flagged with the new one when it was being studied just now on another lesson."""
    begin_write()
    _lock_person(user.id)
    lesson = lesson_for(user, lesson_id)
    if lesson.kind not in ONLINE_KINDS or lesson.course.status != "published" \
            or not in_course_audience(lesson.course, user):
        raise NotFound("课时不存在")
    flags = []
    for other in db.session.scalars(select(StudySession).where(StudySession.user_id == user.id,
                                                               StudySession.closed_at.is_(None)).with_for_update()):
        if other.lesson_id != lesson.id and study_time.overlapping(other.last_beat_at, now):
            other.flags = study_time.with_flag(other.flags, study_time.PARALLEL)
            flags = [study_time.PARALLEL]
        other.closed_at = now
    session = StudySession(user_id=user.id, lesson_id=lesson.id, token=secrets.token_urlsafe(24), started_at=now,
                           last_beat_at=now, credited_seconds=0, beats=0, intervals=[], flags=flags,
                           ip=(ip or "")[:64])
    db.session.add(session)
    commit()
    return session


def _open_session(user, token) -> StudySession:
    session = db.session.execute(select(StudySession).where(StudySession.token == str(token)[:64])
                                 .with_for_update()).scalar_one_or_none() if token else None
    if session is None or session.user_id != user.id:
        raise NotFound("学习记录不存在")
    return session


def beat(user, token, *, now: datetime, visible: bool = True, active: bool = True) -> Beat:
    """Credits the time since the session's previous beat by the domain's rules into the person's record of
    the lesson (capped at its credit); the client reports only whether the page was visible and in use."""
    begin_write()
    _lock_person(user.id)
    session = _open_session(user, token)
    if session.closed_at is not None:
        raise Conflict("本次学习已结束（可能已在其他页面打开了课程），请刷新页面继续学习")
    lesson = db.session.get(Lesson, session.lesson_id)
    record = record_for(user.id, lesson.id)
    if record is None:
        record = StudyRecord(user_id=user.id, lesson_id=lesson.id, course_id=lesson.course_id,
                             year=lesson.course.year, kind="online", category=lesson.course.category, minutes=0,
                             source="heartbeat", recorded_by=user.username, recorded_at=now)
        db.session.add(record)
    cap = lesson.credit_minutes * 60
    got = study_time.credit(session.last_beat_at, now, round((record.minutes or 0) * 60), cap,
                            visible=bool(visible), active=bool(active))
    if got.gap <= 0:       # a replayed or out-of-order beat changes nothing
        minutes = record.minutes or 0
        db.session.rollback()
        return Beat(minutes, lesson.credit_minutes, 0, minutes >= lesson.credit_minutes)
    session.last_beat_at = now
    session.beats += 1
    if got.counted:
        session.intervals = study_time.keep_interval(session.intervals, got.gap)
    if got.seconds:
        session.credited_seconds += got.seconds
        record.minutes = min(float(lesson.credit_minutes), (record.minutes or 0) + got.seconds / 60)
        record.recorded_at = now
    flags = session.flags
    if study_time.too_regular(session.intervals):
        flags = study_time.with_flag(flags, study_time.REGULAR)
    if study_time.all_night(_local(session.started_at), _local(now), sum(session.intervals or [])):
        flags = study_time.with_flag(flags, study_time.NIGHT)
    if flags != session.flags:
        session.flags = flags
    completed = record.minutes >= lesson.credit_minutes - 1e-9
    if completed and record.completed_at is None:
        record.minutes = float(lesson.credit_minutes)
        record.completed_at = now
        audit.record("study.lesson_completed", actor=user, now=now, object_type="lesson", object_id=lesson.id,
                     data={"course": lesson.course_id, "minutes": lesson.credit_minutes, "session": session.id})
    minutes = record.minutes
    commit()
    return Beat(minutes, lesson.credit_minutes, got.seconds, completed)


def close_session(user, token, *, now: datetime) -> None:
    begin_write()
    session = _open_session(user, token)
    if session.closed_at is None:
        session.closed_at = now
    commit()


def flagged_sessions(actor) -> Select:
    """Sessions with a suspicious pattern, newest first, for the people `actor` may see."""
    stmt = (select(StudySession).join(User, User.id == StudySession.user_id)
            .where(StudySession.flags.is_not(None), cast(StudySession.flags, String) != "[]"))
    return Scope.of(actor).users(stmt).order_by(StudySession.started_at.desc(), StudySession.id.desc())


def people_and_lessons(sessions) -> tuple[dict[int, User], dict[int, Lesson]]:
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({s.user_id for s in sessions})))}
    lessons = {x.id: x for x in db.session.scalars(select(Lesson).where(
        Lesson.id.in_({s.lesson_id for s in sessions})))}
    return users, lessons


# -- hours for plans, certificates and the exam gate ------------------------------------------------

def hours(user_ids, *, year: int | None = None, since: datetime | None = None, until: datetime | None = None,
          categories=None, kinds=None) -> dict[int, float]:
    """Credited hours per person in one aggregate query (people without any are absent). `since`/`until`
    bound when the time was last credited; `user_ids` None: everyone."""
    stmt = select(StudyRecord.user_id, func.sum(StudyRecord.minutes)).group_by(StudyRecord.user_id)
    if user_ids is not None:
        ids = list(user_ids)
        if not ids:
            return {}
        stmt = stmt.where(StudyRecord.user_id.in_(ids))
    if year is not None:
        stmt = stmt.where(StudyRecord.year == year)
    if since is not None:
        stmt = stmt.where(StudyRecord.recorded_at >= since)
    if until is not None:
        stmt = stmt.where(StudyRecord.recorded_at <= until)
    if categories:
        stmt = stmt.where(StudyRecord.category.in_(list(categories)))
    if kinds:
        stmt = stmt.where(StudyRecord.kind.in_(list(kinds)))
    return {uid: float(minutes or 0) / 60 for uid, minutes in db.session.execute(stmt).all()}


def _h(value: float) -> str:
    return f"{int(value * 10) / 10:g}"       # rounded down: 39.96 is not shown as 40


def hours_between(user_id: int, since: datetime, until: datetime) -> float:
    """One person's credited hours in a window (certificate eligibility: N hours in the last M months)."""
    return hours([user_id], since=since, until=until).get(user_id, 0.0)


def _plan_figures(user, year: int):
    """(plan, total hours, compulsory hours, met) by the plans' own rule (study_plans), so the exam gate and
    the learner's plan page never disagree."""
    from . import study_plans  # imported here: study_plans reads this module's hours

    mine = study_plans.my_study(user, year)
    if mine.plan is None:
        return None, 0.0, 0.0, True
    return mine.plan, mine.total_minutes / 60, mine.hours.compulsory / 60, mine.complete


def plan_hours_met(user, year: int, now: datetime) -> tuple[bool, str]:
    """(met, message) for 学时达标方可参考: the person's plan of the year against their credited hours.
    No plan for the person: met, nothing to say."""
    plan, total, compulsory, met = _plan_figures(user, year)
    if plan is None:
        return True, ""
    summary = (f"{year}年度已完成 {_h(total)} 学时，要求 {plan.required_hours:g} 学时"
               f"（其中必修已完成 {_h(compulsory)} 学时，要求 {plan.compulsory_hours:g} 学时）")
    return (True, summary) if met else (False, "学时达标方可参考：" + summary)


# -- demo -------------------------------------------------------------------------------------------

DEMO_COURSES = [
    ("宪法学习", "required", "学习宪法总纲和公民的基本权利和义务；国家宪法日组织宪法宣誓。", [("role", "employee")], [
        dict(kind="law_reading", title="宪法 第一章 总纲", credit_minutes=45, law_code="constitution", law_part="第一章"),
        dict(kind="law_reading", title="宪法 第二章 公民的基本权利和义务", credit_minutes=45, law_code="constitution",
             law_part="第二章"),
        dict(kind="offline", title="国家宪法日宪法宣誓", credit_minutes=60, offline_kind="oath", location="机关三楼会议室",
             starts_at=(12, 4, 1)),
    ]),
    ("行政执法专题", "required", "行政处罚法、行政许可法要点，以及一场行政诉讼庭审直播。", [("flag", "is_enforcement")], [
        dict(kind="law_reading", title="行政处罚法 全文", credit_minutes=90, law_code="administrative_penalty_law"),
        dict(kind="law_reading", title="行政许可法 全文", credit_minutes=60, law_code="administrative_licensing_law"),
        dict(kind="broadcast", title="行政诉讼案件庭审直播", credit_minutes=120, link="https://tingshen.court.gov.cn/",
             starts_at=(6, 18, 1)),
    ]),
    ("法治讲座：优化营商环境", "elective", "选修课程：优化营商环境条例解读。", [("role", "employee")], [
        dict(kind="document", title="讲义：优化营商环境条例要点", credit_minutes=30,
             body="一、条例的立法目的\n为了持续优化营商环境，不断解放和发展社会生产力，加快建设现代化经济体系。\n"
                  "二、市场主体保护\n国家坚持权利平等、机会平等、规则平等，保障各种所有制经济平等受到法律保护。\n"
                  "三、政务服务\n各地区、各部门应当推进政务服务标准化，减少办事环节，压缩办理时限。"),
        dict(kind="law_reading", title="优化营商环境条例 全文", credit_minutes=45,
             law_code="business_environment_regulations"),
        dict(kind="offline", title="法治讲座：营商环境中的行政执法", credit_minutes=90, offline_kind="lecture",
             location="市局报告厅", starts_at=(5, 20, 6)),
    ]),
]


def seed_demo_courses(now: datetime) -> str:
    """Published demo courses of this year over the imported laws; courses already there (by title and
    year) and lessons whose law is missing are skipped, so running it again changes nothing."""
    from .actors import SystemActor

    actor = SystemActor(username="system:seed")
    made = 0
    for title, category, description, entries, lessons in DEMO_COURSES:
        if db.session.scalar(select(Course.id).where(Course.title == title, Course.year == now.year)):
            continue
        course = save_course(actor, None, CourseInput(title=title, year=now.year, category=category,
                                                      description=description, audience=entries), now=now)
        for spec in lessons:
            spec = dict(spec)
            if "starts_at" in spec:      # (month, day, UTC hour) of this year
                month, day, hour = spec.pop("starts_at")
                spec["starts_at"] = datetime(now.year, month, day, hour)
            try:
                save_lesson(actor, course.id, None, LessonInput(**spec), now=now)
            except ValidationError:
                db.session.rollback()     # the law is not imported here: leave that lesson out
        if db.session.get(Course, course.id).lessons:
            set_status(actor, course.id, "published", now=now)
        made += 1
    return f"study: {made} demo courses created"


__all__ = ["Beat", "CourseInput", "LessonInput", "Upload", "beat", "close_session", "hours", "plan_hours_met",
           "save_course", "save_lesson", "seed_demo_courses", "start_session"]
