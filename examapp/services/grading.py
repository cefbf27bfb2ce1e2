"""The hand-grading queue for free-text case items: two graders blind to the taker and to each other,
a third when they differ by more than the exam's threshold. The attempt's score is released (and its
pass/fail decided) when its last item is final."""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..domain import hand_grading
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import Answer, Attempt, Exam, ManualGrade
from . import audit
from .tx import begin_write, commit


def final_hand_points(attempt: Attempt, questions: dict[int, dict]) -> dict[tuple[int, int], float]:
    """(slot, item) → final points for the attempt's items whose hand grading is complete (one query)."""
    grades: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for g in db.session.scalars(select(ManualGrade).where(ManualGrade.attempt_id == attempt.id)):
        grades.setdefault((g.slot, g.item), []).append((g.round, g.points))
    out = {}
    for (slot, item), pairs in grades.items():
        q = questions[attempt.slots[slot]["v"]]
        max_points = hand_grading.item_points(attempt.slots[slot]["p"], len(q["items"]))
        st = hand_grading.state(pairs, max_points=max_points, percent=attempt.exam.arbitration_percent)
        if st.stage == hand_grading.DONE:
            out[(slot, item)] = st.points
    return out


@dataclass
class Item:
    attempt_id: int
    slot: int
    item: int
    max_points: float
    stage: str
    graders: frozenset[int]
    final: float | None


@dataclass
class Task:
    """What a grader sees: the case, the item, the reference answer and the response; never a name."""
    item: Item
    round: int
    case_stem: str
    item_stem: str
    reference: str
    response: str
    number: int           # position in the queue, for "n of m"


def _items(exam: Exam) -> tuple[list[Item], dict]:
    """Every non-blank free-text item of the exam's submitted attempts, with its grading state, from four
    queries whatever the number of attempts."""
    from .exams import blank_text, exam_questions, free_items

    attempts = db.session.execute(select(Attempt.id, Attempt.slots).where(
        Attempt.exam_id == exam.id, Attempt.status == "submitted").order_by(Attempt.id)).all()
    version_ids = {s["v"] for _id, slots in attempts for s in slots}
    _versions, questions = exam_questions(exam.id, version_ids)
    free = {vid: free_items(q) for vid, q in questions.items() if free_items(q)}
    ids = [a_id for a_id, slots in attempts if any(s["v"] in free for s in slots)]
    if not ids:
        return [], {}
    responses = {(a.attempt_id, a.slot): a.response for a in db.session.scalars(
        select(Answer).where(Answer.attempt_id.in_(ids)))}
    grades: dict[tuple, list[ManualGrade]] = {}
    for g in db.session.scalars(select(ManualGrade).where(ManualGrade.attempt_id.in_(ids))):
        grades.setdefault((g.attempt_id, g.slot, g.item), []).append(g)
    items, context = [], {}
    for a_id, slots in attempts:
        for index, slot in enumerate(slots):
            q = questions[slot["v"]]
            for i in free.get(slot["v"], []):
                response = responses.get((a_id, index))
                if blank_text(response, i):
                    continue
                max_points = hand_grading.item_points(slot["p"], len(q["items"]))
                rows = grades.get((a_id, index, i), [])
                st = hand_grading.state([(g.round, g.points) for g in rows], max_points=max_points,
                                        percent=exam.arbitration_percent)
                items.append(Item(a_id, index, i, max_points, st.stage, frozenset(g.grader_id for g in rows),
                                  st.points))
                context[(a_id, index, i)] = (q, str(response[i]))
    return items, context


@dataclass
class Overview:
    total: int
    stages: Counter
    attempts_pending: int

    @property
    def done(self) -> int:
        return self.stages[hand_grading.DONE]


def _overview(exam: Exam, items: list[Item]) -> Overview:
    pending = db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.status == "submitted", Attempt.pending_manual.is_(True)))
    return Overview(len(items), Counter(i.stage for i in items), pending or 0)


def overview(exam: Exam) -> Overview:
    return _overview(exam, _items(exam)[0])


