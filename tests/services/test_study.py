"""Courses, lessons and heartbeat crediting with pinned time; the exam gate on a plan's hours."""
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from examapp.errors import Conflict, NotFound, ValidationError
from examapp.extensions import db
from examapp.models import AuditEvent, StudyPlan, StudyRecord, StudySession
from examapp.services import exams, study
from examapp.services.study import CourseInput, LessonInput, Upload
from tests.conftest import NOW, make_exam

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def s(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def make_course(admin, *, audience=(("unit_tree", "A"),), category="required", lessons=None, title="宪法学习"):
    course = study.save_course(admin, None, CourseInput(title=title, year=NOW.year, category=category,
                                                        audience=list(audience)), now=NOW)
    made = [study.save_lesson(admin, course.id, None, lesson, now=NOW)
            for lesson in (lessons or [LessonInput(kind="law_reading", title="第一章", credit_minutes=45,
                                                   law_code="test_law", law_part="第一章")])]
    study.set_status(admin, course.id, "published", now=NOW)
    return course, made


@pytest.fixture
def course(world, small_law):
    return make_course(world.admin, lessons=[
        LessonInput(kind="law_reading", title="总则", credit_minutes=45, law_code="test_law", law_part="第一章"),
        LessonInput(kind="law_reading", title="附则", credit_minutes=1, law_code="test_law", law_part="第二章"),
    ])


def minutes_of(user, lesson) -> float:
    record = study.record_for(user.id, lesson.id)
    return record.minutes if record else 0.0


def test_beats_thirty_seconds_apart_credit_their_time(world, course):
    _course, (lesson, _short) = course
    token = study.start_session(world.employee, lesson.id, now=NOW).token
    assert study.beat(world.employee, token, now=s(30)).minutes == pytest.approx(0.5)
    result = study.beat(world.employee, token, now=s(60))
    assert (result.seconds, result.minutes, result.completed) == (30, pytest.approx(1.0), False)
    record = study.record_for(world.employee.id, lesson.id)
    assert (record.year, record.kind, record.category, record.source) == (NOW.year, "online", "required", "heartbeat")


def test_a_five_minute_gap_credits_nothing_and_hidden_pages_neither(world, course):
    _course, (lesson, _short) = course
    token = study.start_session(world.employee, lesson.id, now=NOW).token
    assert study.beat(world.employee, token, now=s(300)).seconds == 0          # away for five minutes
    assert study.beat(world.employee, token, now=s(330), visible=False).seconds == 0
    assert study.beat(world.employee, token, now=s(360), active=False).seconds == 0
    assert study.beat(world.employee, token, now=s(390)).seconds == 30         # back: counting again
    assert minutes_of(world.employee, lesson) == pytest.approx(0.5)


def test_credit_stops_at_the_lesson_credit_and_completion_is_audited_once(world, course):
    _course, (_lesson, short) = course                                         # a 1-minute lesson
    token = study.start_session(world.employee, short.id, now=NOW).token
    for i in range(1, 6):
        result = study.beat(world.employee, token, now=s(30 * i))
    assert result.minutes == 1.0 and result.completed
    record = study.record_for(world.employee.id, short.id)
    assert record.completed_at == s(60)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "study.lesson_completed")) == 1


def test_a_second_lesson_closes_the_first_and_flags_both(world, course):
    _course, (first, second) = course
    one = study.start_session(world.employee, first.id, now=NOW).token
    study.beat(world.employee, one, now=s(30))
    two = study.start_session(world.employee, second.id, now=s(40)).token
    with pytest.raises(Conflict):
        study.beat(world.employee, one, now=s(60))                              # the other tab: closed
    assert minutes_of(world.employee, first) == pytest.approx(0.5)
    sessions = {x.token: x for x in db.session.scalars(select(StudySession))}
    assert sessions[one].closed_at == s(40) and sessions[two].closed_at is None
    assert sessions[one].flags == ["parallel_lessons"] and sessions[two].flags == ["parallel_lessons"]


