"""The notification centre: one's own messages, newest first; opening one marks it read."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError

from ...clock import utcnow
from ...domain.safe_url import is_safe_local_path
from ...extensions import db
from ...security import login_only
from ...services import notifications as service
from . import bp


@bp.app_context_processor
def unread_badge():
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return service.unread_count(current_user)
        except SQLAlchemyError:   # an error page rendered while the database is away still renders
            db.session.rollback()
            return 0
    return {"unread_notifications": unread_notifications}


@bp.get("/")
@login_only
def index():
    page_no = request.args.get("page", "1")
    page = db.paginate(service.list_query(current_user), page=int(page_no) if page_no.isdigit() else 1,
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("notifications/index.html", page=page, unread=service.unread_count(current_user))


@bp.post("/<int:notification_id>/open")
@login_only
def open_one(notification_id: int):
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("notifications.index"))
    note = service.mark_read(current_user, notification_id, now=utcnow())
    return redirect(note.link if is_safe_local_path(note.link) else url_for("notifications.index"))


@bp.post("/read-all")
@login_only
def read_all():
    if FlaskForm().validate_on_submit():
        count = service.mark_all_read(current_user, now=utcnow())
        flash(_("已将 %(n)d 条消息标为已读", n=count) if count else _("没有未读消息"), "success")
    return redirect(url_for("notifications.index"))
