"""Practice (以考带学): sequential or random questions by law, chapter and type, the wrong-answer notebook,
favourites, personal statistics, and timed mock exams that count in no rate."""
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, func, select

from ..domain import qtypes
from ..domain.notebook import NotebookState, after_answer
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import (
    Article,
    Attempt,
    Law,
    LawPart,
    MockExam,
    NotebookEntry,
    PracticeAnswer,
    PracticeCursor,
    Question,
    QuestionArticle,
    QuestionVersion,
)
from .law_reader import subtree_part_ids
from .tx import begin_write, commit

SOURCES = ("law", "notebook", "favourites")   # "all" (every law) is used by mock exams only
MODES = ("seq", "random")


@dataclass(frozen=True)
class Scope:
    source: str = "law"           # law | notebook | favourites
    law: str = ""
    part: int | None = None
    qtype: str = ""
    mode: str = "seq"

    @property
    def key(self) -> str:
        return f"{self.source}:{self.law}:{self.part or ''}:{self.qtype}"

    def as_args(self) -> dict:
        args = {"source": self.source, "law": self.law, "mode": self.mode}
        if self.part:
            args["part"] = self.part
        if self.qtype:
            args["type"] = self.qtype
        return args


# an attempt stays open to its taker until the deadline plus the exams' grace (at most a minute by default)
EXAM_OPEN_AFTER_DEADLINE = timedelta(minutes=2)


def paused_for_exam(user, now: datetime) -> bool:
    """Practice and mock exams show keys and explanations; while the person has an exam attempt open they
    would show those of the exam's own questions (S4), so practice waits until it is submitted or over."""
    return db.session.scalar(select(Attempt.id).where(
        Attempt.user_id == user.id, Attempt.status == "running",
        Attempt.deadline > now - EXAM_OPEN_AFTER_DEADLINE).limit(1)) is not None


def local_day(now: datetime) -> date:
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return now.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).date()


def as_question(v: QuestionVersion) -> dict:
    return {"type": v.type, "stem": v.stem, "options": v.options, "answer": v.answer, "items": v.items}


def _pool(user, scope: Scope):
    """Question ids of the scope, in a stable order. Questions under review or retired are left out."""
    stmt = (select(Question.id).join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(Question.status == "active"))
    if scope.source in ("notebook", "favourites"):
        flag = NotebookEntry.in_notebook if scope.source == "notebook" else NotebookEntry.favourite
        stmt = stmt.join(NotebookEntry, NotebookEntry.question_id == Question.id).where(
            NotebookEntry.user_id == user.id, flag.is_(True))
    if scope.law:
        law = db.session.execute(select(Law).where(Law.code == scope.law)).scalar_one_or_none()
        if law is None:
            raise NotFound("法律不存在")
        stmt = stmt.where(Question.law_id == law.id)
        if scope.part:
            _part, part_ids = subtree_part_ids(law, scope.part)
            numbers = select(Article.number).where(Article.version_id == law.current_version_id,
                                                   Article.part_id.in_(part_ids))
            stmt = stmt.where(Question.id.in_(select(QuestionArticle.question_id).where(
                QuestionArticle.law_id == law.id, QuestionArticle.article_number.in_(numbers))))
    elif scope.source == "law":
        raise ValidationError("law", "请选择要练习的法律")
    if scope.qtype in qtypes.TOP_TYPES:
        stmt = stmt.where(QuestionVersion.type == scope.qtype)
    return stmt.order_by(Question.ext_id)


@dataclass
class Pick:
    question: Question
    position: int      # 1-based, in sequential mode
    total: int


def next_question(user, scope: Scope, *, rng: random.Random | None = None) -> Pick | None:
    ids = list(db.session.scalars(_pool(user, scope)))
    if not ids:
        return None
    if scope.mode == "random":
        index = (rng or random).randrange(len(ids))
    else:
        cursor = db.session.get(PracticeCursor, (user.id, scope.key))
        index = (cursor.position if cursor else 0) % len(ids)
    return Pick(db.session.get(Question, ids[index]), index + 1, len(ids))


@dataclass
class Feedback:
    question: Question
    version: QuestionVersion
    correct: bool
    response: object
    articles: list[Article]
    in_notebook: bool
    favourite: bool
    item_results: list[bool | None]