def test_reopening_the_same_lesson_or_after_a_pause_is_not_flagged(world, course):
    _course, (first, second) = course
    one = study.start_session(world.employee, first.id, now=NOW).token
    study.start_session(world.employee, first.id, now=s(10))                    # reloaded the page
    study.start_session(world.employee, second.id, now=s(500))                  # later, another lesson
    assert all(x.flags == [] for x in db.session.scalars(select(StudySession)))
    assert db.session.scalar(select(StudySession).where(StudySession.token == one)).closed_at == s(10)


def test_another_persons_token_is_not_found(world, course):
    _course, (lesson, _short) = course
    token = study.start_session(world.employee, lesson.id, now=NOW).token
    with pytest.raises(NotFound):
        study.beat(world.victim, token, now=s(30))
    with pytest.raises(NotFound):
        study.close_session(world.victim, token, now=s(30))
    assert minutes_of(world.victim, lesson) == 0 and minutes_of(world.employee, lesson) == 0


def test_only_the_audience_of_a_published_course_may_study(world, small_law):
    course, (lesson,) = make_course(world.admin, audience=[("unit", "A2")])
    with pytest.raises(NotFound):
        study.start_session(world.employee, lesson.id, now=NOW)                 # A1 is not A2
    assert study.start_session(world.victim, lesson.id, now=NOW).token
    study.set_status(world.admin, course.id, "archived", now=NOW)
    with pytest.raises(NotFound):
        study.start_session(world.victim, lesson.id, now=NOW)


def test_offline_and_broadcast_lessons_are_not_studied_online(world, small_law):
    _course, (offline, broadcast) = make_course(world.admin, lessons=[
        LessonInput(kind="offline", title="宪法宣誓", offline_kind="oath", starts_at=NOW, location="三楼会议室"),
        LessonInput(kind="broadcast", title="庭审直播", starts_at=NOW, link="https://example.org/live")])
    for lesson in (offline, broadcast):
        with pytest.raises(NotFound):
            study.start_session(world.employee, lesson.id, now=NOW)


def test_perfectly_regular_beats_are_flagged(world, course):
    _course, (lesson, _short) = course
    token = study.start_session(world.employee, lesson.id, now=NOW).token
    for i in range(1, 22):
        study.beat(world.employee, token, now=s(30 * i))
    assert db.session.scalar(select(StudySession)).flags == ["regular_intervals"]


def test_an_all_night_session_is_flagged(world, course):
    _course, (lesson, _short) = course
    night = datetime(2026, 3, 15, 16, 30)              # 00:30 in the bureau's time zone
    token = study.start_session(world.employee, lesson.id, now=night).token
    seconds = 0
    for i in range(1, 146):                            # 70 minutes, beats of 27, 29 or 31 s
        seconds += 27 + (i % 3) * 2
        study.beat(world.employee, token, now=night + timedelta(seconds=seconds))
        if i == 100:                                   # 48 minutes in: nothing to say yet
            assert db.session.scalar(select(StudySession)).flags == []
    assert db.session.scalar(select(StudySession)).flags == ["all_night"]
    assert minutes_of(world.employee, lesson) == 45                 # credit stopped at the lesson's cap


