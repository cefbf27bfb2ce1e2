from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ...clock import utcnow
from ...domain import qtypes
from ...domain.safe_url import is_safe_local_path
from ...errors import Conflict, DomainError
from ...security import roles
from ...services import law_reader, practice
from ...services.practice import Scope
from . import bp
from .responses import read_response

LEARNERS = ("employee",)  # practice is for learners; an auditor-only account changes nothing


def _scope_from(args) -> Scope:
    source = args.get("source", "law")
    part = args.get("part", "")
    return Scope(source=source if source in practice.SOURCES else "law", law=args.get("law", "")[:64],
                 part=int(part) if part.isdigit() else None,
                 qtype=args.get("type", "") if args.get("type", "") in qtypes.TOP_TYPES else "",
                 mode=args.get("mode", "seq") if args.get("mode") in practice.MODES else "seq")


@bp.before_request
def no_practice_during_an_exam():
    if current_user.is_authenticated and practice.paused_for_exam(current_user, utcnow()):
        raise Conflict("考试进行中，练习和模拟考试暂停，交卷后可继续")


@bp.get("/")
@roles(read=LEARNERS, write=LEARNERS)
def home():
    return render_template("practice/home.html", laws=law_reader.laws_overview(),
                           notebook=practice.notebook_count(current_user), types=qtypes.TOP_TYPES)


@bp.get("/laws/<code>")
@roles(read=LEARNERS, write=LEARNERS)
def chapters(code: str):
    law = law_reader.get_law(code)
    return render_template("practice/chapters.html", law=law, nodes=law_reader.toc(law), types=qtypes.TOP_TYPES)


@bp.get("/question")
@roles(read=LEARNERS, write=LEARNERS)
def question():
    scope = _scope_from(request.args)
    try:
        pick = practice.next_question(current_user, scope)
    except DomainError as e:
        flash(e.message, "warning")
        return redirect(url_for("practice.home"))
    if pick is None:
        flash(_("这里没有可练习的题目。") if scope.source == "law" else _("错题本里暂时没有题目。"), "info")
        return redirect(url_for("practice.home"))
    return render_template("practice/question.html", pick=pick, version=pick.question.current, scope=scope,
                           form=FlaskForm())


@bp.post("/answer")
@roles(read=LEARNERS, write=LEARNERS)
def answer():
    scope = _scope_from(request.form)
    question_id, version_id = request.form.get("question_id", ""), request.form.get("version_id", "")
    if not (question_id.isdigit() and version_id.isdigit()):
        abort(400)
    from ...extensions import db
    from ...models import QuestionVersion
    version = db.session.get(QuestionVersion, int(version_id))
    if version is None:
        abort(404)
    response = read_response(request.form, "r", practice.as_question(version))
    feedback = practice.answer(current_user, int(question_id), int(version_id), response, scope, now=utcnow())
    return render_template("practice/feedback.html", fb=feedback, scope=scope, form=FlaskForm())


@bp.post("/favourite/<int:question_id>/<int:flag>")
@roles(read=LEARNERS, write=LEARNERS)
def favourite(question_id: int, flag: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    practice.set_favourite(current_user, question_id, bool(flag), now=utcnow())
    target = request.form.get("next", "")
    return redirect(target if is_safe_local_path(target) else url_for("practice.notebook"))


@bp.get("/notebook")
@roles(read=LEARNERS, write=LEARNERS)
def notebook():
    favourites = request.args.get("tab") == "favourites"
    return render_template("practice/notebook.html", entries=practice.notebook(current_user, favourites=favourites),
                           favourites=favourites, form=FlaskForm())


@bp.get("/stats")
@roles(read=LEARNERS, write=LEARNERS)
def stats():
    s = practice.statistics(current_user)
    chart = [{"label": t.label, "percent": round(100 * t.accuracy)} for t in s["by_law"]]
    return render_template("practice/stats.html", s=s, chart=chart)


@bp.route("/mock", methods=["GET", "POST"])
@roles(read=LEARNERS, write=LEARNERS)
def mock_new():
    form = FlaskForm()
    if form.validate_on_submit():
        count, minutes = request.form.get("count", ""), request.form.get("minutes", "")
        try:
            mock = practice.start_mock(current_user, law=request.form.get("law", "")[:64],
                                       count=int(count) if count.isdigit() else 0,
                                       minutes=int(minutes) if minutes.isdigit() else 0, now=utcnow())
        except DomainError as e:
            flash(e.message, "danger")
        else:
            return redirect(url_for("practice.mock", mock_id=mock.id))
    return render_template("practice/mock_new.html", form=form, laws=law_reader.laws_overview())


@bp.route("/mock/<int:mock_id>", methods=["GET", "POST"])
@roles(read=LEARNERS, write=LEARNERS)
def mock(mock_id: int):
    exam = practice.get_mock(current_user, mock_id)
    versions = practice.mock_versions(exam)
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        responses = {v.id: read_response(request.form, f"r{v.id}", practice.as_question(v)) for v in versions}
        exam = practice.submit_mock(current_user, exam.id, responses, now=utcnow())
        return redirect(url_for("practice.mock", mock_id=exam.id))
    if exam.submitted_at is not None:
        return render_template("practice/mock_result.html", exam=exam, versions=versions,
                               answers=practice.mock_answers(exam))
    return render_template("practice/mock.html", exam=exam, versions=versions, form=form, now=utcnow())
