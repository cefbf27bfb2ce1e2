from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ...clock import utcnow
from ...domain.ip_ranges import parse_ranges
from ...errors import DomainError, NotFound, ValidationError
from ...extensions import db
from ...models import Attempt, Exam
from ...security import roles
from ...services import exam_admin, exams
from ..form_errors import show_on_field
from . import bp
from .exam_forms import AudienceForm, ExamForm, OverrideForm, RulesForm, to_local, to_utc
from .forms import ConfirmForm

EXAM_READ = ("admin", "auditor")
EXAM_WRITE = ("admin",)


@bp.get("/exams")
@roles(read=EXAM_READ + ("unit_admin",))   # a unit_admin reaches the live monitor (their subtree) from here
def exams_admin():
    rows = db.session.execute(select(Exam).order_by(Exam.opens_at.desc())).scalars().all()
    counts = dict(db.session.execute(select(Attempt.exam_id, func.count(Attempt.user_id.distinct()))
                                     .group_by(Attempt.exam_id)).all())
    return render_template("admin/exams.html", rows=rows, counts=counts, can_write=current_user.has_role(*EXAM_WRITE),
                           full=current_user.has_role(*EXAM_READ))


def _exam_or_404(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        raise NotFound(_("考试不存在"))
    return exam


def _input(form: ExamForm) -> exam_admin.ExamInput:
    return exam_admin.ExamInput(
        title=form.title.data.strip(), kind=form.kind.data, year=form.year.data, opens_at=to_utc(form.opens_at.data),
        closes_at=to_utc(form.closes_at.data), duration_minutes=form.duration_minutes.data,
        pass_mark=form.pass_mark.data, total_points=form.total_points.data,
        attempts_allowed=form.attempts_allowed.data, counting=form.counting.data,
        makeup_opens_at=to_utc(form.makeup_opens_at.data), makeup_closes_at=to_utc(form.makeup_closes_at.data),
        results_visibility=form.results_visibility.data, answers_visibility=form.answers_visibility.data,
        shuffle_questions=form.shuffle_questions.data, shuffle_options=form.shuffle_options.data,
        navigation=form.navigation.data, one_per_page=form.one_per_page.data, partial_credit=form.partial_credit.data,
        tab_switch_threshold=form.tab_switch_threshold.data, integrity_auto_submit=form.integrity_auto_submit.data,
        ip_ranges=parse_ranges(form.ip_ranges_text.data or "")[0],
        requires_study_hours=form.requires_study_hours.data)


@bp.route("/exams/new", methods=["GET", "POST"])
@roles(read=EXAM_WRITE, write=EXAM_WRITE)
def exam_new():
    form = ExamForm()
    if request.method == "GET":
        form.year.data = to_local(utcnow()).year
    if form.validate_on_submit():
        try:
            exam = exam_admin.save_exam(current_user, None, _input(form), now=utcnow())
        except ValidationError as e:
            show_on_field(form, e)
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("已创建考试，请设置参考人员和抽题规则后发布"), "success")
            return redirect(url_for("admin.exam_edit", exam_id=exam.id))
    return render_template("admin/exam_form.html", form=form, exam=None), 400 if form.errors else 200


@bp.route("/exams/<int:exam_id>", methods=["GET", "POST"])
@roles(read=EXAM_READ, write=EXAM_WRITE)
def exam_edit(exam_id: int):
    exam = _exam_or_404(exam_id)
    form = ExamForm(obj=exam)
    if request.method == "GET":
        for name in ("opens_at", "closes_at", "makeup_opens_at", "makeup_closes_at"):
            getattr(form, name).data = to_local(getattr(exam, name))
        form.ip_ranges_text.data = "\n".join(exam.ip_ranges or [])
    elif form.validate_on_submit():
        try:
            exam_admin.save_exam(current_user, exam.id, _input(form), now=utcnow())
        except ValidationError as e:
            show_on_field(form, e)
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("已保存"), "success")
            return redirect(url_for("admin.exam_edit", exam_id=exam.id))
    rules = RulesForm(prefix="r")
    rules.rules.data = rules.rules.data or "\n".join(
        f"{law}, {t}, {d or 0}, {c}, {p:g}" for law, t, d, c, p in (exam.current_paper.rules or []))
    audience = AudienceForm(prefix="a")
    audience.audience.data = audience.audience.data or "\n".join(f"{k}:{v}" for k, v in exam_admin.audience(exam.id))
    from ...models import ExamOverride, User
    overrides = db.session.execute(select(ExamOverride, User).join(User, User.id == ExamOverride.user_id)
                                   .where(ExamOverride.exam_id == exam.id).order_by(User.username)).all()
    return render_template("admin/exam_form.html", form=form, exam=exam, rules=rules, audience=audience,
                           override_form=OverrideForm(prefix="o"), overrides=overrides,
                           confirm=ConfirmForm(), sample=exam_admin.sample_paper(exam.id),
                           can_write=current_user.has_role(*EXAM_WRITE)), 400 if form.errors else 200


