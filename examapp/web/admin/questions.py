from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...clock import utcnow
from ...domain import qtypes
from ...errors import DomainError, ValidationError
from ...extensions import db
from ...security import roles
from ...services import law_reader
from ...services import questions as service
from . import bp
from .forms import ConfirmForm
from .question_form import QuestionForm, fill_form

BANK_READ = ("admin", "auditor")
BANK_WRITE = ("admin",)


def _int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/questions")
@roles(read=BANK_READ)
def questions():
    f = service.QuestionFilter(law=request.args.get("law", "")[:64], part=_int("part"),
                               qtype=request.args.get("type", ""), difficulty=_int("difficulty"),
                               tag=request.args.get("tag", "")[:40], status=request.args.get("status", ""),
                               q=request.args.get("q", "")[:100])
    page = db.paginate(service.query(f), page=_int("page") or 1, per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    laws = law_reader.laws_overview()
    parts = law_reader.toc(law_reader.get_law(f.law)) if f.law and any(law.code == f.law for law, _n in laws) else []
    return render_template("admin/questions.html", page=page, f=f, laws=laws, parts=parts, types=qtypes.TOP_TYPES,
                           can_write=current_user.has_role(*BANK_WRITE), confirm=ConfirmForm())


def _form(law_code: str = "") -> QuestionForm:
    form = QuestionForm()
    form.law.choices = [(law.code, law.title) for law, _n in law_reader.laws_overview()]
    if request.method == "GET" and law_code:
        form.law.data = law_code
    return form


def _save(form: QuestionForm, question_id: int | None):
    try:
        data = form.to_question()
        return service.save(current_user, law_code=form.law.data, ext_id=form.ext_id.data.strip(), data=data,
                            now=utcnow(), question_id=question_id)
    except ValidationError as e:
        target = {"answer": form.answer, "options": form.options, "items": form.items, "stem": form.stem,
                  "articles": form.articles, "ext_id": form.ext_id, "law": form.law,
                  "difficulty": form.difficulty}.get(e.field.split("[")[0], form.stem)
        target.errors = list(target.errors) + [e.message]
    except DomainError as e:
        flash(e.message, "danger")
    return None


@bp.route("/questions/new", methods=["GET", "POST"])
@roles(read=BANK_WRITE, write=BANK_WRITE)
def question_new():
    law_code = request.args.get("law", "")[:64]
    form = _form(law_code)
    if request.method == "GET":
        form.ext_id.data = service.suggest_id(law_code) if law_code else ""
    if form.validate_on_submit():
        question = _save(form, None)
        if question is not None:
            flash(_("已创建题目 %(id)s", id=question.ext_id), "success")
            return redirect(url_for("admin.question_edit", question_id=question.id))
    return render_template("admin/question_form.html", form=form, question=None), 400 if form.errors else 200


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@roles(read=BANK_READ, write=BANK_WRITE)
def question_edit(question_id: int):
    question = service.get(question_id)
    form = _form()
    if request.method == "GET":
        fill_form(form, question.ext_id, question.law.code, question.current)
    form.ext_id.render_kw = {"readonly": True}
    if request.method == "POST" and form.validate_on_submit():
        form.ext_id.data = question.ext_id
        saved = _save(form, question.id)
        if saved is not None:
            flash(_("已保存（第 %(v)d 版）", v=saved.current.version), "success")
            return redirect(url_for("admin.question_edit", question_id=question.id))
    return render_template("admin/question_form.html", form=form, question=question,
                           versions=service.versions(question), confirm=ConfirmForm(),
                           can_write=current_user.has_role(*BANK_WRITE)), 400 if form.errors else 200


@bp.post("/questions/<int:question_id>/<action>")
@roles(read=BANK_WRITE, write=BANK_WRITE)
def question_status(question_id: int, action: str):
    if ConfirmForm().validate_on_submit():
        try:
            service.change_status(current_user, question_id, action, now=utcnow())
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("已更新题目状态"), "success")
    return redirect(url_for("admin.question_edit", question_id=question_id))


@bp.get("/laws/<code>/coverage")
@roles(read=BANK_READ)
def law_coverage(code: str):
    law = law_reader.get_law(code)
    rows = service.coverage(law)
    covered = sum(1 for _a, n in rows if n)
    return render_template("admin/coverage.html", law=law, rows=rows, covered=covered,
                           hardest=service.error_rates(law))
