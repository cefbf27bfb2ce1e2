"""Keeping the question bank by hand: list and search, create and edit (a new version each time the
content changes), retire, restore and clear the review flag."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, case, cast, func, or_, select

from ..domain import qtypes
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..formats.bank_yaml import ID_RE
from ..models import Article, Law, Question, QuestionArticle, QuestionVersion
from . import audit
from .bank import version_fields
from .law_reader import subtree_part_ids
from .tx import begin_write, commit

STATUS_ACTIONS = {  # action -> (from statuses, to status)
    "retire": (("active", "review"), "retired"),
    "restore": (("retired",), "active"),
    "clear_review": (("review",), "active"),
}


@dataclass
class QuestionFilter:
    law: str = ""
    part: int | None = None
    qtype: str = ""
    difficulty: int | None = None
    tag: str = ""
    status: str = ""
    q: str = ""


def query(f: QuestionFilter):
    # Questions only (their current version comes joined): what db.paginate can page through
    stmt = (select(Question).join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .join(Law, Law.id == Question.law_id))
    if f.law:
        stmt = stmt.where(Law.code == f.law)
        if f.part:
            law = db.session.execute(select(Law).where(Law.code == f.law)).scalar_one_or_none()
            if law is not None:
                _part, ids = subtree_part_ids(law, f.part)
                numbers = select(Article.number).where(Article.version_id == law.current_version_id,
                                                       Article.part_id.in_(ids))
                stmt = stmt.where(Question.id.in_(select(QuestionArticle.question_id).where(
                    QuestionArticle.law_id == law.id, QuestionArticle.article_number.in_(numbers))))
    if f.qtype in qtypes.TOP_TYPES:
        stmt = stmt.where(QuestionVersion.type == f.qtype)
    if f.difficulty in (1, 2, 3):
        stmt = stmt.where(QuestionVersion.difficulty == f.difficulty)
    if f.status in ("active", "retired", "review"):
        stmt = stmt.where(Question.status == f.status)
    if f.tag:
        stmt = stmt.where(cast(QuestionVersion.tags, String).like(f"%{_like(f.tag)}%", escape="\\"))
    if f.q:
        like = f"%{_like(f.q)}%"
        stmt = stmt.where(or_(QuestionVersion.stem.like(like, escape="\\"), Question.ext_id.like(like, escape="\\"),
                              QuestionVersion.explanation.like(like, escape="\\")))
    return stmt.order_by(Question.ext_id)


def _like(text: str) -> str:
    return text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def get(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound("题目不存在")
    return question


def versions(question: Question) -> list[QuestionVersion]:
    return list(db.session.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question.id)
                                   .order_by(QuestionVersion.version.desc())))


def _validate(law: Law, data: dict) -> None:
    for field, message in qtypes.validate(data):
        raise ValidationError(field, message)
    if not data.get("articles"):
        raise ValidationError("articles", "至少引用一条法条")
    cited = set(data["articles"]) | {a for item in data.get("items") or [] for a in item.get("articles", [])}
    existing = set(db.session.scalars(select(Article.number).where(Article.version_id == law.current_version_id,
                                                                   Article.number.in_(cited))))
    missing = sorted(cited - existing)
    if missing:
        raise ValidationError("articles", f"《{law.title}》中没有：" + "、".join(f"第 {n} 条" for n in missing))


def save(actor, *, law_code: str, ext_id: str, data: dict, now: datetime, question_id: int | None = None) -> Question:
    """Create a question, or give an existing one a new version. Key changes are audited as such."""
    begin_write()
    law = db.session.execute(select(Law).where(Law.code == law_code)).scalar_one_or_none()
    if law is None or law.current_version_id is None:
        raise ValidationError("law", "请选择已导入的法律")
    _validate(law, data)
    fields = version_fields(data)
    if question_id is None:
        if not ID_RE.match(ext_id or ""):
            raise ValidationError("ext_id", "编号须如 con-0001")
        if db.session.scalar(select(Question.id).where(Question.ext_id == ext_id)):
            raise Conflict(f"编号 {ext_id} 已存在")
        question = Question(ext_id=ext_id, law_id=law.id, status="active", created_at=now, updated_at=now)
        db.session.add(question)
        db.session.flush()
        old = None
    else:
        question = get(question_id)
        if question.law_id != law.id:
            raise ValidationError("law", "题目所属法律不能修改")
        old = question.current
        if old.content_hash == fields["content_hash"]:
            db.session.rollback()
            return question
    duplicate = db.session.scalar(
        select(Question.ext_id).join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.law_id == law.id, Question.id != question.id, Question.status != "retired",
               QuestionVersion.type != "case", func.lower(QuestionVersion.stem) == data["stem"].lower()))
    if duplicate and data["type"] != "case":
        raise Conflict(f"与已有题目 {duplicate} 题干相同")
    version = QuestionVersion(question_id=question.id, version=(old.version + 1) if old else 1, created_at=now,
                              created_by=getattr(actor, "username", "system"), **fields)
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    question.updated_at = now
    db.session.execute(QuestionArticle.__table__.delete().where(QuestionArticle.question_id == question.id))
    db.session.add_all(QuestionArticle(question_id=question.id, article_number=n, law_id=law.id)
                       for n in sorted(set(data["articles"])))
    if old is None:
        audit.record("question.create", actor=actor, now=now, object_type="question", object_id=question.id,
                     data={"ext_id": question.ext_id, "law": law.code})
    elif old.answer != version.answer or old.items != version.items:
        audit.record("question.key_change", actor=actor, now=now, object_type="question", object_id=question.id,
                     data={"ext_id": question.ext_id, "version": version.version, "old": old.answer,
                           "new": version.answer})
    else:
        audit.record("question.update", actor=actor, now=now, object_type="question", object_id=question.id,
                     data={"ext_id": question.ext_id, "version": version.version})
    commit()
    return question


def change_status(actor, question_id: int, action: str, *, now: datetime) -> Question:
    if action not in STATUS_ACTIONS:
        raise ValidationError("action", "未知操作")
    allowed_from, to = STATUS_ACTIONS[action]
    begin_write()
    question = get(question_id)
    if question.status not in allowed_from:
        raise Conflict("题目当前状态不能执行该操作")
    before = question.status
    question.status = to
    question.review_reason = "" if to == "active" else question.review_reason
    question.updated_at = now
    audit.record(f"question.{action}", actor=actor, now=now, object_type="question", object_id=question.id,
                 data={"ext_id": question.ext_id, "from": before, "to": to})
    commit()
    return question


def suggest_id(law_code: str) -> str:
    """The next free id in the law's usual prefix (con-0308 after con-0307)."""
    law = db.session.execute(select(Law).where(Law.code == law_code)).scalar_one_or_none()
    ids = list(db.session.scalars(select(Question.ext_id).where(Question.law_id == law.id))) if law else []
    prefixes: dict[str, int] = {}
    for ext_id in ids:
        prefix, _, number = ext_id.partition("-")
        if number.isdigit():
            prefixes[prefix] = max(prefixes.get(prefix, 0), int(number))
    if not prefixes:
        initials = "".join(part[0] for part in law_code.split("_") if part)[:5] or "q"
        return f"{initials}-0001"
    prefix = max(prefixes, key=lambda p: sum(1 for i in ids if i.startswith(p + "-")))
    return f"{prefix}-{prefixes[prefix] + 1:04d}"


