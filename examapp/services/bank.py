"""The question bank: import bank files (all or nothing per file), check citations, export."""
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, func, insert, select

from ..domain import qtypes
from ..domain.audit_chain import canonical_json
from ..extensions import db
from ..formats.bank_yaml import BankDoc, ItemError, export_bank
from ..models import Article, Law, Question, QuestionArticle, QuestionVersion
from . import audit, bulk
from .tx import begin_write, commit

CONTENT_KEYS = ("type", "difficulty", "stem", "options", "answer", "explanation", "articles", "tags", "items")


def content_hash(q: dict) -> str:
    return hashlib.sha256(canonical_json({k: q.get(k) for k in CONTENT_KEYS}).encode()).hexdigest()


def version_fields(q: dict) -> dict:
    return {"type": q["type"], "difficulty": q["difficulty"], "stem": q["stem"], "options": q.get("options") or [],
            "answer": q.get("answer"), "explanation": q.get("explanation") or "", "articles": q["articles"],
            "tags": q.get("tags") or [], "items": q.get("items") or [], "content_hash": content_hash(q)}


def version_as_dict(ext_id: str, v: QuestionVersion) -> dict:
    q = {"id": ext_id, "type": v.type, "difficulty": v.difficulty, "stem": v.stem, "options": v.options,
         "answer": v.answer, "articles": v.articles, "explanation": v.explanation, "tags": v.tags}
    if v.type == "case":
        q["items"] = v.items
    return q


@dataclass
class BankImport:
    filename: str
    law: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    key_changes: list[str] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_citations(doc: BankDoc, article_numbers: set[int]) -> list[ItemError]:
    errors = []
    for q in doc.questions:
        cited = set(q["articles"]) | {a for item in q.get("items") or [] for a in item.get("articles", [])}
        missing = sorted(cited - article_numbers)
        if missing:
            errors.append(ItemError(doc.filename, q["id"], "articles",
                                    "引用的条文不存在：" + "、".join(f"第 {n} 条" for n in missing)))
    return errors


def _plan(doc: BankDoc) -> tuple[Law | None, dict[str, Question]]:
    law = db.session.execute(select(Law).where(Law.code == doc.law)).scalar_one_or_none()
    if law is None or law.current_version_id is None:
        doc.errors.append(ItemError(doc.filename, "文件", "law", f"法律 {doc.law} 尚未导入（先运行 laws import）"))
        return None, {}
    numbers = set(db.session.scalars(select(Article.number).where(Article.version_id == law.current_version_id)))
    doc.errors.extend(check_citations(doc, numbers))
    ids = [q["id"] for q in doc.questions]
    existing: dict[str, Question] = {}
    for start in range(0, len(ids), 500):
        for q in db.session.scalars(select(Question).where(Question.ext_id.in_(ids[start:start + 500]))):
            existing[q.ext_id] = q
    for q in doc.questions:
        other = existing.get(q["id"])
        if other is not None and other.law_id != law.id:
            doc.errors.append(ItemError(doc.filename, q["id"], "id", f"编号已被《{other.law.title}》的题目使用"))
    # the same stem already stored under another id in this law is a duplicate
    stems = {qtypes.normalize_text(q["stem"]): q["id"] for q in doc.questions if q["type"] != "case"}
    rows = db.session.execute(
        select(Question.ext_id, QuestionVersion.stem).join(QuestionVersion, Question.current_version_id ==
                                                           QuestionVersion.id)
        .where(Question.law_id == law.id, Question.status != "retired", QuestionVersion.type != "case")).all()
    for ext_id, stem in rows:
        mine = stems.get(qtypes.normalize_text(stem))
        if mine is not None and mine != ext_id:
            doc.errors.append(ItemError(doc.filename, mine, "stem", f"与已有题目 {ext_id} 题干相同"))
    return law, existing


def read_file(filename: str, data: bytes, law: str | None = None) -> BankDoc:
    """Parse a bank file of any registered format; `law` names the law when the file does not."""
    from ..formats.bank_formats import format_for

    fmt = format_for(filename, data)
    if fmt is None:
        doc = BankDoc(filename)
        doc.errors.append(ItemError(filename, "文件", "", "只支持 .yaml、.xlsx、.docx、.gift 和 Aiken .txt 题库文件"))
        return doc
    return fmt.parse(filename, data, law or Path(filename).name.split(".")[0])


def preview_file(filename: str, data: bytes, *, law: str | None = None) -> BankImport:
    """What importing the file would create and update, and every problem; writes nothing."""
    doc = read_file(filename, data, law)
    result = BankImport(filename, doc.law, errors=list(doc.errors))
    if not doc.errors:
        _law, existing = _plan(doc)
        result.errors = doc.errors
        for q in doc.questions:
            current = existing.get(q["id"])
            if current is None:
                result.created += 1
            elif current.current.content_hash == content_hash(q):
                result.unchanged += 1
            else:
                result.updated += 1
                if current.current.answer != q.get("answer") or (current.current.items or []) != (q.get("items") or []):
                    result.key_changes.append(q["id"])
    db.session.rollback()
    return result


def import_bank_file(actor, filename: str, data: bytes, *, now: datetime, law: str | None = None) -> BankImport:
    """Store every question of the file or none of them."""
    result = None
    for step in import_steps(actor, filename, data, now=now, law=law):
        result = step
    return result


PROGRESS_EVERY = 200