def test_course_and_lesson_input_is_refused_naming_the_field(world, small_law):
    with pytest.raises(ValidationError) as e:
        study.save_course(world.admin, None, CourseInput(title=" ", year=NOW.year), now=NOW)
    assert e.value.field == "title"
    with pytest.raises(ValidationError) as e:
        study.save_course(world.admin, None, CourseInput(title="x", year=NOW.year, audience=[("unit", "NOPE")]),
                          now=NOW)
    assert e.value.field == "audience" and "NOPE" in e.value.message
    course = study.save_course(world.admin, None, CourseInput(title="x", year=NOW.year), now=NOW)
    with pytest.raises(ValidationError) as e:
        study.save_lesson(world.admin, course.id, None, LessonInput(kind="law_reading", title="x",
                                                                    law_code="test_law", law_part="第九章"), now=NOW)
    assert e.value.field == "law_part" and "第九章" in e.value.message
    with pytest.raises(ValidationError) as e:
        study.save_lesson(world.admin, course.id, None, LessonInput(kind="broadcast", title="x", starts_at=NOW,
                                                                    link="javascript:alert(1)"), now=NOW)
    assert e.value.field == "link"
    with pytest.raises(ValidationError) as e:
        study.set_status(world.admin, course.id, "published", now=NOW)
    assert e.value.field == "lessons"


def test_uploads_are_checked_by_content_and_size(app, world, small_law):
    course = study.save_course(world.admin, None, CourseInput(title="讲义", year=NOW.year), now=NOW)
    folder = study.lesson_folder()
    fake = Upload("讲义.pdf", io.BytesIO(b"<html><script>alert(1)</script></html>"))
    with pytest.raises(ValidationError) as e:
        study.save_lesson(world.admin, course.id, None, LessonInput(kind="document", title="x"), fake, now=NOW)
    assert e.value.field == "file" and "PDF" in e.value.message
    renamed = Upload("video.mp4", io.BytesIO(PDF))                               # a PDF called .mp4
    with pytest.raises(ValidationError) as e:
        study.save_lesson(world.admin, course.id, None, LessonInput(kind="video", title="x"), renamed, now=NOW)
    assert e.value.field == "file"
    app.config["STUDY_FILE_MAX_BYTES"] = 1024
    big = Upload("big.pdf", io.BytesIO(PDF + b"0" * 2048))
    with pytest.raises(ValidationError) as e:
        study.save_lesson(world.admin, course.id, None, LessonInput(kind="document", title="x"), big, now=NOW)
    assert e.value.field == "file" and "1 MB" not in e.value.message and "过大" in e.value.message
    assert list(folder.iterdir()) == []                                          # nothing left behind
    lesson = study.save_lesson(world.admin, course.id, None, LessonInput(kind="document", title="讲义"),
                               Upload("讲义.pdf", io.BytesIO(PDF)), now=NOW)
    assert (lesson.mime_type, lesson.file_size, lesson.file_name) == ("application/pdf", len(PDF), "讲义.pdf")
    assert (folder / lesson.stored_name).read_bytes() == PDF and len(lesson.stored_name) == 32
    old = lesson.stored_name
    study.save_lesson(world.admin, course.id, lesson.id, LessonInput(kind="document", title="讲义"),
                      Upload("新.pdf", io.BytesIO(PDF + b"%new")), now=NOW)
    assert not (folder / old).exists()                                            # replaced, not kept


def test_course_and_lesson_changes_are_audited(world, course):
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"course.create", "lesson.create", "course.publish"} <= actions


def test_hours_sums_minutes_per_person_in_one_query(world, course):
    _course, (lesson, short) = course
    db.session.add_all([
        StudyRecord(user_id=world.employee.id, lesson_id=lesson.id, year=NOW.year, kind="online", minutes=90,
                    category="required", source="heartbeat", recorded_at=NOW),
        StudyRecord(user_id=world.employee.id, lesson_id=short.id, year=NOW.year, kind="offline", minutes=30,
                    category="elective", source="attendance", recorded_at=NOW - timedelta(days=400)),
        StudyRecord(user_id=world.victim.id, lesson_id=lesson.id, year=NOW.year - 1, kind="online", minutes=60,
                    category="required", source="heartbeat", recorded_at=NOW - timedelta(days=300))])
    db.session.commit()
    ids = [world.employee.id, world.victim.id, world.b_person.id]
    assert study.hours(ids) == {world.employee.id: 2.0, world.victim.id: 1.0}
    assert study.hours(ids, year=NOW.year) == {world.employee.id: 2.0}
    assert study.hours(ids, categories=["required"]) == {world.employee.id: 1.5, world.victim.id: 1.0}
    assert study.hours(ids, since=NOW - timedelta(days=365), until=NOW) == {world.employee.id: 1.5,
                                                                             world.victim.id: 1.0}
    assert study.hours_between(world.employee.id, NOW - timedelta(days=365), NOW) == 1.5
    assert study.hours([]) == {}