@bp.post("/exams/<int:exam_id>/rules")
@roles(read=EXAM_WRITE, write=EXAM_WRITE)
def exam_rules_save(exam_id: int):
    form = RulesForm(prefix="r")
    if form.validate_on_submit():
        try:
            paper = exam_admin.set_rules(current_user, exam_id, exam_admin.parse_rules(form.rules.data), now=utcnow())
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("已保存抽题规则（试卷第 %(v)d 版）", v=paper.version), "success")
    return redirect(url_for("admin.exam_edit", exam_id=exam_id))


@bp.post("/exams/<int:exam_id>/audience")
@roles(read=EXAM_WRITE, write=EXAM_WRITE)
def exam_audience_save(exam_id: int):
    form = AudienceForm(prefix="a")
    if form.validate_on_submit():
        entries = []
        for line in (form.audience.data or "").splitlines():
            if line.strip():
                kind, _sep, value = line.strip().partition(":")
                entries.append((kind.strip(), value.strip()))
        try:
            exam_admin.set_audience(current_user, exam_id, entries, now=utcnow())
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("已保存参考人员范围"), "success")
    return redirect(url_for("admin.exam_edit", exam_id=exam_id))


@bp.post("/exams/<int:exam_id>/publish")
@roles(read=EXAM_WRITE, write=EXAM_WRITE)
def exam_publish(exam_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            exams.publish(current_user, exam_id, now=utcnow())
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("考试已发布"), "success")
    return redirect(url_for("admin.exam_edit", exam_id=exam_id))


@bp.get("/exams/<int:exam_id>/results")
@roles(read=EXAM_READ)
def exam_results(exam_id: int):
    from ...services import exam_results as results_service

    exam = _exam_or_404(exam_id)
    r = results_service.results_for(current_user, exam.id)    # an auditor of a subtree sees its people only
    if request.args.get("format") == "xlsx":
        return Response(results_service.export_xlsx(r),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename=exam-{exam.id}-results.xlsx"})
    chart = [{"label": label, "count": n} for label, n in r.bands]
    from ...services.integrity import person_risks
    return render_template("admin/exam_results.html", exam=exam, r=r, chart=chart,
                           risks=person_risks(exam, now=utcnow()), **_item_analysis(exam))


ITEM_LIMIT = 50        # items and articles shown before "show all"


def _item_analysis(exam: Exam) -> dict:
    from ...services import item_analysis

    return {"analysis": item_analysis.analyse(exam), "item_limit": ITEM_LIMIT,
            "all_items": request.args.get("items") == "all", "all_articles": request.args.get("articles") == "all"}


@bp.post("/exams/<int:exam_id>/overrides")
@roles(read=EXAM_WRITE, write=EXAM_WRITE)
def exam_overrides(exam_id: int):
    form = OverrideForm(prefix="o")
    if not form.validate_on_submit():
        flash(_("请填写原因，并检查延长时间和次数"), "danger")
        return redirect(url_for("admin.exam_edit", exam_id=exam_id))
    usernames = [u.strip() for u in (form.usernames.data or "").replace("，", ",").split(",") if u.strip()]
    try:
        count = exam_admin.set_overrides(current_user, exam_id, usernames=usernames,
                                         unit_code=(form.unit_code.data or "").strip(),
                                         extra_minutes=form.extra_minutes.data or 0,
                                         extra_attempts=form.extra_attempts.data or 0,
                                         opens_at=to_utc(form.opens_at.data), closes_at=to_utc(form.closes_at.data),
                                         reason=form.reason.data, now=utcnow())
    except DomainError as e:
        flash(e.message, "danger")
    else:
        flash(_("已为 %(n)d 人设置特殊安排", n=count), "success")
    return redirect(url_for("admin.exam_edit", exam_id=exam_id))