def coverage(law: Law) -> list[tuple[Article, int]]:
    """Every article of the law with its number of active questions (one GROUP BY)."""
    counts = dict(db.session.execute(
        select(QuestionArticle.article_number, func.count())
        .join(Question, Question.id == QuestionArticle.question_id)
        .where(QuestionArticle.law_id == law.id, Question.status == "active")
        .group_by(QuestionArticle.article_number)).all())
    articles = db.session.scalars(select(Article).where(Article.version_id == law.current_version_id)
                                  .order_by(Article.number)).all()
    return [(a, counts.get(a.number, 0)) for a in articles]


@dataclass
class ArticleErrors:
    """Answers to an article's questions and how many were wrong, in practice (mock exams included) and in exams."""
    article: Article
    practice_answers: int = 0
    practice_wrong: int = 0
    exam_answers: int = 0
    exam_wrong: int = 0

    @property
    def answers(self) -> int:
        return self.practice_answers + self.exam_answers

    @property
    def rate(self) -> float:
        return (self.practice_wrong + self.exam_wrong) / self.answers if self.answers else 0.0

    @property
    def practice_rate(self) -> float | None:
        return self.practice_wrong / self.practice_answers if self.practice_answers else None

    @property
    def exam_rate(self) -> float | None:
        return self.exam_wrong / self.exam_answers if self.exam_answers else None


def error_rates(law: Law, *, min_answers: int = 5, limit: int = 20) -> list[ArticleErrors]:
    """Articles whose questions learners get wrong most often: practice and exam answers, one GROUP BY each,
    ranked by the two together."""
    from ..models import PracticeAnswer
    from .item_analysis import exam_error_counts
    wrong = func.sum(case((PracticeAnswer.correct.is_(False), 1), else_=0))
    practice = {n: (total, bad or 0) for n, total, bad in db.session.execute(
        select(QuestionArticle.article_number, func.count(), wrong)
        .join(PracticeAnswer, PracticeAnswer.question_id == QuestionArticle.question_id)
        .where(QuestionArticle.law_id == law.id)
        .group_by(QuestionArticle.article_number)).all()}
    exam = exam_error_counts(law)
    totals = {n: (practice.get(n, (0, 0)), exam.get(n, (0, 0))) for n in practice.keys() | exam.keys()}
    kept = [(n, p, e) for n, (p, e) in totals.items() if p[0] + e[0] >= min_answers]
    ranked = sorted(kept, key=lambda r: (-(r[1][1] + r[2][1]) / (r[1][0] + r[2][0]), r[0]))[:limit]
    articles = {a.number: a for a in db.session.scalars(select(Article).where(
        Article.version_id == law.current_version_id, Article.number.in_([n for n, _p, _e in ranked])))}
    return [ArticleErrors(articles[n], p[0], p[1], e[0], e[1]) for n, p, e in ranked if n in articles]
