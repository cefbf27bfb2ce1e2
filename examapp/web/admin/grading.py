"""Hand grading of free-text answers and the key correction (regrade) request of one exam."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...clock import utcnow
from ...domain.answer_keys import key_text
from ...errors import DomainError, ValidationError
from ...security import roles
from ...services import grading, regrade
from . import bp
from .exams import EXAM_READ, EXAM_WRITE, _exam_or_404


class GradeForm(FlaskForm):
    attempt_id = HiddenField(validators=[DataRequired()])
    slot = HiddenField(validators=[DataRequired()])
    item = HiddenField(validators=[DataRequired()])
    round = HiddenField(validators=[DataRequired()])
    points = DecimalField(_l("得分"), places=2, validators=[DataRequired(message=_l("请填写分数")),
                                                          NumberRange(min=0, message=_l("分数不能为负"))])
    comment = TextAreaField(_l("评语（可选）"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    submit = SubmitField(_l("提交评分"))


@bp.route("/exams/<int:exam_id>/grading", methods=["GET", "POST"])
@roles(read=EXAM_READ, write=EXAM_WRITE)
def exam_grading(exam_id: int):
    exam = _exam_or_404(exam_id)
    form = GradeForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                grading.grade(current_user, int(form.attempt_id.data), int(form.slot.data), int(form.item.data),
                              round_=int(form.round.data), points=float(form.points.data),
                              comment=form.comment.data, now=utcnow())
            except (ValueError, TypeError):
                flash(_("评分表单有误，请重新打开本页"), "danger")
                return _grading_page(exam, GradeForm(formdata=None), status=400)
            except ValidationError as e:
                form.points.errors = [e.message]
                return _grading_page(exam, form, status=400)
            except DomainError as e:
                flash(e.message, "warning")
            else:
                flash(_("已保存评分"), "success")
                return redirect(url_for("admin.exam_grading", exam_id=exam.id))
        else:
            return _grading_page(exam, form, status=400)
    return _grading_page(exam, GradeForm(formdata=None))


def _grading_page(exam, form: GradeForm, status: int = 200):
    can_grade = current_user.has_role(*EXAM_WRITE)
    if can_grade:
        task, overview = grading.queue(current_user, exam)
    else:
        task, overview = None, grading.overview(exam)
    if task is not None and not form.errors:
        form.attempt_id.data, form.slot.data = task.item.attempt_id, task.item.slot
        form.item.data, form.round.data = task.item.item, task.round
    return render_template("admin/exam_grading.html", exam=exam, overview=overview, task=task,
                           form=form, can_grade=can_grade), status


class RegradeForm(FlaskForm):
    version_id = SelectField(_l("试题"), coerce=int, validators=[DataRequired(message=_l("请选择试题"))])
    answer = TextAreaField(_l("更正后的答案（单选 B；多选 ACD；判断 正确/错误；填空每空一行，同义答案用 / 分隔）"),
                           validators=[DataRequired(message=_l("请填写更正后的答案")), Length(max=2000)],
                           render_kw={"rows": 2})
    reason = TextAreaField(_l("原因（依据的条文）"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    preview = SubmitField(_l("试算影响"))
    submit = SubmitField(_l("提交审批"))


@bp.route("/exams/<int:exam_id>/regrade", methods=["GET", "POST"])
@roles(read=EXAM_READ, write=EXAM_WRITE)
def exam_regrade(exam_id: int):
    exam = _exam_or_404(exam_id)
    used = regrade.used_questions(exam)
    form = RegradeForm()
    form.version_id.choices = [(u.version.id, f"{u.version.stem[:40]}（{key_text(u.version.type, u.key)}）")
                               for u in used]
    if request.method == "GET" and request.args.get("v", "").isdigit():
        form.version_id.data = int(request.args["v"])
    run, status = None, 200
    if request.method == "POST" and current_user.has_role(*EXAM_WRITE):
        if form.validate_on_submit():
            try:
                if form.submit.data:
                    approval = regrade.request_regrade(current_user, exam.id, version_id=form.version_id.data,
                                                       key_input=form.answer.data, reason=form.reason.data or "",
                                                       now=utcnow())
                    flash(_("已提交审批，须由另一位管理员批准后生效"), "success")
                    return redirect(url_for("admin.approval_view", approval_id=approval.id))
                version, answer = regrade.parse_correction(exam, form.version_id.data, form.answer.data)
                run = regrade.dry_run(exam, version, answer)
            except ValidationError as e:
                target = {"version_id": form.version_id, "answer": form.answer, "reason": form.reason}.get(e.field)
                if target is not None:
                    target.errors = [e.message]
                else:
                    flash(e.message, "danger")
                status = 400
            except DomainError as e:
                flash(e.message, "danger")
                status = e.status
        else:
            status = 400
    return render_template("admin/exam_regrade.html", exam=exam, used=used, form=form, run=run, key_text=key_text,
                           can_write=current_user.has_role(*EXAM_WRITE)), status

