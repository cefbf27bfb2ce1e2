"""Study plans: attendance (idempotent, scoped), sign-in sheet imports (all-or-nothing, errors naming row and
column), progress figures on a hand-built bureau, the behind list and reminders."""
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from examapp.errors import NotFound, PermissionDenied, ValidationError
from examapp.extensions import db
from examapp.models import (
    AuditEvent,
    Course,
    Lesson,
    Notification,
    PracticeAnswer,
    Question,
    StudyPlan,
    StudyRecord,
    User,
)
from examapp.services import study_plans as sp
from tests.conftest import NOW

DEADLINE = datetime(2026, 12, 31, 15, 0)     # 23:00 on 31 December, bureau time


def make_lesson(year=2026, category="required", kind="offline", credit=90, title="法治讲座"):
    course = Course(title=f"{title}课程", year=year, category=category, status="published")
    db.session.add(course)
    db.session.flush()
    lesson = Lesson(course_id=course.id, kind=kind, title=title, credit_minutes=credit, offline_kind="lecture")
    db.session.add(lesson)
    db.session.commit()
    return lesson


def credit(user, lesson, minutes, kind=None):
    db.session.add(StudyRecord(user_id=user.id, lesson_id=lesson.id, course_id=lesson.course_id, year=lesson.course.year,
                               kind=kind or ("offline" if lesson.kind == "offline" else "online"),
                               category=lesson.course.category, minutes=minutes, source="test", recorded_at=NOW))
    db.session.commit()


def plan(actor, title="2026年度学习计划", required=10, compulsory=5, audience=(), count_practice=False,
         deadline=DEADLINE, now=NOW):
    return sp.save_plan(actor, None, sp.PlanInput(year=2026, title=title, deadline=deadline, required_hours=required,
                                                  compulsory_hours=compulsory, count_practice=count_practice,
                                                  audience=list(audience)), now=now)


