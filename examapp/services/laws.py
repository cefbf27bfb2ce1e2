"""Importing law texts as versions; flagging questions whose cited articles changed."""
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, select, update

from ..errors import ValidationError
from ..extensions import db
from ..formats.lawtext import LawDoc, parse_law
from ..models import Article, Law, LawPart, LawVersion, Question, QuestionArticle
from . import audit
from .tx import begin_write, commit


@dataclass
class LawImport:
    code: str
    title: str
    version: int
    articles: int
    status: str                   # created | new_version | unchanged
    changed_articles: list[int] = field(default_factory=list)
    flagged_questions: int = 0


def _store_version(law: Law, doc: LawDoc, *, sha: str, source: str, version: int, actor, now) -> LawVersion:
    lv = LawVersion(law_id=law.id, version=version, title=doc.title, meta=doc.meta, sha256=sha, source_name=source,
                    article_count=len(doc.articles), imported_at=now,
                    imported_by=getattr(actor, "username", "system"))
    db.session.add(lv)
    db.session.flush()
    part_ids: list[int] = []
    stack: list[tuple[int, int]] = []  # (level, part id)
    for ordinal, part in enumerate(doc.parts):
        while stack and stack[-1][0] >= part.level:
            stack.pop()
        row = LawPart(version_id=lv.id, ordinal=ordinal, level=part.level, kind=part.kind, number=part.number,
                      title=part.title, parent_id=stack[-1][1] if stack else None, intro="\n".join(part.intro))
        db.session.add(row)
        db.session.flush()
        part_ids.append(row.id)
        stack.append((part.level, row.id))
    db.session.execute(insert(Article), [
        {"version_id": lv.id, "number": a.number, "label": a.label, "text": "\n".join(a.paragraphs),
         "part_id": part_ids[a.part_index] if a.part_index is not None else None}
        for a in doc.articles])
    return lv


def import_law(actor, filename: str, data: bytes, *, now: datetime) -> LawImport:
    """Parse and store a law text; the same text again changes nothing. Raises ValidationError."""
    doc = parse_law(filename, data)
    sha = hashlib.sha256(data).hexdigest()
    begin_write()
    law = db.session.execute(select(Law).where(Law.code == doc.code)).scalar_one_or_none()
    if law is None:
        law = Law(code=doc.code, title=doc.title)
        db.session.add(law)
        db.session.flush()
        status, previous = "created", None
    else:
        previous = law.current_version
        if previous is not None and previous.sha256 == sha:
            db.session.rollback()
            return LawImport(doc.code, doc.title, previous.version, previous.article_count, "unchanged")
        status = "new_version"
    version = (previous.version + 1) if previous else 1
    lv = _store_version(law, doc, sha=sha, source=filename, version=version, actor=actor, now=now)
    law.title = doc.title
    law.current_version_id = lv.id
    changed: list[int] = []
    flagged = 0
    if previous is not None:
        changed = _changed_articles(previous, doc)
        flagged = _flag_questions(law, changed, version, now)
    audit.record("law.import", actor=actor, now=now, object_type="law", object_id=law.id,
                 data={"code": law.code, "title": doc.title, "version": version, "articles": len(doc.articles),
                       "sha256": sha, "changed_articles": changed[:200], "flagged_questions": flagged})
    commit()
    return LawImport(law.code, doc.title, version, len(doc.articles), status, changed, flagged)


def _changed_articles(previous: LawVersion, doc: LawDoc) -> list[int]:
    """Article numbers whose text differs between a stored version and a parsed text (or that only one has)."""
    old = dict(db.session.execute(select(Article.number, Article.text).where(Article.version_id == previous.id)).all())
    new = {a.number: "\n".join(a.paragraphs) for a in doc.articles}
    return sorted(n for n in old.keys() | new.keys() if old.get(n) != new.get(n))


def _flag_questions(law: Law, changed: list[int], version: int, now: datetime) -> int:
    """Questions citing a changed article leave the random pools until an admin clears them (待复核)."""
    if not changed:
        return 0
    affected = select(QuestionArticle.question_id).where(QuestionArticle.law_id == law.id,
                                                         QuestionArticle.article_number.in_(changed))
    result = db.session.execute(
        update(Question).where(Question.id.in_(affected), Question.status == "active")
        .values(status="review", updated_at=now,
                review_reason=f"《{law.title}》第 {version} 版修改了所引条文")
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def current_articles(law_code: str) -> dict[int, Article]:
    law = db.session.execute(select(Law).where(Law.code == law_code)).scalar_one_or_none()
    if law is None or law.current_version_id is None:
        return {}
    return {a.number: a for a in db.session.execute(
        select(Article).where(Article.version_id == law.current_version_id)).scalars()}


@dataclass
class LawPreview:
    doc: LawDoc
    current_version: int | None
    unchanged: bool
    changed_articles: list[int]
    affected_questions: int


def preview_import(filename: str, data: bytes) -> LawPreview:
    """What importing this file would do; stores nothing. Raises ValidationError for a bad file."""
    doc = parse_law(filename, data)
    law = db.session.execute(select(Law).where(Law.code == doc.code)).scalar_one_or_none()
    current = law.current_version if law is not None else None
    if current is None:
        return LawPreview(doc, None, False, [], 0)
    if current.sha256 == hashlib.sha256(data).hexdigest():
        return LawPreview(doc, current.version, True, [], 0)
    changed = _changed_articles(current, doc)
    affected = db.session.scalar(
        select(func.count(func.distinct(QuestionArticle.question_id)))
        .join(Question, Question.id == QuestionArticle.question_id)
        .where(QuestionArticle.law_id == law.id, QuestionArticle.article_number.in_(changed),
               Question.status == "active")) if changed else 0
    return LawPreview(doc, current.version, False, changed, affected or 0)


__all__ = ["LawImport", "LawPreview", "ValidationError", "current_articles", "import_law", "preview_import"]