def add_plan(audience=(), required=1.0, compulsory=0.5):
    db.session.add(StudyPlan(year=NOW.year, title="年度学习计划", required_hours=required, compulsory_hours=compulsory,
                             deadline=NOW + timedelta(days=200), audience=[list(a) for a in audience],
                             created_at=NOW))
    db.session.commit()


def test_plan_hours_met_without_a_plan_and_against_the_newest_matching_plan(world, course):
    assert study.plan_hours_met(world.employee, NOW.year, NOW) == (True, "")
    add_plan(audience=[("unit_tree", "B")], required=99)               # not for A1
    assert study.plan_hours_met(world.employee, NOW.year, NOW) == (True, "")
    add_plan(audience=[("unit_tree", "A")], required=0.5, compulsory=0.25)
    met, message = study.plan_hours_met(world.employee, NOW.year, NOW)
    assert not met
    assert "已完成 0 学时，要求 0.5 学时" in message and "必修已完成 0 学时，要求 0.25 学时" in message
    _course, (lesson, _short) = course
    token = study.start_session(world.employee, lesson.id, now=NOW).token
    for i in range(1, 81):                                             # 40 minutes
        study.beat(world.employee, token, now=s(30 * i))
    met, message = study.plan_hours_met(world.employee, NOW.year, s(3000))
    assert met and "已完成 0.6 学时" in message


def test_an_exam_requiring_hours_refuses_to_start_until_they_are_met(world, course):
    exam = make_exam([["test_law", "judge", None, 1, 100]], requires_study_hours=True)
    add_plan(required=0.5, compulsory=0)
    with pytest.raises(Conflict) as e:
        exams.start_attempt(world.employee, exam.id, now=NOW)
    assert "学时达标方可参考" in e.value.message and "要求 0.5 学时" in e.value.message
    db.session.rollback()
    _course, (lesson, _short) = course
    db.session.add(StudyRecord(user_id=world.employee.id, lesson_id=lesson.id, year=NOW.year, kind="online",
                               minutes=30, category="required", source="heartbeat", recorded_at=NOW))
    db.session.commit()
    attempt, created = exams.start_attempt(world.employee, exam.id, now=NOW)
    assert created and attempt.status == "running"


def test_seed_demo_courses_is_idempotent(world, small_law):
    first = study.seed_demo_courses(NOW)
    assert "3 demo courses" in first
    assert "0 demo courses" in study.seed_demo_courses(NOW)


def test_my_courses_read_a_fixed_number_of_queries_and_default_to_this_year(world, small_law):
    from sqlalchemy import event

    def mine(year=None):
        seen = []
        listener = lambda *args: seen.append(1)          # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            rows, years, shown = study.courses_for(world.employee, year, default=NOW.year)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen), [r.course.title for r in rows], years, shown

    make_course(world.admin, title="一")
    one, titles, years, shown = mine()
    assert titles == ["一"] and years == [NOW.year] and shown == NOW.year
    for title in ("二", "三"):
        make_course(world.admin, title=title)
    make_course(world.admin, title="别人的", audience=(("unit", "B"),))
    three, titles, _years, _shown = mine()
    assert sorted(titles) == ["一", "三", "二"] and three == one
    assert mine(NOW.year - 1)[1] == []
    assert study.courses_for(world.employee, None, default=NOW.year + 1)[2] == NOW.year    # newest with courses