def events(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def sheet(*rows, header=("工号", "姓名", "签到", "学时(分钟)")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def bureau(world, small_law):
    return build_bureau(world)


def build_bureau(world):
    """(Needs small_law for practice questions.) admin (R) nothing; unitadmin (A) nothing; employee (A1, enforcement) 1 h online elective + 90 min of
    practice under a later enforcement plan that counts practice (2 h, no 必修); victim (A2) 6 h 必修 offline +
    4 h elective; bperson (B) 9 h 必修. General plan: 10 h, of which 5 必修."""
    plan(world.admin)
    plan(world.admin, title="执法人员学习计划", required=2, compulsory=0, audience=[("flag", "is_enforcement")],
         count_practice=True, now=NOW + timedelta(seconds=1))
    online = make_lesson(category="elective", kind="law_reading", credit=60, title="宪法")
    required = make_lesson(category="required", credit=360, title="集中学习")
    elective = make_lesson(category="elective", credit=240, title="讲座")
    required_b = make_lesson(category="required", credit=540, title="乙区集中学习")
    credit(world.employee, online, 60)
    credit(world.victim, required, 360)
    credit(world.victim, elective, 240)
    credit(world.b_person, required_b, 540)
    q = db.session.scalars(select(Question)).first()
    for day, n in ((1, 50), (2, 50), (3, 20)):      # 30 + 30 + 20 = 80 minutes: the daily cap bites
        for i in range(n):
            db.session.add(PracticeAnswer(user_id=world.employee.id, question_id=q.id, version_id=q.current_version_id,
                                          correct=True, answered_at=datetime(2026, 3, day, 1, 0, i % 60),
                                          day=date(2026, 3, day)))
    db.session.add(PracticeAnswer(user_id=world.employee.id, question_id=q.id, version_id=q.current_version_id,
                                  correct=True, answered_at=datetime(2025, 12, 1), day=date(2025, 12, 1)))
    db.session.commit()
    return world


# -- plans ------------------------------------------------------------------------------------------

def test_saving_a_plan_is_checked_and_audited(world):
    p = plan(world.admin, audience=[("unit_tree", "A")])
    assert p.required_hours == 10 and p.audience == [["unit_tree", "A"]] and events("study_plan.create") == 1
    sp.save_plan(world.admin, p.id, sp.PlanInput(year=2026, title="改名", deadline=DEADLINE, audience=[]), now=NOW)
    assert db.session.get(StudyPlan, p.id).title == "改名" and events("study_plan.update") == 1
    with pytest.raises(ValidationError) as e:
        plan(world.admin, audience=[("unit_tree", "NOPE")])
    assert e.value.field == "audience" and "NOPE" in e.value.message
    with pytest.raises(ValidationError) as e:
        plan(world.admin, required=10, compulsory=12)
    assert e.value.field == "compulsory_hours"
    with pytest.raises(PermissionDenied):
        plan(world.unit_admin)


def test_plan_for_newest_matching_plan(bureau):
    w = bureau
    assert sp.plan_for(w.employee, 2026).title == "执法人员学习计划"
    assert sp.plan_for(w.victim, 2026).title == "2026年度学习计划"
    assert sp.plan_for(w.victim, 2025) is None


# -- hours and progress -----------------------------------------------------------------------------

def test_hours_by_category_kind_and_practice(bureau):
    w = bureau
    h = sp.hours_of([w.employee.id, w.victim.id, w.b_person.id], 2026)
    assert (h[w.employee.id].elective, h[w.employee.id].online, h[w.employee.id].practice) == (60, 60, 80)
    assert (h[w.victim.id].compulsory, h[w.victim.id].elective, h[w.victim.id].offline) == (360, 240, 600)
    assert h[w.b_person.id].total(False) == 540


def test_progress_by_unit_for_a_hand_built_bureau(bureau):
    w = bureau
    rows, total = sp.progress_by_unit(w.admin, 2026)
    assert [r.unit.code for r in rows] == ["R"] and (total.expected, total.completed) == (5, 2)
    rows, total = sp.progress_by_unit(w.admin, 2026, w.root)
    got = {r.label: (r.expected, r.completed) for r in rows}
    assert got == {"市局（本级）": (1, 0), "甲区局": (3, 2), "乙区局": (1, 0)}
    a = next(r for r in rows if r.unit.code == "A")
    assert a.rate_percent == 66.7 and a.average_hours == round((0 + 140 + 600) / 3 / 60, 1)
    # a unit admin sees their subtree only
    rows, total = sp.progress_by_unit(w.unit_admin, 2026)
    assert [r.unit.code for r in rows] == ["A"] and (total.expected, total.completed) == (3, 2)


def test_people_and_the_behind_list(bureau):
    w = bureau
    everyone = db.session.scalars(sp.people_query(w.admin, 2026, None)).all()
    assert {u.username for u in everyone} == {"admin", "unitadmin", "employee", "victim", "bperson"}
    behind = db.session.scalars(sp.people_query(w.admin, 2026, None, behind=True)).all()
    assert {u.username for u in behind} == {"admin", "unitadmin", "bperson"}
    mine = db.session.scalars(sp.people_query(w.unit_admin, 2026, None, behind=True)).all()
    assert [u.username for u in mine] == ["unitadmin"]
    rows = {r.user.username: r for r in sp.people_rows(w.admin, 2026, everyone)}
    assert rows["employee"].done and rows["employee"].total_minutes == 140 and rows["employee"].required == 2
    assert rows["victim"].done and not rows["bperson"].done and rows["bperson"].percent == 90


def test_off_post_and_inactive_people_are_not_expected(bureau):
    w = bureau
    w.b_person.on_post = False
    w.unit_admin.active = False
    db.session.commit()
    _rows, total = sp.progress_by_unit(w.admin, 2026)
    assert (total.expected, total.completed) == (3, 2)


def test_my_study_and_completion(bureau):
    w = bureau
    mine = sp.my_study(w.employee, 2026)
    assert mine.complete and mine.percent == 100 and mine.by_course[0][0] == "宪法课程"
    theirs = sp.my_study(w.b_person, 2026)
    assert not theirs.complete and theirs.percent == 90


# -- attendance -------------------------------------------------------------------------------------

def test_attendance_is_idempotent_and_audited(world):
    lesson = make_lesson()
    assert sp.record_attendance(world.unit_admin, lesson.id, [world.employee.id, world.victim.id], now=NOW) == (2, 0)
    assert sp.record_attendance(world.admin, lesson.id, [world.employee.id], now=NOW) == (0, 1)
    rows = db.session.scalars(select(StudyRecord).where(StudyRecord.lesson_id == lesson.id)).all()
    assert len(rows) == 2 and {r.minutes for r in rows} == {90} and {r.kind for r in rows} == {"offline"}
    assert {r.source for r in rows} == {"attendance"} and rows[0].year == 2026
    assert events("study.attendance") == 2


def test_attendance_outside_the_unit_admins_subtree_is_refused_and_writes_nothing(world):
    lesson = make_lesson()
    with pytest.raises(NotFound):
        sp.record_attendance(world.unit_admin, lesson.id, [world.employee.id, world.b_person.id], now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(StudyRecord)) == 0
    with pytest.raises(PermissionDenied):
        sp.record_attendance(world.a_auditor, lesson.id, [world.employee.id], now=NOW)
    with pytest.raises(NotFound):
        sp.record_unit_attendance(world.unit_admin, lesson.id, world.b.id, now=NOW)


def test_a_whole_unit_and_only_offline_lessons(world):
    lesson = make_lesson()
    assert sp.record_unit_attendance(world.unit_admin, lesson.id, world.a.id, now=NOW) == (3, 0)
    online = make_lesson(kind="law_reading")
    with pytest.raises(NotFound):
        sp.record_attendance(world.admin, online.id, [world.employee.id], now=NOW)


def test_sign_in_sheet_errors_name_row_and_column_and_nothing_is_written(world):
    lesson = make_lesson()
    data = sheet(("employee", "张三", "是", ""), ("nobody", "", "", ""), ("victim", "王五", "", ""),
                 ("bperson", "", "", ""), ("employee", "", "", ""), ("unitadmin", "", "也许", ""),
                 ("victim2", "", "", "120"))
    preview = sp.plan_sheet(world.unit_admin, lesson.id, "签到.xlsx", data)
    messages = preview.messages()
    assert not preview.ok
    assert any("第 3 行「工号」列" in m and "nobody" in m for m in messages)
    assert any("第 4 行「姓名」列" in m and "李四" in m for m in messages)
    assert any("第 5 行「工号」列" in m and "bperson" in m for m in messages)        # outside A
    assert any("第 6 行「工号」列" in m and "第 2 行重复" in m for m in messages)
    assert any("第 7 行「签到」列" in m for m in messages)
    result = sp.apply_sheet(world.unit_admin, lesson.id, "签到.xlsx", data, now=NOW)
    assert not result.ok
    assert db.session.scalar(select(func.count()).select_from(StudyRecord)) == 0
    assert events("study.attendance") == 0 and events("study.attendance_import") == 0
    bad_minutes = sp.plan_sheet(world.admin, lesson.id, "s.xlsx", sheet(("employee", "", "", "120")))
    assert "第 2 行「学时(分钟)」列" in bad_minutes.messages()[0] and "90" in bad_minutes.messages()[0]
    wrong_header = sp.plan_sheet(world.admin, lesson.id, "s.xlsx", sheet(("x",), header=("姓名",)))
    assert "工号" in wrong_header.file_error


def test_sign_in_sheet_preview_then_apply(world):
    lesson = make_lesson()
    sp.record_attendance(world.admin, lesson.id, [world.victim.id], now=NOW)
    data = sheet(("employee", "张三", "是", "60"), ("victim", "李四", "", ""), ("unitadmin", "", "否", ""))
    preview = sp.plan_sheet(world.unit_admin, lesson.id, "签到.xlsx", data)
    assert preview.ok and (preview.count("credit"), preview.count("already"), preview.count("absent")) == (1, 1, 1)
    assert db.session.scalar(select(func.count()).select_from(StudyRecord)) == 1       # the preview wrote nothing
    sp.apply_sheet(world.unit_admin, lesson.id, "签到.xlsx", data, now=NOW)
    records = {r.user_id: r for r in db.session.scalars(select(StudyRecord))}
    assert set(records) == {world.victim.id, world.employee.id} and records[world.employee.id].minutes == 60
    assert records[world.employee.id].source == "import"
    again = sp.apply_sheet(world.unit_admin, lesson.id, "签到.xlsx", data, now=NOW)
    assert again.count("credit") == 0 and db.session.scalar(select(func.count()).select_from(StudyRecord)) == 2


# -- reminders ---------------------------------------------------------------------------------------

def test_reminders_30_and_7_days_before_the_deadline_to_those_behind_once(bureau):
    w = bureau
    general = db.session.scalar(select(StudyPlan).where(StudyPlan.title == "2026年度学习计划"))
    enforcement = db.session.scalar(select(StudyPlan).where(StudyPlan.title == "执法人员学习计划"))
    general.deadline = enforcement.deadline = NOW + timedelta(days=20)
    db.session.commit()
    assert sp.send_reminders(now=NOW - timedelta(days=11)) == 0            # 31 days before: nothing yet
    assert sp.send_reminders(now=NOW) == 3                                 # admin, unitadmin, bperson
    assert sp.send_reminders(now=NOW + timedelta(hours=1)) == 0            # rerun: nothing new
    notes = db.session.scalars(select(Notification)).all()
    assert {n.user_id for n in notes} == {w.admin.id, w.unit_admin.id, w.b_person.id}
    assert "10" in notes[0].body and notes[0].link == "/study/hours"
    assert sp.send_reminders(now=NOW + timedelta(days=14)) == 3            # the 7-day stage
    assert sp.send_reminders(now=NOW + timedelta(days=14, hours=5)) == 0
    assert sp.send_reminders(now=NOW + timedelta(days=21)) == 0            # past the deadline


def test_the_scheduler_job_runs_the_reminders(bureau, app):
    from examapp.jobs import tasks
    general = db.session.scalar(select(StudyPlan).where(StudyPlan.title == "2026年度学习计划"))
    general.deadline = NOW + timedelta(days=5)
    db.session.commit()
    tasks.APP = app
    assert tasks.study_reminders(now=NOW) == 3
    assert tasks.study_reminders(now=NOW) == 0


def test_demo_study_data_is_idempotent_with_people_done_and_behind(app):
    from examapp.clock import utcnow
    from examapp.services import demo
    now = utcnow()
    demo.seed(now=now, password="Demo@2026-x")
    first = sp.seed_demo(now=now)
    count = db.session.scalar(select(func.count()).select_from(StudyRecord))
    assert "2 plans" in first and count > 100
    assert "0 plans and 0 study records" in sp.seed_demo(now=now)
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    this = sp.local_year(now)
    for year in (this - 1, this):
        _rows, total = sp.progress_by_unit(admin, year)
        assert 0 < total.completed < total.expected
