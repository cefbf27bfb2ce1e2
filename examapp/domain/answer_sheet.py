"""An answer sheet as an auditor reads it: each question as the taker saw it (shown order, shown options),
what they answered, the key in force, the points. Pure data and formatting; the service loads the records
and the PDF renderer and the page show the result. No DB, no Flask."""
from dataclasses import dataclass, field

from . import qtypes
from .hand_grading import item_points
from .paper import LETTERS, shown_question

UNANSWERED = "未作答"


@dataclass(frozen=True)
class SheetItem:
    """One sub-question of a case question."""

    number: int                     # 1-based
    type_label: str
    stem: str
    options: tuple[str, ...]        # "A. text", as shown
    response: str
    answer: str                     # the key, or the reference answer of a hand-graded item
    correct: bool | None            # None: graded by hand
    hand_graded: bool = False
    max_points: float | None = None
    final_points: float | None = None   # the final hand mark; None while it waits for graders


@dataclass(frozen=True)
class SheetQuestion:
    number: int                     # 1-based position on the paper as shown
    question_version: int
    type_label: str
    stem: str
    points: float
    options: tuple[str, ...]
    response: str
    answer: str
    awarded: float | None           # None: not graded (a running attempt)
    correct: bool | None
    key_corrected: bool = False     # the key was corrected after the exam (an approved regrade)
    items: tuple[SheetItem, ...] = ()


@dataclass(frozen=True)
class AnswerSheet:
    attempt_id: int
    exam_id: int
    exam_title: str
    username: str
    name: str
    unit_code: str
    unit_name: str
    number: int
    makeup: bool
    status: str                     # running | submitted
    started_at: str                 # local time, formatted
    submitted_at: str
    score: float | None
    passed: bool | None
    pending_manual: bool
    total_points: float
    pass_mark: float
    questions: tuple[SheetQuestion, ...] = field(default_factory=tuple)

    @property
    def result_label(self) -> str:
        if self.status != "submitted":
            return "作答中"
        if self.pending_manual:
            return "待阅卷"
        return "合格" if self.passed else "不合格"


def number_text(value: float | None) -> str:
    """12.0 → 12, 12.5 → 12.5; None → —."""
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{float(value):g}"


def _letters(value) -> str:
    return "".join(sorted({c for c in str(value or "").upper() if c in LETTERS}))


def response_text(q: dict, response) -> str:
    """What the person answered, in words an auditor reads."""
    if response is None or response == "" or response == []:
        return UNANSWERED
    kind = q["type"]
    if kind in ("single", "multiple"):
        return _letters(response) or str(response)
    if kind == "judge":
        if isinstance(response, bool):
            return "正确" if response else "错误"
        return str(response)
    if kind == "fill":
        values = response if isinstance(response, list) else [response]
        return "；".join(str(v or "").strip() or "（空）" for v in values)
    return str(response)


def answer_text(q: dict) -> str:
    kind = q["type"]
    if kind in ("single", "multiple"):
        return str(q.get("answer") or "")
    if kind == "judge":
        return "正确" if q.get("answer") is True else "错误"
    if kind == "fill":
        return "；".join(" / ".join(str(a) for a in accepted) for accepted in (q.get("answer") or []))
    if kind == "text":
        return str(q.get("reference") or "")
    return ""


def _options(q: dict) -> tuple[str, ...]:
    return tuple(f"{LETTERS[i]}. {text}" for i, text in enumerate(q.get("options") or []))


def _type_label(kind: str) -> str:
    t = qtypes.TYPES.get(kind)
    return t.label if t else kind


def build_questions(slots: list[dict], questions: dict[int, dict], frozen_keys: dict[int, object],
                    answers: dict[int, tuple[object, float | None, bool | None]],
                    hand: dict[tuple[int, int], float], *, graded: bool) -> tuple[SheetQuestion, ...]:
    """The sheet's questions. `questions` are keyed by version id with the key in force (corrected where a
    regrade corrected it), `frozen_keys` the keys the versions were frozen with, `answers` slot →
    (response, points, correct), `hand` (slot, item) → final hand mark."""
    out = []
    for index, slot in enumerate(slots):
        q = shown_question(questions[slot["v"]], tuple(slot["o"]))
        response, points, correct = answers.get(index, (None, None, None))
        items = []
        if q["type"] == "case":
            responses = response if isinstance(response, list) else []
            for i, item in enumerate(q["items"]):
                given = responses[i] if i < len(responses) else None
                answered = given not in (None, "", [])
                if qtypes.TYPES[item["type"]].auto:
                    items.append(SheetItem(i + 1, _type_label(item["type"]), item["stem"], _options(item),
                                           response_text(item, given), answer_text(item),
                                           answered and qtypes.grade(item, given)))
                else:
                    items.append(SheetItem(i + 1, _type_label(item["type"]), item["stem"], _options(item),
                                           response_text(item, given), answer_text(item), None, hand_graded=True,
                                           max_points=item_points(slot["p"], len(q["items"])),
                                           final_points=hand.get((index, i))))
        out.append(SheetQuestion(
            index + 1, slot["v"], _type_label(q["type"]), q["stem"], float(slot["p"]), _options(q),
            response_text(q, response) if q["type"] != "case" else "", answer_text(q),
            (points if points is not None else 0.0) if graded else None,
            correct if graded else None, key_corrected=questions[slot["v"]].get("answer") != frozen_keys.get(slot["v"]),
            items=tuple(items)))
    return tuple(out)


__all__ = ["UNANSWERED", "AnswerSheet", "SheetItem", "SheetQuestion", "answer_text", "build_questions",
           "number_text", "response_text"]
