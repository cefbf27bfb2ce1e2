from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ...clock import utcnow
from ...errors import DomainError
from ...extensions import db
from ...security import roles
from ...services import snapshots
from ...services.study_plans import local_year
from . import bp


@bp.get("/snapshots")
@roles(read=("admin", "unit_admin", "auditor"))
def snapshot_list():
    return render_template("reports/snapshots.html", snapshots=snapshots.listing(), form=FlaskForm(),
                           last_year=local_year(utcnow()) - 1)


@bp.post("/snapshots")
@roles(read=("admin",), write=("admin",))
def snapshot_close():
    form = FlaskForm()
    year = request.form.get("year", type=int)
    if not form.validate_on_submit() or year is None:
        flash(_("请求无效，请重试"), "danger")
        return redirect(url_for("reports.snapshot_list")), 303
    try:
        snapshot = snapshots.close_year(current_user, year, now=utcnow())
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "danger")
        return redirect(url_for("reports.snapshot_list")), 303
    flash(_("%(y)d 年度已关闭，报表已冻结（摘要 %(d)s）", y=snapshot.year, d=snapshot.digest[:16]), "success")
    return redirect(url_for("reports.rates_page", year=snapshot.year)), 303
