
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from ...clock import utcnow
from ...errors import ValidationError
from ...security import roles
from ...services import law_reader, laws
from . import bp, uploads
from .questions import BANK_READ, BANK_WRITE


class LawUploadForm(FlaskForm):
    file = FileField(validators=[FileRequired(), FileAllowed(["md", "txt", "docx"], "只支持 .md、.txt 和 .docx 法律文本")])


class LawApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[DataRequired()])


@bp.get("/laws")
@roles(read=BANK_READ, write=BANK_WRITE)
def laws_admin():
    return render_template("admin/laws.html", laws=law_reader.laws_overview(), form=LawUploadForm(),
                           can_write=current_user.has_role(*BANK_WRITE))


@bp.post("/laws/preview")
@roles(read=BANK_WRITE, write=BANK_WRITE)
def law_preview():
    form = LawUploadForm()
    if not form.validate_on_submit():
        uploads.flash_errors(form)
        return redirect(url_for("admin.laws_admin"))
    filename = uploads.safe_name(form.file.data.filename, "law.md")
    data = form.file.data.read()
    try:
        preview = laws.preview_import(filename, data)
    except ValidationError as e:
        flash(str(e), "danger")
        return redirect(url_for("admin.laws_admin"))
    apply_form = LawApplyForm(token=uploads.keep(data, filename), filename=filename)
    return render_template("admin/law_preview.html", preview=preview, apply_form=apply_form)


@bp.post("/laws/apply")
@roles(read=BANK_WRITE, write=BANK_WRITE)
def law_apply():
    form = LawApplyForm()
    data = uploads.load(form.token.data) if form.validate_on_submit() else None
    if data is None:
        flash(_("上传的文件已过期，请重新上传"), "danger")
        return redirect(url_for("admin.laws_admin"))
    filename = uploads.safe_name(form.filename.data)
    try:
        result = laws.import_law(current_user, filename, data, now=utcnow())
    except ValidationError as e:
        flash(str(e), "danger")
        return redirect(url_for("admin.laws_admin"))
    uploads.drop(form.token.data)
    if result.status == "unchanged":
        flash(_("《%(t)s》与现行文本相同，未作改动", t=result.title), "info")
    else:
        flash(_("已导入《%(t)s》第 %(v)d 版：%(n)d 条；%(c)d 条有改动，%(q)d 道题目待复核",
                t=result.title, v=result.version, n=result.articles, c=len(result.changed_articles),
                q=result.flagged_questions), "success")
    return redirect(url_for("admin.laws_admin", _anchor=result.code) if request else url_for("admin.laws_admin"))
