"""The question types: one registry says how each is validated, graded and shown.

A question is plain data (a dict as in the bank files): type, stem, options, answer, items (case).
Responses are what a learner sends: "B" for single, "ACD" for multiple, True/False for judge,
a list of strings for fill, text for a free answer.
"""
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

LETTERS = "ABCDEFGH"
BLANK = "____"
TRAILING = "。．.，,；;！!？?"


def letters_for(options: list) -> str:
    return LETTERS[:len(options)]


def normalize_text(text) -> str:
    """Full-width → half-width, no spaces, lower case, no trailing punctuation: how fill answers compare."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"\s+", "", text).lower()
    return text.rstrip(TRAILING)


def blank_count(stem: str) -> int:
    return (stem or "").count(BLANK)


def _norm_letters(value) -> str:
    return "".join(sorted(set(unicodedata.normalize("NFKC", str(value or "")).upper().replace(",", "")
                              .replace(" ", ""))))


# -- per type ------------------------------------------------------------------------------------

def _validate_choice(q: dict, *, multiple: bool) -> list[tuple[str, str]]:
    errors = []
    options = q.get("options")
    low, high = (4, 6) if multiple else (3, 6)
    if not isinstance(options, list) or not low <= len(options) <= high:
        errors.append(("options", f"应有 {low}–{high} 个选项"))
        return errors
    if any(not isinstance(o, str | int | float) or not str(o).strip() for o in options):
        errors.append(("options", "选项不能为空"))
    if len({str(o).strip() for o in options}) != len(options):
        errors.append(("options", "选项重复"))
    answer = q.get("answer")
    valid = letters_for(options)
    if not isinstance(answer, str) or not answer:
        errors.append(("answer", "缺少答案"))
        return errors
    if any(c not in valid for c in answer):
        errors.append(("answer", f"答案 {answer} 超出选项范围 {valid[0]}–{valid[-1]}"))
    elif multiple and (len(answer) < 2 or len(set(answer)) != len(answer) or list(answer) != sorted(answer)):
        errors.append(("answer", "多选题答案须为两个以上按顺序排列的字母，如 ACD"))
    elif not multiple and len(answer) != 1:
        errors.append(("answer", "单选题答案须为一个字母"))
    return errors


def _validate_judge(q: dict) -> list[tuple[str, str]]:
    if q.get("options"):
        return [("options", "判断题没有选项")]
    return [] if isinstance(q.get("answer"), bool) else [("answer", "判断题答案须为 true 或 false")]


def _validate_fill(q: dict) -> list[tuple[str, str]]:
    blanks = blank_count(q.get("stem", ""))
    answer = q.get("answer")
    if blanks == 0:
        return [("stem", f"填空题题干中应有空格 {BLANK}")]
    if not isinstance(answer, list) or len(answer) != blanks:
        return [("answer", f"题干有 {blanks} 个空，答案应为 {blanks} 组")]
    for i, accepted in enumerate(answer, start=1):
        if not isinstance(accepted, list) or not accepted or any(not str(a).strip() for a in accepted):
            return [("answer", f"第 {i} 空缺少可接受的答案")]
    return []


def _validate_text(q: dict) -> list[tuple[str, str]]:
    return [] if str(q.get("reference") or "").strip() else [("reference", "主观题须给出参考答案")]


def _validate_case(q: dict) -> list[tuple[str, str]]:
    items = q.get("items")
    if not isinstance(items, list) or not items:
        return [("items", "案例题须有小题")]
    errors = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append((f"items[{i}]", "小题格式有误"))
            continue
        kind = item.get("type")
        if kind not in ITEM_TYPES:
            errors.append((f"items[{i}].type", f"小题题型须为 {', '.join(ITEM_TYPES)} 之一"))
            continue
        if not str(item.get("stem") or "").strip():
            errors.append((f"items[{i}].stem", "小题题干不能为空"))
        errors.extend((f"items[{i}].{f}", m) for f, m in TYPES[kind].validate(item))
    return errors


def _grade_single(q: dict, response) -> bool:
    return _norm_letters(response) == q["answer"]


def _grade_multiple(q: dict, response) -> bool:
    return _norm_letters(response) == "".join(sorted(q["answer"]))


def _grade_judge(q: dict, response) -> bool:
    if isinstance(response, str):
        response = {"true": True, "false": False, "对": True, "错": False, "√": True, "×": False}.get(
            response.strip().lower())
    return isinstance(response, bool) and response is q["answer"]


def _grade_fill(q: dict, response) -> bool:
    if isinstance(response, str):
        response = [response]
    if not isinstance(response, list) or len(response) != len(q["answer"]):
        return False
    return all(normalize_text(given) in {normalize_text(a) for a in accepted}
               for given, accepted in zip(response, q["answer"], strict=True))


def _grade_case(q: dict, response) -> bool:
    """A case counts as right when every auto-graded item is right (free answers are graded by hand)."""
    if not isinstance(response, list) or len(response) != len(q["items"]):
        return False
    return all(TYPES[item["type"]].grade(item, r) for item, r in zip(q["items"], response, strict=True)
               if TYPES[item["type"]].auto)


def _no_grade(q: dict, response) -> bool:
    return False


@dataclass(frozen=True)
class QuestionType:
    name: str
    label: str
    validate: Callable[[dict], list[tuple[str, str]]]
    grade: Callable[[dict, object], bool]
    auto: bool = True          # graded by the machine
    has_options: bool = False


TYPES: dict[str, QuestionType] = {t.name: t for t in (
    QuestionType("single", "单选题", lambda q: _validate_choice(q, multiple=False), _grade_single, has_options=True),
    QuestionType("multiple", "多选题", lambda q: _validate_choice(q, multiple=True), _grade_multiple,
                 has_options=True),
    QuestionType("judge", "判断题", _validate_judge, _grade_judge),
    QuestionType("fill", "填空题", _validate_fill, _grade_fill),
    QuestionType("case", "案例题", _validate_case, _grade_case),
    QuestionType("text", "主观题", _validate_text, _no_grade, auto=False),
)}
TOP_TYPES = ("single", "multiple", "judge", "fill", "case")
ITEM_TYPES = ("single", "multiple", "judge", "fill", "text")


def validate(q: dict) -> list[tuple[str, str]]:
    """(field, message) pairs; empty when the question is well-formed."""
    errors = []
    kind = q.get("type")
    if kind not in TOP_TYPES:
        return [("type", f"题型须为 {', '.join(TOP_TYPES)} 之一")]
    if not str(q.get("stem") or "").strip():
        errors.append(("stem", "题干不能为空"))
    difficulty = q.get("difficulty")
    if not isinstance(difficulty, int) or isinstance(difficulty, bool) or not 1 <= difficulty <= 3:
        errors.append(("difficulty", "难度须为 1、2 或 3"))
    errors.extend(TYPES[kind].validate(q))
    return errors


def grade(q: dict, response) -> bool:
    return TYPES[q["type"]].grade(q, response)