# arbitration first: it is what holds a score back the longest
_ORDER = {hand_grading.NEEDS_ARBITRATION: 0, hand_grading.NEEDS_SECOND: 1, hand_grading.NEEDS_FIRST: 2}


def queue(grader, exam: Exam) -> tuple[Task | None, Overview]:
    """The grading page's two needs (this grader's next item, the exam's progress) from one load."""
    items, context = _items(exam)
    return _next(grader, items, context), _overview(exam, items)


def next_task(grader, exam: Exam) -> Task | None:
    return _next(grader, *_items(exam))


def _next(grader, items: list[Item], context: dict) -> Task | None:
    """The next item this grader may grade: one they have not graded in any round (so the two blind
    grades and the arbitration always come from different people)."""
    open_items = sorted((i for i in items if i.stage != hand_grading.DONE and grader.id not in i.graders),
                        key=lambda i: (_ORDER[i.stage], i.attempt_id, i.slot, i.item))
    if not open_items:
        return None
    item = open_items[0]
    q, response = context[(item.attempt_id, item.slot, item.item)]
    sub = q["items"][item.item]
    return Task(item, hand_grading.ItemState(item.stage).next_round, q["stem"], sub["stem"],
                str(sub.get("reference") or ""), response, len(items) - len(open_items) + 1)


def grade(grader, attempt_id: int, slot: int, item: int, *, round_: int, points, comment: str,
          now: datetime) -> Attempt:
    """Store one grade; when it completes the attempt's last item, the attempt is regraded with its hand
    points and its score released. The attempt row is locked so two graders cannot take the same round."""
    from .exams import _grade, blank_text, exam_questions, free_items

    begin_write()
    attempt = db.session.execute(select(Attempt).where(Attempt.id == attempt_id).with_for_update()
                                 ).scalar_one_or_none()
    if attempt is None or attempt.status != "submitted" or not 0 <= slot < len(attempt.slots):
        raise NotFound("作答不存在")
    exam = attempt.exam
    _versions, questions = exam_questions(exam.id, [attempt.slots[slot]["v"]])
    q = questions[attempt.slots[slot]["v"]]
    answer = db.session.execute(select(Answer).where(Answer.attempt_id == attempt.id, Answer.slot == slot)
                                ).scalar_one_or_none()
    if item not in free_items(q) or blank_text(answer.response if answer else None, item):
        raise NotFound("没有需要人工评分的这道小题")
    max_points = hand_grading.item_points(attempt.slots[slot]["p"], len(q["items"]))
    try:
        points = float(points)
    except (TypeError, ValueError):
        raise ValidationError("points", "请填写分数") from None
    problem = hand_grading.check_points(points, max_points)
    if problem:
        raise ValidationError("points", problem)
    rows = list(db.session.scalars(select(ManualGrade).where(
        ManualGrade.attempt_id == attempt.id, ManualGrade.slot == slot, ManualGrade.item == item)))
    if any(g.grader_id == grader.id for g in rows):
        raise Conflict("您已评过这道小题，须由其他阅卷人评分")
    st = hand_grading.state([(g.round, g.points) for g in rows], max_points=max_points,
                            percent=exam.arbitration_percent)
    if st.next_round != round_:
        raise Conflict("这道小题已由其他阅卷人评分，请评下一题")
    db.session.add(ManualGrade(attempt_id=attempt.id, slot=slot, item=item, round=round_, grader_id=grader.id,
                               points=points, comment=(comment or "").strip()[:1000], graded_at=now))
    db.session.flush()
    audit.record("attempt.hand_grade", actor=grader, now=now, object_type="attempt", object_id=attempt.id,
                 data={"slot": slot, "item": item, "round": round_, "points": points})
    was_pending = attempt.pending_manual
    _grade(attempt)
    if was_pending and not attempt.pending_manual:
        audit.record("attempt.graded", actor=grader, now=now, object_type="attempt", object_id=attempt.id,
                     data={"exam": exam.id, "score": attempt.score, "passed": attempt.passed})
    commit()
    return attempt


__all__ = ["Item", "Overview", "Task", "final_hand_points", "grade", "next_task", "overview", "queue"]