def _record(user, question: Question, version: QuestionVersion, response, correct: bool, now: datetime, *,
            source: str = "practice", mock_id: int | None = None) -> NotebookEntry:
    day = local_day(now)
    db.session.add(PracticeAnswer(user_id=user.id, question_id=question.id, version_id=version.id, correct=correct,
                                  response=response, source=source, mock_id=mock_id, answered_at=now, day=day))
    return note_answer(db.session.get(NotebookEntry, (user.id, question.id)), user.id, question.id,
                       correct=correct, day=day, now=now)


def note_answer(entry: NotebookEntry | None, user_id: int, question_id: int, *, correct: bool, day, now: datetime
                ) -> NotebookEntry:
    """The wrong-answer notebook after one answer (practice, or an exam's once it closed); `entry` is the
    person's row for the question if they have one."""
    if entry is None:
        entry = NotebookEntry(user_id=user_id, question_id=question_id, in_notebook=False, favourite=False,
                              wrong_count=0, streak=0, updated_at=now)
        db.session.add(entry)
    state = after_answer(NotebookState(entry.in_notebook, entry.wrong_count, entry.streak, entry.streak_day),
                         correct=correct, day=day)
    entry.in_notebook, entry.wrong_count, entry.streak, entry.streak_day = (
        state.in_notebook, state.wrong_count, state.streak, state.streak_day)
    if not correct:
        entry.last_wrong_at = now
    entry.updated_at = now
    return entry


def cited_articles(question: Question, version: QuestionVersion) -> list[Article]:
    numbers = set(version.articles) | {a for item in version.items or [] for a in item.get("articles", [])}
    return list(db.session.scalars(select(Article).where(Article.version_id == question.law.current_version_id,
                                                         Article.number.in_(numbers)).order_by(Article.number)))


def item_results(version: QuestionVersion, response) -> list[bool | None]:
    if version.type != "case" or not isinstance(response, list):
        return []
    return [qtypes.grade(item, r) if qtypes.TYPES[item["type"]].auto else None
            for item, r in zip(version.items, response, strict=False)]


def answer(user, question_id: int, version_id: int, response, scope: Scope, *, now: datetime) -> Feedback:
    begin_write()
    question = db.session.get(Question, question_id)
    version = db.session.get(QuestionVersion, version_id)
    if question is None or version is None or version.question_id != question.id or question.status == "retired":
        raise NotFound("题目不存在")
    correct = qtypes.grade(as_question(version), response)
    entry = _record(user, question, version, response, correct, now)
    if scope.mode == "seq":
        cursor = db.session.get(PracticeCursor, (user.id, scope.key))
        if cursor is None:
            cursor = PracticeCursor(user_id=user.id, scope=scope.key, position=0)
            db.session.add(cursor)
        ids = list(db.session.scalars(_pool(user, scope)))
        if question.id in ids:
            cursor.position = ids.index(question.id) + 1
    commit()
    return Feedback(question, version, correct, response, cited_articles(question, version), entry.in_notebook,
                    entry.favourite, item_results(version, response))


def set_favourite(user, question_id: int, favourite: bool, *, now: datetime) -> bool:
    begin_write()
    if db.session.get(Question, question_id) is None:
        raise NotFound("题目不存在")
    entry = db.session.get(NotebookEntry, (user.id, question_id))
    if entry is None:
        entry = NotebookEntry(user_id=user.id, question_id=question_id, in_notebook=False, wrong_count=0,
                              streak=0, updated_at=now)
        db.session.add(entry)
    entry.favourite = favourite
    entry.updated_at = now
    commit()
    return favourite


def notebook(user, *, favourites: bool = False) -> list[tuple[NotebookEntry, Question]]:
    flag = NotebookEntry.favourite if favourites else NotebookEntry.in_notebook
    return [tuple(r) for r in db.session.execute(
        select(NotebookEntry, Question).join(Question, Question.id == NotebookEntry.question_id)
        .where(NotebookEntry.user_id == user.id, flag.is_(True))
        .order_by(NotebookEntry.updated_at.desc())).all()]


def notebook_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(NotebookEntry).where(
        NotebookEntry.user_id == user.id, NotebookEntry.in_notebook.is_(True))) or 0


# -- statistics ----------------------------------------------------------------------------------

@dataclass
class Tally:
    label: str
    answered: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


