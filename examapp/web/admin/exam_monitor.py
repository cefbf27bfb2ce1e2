"""The live monitor of one exam: who is taking it and who has submitted, with tab switches and a risk score;
admins (a unit_admin for their subtree) add time or reopen, auditors only look. And one attempt's integrity
record, for a person to review."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from ...clock import utcnow
from ...errors import DomainError, NotFound
from ...extensions import db
from ...security import roles
from ...services import exam_admin, integrity
from . import bp
from .exam_forms import AddTimeForm, ReopenForm
from .exams import _exam_or_404

MONITOR_READ = ("admin", "unit_admin", "auditor")
MONITOR_WRITE = exam_admin.MONITOR_WRITERS
REFRESH_SECONDS = 20
EVENTS_PER_PAGE = 50


def _page(value) -> int:
    value = value or ""
    return int(value) if value.isdigit() and 0 < len(value) <= 6 and int(value) > 0 else 1


def _back(exam_id: int):
    """Back to the monitor page the action was taken on."""
    return redirect(url_for("admin.exam_monitor", exam_id=exam_id, page=_page(request.form.get("page")),
                            done_page=_page(request.form.get("done_page"))))


def _form_error(form) -> str:
    """The first field's message; each names its field (原因, 加时)."""
    for field in form:
        if field.errors:   # "abc" for minutes gets WTForms' own words; say what is wanted instead
            return _("加时须为 1–600 分钟的整数") if field.name == "minutes" else str(field.errors[0])
    return _("请求无效，请刷新页面后重试")


@bp.get("/exams/<int:exam_id>/monitor")
@roles(read=MONITOR_READ)
def exam_monitor(exam_id: int):
    exam = _exam_or_404(exam_id)
    now, per_page = utcnow(), current_app.config["PAGE_SIZE"]
    running = db.paginate(exam_admin.monitor_query(current_user, exam.id, running=True),
                          page=_page(request.args.get("page")), per_page=per_page, error_out=False)
    done = db.paginate(exam_admin.monitor_query(current_user, exam.id, running=False),
                       page=_page(request.args.get("done_page")), per_page=per_page, error_out=False)
    return render_template("admin/exam_monitor.html", exam=exam, now=now, running=running, done=done,
                           running_rows=exam_admin.monitor_rows(exam, running.items, now=now),
                           done_rows=exam_admin.monitor_rows(exam, done.items, now=now),
                           can_write=current_user.has_role(*MONITOR_WRITE), refresh=REFRESH_SECONDS)


@bp.post("/exams/<int:exam_id>/monitor/attempts/<int:attempt_id>/add-time")
@roles(read=MONITOR_WRITE, write=MONITOR_WRITE)
def exam_add_time(exam_id: int, attempt_id: int):
    _exam_or_404(exam_id)
    form = AddTimeForm()
    if not form.validate_on_submit():
        flash(_form_error(form), "danger")
        return _back(exam_id)
    try:
        attempt = exam_admin.add_time(current_user, exam_id, attempt_id, minutes=form.minutes.data,
                                      reason=form.reason.data, now=utcnow())
    except NotFound:
        raise
    except DomainError as e:
        flash(e.message, "danger")
    else:
        flash(_("已加时 %(m)d 分钟，新的截止时间 %(t)s", m=form.minutes.data,
                t=format_datetime(attempt.deadline, "HH:mm:ss")), "success")
    return _back(exam_id)


@bp.post("/exams/<int:exam_id>/monitor/attempts/<int:attempt_id>/reopen")
@roles(read=MONITOR_WRITE, write=MONITOR_WRITE)
def exam_reopen(exam_id: int, attempt_id: int):
    _exam_or_404(exam_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_form_error(form), "danger")
        return _back(exam_id)
    try:
        done = exam_admin.reopen(current_user, exam_id, attempt_id, reason=form.reason.data, now=utcnow())
    except NotFound:
        raise
    except DomainError as e:
        flash(e.message, "danger")
    else:
        message = _("已为 %(name)s 重新开放：还可作答 %(n)d 次；原答卷和成绩不变。", name=done.user.name, n=done.attempts_left)
        if done.window:
            message += _("考试时间已过，单独开放至 %(t)s。", t=format_datetime(done.window[1], "yyyy-MM-dd HH:mm"))
        flash(message, "success")
    return _back(exam_id)


@bp.get("/exams/<int:exam_id>/attempts/<int:attempt_id>/integrity")
@roles(read=MONITOR_READ)
def attempt_integrity(exam_id: int, attempt_id: int):
    exam = _exam_or_404(exam_id)
    record = integrity.attempt_integrity(current_user, exam.id, attempt_id, now=utcnow())
    events = db.paginate(integrity.events_query(record.attempt.id), page=_page(request.args.get("page")),
                         per_page=EVENTS_PER_PAGE, error_out=False)
    return render_template("admin/attempt_integrity.html", exam=exam, d=record, events=events)
