from pathlib import PurePath

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from ...clock import utcnow
from ...errors import DomainError, ValidationError
from ...extensions import db
from ...models import EXEMPTION_REASONS
from ...security import roles
from ...services import exemptions
from ...services.paging import paginate_rows
from ...services.study_plans import local_year
from ...services.uploads import Upload
from ..form_errors import show_on_field
from . import bp
from .params import page_arg, year_arg

REASON_CHOICES = [("retirement", _l("距退休不足两年")), ("maternity", _l("产假")), ("illness", _l("重病")),
                  ("other", _l("其他"))]
assert [k for k, _v in REASON_CHOICES] == list(EXEMPTION_REASONS)


class ExemptionForm(FlaskForm):
    username = StringField(_l("工号"), validators=[DataRequired(), Length(max=64)])
    year = IntegerField(_l("年度"), validators=[DataRequired(), NumberRange(2000, 2100)])
    reason_kind = SelectField(_l("免考情形"), choices=REASON_CHOICES)
    reason = TextAreaField(_l("具体原因"), validators=[DataRequired(), Length(max=1000)], render_kw={"rows": 3})
    attachment = FileField(_l("证明材料（PDF 或图片）"))


@bp.get("/exemptions")
@roles(read=("admin", "unit_admin", "auditor"))
def exemptions_list():
    year = year_arg()
    status = request.args.get("status", "")
    status = status if status in ("pending", "approved", "rejected", "withdrawn") else ""
    page = paginate_rows(exemptions.listing(current_user, year, status), page=page_arg(), per_page=50)
    rows = page.items
    return render_template("reports/exemptions.html", year=year, status=status, page=page, rows=rows,
                           names=exemptions.names([r.Exemption for r in rows]), reasons=dict(REASON_CHOICES))


@bp.route("/exemptions/new", methods=["GET", "POST"])
@roles(read=("admin", "unit_admin"), write=("admin", "unit_admin"))
def exemption_new():
    form = ExemptionForm(year=local_year(utcnow()))
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            data = exemptions.ExemptionInput(form.username.data, form.year.data, form.reason_kind.data, form.reason.data)
            file = form.attachment.data
            upload = Upload(PurePath(file.filename).name[:200], file.stream) if file and file.filename else None
            try:
                exemptions.request(current_user, data, upload, now=utcnow())
                flash(_("免考申请已提交，须由另一位系统管理员审批后生效"), "success")
                return redirect(url_for("reports.exemptions_list", year=data.year)), 303
            except ValidationError as e:
                db.session.rollback()
                show_on_field(form, e)
            except DomainError as e:
                db.session.rollback()
                flash(e.message, "danger")
        status = 400
    return render_template("reports/exemption_form.html", form=form), status


@bp.get("/exemptions/<int:exemption_id>/attachment")
@roles(read=("admin", "unit_admin", "auditor"))
def exemption_attachment(exemption_id: int):
    try:
        path, exemption = exemptions.attachment(current_user, exemption_id)
    except DomainError:
        abort(404)
    # the type was checked from the file's first bytes when it was stored, so it may be shown inline
    return send_file(path, mimetype=exemption.attachment_type, download_name=exemption.attachment_name or path.name)
