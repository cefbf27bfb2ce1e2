"""Reading the laws: the list, a table of contents, chapter pages, articles, and search."""
from dataclasses import dataclass, field

from sqlalchemy import func, select, text

from ..errors import NotFound
from ..extensions import db
from ..models import Article, Law, LawPart, Question, QuestionArticle, QuestionVersion


@dataclass
class PartNode:
    part: LawPart
    children: list["PartNode"] = field(default_factory=list)
    first: int | None = None      # article numbers the part spans (with its sub-parts)
    last: int | None = None


def laws_overview() -> list[tuple[Law, int]]:
    """Every law with a text, and its number of active questions."""
    counts = dict(db.session.execute(select(Question.law_id, func.count()).where(Question.status == "active")
                                     .group_by(Question.law_id)).all())
    laws = db.session.scalars(select(Law).where(Law.current_version_id.is_not(None)).order_by(Law.id)).all()
    return [(law, counts.get(law.id, 0)) for law in laws]


def get_law(code: str) -> Law:
    law = db.session.execute(select(Law).where(Law.code == code)).scalar_one_or_none()
    if law is None or law.current_version_id is None:
        raise NotFound("法律不存在")
    return law


def toc(law: Law) -> list[PartNode]:
    parts = db.session.scalars(select(LawPart).where(LawPart.version_id == law.current_version_id)
                               .order_by(LawPart.ordinal)).all()
    spans = dict((pid, (lo, hi)) for pid, lo, hi in db.session.execute(
        select(Article.part_id, func.min(Article.number), func.max(Article.number))
        .where(Article.version_id == law.current_version_id).group_by(Article.part_id)).all())
    nodes = {p.id: PartNode(p, first=spans.get(p.id, (None, None))[0], last=spans.get(p.id, (None, None))[1])
             for p in parts}
    roots = []
    for p in parts:
        (nodes[p.parent_id].children if p.parent_id in nodes else roots).append(nodes[p.id])

    def widen(node: PartNode):
        for child in node.children:
            widen(child)
            for attr, pick in (("first", min), ("last", max)):
                values = [v for v in (getattr(node, attr), getattr(child, attr)) if v is not None]
                setattr(node, attr, pick(values) if values else None)

    for root in roots:
        widen(root)
    return roots


def subtree_part_ids(law: Law, part_id: int) -> tuple[LawPart, list[int]]:
    parts = db.session.scalars(select(LawPart).where(LawPart.version_id == law.current_version_id)).all()
    by_id = {p.id: p for p in parts}
    if part_id not in by_id:
        raise NotFound("章节不存在")
    ids, frontier = [part_id], [part_id]
    while frontier:
        frontier = [p.id for p in parts if p.parent_id in frontier]
        ids.extend(frontier)
    return by_id[part_id], ids


def breadcrumb(law: Law, part_id: int | None) -> list[LawPart]:
    chain = []
    while part_id is not None:
        part = db.session.get(LawPart, part_id)
        if part is None or part.version_id != law.current_version_id:
            break
        chain.append(part)
        part_id = part.parent_id
    return list(reversed(chain))


def question_counts(law: Law, numbers: list[int]) -> dict[int, int]:
    if not numbers:
        return {}
    return dict(db.session.execute(
        select(QuestionArticle.article_number, func.count())
        .join(Question, Question.id == QuestionArticle.question_id)
        .where(QuestionArticle.law_id == law.id, QuestionArticle.article_number.in_(numbers),
               Question.status == "active")
        .group_by(QuestionArticle.article_number)).all())


def part_articles(law: Law, part_id: int) -> tuple[LawPart, list[Article]]:
    part, ids = subtree_part_ids(law, part_id)
    articles = db.session.scalars(select(Article).where(Article.version_id == law.current_version_id,
                                                        Article.part_id.in_(ids)).order_by(Article.number)).all()
    return part, list(articles)


def article(law: Law, number: int) -> Article:
    found = db.session.execute(select(Article).where(Article.version_id == law.current_version_id,
                                                     Article.number == number)).scalar_one_or_none()
    if found is None:
        raise NotFound("条文不存在")
    return found


def article_count(law: Law) -> int:
    return db.session.scalar(select(func.count()).select_from(Article)
                             .where(Article.version_id == law.current_version_id)) or 0


def questions_citing(law: Law, number: int, *, include_inactive: bool = False) -> list[tuple[Question, QuestionVersion]]:
    stmt = (select(Question, QuestionVersion)
            .join(QuestionArticle, QuestionArticle.question_id == Question.id)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(QuestionArticle.law_id == law.id, QuestionArticle.article_number == number)
            .order_by(Question.ext_id))
    if not include_inactive:
        stmt = stmt.where(Question.status == "active")
    return [tuple(row) for row in db.session.execute(stmt).all()]


# -- search -----------------------------------------------------------------------------------------

@dataclass
class Hit:
    law: Law
    article: Article
    snippet: tuple[str, str, str]   # before, the match, after: the template escapes each part


def _matching(term: str):
    """A condition on Article: its text contains `term`, through the database's index where one applies."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite" and len(term) >= 3:
        phrase = '"' + term.replace('"', '""') + '"'
        return Article.id.in_(text("SELECT rowid FROM article_fts WHERE article_fts MATCH :q").bindparams(q=phrase))
    # PostgreSQL's trigram GIN index serves this LIKE for three characters or more
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Article.text.like(f"%{escaped}%", escape="\\")


def snippet(body: str, term: str, width: int = 40) -> tuple[str, str, str]:
    at = body.find(term)
    if at < 0:
        return body[:width * 2], "", ""
    start, end = max(0, at - width), at + len(term)
    return ("…" if start else "") + body[start:at], body[at:end], body[end:end + width] + (
        "…" if end + width < len(body) else "")


def search(term: str, *, law_code: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[Hit]]:
    """Articles of the laws in force containing `term`: the total and one page of hits.

    One query finds the ids in reading order (the total is their number), a second loads the page.
    """
    term = " ".join(term.split())[:50]
    if not term:
        return 0, []
    stmt = (select(Article.id).join(Law, Law.current_version_id == Article.version_id)
            .where(_matching(term)).order_by(Law.id, Article.number))
    if law_code:
        stmt = stmt.where(Law.code == law_code)
    ids = list(db.session.scalars(stmt))
    page = ids[offset:offset + limit]
    if not page:
        return len(ids), []
    rows = db.session.execute(select(Law, Article).join(Article, Article.version_id == Law.current_version_id)
                              .where(Article.id.in_(page)).order_by(Law.id, Article.number)).all()
    return len(ids), [Hit(law, art, snippet(art.text.replace("\n", " "), term)) for law, art in rows]
