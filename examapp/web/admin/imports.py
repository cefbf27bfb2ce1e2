import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Optional, Regexp

from ...clock import utcnow
from ...domain.passwords import password_problems
from ...formats.tabular import template_csv, template_xlsx
from ...security import roles
from ...services import imports as import_service
from ...services.users import generate_initial_password
from ..auth.reauth import ask_for_password, password_is_recent
from . import bp, uploads
from .units import WRITE


class UploadForm(FlaskForm):
    kind = SelectField(choices=[("units", "单位"), ("people", "人员")], validators=[DataRequired()])
    file = FileField(validators=[FileRequired(), FileAllowed(["xlsx", "csv"], "只支持 .xlsx 和 .csv 文件")])
    submit = SubmitField()


class ApplyForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}\.(xlsx|csv)$")])
    filename = HiddenField()
    initial_password = StringField(validators=[Optional()], render_kw={"autocomplete": "off"})
    submit = SubmitField()


@bp.get("/imports")
@roles(read=WRITE, write=WRITE)
def imports():
    return render_template("admin/imports.html", form=UploadForm(), kinds=import_service.KINDS)


@bp.get("/imports/template/<kind>.<fmt>")
@roles(read=WRITE)
def import_template(kind: str, fmt: str):
    spec = import_service.KINDS.get(kind)
    if spec is None or fmt not in ("xlsx", "csv"):
        abort(404)
    if fmt == "xlsx":
        body = template_xlsx(f"{spec.title}导入", spec.columns)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = template_csv(spec.columns)
        mime = "text/csv; charset=utf-8"
    filename = f"{kind}-import-template.{fmt}"
    return Response(body, mimetype=mime, headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.post("/imports/preview")
@roles(read=WRITE, write=WRITE)
def import_preview():
    form = UploadForm()
    if not form.validate_on_submit():
        uploads.flash_errors(form)
        return render_template("admin/imports.html", form=form, kinds=import_service.KINDS), 400
    if form.kind.data == "people" and not password_is_recent():
        # asked before the file is read, not after the preview: applying a roster needs it (S12)
        return ask_for_password(url_for("admin.imports"))
    upload = form.file.data
    filename = uploads.safe_name(upload.filename, "upload")
    data = upload.read()
    plan = import_service.preview(form.kind.data, current_user, filename, data)
    apply_form = None
    if plan.ok:
        token = uploads.keep(data, filename)
        apply_form = ApplyForm(kind=form.kind.data, token=token, filename=filename,
                               initial_password=generate_initial_password())
    return render_template("admin/import_preview.html", plan=plan, apply_form=apply_form,
                           kind=import_service.KINDS[form.kind.data]), 200 if plan.ok else 422


@bp.post("/imports/apply")
@roles(read=WRITE, write=WRITE)
def import_apply():
    form = ApplyForm()
    if not form.validate_on_submit() or form.kind.data not in import_service.KINDS:
        abort(400)
    data = uploads.load(form.token.data)
    if data is None:
        flash(_("导入文件已过期，请重新上传"), "danger")
        return redirect(url_for("admin.imports"))
    filename = uploads.safe_name(form.filename.data or form.token.data)
    options = {}
    if form.kind.data == "people":
        if not password_is_recent():     # a roster grants and revokes roles (S12)
            if request.headers.get("Accept") == "application/x-ndjson":
                back = url_for("auth.confirm_password", next=url_for("admin.imports"))
                return Response(json.dumps({"ok": False, "errors": [_("此操作需要再次输入密码")],
                                            "confirm": back}) + "\n", mimetype="application/x-ndjson")
            return ask_for_password(url_for("admin.imports"))
        password = (form.initial_password.data or "").strip()
        problems = password_problems(password, min_length=current_app.config["PASSWORD_MIN_LENGTH"])
        if problems:
            flash(_("初始密码不符合要求：") + "；".join(problems), "danger")
            return redirect(url_for("admin.imports"))
        options["initial_password"] = password
    steps = import_service.apply(form.kind.data, current_user, filename, data, now=utcnow(), **options)

    if request.headers.get("Accept") == "application/x-ndjson":
        # The page reads this stream to draw its progress bar; the import is one transaction.
        def stream():
            for step in steps:
                if isinstance(step, tuple):
                    yield json.dumps({"done": step[0], "total": step[1]}) + "\n"
                else:
                    if step.ok:
                        uploads.drop(form.token.data)
                    yield json.dumps(_summary(step)) + "\n"
        return Response(stream_with_context(stream()), mimetype="application/x-ndjson")

    plan = None
    for step in steps:
        plan = step
    if plan.ok:
        uploads.drop(form.token.data)
        flash(_summary(plan)["message"], "success")
        return redirect(url_for("admin.imports"))
    for message in plan.messages()[:50]:
        flash(message, "danger")
    return redirect(url_for("admin.imports"))


def _summary(plan) -> dict:
    if not plan.ok:
        return {"ok": False, "errors": plan.messages()[:200]}
    message = _("导入完成：新增 %(c)d，更新 %(u)d，未变 %(n)d", c=plan.count("create"), u=plan.count("update"),
                n=plan.count("unchanged"))
    return {"ok": True, "done": plan.total, "total": plan.total, "message": message,
            "created": plan.count("create"), "updated": plan.count("update")}
