"""Courses and lessons for admins; unit admins and auditors read them, and the flagged study sessions."""
from pathlib import PurePath

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...clock import utcnow
from ...domain import study_time
from ...errors import DomainError, ValidationError
from ...extensions import db
from ...models import Law, LawPart
from ...security import roles
from ...services import audience, study
from ..admin.exam_forms import to_local, to_utc
from ..admin.forms import ConfirmForm
from ..form_errors import show_on_field
from . import bp
from .forms import CourseForm, LessonForm

READ = ("admin", "unit_admin", "auditor")
WRITE = ("admin",)


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100000 else 1


@bp.get("/admin/courses")
@roles(read=READ)
def courses_admin():
    page = study.courses_page(_page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("study/admin_courses.html", page=page, can_write=current_user.has_role(*WRITE),
                           categories=study.CATEGORY_LABELS)


def _course_input(form: CourseForm) -> study.CourseInput:
    return study.CourseInput(title=form.title.data.strip(), year=form.year.data, category=form.category.data,
                             description=form.description.data or "",
                             audience=audience.parse_lines(form.audience.data or ""))


@bp.route("/admin/courses/new", methods=["GET", "POST"])
@roles(read=WRITE, write=WRITE)
def course_new():
    form = CourseForm()
    if request.method == "GET":
        form.year.data = to_local(utcnow()).year
    if form.validate_on_submit():
        try:
            course = study.save_course(current_user, None, _course_input(form), now=utcnow())
        except ValidationError as e:
            show_on_field(form, e)
        else:
            flash(_("已创建课程，请添加课时后发布"), "success")
            return redirect(url_for("study.course_edit", course_id=course.id))
    return render_template("study/admin_course_form.html", form=form, course=None), 400 if form.errors else 200


@bp.route("/admin/courses/<int:course_id>", methods=["GET", "POST"])
@roles(read=READ, write=WRITE)
def course_edit(course_id: int):
    course = study.get_course(course_id)
    form = CourseForm(obj=course)
    if request.method == "GET":
        form.audience.data = "\n".join(f"{k}:{v}" for k, v in study.course_audience(course.id))
    elif form.validate_on_submit():
        try:
            study.save_course(current_user, course.id, _course_input(form), now=utcnow())
        except ValidationError as e:
            show_on_field(form, e)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for("study.course_edit", course_id=course.id))
    return render_template("study/admin_course_form.html", form=form, course=course, confirm=ConfirmForm(),
                           kinds=study.KIND_LABELS, offline=study.OFFLINE_LABELS,
                           can_write=current_user.has_role(*WRITE)), 400 if form.errors else 200


@bp.post("/admin/courses/<int:course_id>/status")
@roles(read=WRITE, write=WRITE)
def course_status(course_id: int):
    status = request.form.get("status", "")
    if ConfirmForm().validate_on_submit():
        try:
            study.set_status(current_user, course_id, status, now=utcnow())
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("课程已发布") if status == "published" else _("已保存"), "success")
    return redirect(url_for("study.course_edit", course_id=course_id))


def _lesson_form(lesson=None) -> LessonForm:
    form = LessonForm(obj=lesson)
    form.law_code.choices = [("", _("（法规学习时选择）"))] + [
        (code, title) for code, title in db.session.execute(
            select(Law.code, Law.title).where(Law.current_version_id.is_not(None)).order_by(Law.id)).all()]
    return form


def _lesson_input(form: LessonForm) -> study.LessonInput:
    return study.LessonInput(kind=form.kind.data, title=(form.title.data or "").strip(),
                             credit_minutes=form.credit_minutes.data, ordinal=form.ordinal.data,
                             law_code=form.law_code.data or "", law_part=form.law_part.data or "",
                             starts_at=to_utc(form.starts_at.data), link=form.link.data or "",
                             offline_kind=form.offline_kind.data or "", location=form.location.data or "",
                             body=form.body.data or "")


def _upload(form: LessonForm) -> study.Upload | None:
    data = form.file.data
    if data is None or not getattr(data, "filename", ""):
        return None
    return study.Upload(PurePath(data.filename).name[:255], data.stream)


def _allow_large_upload() -> None:
    """Videos may exceed the site-wide request limit; the service checks each kind's own limit."""
    request.max_content_length = current_app.config["STUDY_VIDEO_MAX_BYTES"] + 1024 * 1024


def _save_lesson(form: LessonForm, course_id: int, lesson_id: int | None):
    try:
        return study.save_lesson(current_user, course_id, lesson_id, _lesson_input(form), _upload(form),
                                 now=utcnow())
    except ValidationError as e:
        show_on_field(form, e)
    except DomainError as e:
        flash(e.message, "danger")
    return None


@bp.route("/admin/courses/<int:course_id>/lessons/new", methods=["GET", "POST"])
@roles(read=WRITE, write=WRITE)
def lesson_new(course_id: int):
    if request.method == "POST":
        _allow_large_upload()
    course = study.get_course(course_id)
    form = _lesson_form()
    if form.validate_on_submit() and _save_lesson(form, course.id, None) is not None:
        flash(_("已添加课时"), "success")
        return redirect(url_for("study.course_edit", course_id=course.id))
    return render_template("study/admin_lesson_form.html", form=form, course=course, lesson=None,
                           can_write=True), 400 if form.errors else 200


@bp.route("/admin/lessons/<int:lesson_id>", methods=["GET", "POST"])
@roles(read=READ, write=WRITE)
def lesson_edit(lesson_id: int):
    if request.method == "POST":
        _allow_large_upload()
    lesson = study.get_lesson(lesson_id)
    form = _lesson_form(lesson)
    if request.method == "GET":
        form.starts_at.data = to_local(lesson.starts_at)
        part = db.session.get(LawPart, lesson.law_part_id) if lesson.law_part_id else None
        form.law_part.data = part.title.split()[0] if part else ""
    elif form.validate_on_submit() and _save_lesson(form, lesson.course_id, lesson.id) is not None:
        flash(_("已保存"), "success")
        return redirect(url_for("study.course_edit", course_id=lesson.course_id))
    return render_template("study/admin_lesson_form.html", form=form, course=lesson.course, lesson=lesson,
                           can_write=current_user.has_role(*WRITE)), 400 if form.errors else 200


@bp.get("/admin/flags")
@roles(read=READ)
def flags():
    page = db.paginate(study.flagged_sessions(current_user), page=_page_arg(),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    users, lessons = study.people_and_lessons(page.items)
    return render_template("study/admin_flags.html", page=page, users=users, lessons=lessons,
                           labels=study_time.FLAG_LABELS)
