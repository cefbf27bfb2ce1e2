"""Settings (certificate validity, eligibility rule, number pattern, …): admins change, auditors read."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ...clock import utcnow
from ...errors import DomainError, ValidationError
from ...extensions import db
from ...security import roles
from ...services import settings as service
from . import bp


@bp.route("/settings", methods=["GET", "POST"])
@roles(read=("admin", "auditor"), write=("admin",))
def settings():
    form = FlaskForm()
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("表单已过期，请重试"), "danger")
            return redirect(url_for("admin.settings"))
        values = {key: request.form.get(key, "") for key in service.REGISTRY}
        for key, raw in values.items():   # every bad value named at once
            try:
                service.parse(service.spec_of(key), raw)
            except ValidationError as e:
                errors[key] = e.message
        if not errors:
            try:
                changed = service.set_many(current_user, values, utcnow())
            except DomainError as e:
                db.session.rollback()
                flash(e.message, "danger")
            else:
                flash(_("已保存 %(n)d 项设置", n=changed) if changed else _("设置未改变"), "success")
                return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", rows=service.rows(), form=form, errors=errors, values=values,
                           can_write=current_user.has_role("admin")), 400 if errors else 200
