
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...clock import utcnow
from ...domain.study_plan import parse_audience
from ...errors import DomainError, NotFound, ValidationError
from ...extensions import db
from ...formats.tabular import template_xlsx
from ...security import roles
from ...services import study_plans as service
from ...services.scope import Scope
from ..admin import uploads
from ..admin.exam_forms import to_local, to_utc
from ..admin.units import unit_choices
from . import bp
from .forms import PickForm, PlanForm, SheetApplyForm, SheetForm, UnitAttendanceForm

PLAN_READ = ("admin", "auditor")
PLAN_WRITE = ("admin",)
READERS = ("admin", "unit_admin", "auditor")
WRITERS = ("admin", "unit_admin")
LEARNER = ("employee",)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int_arg(name: str, default: int | None = None) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return default


def _page() -> int:
    page = _int_arg("page", 1) or 1
    return page if 1 <= page <= 100000 else 1


def _year() -> int:
    this = service.local_year(utcnow())
    year = _int_arg("year", this)
    return year if 2000 <= year <= 2100 else this


# -- plans ------------------------------------------------------------------------------------------

@bp.get("/admin/study-plans")
@roles(read=PLAN_READ)
def plans_admin():
    page = db.paginate(service.all_plans(), page=_page(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("plans/plans.html", page=page, can_write=current_user.has_role(*PLAN_WRITE))


def _plan_input(form: PlanForm) -> service.PlanInput:
    entries, _problems = parse_audience(form.audience.data or "")
    return service.PlanInput(year=form.year.data, title=form.title.data.strip(), deadline=to_utc(form.deadline.data),
                             required_hours=form.required_hours.data, compulsory_hours=form.compulsory_hours.data,
                             count_practice=form.count_practice.data, audience=entries)


def _save(form: PlanForm, plan_id: int | None):
    try:
        plan = service.save_plan(current_user, plan_id, _plan_input(form), now=utcnow())
    except ValidationError as e:
        target = getattr(form, e.field, None)
        if target is not None:
            target.errors = list(target.errors) + [e.message]
        else:
            flash(e.message, "danger")
    except DomainError as e:
        flash(e.message, "danger")
    else:
        flash(_("学习计划已保存"), "success")
        return redirect(url_for("plans.plan_edit", plan_id=plan.id))
    return None


@bp.route("/admin/study-plans/new", methods=["GET", "POST"])
@roles(read=PLAN_WRITE, write=PLAN_WRITE)
def plan_new():
    form = PlanForm()
    if request.method == "GET":
        year = service.local_year(utcnow())
        form.year.data = year
        form.title.data = _("%(y)d年度法治学习计划", y=year)
    elif form.validate_on_submit():
        done = _save(form, None)
        if done is not None:
            return done
    return render_template("plans/plan_form.html", form=form, plan=None, can_write=True), 400 if form.errors else 200


@bp.route("/admin/study-plans/<int:plan_id>", methods=["GET", "POST"])
@roles(read=PLAN_READ, write=PLAN_WRITE)
def plan_edit(plan_id: int):
    plan = service.get_plan(plan_id)
    form = PlanForm(obj=plan)
    if request.method == "GET":
        form.deadline.data = to_local(plan.deadline)
        form.audience.data = "\n".join(f"{k}:{v}" for k, v in plan.audience or [])
    elif form.validate_on_submit():
        done = _save(form, plan.id)
        if done is not None:
            return done
    return render_template("plans/plan_form.html", form=form, plan=plan,
                           can_write=current_user.has_role(*PLAN_WRITE)), 400 if form.errors else 200


# -- attendance -------------------------------------------------------------------------------------

@bp.get("/admin/attendance")
@roles(read=READERS)
def offline_lessons():
    year = _int_arg("year")
    page = db.paginate(service.offline_lessons_query(year), page=_page(), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    return render_template("plans/lessons.html", page=page, year=year)


def _attendance_page(lesson, *, sheet_form=None, status=200):
    q = request.args.get("q", "")[:64]
    page = db.paginate(service.attendance_query(current_user, lesson.id), page=_page(),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    found = service.search_people(current_user, q) if q else []
    credited = service.attendance_minutes(lesson.id, [u.id for u in page.items] + [u.id for u in found])
    return render_template("plans/attendance.html", lesson=lesson, page=page, q=q, found=found, credited=credited,
                           pick_form=PickForm(), unit_form=UnitAttendanceForm(), sheet_form=sheet_form or SheetForm(),
                           units=unit_choices(), can_write=current_user.has_role(*WRITERS)), status


@bp.route("/admin/attendance/<int:lesson_id>", methods=["GET", "POST"])
@roles(read=READERS, write=WRITERS)
def attendance(lesson_id: int):
    lesson = service.offline_lesson(lesson_id)
    if request.method == "GET":
        return _attendance_page(lesson)
    if request.form.get("mode") == "unit":
        form = UnitAttendanceForm()
        if not form.validate_on_submit():
            flash(_("请选择单位"), "danger")
            return redirect(url_for("plans.attendance", lesson_id=lesson.id))
        try:
            credited, already = service.record_unit_attendance(current_user, lesson.id, form.unit_id.data, now=utcnow())
        except (ValidationError, NotFound) as e:
            flash(e.message, "danger")
            return redirect(url_for("plans.attendance", lesson_id=lesson.id))
    else:
        if not PickForm().validate_on_submit():
            abort(400)
        ids = []
        for raw in request.form.getlist("user_id")[:2000]:
            try:
                ids.append(int(raw))
            except ValueError:
                abort(400)
        try:
            credited, already = service.record_attendance(current_user, lesson.id, ids, now=utcnow())
        except ValidationError as e:
            flash(e.message, "danger")
            return redirect(url_for("plans.attendance", lesson_id=lesson.id))
    flash(_("已登记出勤：新计入 %(c)d 人，已计入过的 %(a)d 人未重复计入", c=credited, a=already), "success")
    return redirect(url_for("plans.attendance", lesson_id=lesson.id))


@bp.get("/admin/attendance/template.xlsx")
@roles(read=WRITERS)
def attendance_template():
    return Response(template_xlsx("签到表", service.SHEET_COLUMNS), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=attendance-template.xlsx"})


@bp.post("/admin/attendance/<int:lesson_id>/preview")
@roles(read=WRITERS, write=WRITERS)
def attendance_preview(lesson_id: int):
    lesson = service.offline_lesson(lesson_id)
    form = SheetForm()
    if not form.validate_on_submit():
        uploads.flash_errors(form)
        return _attendance_page(lesson, sheet_form=form, status=400)
    upload = form.file.data
    filename = uploads.safe_name(upload.filename, "upload")
    data = upload.read()
    plan = service.plan_sheet(current_user, lesson.id, filename, data)
    apply_form = SheetApplyForm(token=uploads.keep(data, filename), filename=filename) if plan.ok else None
    return render_template("plans/sheet_preview.html", lesson=lesson, plan=plan,
                           apply_form=apply_form), 200 if plan.ok else 422


@bp.post("/admin/attendance/<int:lesson_id>/apply")
@roles(read=WRITERS, write=WRITERS)
def attendance_apply(lesson_id: int):
    lesson = service.offline_lesson(lesson_id)
    form = SheetApplyForm()
    if not form.validate_on_submit():
        abort(400)
    data = uploads.load(form.token.data)
    if data is None:
        flash(_("签到表已过期，请重新上传"), "danger")
        return redirect(url_for("plans.attendance", lesson_id=lesson.id))
    filename = uploads.safe_name(form.filename.data or form.token.data)
    plan = service.apply_sheet(current_user, lesson.id, filename, data, now=utcnow())
    if plan.ok:
        uploads.drop(form.token.data)
        flash(_("签到表已导入：新计入 %(c)d 人，已计入过 %(a)d 人，未到 %(n)d 人", c=plan.count("credit"),
                a=plan.count("already"), n=plan.count("absent")), "success")
    else:
        for message in plan.messages()[:50]:
            flash(message, "danger")
    return redirect(url_for("plans.attendance", lesson_id=lesson.id))


# -- progress ---------------------------------------------------------------------------------------

def _unit_arg():
    unit_id = _int_arg("unit_id")
    return Scope.of(current_user).get_unit(unit_id) if unit_id else None


@bp.get("/admin/study-progress")
@roles(read=READERS)
def progress():
    year, unit = _year(), _unit_arg()
    if unit is None:
        roots = service.root_units(current_user)
        unit = roots[0] if len(roots) == 1 else None      # one root: start at its units, not one lone row
    rows, total = service.progress_by_unit(current_user, year, unit)
    chart = [{"label": r.label, "rate": r.rate_percent} for r in rows if r.expected]
    return render_template("plans/progress.html", year=year, unit=unit, rows=rows, total=total, chart=chart,
                           plans=service.plans_of_year(year))


@bp.get("/admin/study-progress/people")
@roles(read=READERS)
def progress_people():
    year, unit = _year(), _unit_arg()
    behind = request.args.get("behind") == "1"
    q = request.args.get("q", "")[:64]
    page = db.paginate(service.people_query(current_user, year, unit, behind=behind, q=q), page=_page(),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("plans/people.html", year=year, unit=unit, behind=behind, q=q, page=page,
                           rows=service.people_rows(current_user, year, page.items))


# -- a learner's own hours ---------------------------------------------------------------------------

@bp.get("/study/hours")
@roles(read=LEARNER)
def my_hours():
    year = _year()
    return render_template("plans/my_hours.html", s=service.my_study(current_user, year),
                           years=service.years_with_records(current_user, utcnow()))


@bp.get("/study/hours/<int:year>/certificate")
@roles(read=LEARNER)
def certificate(year: int):
    s = service.my_study(current_user, year)
    if not s.complete:
        raise NotFound(_("本年度学习计划尚未完成，暂无结业证明"))
    return render_template("plans/certificate.html", s=s, user=current_user, printed=to_local(utcnow()))