def statistics(user) -> dict:
    right = func.sum(case((PracticeAnswer.correct.is_(True), 1), else_=0))
    answered, correct, days = db.session.execute(
        select(func.count(), right, func.count(PracticeAnswer.day.distinct()))
        .where(PracticeAnswer.user_id == user.id)).one()
    by_law = [Tally(title, n, c or 0) for title, n, c in db.session.execute(
        select(Law.title, func.count(), right).join(Question, Question.id == PracticeAnswer.question_id)
        .join(Law, Law.id == Question.law_id).where(PracticeAnswer.user_id == user.id)
        .group_by(Law.title).order_by(func.count().desc())).all()]
    # chapters: the part of the lowest article each question cites
    first_article = (select(QuestionArticle.question_id, func.min(QuestionArticle.article_number).label("n"))
                     .group_by(QuestionArticle.question_id).subquery())
    by_chapter = [Tally(f"{law_title} · {part_title}", n, c or 0) for law_title, part_title, n, c in db.session.execute(
        select(Law.title, LawPart.title, func.count(), right)
        .join(Question, Question.id == PracticeAnswer.question_id)
        .join(Law, Law.id == Question.law_id)
        .join(first_article, first_article.c.question_id == Question.id)
        .join(Article, (Article.version_id == Law.current_version_id) & (Article.number == first_article.c.n))
        .join(LawPart, LawPart.id == Article.part_id)
        .where(PracticeAnswer.user_id == user.id)
        .group_by(Law.title, LawPart.title).order_by(func.count().desc()).limit(30)).all()]
    return {"answered": answered or 0, "correct": correct or 0, "days": days or 0, "by_law": by_law,
            "by_chapter": by_chapter, "notebook": notebook_count(user)}


# -- mock exams ----------------------------------------------------------------------------------

def start_mock(user, *, law: str, count: int, minutes: int, now: datetime,
               rng: random.Random | None = None) -> MockExam:
    if not 5 <= count <= 100:
        raise ValidationError("count", "题量须在 5–100 之间")
    if not 5 <= minutes <= 180:
        raise ValidationError("minutes", "时长须在 5–180 分钟之间")
    ids = list(db.session.scalars(_pool(user, Scope(source="all", law=law))))
    if len(ids) < count:
        raise ValidationError("count", f"可用题目只有 {len(ids)} 道")
    chosen = (rng or random).sample(ids, count)
    versions = dict(db.session.execute(select(Question.id, Question.current_version_id)
                                       .where(Question.id.in_(chosen))).all())
    begin_write()
    law_id = db.session.scalar(select(Law.id).where(Law.code == law)) if law else None
    mock = MockExam(user_id=user.id, law_id=law_id, version_ids=[versions[i] for i in chosen], started_at=now,
                    deadline=now + timedelta(minutes=minutes))
    db.session.add(mock)
    commit()
    return mock


def get_mock(user, mock_id: int) -> MockExam:
    mock = db.session.get(MockExam, mock_id)
    if mock is None or mock.user_id != user.id:
        raise NotFound("模拟考试不存在")
    return mock


def mock_versions(mock: MockExam) -> list[QuestionVersion]:
    by_id = {v.id: v for v in db.session.scalars(select(QuestionVersion)
                                                 .where(QuestionVersion.id.in_(mock.version_ids)))}
    return [by_id[i] for i in mock.version_ids]


def submit_mock(user, mock_id: int, responses: dict[int, object], *, now: datetime) -> MockExam:
    """Grade once; answers after the deadline (plus a minute's grace) are not counted."""
    begin_write()
    mock = get_mock(user, mock_id)
    if mock.submitted_at is not None:
        db.session.rollback()
        return mock
    late = now > mock.deadline + timedelta(minutes=1)
    correct = 0
    for version in mock_versions(mock):
        response = None if late else responses.get(version.id)
        ok = response is not None and qtypes.grade(as_question(version), response)
        correct += ok
        question = db.session.get(Question, version.question_id)
        _record(user, question, version, response, ok, now, source="mock", mock_id=mock.id)
    mock.correct, mock.submitted_at = correct, now
    commit()
    return mock


def mock_answers(mock: MockExam) -> dict[int, PracticeAnswer]:
    return {a.version_id: a for a in db.session.scalars(select(PracticeAnswer).where(PracticeAnswer.mock_id == mock.id))}