def import_steps(actor, filename: str, data: bytes, *, now: datetime, law: str | None = None):
    """import_bank_file with progress: yields (done, total) while it writes, then the BankImport."""
    doc = read_file(filename, data, law)
    result = BankImport(filename, doc.law)
    if doc.errors:
        result.errors = doc.errors
        yield result
        return
    begin_write()
    law_row, existing = _plan(doc)
    if doc.errors:
        db.session.rollback()
        result.errors = doc.errors
        yield result
        return
    total = len(doc.questions)
    actor_name = getattr(actor, "username", "system")
    new_questions = [q for q in doc.questions if q["id"] not in existing]
    created_events = _insert_new(new_questions, law_row, actor_name, now)
    result.created = len(new_questions)
    done = len(new_questions)
    yield done, total
    for q in doc.questions:
        current = existing.get(q["id"])
        if current is None:
            continue
        done += 1
        if done % PROGRESS_EVERY == 0:
            yield done, total
        fields = version_fields(q)
        if current.current.content_hash == fields["content_hash"]:
            result.unchanged += 1
            continue
        old = current.current
        # a new version: attempts keep the version they showed
        version = QuestionVersion(question_id=current.id, version=old.version + 1, created_at=now,
                                  created_by=actor_name, **fields)
        db.session.add(version)
        db.session.flush()
        current.current_version_id = version.id
        current.updated_at = now
        result.updated += 1
        data_change = {"ext_id": q["id"], "version": version.version, "file": filename}
        if old.answer != version.answer or old.items != version.items:
            result.key_changes.append(q["id"])
            audit.record("question.key_change", actor=actor, now=now, object_type="question",
                         object_id=current.id, data={**data_change, "old": old.answer, "new": version.answer})
        else:
            audit.record("question.update", actor=actor, now=now, object_type="question", object_id=current.id,
                         data=data_change)
        db.session.execute(QuestionArticle.__table__.delete().where(QuestionArticle.question_id == current.id))
        db.session.execute(insert(QuestionArticle), [
            {"question_id": current.id, "article_number": n, "law_id": law_row.id} for n in q["articles"]])
    audit.record_many("question.create", actor=actor, now=now, object_type="question", items=created_events)
    audit.record("bank.import", actor=actor, now=now, object_type="law", object_id=law_row.id,
                 data={"file": filename, "law": law_row.code, "created": result.created, "updated": result.updated,
                       "unchanged": result.unchanged})
    commit()
    yield total, total
    yield result


def _insert_new(questions: list[dict], law: Law, actor_name: str, now: datetime) -> list[tuple[int, dict]]:
    """New questions in four Core executemany statements, ids taken first (a per-row flush costs seconds on a
    whole bank, and INSERT ... RETURNING of thousands of rows is slow on PostgreSQL: see bulk.py)."""
    if not questions:
        return []
    question_ids = bulk.reserve_ids(Question.__table__, len(questions))
    version_ids = bulk.reserve_ids(QuestionVersion.__table__, len(questions))
    bulk.insert_rows(Question.__table__, [
        {"id": qid, "ext_id": q["id"], "law_id": law.id, "current_version_id": None, "status": "active",
         "review_reason": "", "created_at": now, "updated_at": now}
        for qid, q in zip(question_ids, questions, strict=True)])
    bulk.insert_rows(QuestionVersion.__table__, [
        {"id": vid, "question_id": qid, "version": 1, "created_at": now, "created_by": actor_name,
         **version_fields(q)}
        for qid, vid, q in zip(question_ids, version_ids, questions, strict=True)])
    table = Question.__table__
    db.session.connection().execute(
        table.update().where(table.c.id == bindparam("b_id")).values(current_version_id=bindparam("b_vid")),
        [{"b_id": qid, "b_vid": vid} for qid, vid in zip(question_ids, version_ids, strict=True)])
    bulk.insert_rows(QuestionArticle.__table__, [
        {"question_id": qid, "article_number": n, "law_id": law.id}
        for qid, q in zip(question_ids, questions, strict=True) for n in q["articles"]])
    return [(qid, {"ext_id": q["id"], "law": law.code}) for qid, q in zip(question_ids, questions, strict=True)]


def export_law(law_code: str, *, include_retired: bool = False) -> tuple[Law, list[dict]]:
    law = db.session.execute(select(Law).where(Law.code == law_code)).scalar_one_or_none()
    if law is None:
        return None, []
    stmt = (select(Question.ext_id, QuestionVersion).join(QuestionVersion, Question.current_version_id ==
                                                          QuestionVersion.id)
            .where(Question.law_id == law.id).order_by(Question.ext_id))
    if not include_retired:
        stmt = stmt.where(Question.status != "retired")
    return law, [version_as_dict(ext_id, v) for ext_id, v in db.session.execute(stmt).all()]


def export_yaml(law_code: str) -> str | None:
    law, questions = export_law(law_code)
    return None if law is None else export_bank(law.code, law.title, questions)


def export_questions(questions: list[Question], fmt_name: str) -> tuple[bytes, list[tuple[str, str]]]:
    """Any set of questions (all of one law) in a format; also what the format had to leave out."""
    from ..formats.bank_formats import FORMATS

    fmt = FORMATS[fmt_name]
    if not questions:
        return fmt.export("", "", []), []
    law = questions[0].law
    dicts = [version_as_dict(q.ext_id, q.current) for q in sorted(questions, key=lambda q: q.ext_id)]
    return fmt.export(law.code, law.title, dicts), fmt.left_out(dicts)


def counts_by_law() -> dict[str, int]:
    return dict(db.session.execute(select(Law.code, func.count(Question.id)).join(Question, Question.law_id == Law.id)
                                   .group_by(Law.code)).all())
