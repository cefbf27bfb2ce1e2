"""Importing and exporting question files (YAML, Excel, Word, GIFT, Aiken) from the bank pages."""
import json

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, Optional

from ...clock import utcnow
from ...extensions import db
from ...formats.bank_formats import FORMATS
from ...security import roles
from ...services import bank, law_reader
from ...services import questions as question_service
from . import bp, uploads
from .questions import BANK_READ, BANK_WRITE


class BankUploadForm(FlaskForm):
    file = FileField(validators=[FileRequired()])
    law = SelectField(validators=[Optional()])


class BankApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[DataRequired()])
    law = HiddenField()


def _law_choices():
    return [("", _("（按文件中的法律代码或文件名）"))] + [(law.code, law.title) for law, _n in law_reader.laws_overview()]


@bp.get("/questions/import")
@roles(read=BANK_WRITE, write=BANK_WRITE)
def bank_import():
    form = BankUploadForm()
    form.law.choices = _law_choices()
    return render_template("admin/bank_import.html", form=form, formats=FORMATS)


@bp.get("/questions/template/<fmt>")
@roles(read=BANK_WRITE)
def bank_template(fmt: str):
    spec = FORMATS.get(fmt)
    if spec is None or spec.template is None:
        abort(404)
    return Response(spec.template(), mimetype=spec.media_type,
                    headers={"Content-Disposition": f"attachment; filename=question-template{spec.extensions[0]}"})


@bp.post("/questions/import/preview")
@roles(read=BANK_WRITE, write=BANK_WRITE)
def bank_import_preview():
    form = BankUploadForm()
    form.law.choices = _law_choices()
    if not form.validate_on_submit():
        flash(_("请选择要上传的题库文件"), "danger")
        return redirect(url_for("admin.bank_import"))
    filename = uploads.safe_name(form.file.data.filename, "bank.yaml")
    data = form.file.data.read()
    result = bank.preview_file(filename, data, law=form.law.data or None)
    apply_form = None
    if result.ok:
        apply_form = BankApplyForm(token=uploads.keep(data, filename), filename=filename, law=form.law.data or "")
    return render_template("admin/bank_preview.html", result=result, apply_form=apply_form), 200 if result.ok else 422


@bp.post("/questions/import/apply")
@roles(read=BANK_WRITE, write=BANK_WRITE)
def bank_import_apply():
    form = BankApplyForm()
    data = uploads.load(form.token.data) if form.validate_on_submit() else None
    if data is None:
        flash(_("上传的文件已过期，请重新上传"), "danger")
        return redirect(url_for("admin.bank_import"))
    filename = uploads.safe_name(form.filename.data)
    steps = bank.import_steps(current_user, filename, data, now=utcnow(), law=form.law.data or None)

    def summary(result) -> dict:
        if not result.ok:
            return {"ok": False, "errors": [str(e) for e in result.errors[:200]]}
        uploads.drop(form.token.data)
        return {"ok": True, "total": result.created + result.updated + result.unchanged,
                "message": _("导入完成：新增 %(c)d，更新 %(u)d，未变 %(n)d", c=result.created, u=result.updated,
                             n=result.unchanged)}

    if request.headers.get("Accept") == "application/x-ndjson":
        def stream():
            for step in steps:
                if isinstance(step, tuple):
                    yield json.dumps({"done": step[0], "total": step[1]}) + "\n"
                else:
                    yield json.dumps(summary(step), ensure_ascii=False) + "\n"
        return Response(stream_with_context(stream()), mimetype="application/x-ndjson")
    outcome = summary([s for s in steps][-1])
    if outcome["ok"]:
        flash(outcome["message"], "success")
    else:
        for message in outcome["errors"][:50]:
            flash(message, "danger")
    return redirect(url_for("admin.bank_import"))


@bp.get("/questions/export")
@roles(read=BANK_READ)
def bank_export():
    fmt = request.args.get("fmt", "yaml")
    law = request.args.get("law", "")[:64]
    if fmt not in FORMATS:
        abort(404)
    if not law:
        flash(_("请先选择一部法律：每个题库文件只对应一部法律"), "warning")
        return redirect(url_for("admin.questions"))
    part = request.args.get("part", "")
    difficulty = request.args.get("difficulty", "")
    f = question_service.QuestionFilter(law=law, part=int(part) if part.isdigit() else None,
                                        qtype=request.args.get("type", ""),
                                        difficulty=int(difficulty) if difficulty.isdigit() else None,
                                        tag=request.args.get("tag", "")[:40], status=request.args.get("status", ""),
                                        q=request.args.get("q", "")[:100])
    chosen = list(db.session.scalars(question_service.query(f)))
    if not chosen:
        law_reader.get_law(law)  # 404 for an unknown law
    data, left_out = bank.export_questions(chosen, fmt)
    spec = FORMATS[fmt]
    headers = {"Content-Disposition": f"attachment; filename={spec.filename(law)}",
               "X-Left-Out": str(len(left_out))}
    return Response(data, mimetype=spec.media_type, headers=headers)



