"""Item analysis of one exam, and error rates per article from exam answers.

Each taker counts once, with the attempt that counts under the exam's rule (best, first, last; the last one
for 'average'). Everything is loaded with a handful of bulk queries, whatever the number of takers: the
counted attempts, their answers, the question versions used, the exam's key corrections, the cited articles."""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from ..domain import item_stats
from ..domain.cnnum import to_chinese
from ..domain.item_stats import ItemStats, Taker
from ..extensions import db
from ..models import (
    Answer,
    Article,
    Attempt,
    Exam,
    KeyCorrection,
    Law,
    Question,
    QuestionArticle,
    QuestionVersion,
)

# which attempt stands for a taker, per counting rule: the first row in this order
COUNTED_ORDER = {
    "best": lambda: (func.coalesce(Attempt.score, 0).desc(), Attempt.number),
    "first": lambda: (Attempt.number,),
    "last": lambda: (Attempt.number.desc(),),
    "average": lambda: (Attempt.number.desc(),),
}


@dataclass
class ItemRow:
    version_id: int
    question_id: int
    ext_id: str
    type: str
    stem: str
    options: list            # option texts, stored order
    key: frozenset           # the right option keys (A, B … or true/false), after any key correction
    corrected: bool          # the exam's key was corrected for this question
    stats: ItemStats

    @property
    def option_rows(self) -> list[tuple[str, str, int, bool]]:
        """(key, option text, count, right) in stored order."""
        texts = dict(zip(item_stats.item_options(self.type, len(self.options)), self.options, strict=False))
        return [(k, str(texts.get(k, "")), n, k in self.key) for k, n in self.stats.option_counts.items()]


@dataclass
class ArticleRow:
    law_code: str
    law_title: str
    number: int
    label: str
    answers: int = 0
    wrong: int = 0

    @property
    def rate(self) -> float:
        return self.wrong / self.answers if self.answers else 0.0


@dataclass
class ExamAnalysis:
    takers: int
    items: list[ItemRow] = field(default_factory=list)          # weak first, then the hardest
    articles: list[ArticleRow] = field(default_factory=list)    # highest error rate first

    min_takers: int = item_stats.MIN_TAKERS

    @property
    def weak(self) -> int:
        return sum(1 for i in self.items if i.stats.weak)

    @property
    def facility_chart(self) -> list[dict]:
        return [{"label": label, "count": n} for label, n in item_stats.facility_bands(i.stats for i in self.items)]


def counted_attempts(exam: Exam):
    """A subquery of the ids of the attempts that count, one per taker (window function, no loop)."""
    rank = func.row_number().over(partition_by=Attempt.user_id,
                                  order_by=COUNTED_ORDER.get(exam.counting, COUNTED_ORDER["best"])()).label("rank")
    ranked = select(Attempt.id, rank).where(Attempt.exam_id == exam.id, Attempt.status == "submitted").subquery()
    return select(ranked.c.id).where(ranked.c.rank == 1)


def analyse(exam: Exam) -> ExamAnalysis:
    counted = counted_attempts(exam)
    attempts = db.session.execute(select(Attempt.id, Attempt.score, Attempt.slots)
                                  .where(Attempt.id.in_(counted)).order_by(Attempt.id)).all()
    answers = {(a.attempt_id, a.slot): a for a in db.session.execute(
        select(Answer.attempt_id, Answer.slot, Answer.response, Answer.points, Answer.correct)
        .where(Answer.attempt_id.in_(counted))).all()}
    used = {slot["v"] for _id, _score, slots in attempts for slot in slots or []}
    if not used:
        return ExamAnalysis(takers=len(attempts))
    versions = {v.id: (v, ext_id) for v, ext_id in db.session.execute(
        select(QuestionVersion, Question.ext_id).join(Question, Question.id == QuestionVersion.question_id)
        .where(QuestionVersion.id.in_(used))).all()}
    corrections = dict(db.session.execute(select(KeyCorrection.question_version_id, KeyCorrection.answer)
                                          .where(KeyCorrection.exam_id == exam.id)).all())

    takers: dict[int, list[Taker]] = defaultdict(list)
    graded: list[tuple[int, bool]] = []          # (question id, correct) of each saved, graded answer
    for attempt_id, score, slots in attempts:
        for index, slot in enumerate(slots or []):
            v, _ext = versions[slot["v"]]
            a = answers.get((attempt_id, index))
            choices = item_stats.stored_choices(v.type, a.response if a else None, slot.get("o") or (),
                                                len(v.options or []))
            takers[v.id].append(Taker(total=score or 0.0, points=(a.points or 0.0) if a else 0.0,
                                      max_points=float(slot["p"]), choices=choices))
            if a is not None and a.correct is not None:
                graded.append((v.question_id, a.correct))

    items = []
    for vid, rows in takers.items():
        v, ext_id = versions[vid]
        answer = corrections.get(vid, v.answer)
        stats = item_stats.analyse_item(v.type, rows, n_options=len(v.options or []), answer=answer)
        items.append(ItemRow(vid, v.question_id, ext_id, v.type, v.stem, list(v.options or []),
                             item_stats.item_key(v.type, answer), vid in corrections, stats))
    items.sort(key=lambda i: (*item_stats.sort_key(i.stats), i.ext_id))
    return ExamAnalysis(takers=len(attempts), items=items, articles=_article_rows(graded))


def _article_rows(graded: list[tuple[int, bool]]) -> list[ArticleRow]:
    """Error rates per cited article (the question's current citations): wrong when `correct` is False."""
    if not graded:
        return []
    cited: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for qid, law_id, number in db.session.execute(
            select(QuestionArticle.question_id, QuestionArticle.law_id, QuestionArticle.article_number)
            .where(QuestionArticle.question_id.in_({q for q, _c in graded}))).all():
        cited[qid].append((law_id, number))
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for qid, correct in graded:
        for ref in cited.get(qid, ()):
            counts[ref][0] += 1
            counts[ref][1] += correct is False
    if not counts:
        return []
    law_ids = {law_id for law_id, _n in counts}
    laws = {law_id: (code, title) for law_id, code, title in db.session.execute(
        select(Law.id, Law.code, Law.title).where(Law.id.in_(law_ids))).all()}
    labels = {(law_id, number): label for law_id, number, label in db.session.execute(
        select(Law.id, Article.number, Article.label).join(Article, Article.version_id == Law.current_version_id)
        .where(Law.id.in_(law_ids), Article.number.in_({n for _l, n in counts}))).all()}
    rows = [ArticleRow(laws[law_id][0], laws[law_id][1], number,
                       labels.get((law_id, number), f"第{to_chinese(number)}条"), total, wrong)
            for (law_id, number), (total, wrong) in counts.items() if law_id in laws]
    rows.sort(key=lambda r: (-r.rate, -r.answers, r.law_code, r.number))
    return rows


def exam_error_counts(law: Law) -> dict[int, tuple[int, int]]:
    """Article number → (answers, wrong) of the law from every submitted exam attempt: one GROUP BY."""
    wrong = func.sum(case((Answer.correct.is_(False), 1), else_=0))
    return {n: (total, bad or 0) for n, total, bad in db.session.execute(
        select(QuestionArticle.article_number, func.count(), wrong)
        .select_from(Answer)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == Answer.question_version_id)
        .join(QuestionArticle, QuestionArticle.question_id == QuestionVersion.question_id)
        .where(QuestionArticle.law_id == law.id, Attempt.status == "submitted", Answer.correct.is_not(None))
        .group_by(QuestionArticle.article_number)).all()}
