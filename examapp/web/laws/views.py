from flask import current_app, render_template, request
from flask_login import current_user

from ...security import login_only
from ...services import law_reader
from . import bp


@bp.get("/")
@login_only
def index():
    return render_template("laws/index.html", laws=law_reader.laws_overview())


@bp.get("/search")
@login_only
def search():
    term = request.args.get("q", "")[:50]
    law_code = request.args.get("law", "")[:64] or None
    page_no = request.args.get("page", "1")
    page_no = int(page_no) if page_no.isdigit() and int(page_no) > 0 else 1
    size = current_app.config["PAGE_SIZE"]
    total, hits = law_reader.search(term, law_code=law_code, limit=size, offset=(page_no - 1) * size)
    return render_template("laws/search.html", term=term, law_code=law_code, hits=hits, total=total,
                           page_no=page_no, pages=max(1, -(-total // size)), laws=law_reader.laws_overview())


@bp.get("/<code>")
@login_only
def toc(code: str):
    law = law_reader.get_law(code)
    return render_template("laws/toc.html", law=law, nodes=law_reader.toc(law),
                           articles=law_reader.article_count(law))


@bp.get("/<code>/parts/<int:part_id>")
@login_only
def part(code: str, part_id: int):
    law = law_reader.get_law(code)
    part, articles = law_reader.part_articles(law, part_id)
    counts = law_reader.question_counts(law, [a.number for a in articles])
    return render_template("laws/part.html", law=law, part=part, articles=articles, counts=counts,
                           crumbs=law_reader.breadcrumb(law, part.id))


@bp.get("/<code>/articles/<int:number>")
@login_only
def article(code: str, number: int):
    law = law_reader.get_law(code)
    art = law_reader.article(law, number)
    is_admin = current_user.has_role("admin", "unit_admin", "auditor")
    questions = law_reader.questions_citing(law, number, include_inactive=is_admin)
    return render_template("laws/article.html", law=law, article=art, questions=questions, is_admin=is_admin,
                           crumbs=law_reader.breadcrumb(law, art.part_id), total=law_reader.article_count(law))
