from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ...clock import utcnow
from ...domain import exam_rules
from ...errors import Conflict
from ...extensions import db
from ...models import Answer, Exam
from ...security import roles
from ...services import exams, study
from ..templating import TYPE_LABELS
from . import bp

TAKERS = ("employee",)


@bp.get("/")
@roles(read=TAKERS)
def mine():
    now = utcnow()
    return render_template("exams/mine.html", rows=exams.exams_for(current_user, now=now), now=now)


@bp.get("/<int:exam_id>")
@roles(read=TAKERS)
def detail(exam_id: int):
    now = utcnow()
    row = next((r for r in exams.exams_for(current_user, now=now) if r.exam.id == exam_id), None)
    if row is None:
        return render_template("errors/error.html", status=404, title="页面不存在", message=""), 404
    hours_met, hours_note = study.plan_hours_met(current_user, row.exam.year, now) \
        if row.exam.requires_study_hours else (True, "")
    return render_template("exams/detail.html", row=row, exam=row.exam, policy=exams.policy_of(row.exam),
                           reason=exam_rules.REASONS.get(row.reason, ""), form=FlaskForm(), now=now,
                           hours_met=hours_met, hours_note=hours_note)


@bp.post("/<int:exam_id>/start")
@roles(read=TAKERS, write=TAKERS)
def start(exam_id: int):
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("exams.detail", exam_id=exam_id))
    try:
        attempt, _created = exams.start_attempt(current_user, exam_id, now=utcnow(), ip=request.remote_addr or "")
    except Conflict as e:
        flash(e.message, "warning")
        return redirect(url_for("exams.detail", exam_id=exam_id))
    return redirect(url_for("exams.take", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@roles(read=TAKERS)
def take(attempt_id: int):
    attempt = exams.get_attempt(current_user, attempt_id)
    if attempt.status != "running":
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    saved = {a.slot: a for a in db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))}
    return render_template("exams/take.html", attempt=attempt, exam=attempt.exam,
                           questions=exams.paper_for_taker(attempt), saved=saved, now=utcnow(), form=FlaskForm(),
                           labels=_paper_labels())


def _paper_labels() -> dict:
    """The paper's per-question labels translated once per page: patterns the template fills in with `format`,
    instead of a translation call for each of 50 questions (most of the page's rendering time)."""
    return {"no": _("第 %(n)d 题"), "points": _("%(p)s 分"), "types": {k: str(v) for k, v in TYPE_LABELS.items()}}


@bp.get("/attempts/<int:attempt_id>/result")
@roles(read=TAKERS)
def result(attempt_id: int):
    attempt = exams.get_attempt(current_user, attempt_id)
    exam: Exam = attempt.exam
    policy, now = exams.policy_of(exam), utcnow()
    show_answers = attempt.status == "submitted" and exam_rules.show_answers(now, policy)
    return render_template("exams/result.html", attempt=attempt, exam=exam,
                           show_score=exam_rules.show_results(now, policy),
                           band=exam_rules.band_for(attempt.score, policy),
                           review=exams.review(attempt) if show_answers else None)
