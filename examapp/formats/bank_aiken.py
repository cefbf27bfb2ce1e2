"""Question banks in the Aiken format (single choice only), with our extension lines.

    中华人民共和国的一切权力属于（  ）。
    A. 人民
    B. 全国人民代表大会
    C. 国务院
    D. 人民法院
    ANSWER: A
    ID: con-0001                 our extension lines, right after ANSWER and in any order:
    ARTICLES: 2, 13              required: every question cites an article
    DIFFICULTY: 1                optional, 2 when missing
    TAGS: 总纲; 国家性质          optional, separated by ;
    EXPLANATION: 宪法第二条……    optional

Aiken has no place for ids, citations or explanations, and Moodle reads an unknown line as the text of
the next question: export with `moodle=True` for Moodle (plain Aiken, no extension lines). On import the
extension lines are read, ARTICLES is required, and a question without ID gets bank_yaml.derive_id's id.
Options may be written "A. ", "A) " (Moodle's forms) or "A．", "A、". Aiken carries no law code: the law
of the upload is used, and export writes neither law nor title.

Aiken holds single-choice questions whose stem, options and explanation are one line each and whose
tags contain no ;; export leaves the others out (cannot_hold says why).
"""
import re

from .bank_xlsx import (
    articles_text,
    parse_articles,
    parse_difficulty,
    parse_letters,
    split_tags,
    tags_problem,
)
from .bank_yaml import BankDoc, ItemError, RawQuestion, check_law, check_questions, derive_id, read_text_file

# Moodle's "A. " and "A) ", and the Chinese "A．", "A、", or "A." right before Chinese text
OPTION_RE = re.compile(r"^([A-Z])\s*(?:[.)](?:[ \t]|(?=[^\x00-\x7f]))|[．、）])\s*(.*)$")
ANSWER_RE = re.compile(r"^ANSWER\s*[:：]\s*(.*)$", re.I)
EXTENSION_RE = re.compile(r"^(ID|ARTICLES|DIFFICULTY|TAGS|EXPLANATION)\s*[:：]\s*(.*)$", re.I)
FIELD_LABELS = {"id": "ID", "articles": "ARTICLES", "difficulty": "DIFFICULTY", "tags": "TAGS",
                "explanation": "EXPLANATION", "answer": "ANSWER", "stem": "题干", "options": "选项", "type": "题型"}


class _Draft:
    def __init__(self, line: int):
        self.line = line
        self.stem: list[str] = []
        self.options: list[str] = []
        self.answer: str | None = None
        self.extra: dict[str, str] = {}
        self.errors: list[tuple[str, str]] = []


def _decode(doc: BankDoc, data: bytes) -> list[str] | None:
    text = read_text_file(doc, data)
    return None if text is None else text.split("\n")


def _read(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        extension = EXTENSION_RE.match(line)
        if current is not None and current.answer is not None and extension:
            current.extra[extension.group(1).upper()] = extension.group(2).strip()
            continue
        if current is None or current.answer is not None:
            current = _Draft(number)
            drafts.append(current)
        _line(current, line, number)
    return drafts


def _line(draft: _Draft, line: str, number: int) -> None:
    answer = ANSWER_RE.match(line)
    option = OPTION_RE.match(line)
    if answer:
        draft.answer = answer.group(1).strip()
    elif option and draft.stem:
        expected = chr(ord("A") + len(draft.options))
        if option.group(1) != expected and not any(f == "options" for f, _ in draft.errors):
            draft.errors.append(("options", f"第 {number} 行：选项 {option.group(1)} 应为选项 {expected}"))
        draft.options.append(option.group(2).strip())
    elif draft.options:
        if not any(f == "answer" for f, _ in draft.errors):
            draft.errors.append(("answer", f"第 {number} 行：选项之后应为 ANSWER: 行"))
    else:
        draft.stem.append(line)


def _entry(doc: BankDoc, n: int, draft: _Draft) -> RawQuestion:
    position = f"第 {n} 题（第 {draft.line} 行）"
    errors = list(draft.errors)
    if draft.answer is None:
        errors.append(("answer", "缺少 ANSWER: 行"))
    articles, problem = parse_articles(draft.extra.get("ARTICLES", ""))
    if problem:
        errors.append(("articles", problem))
    stem = "\n".join(draft.stem)
    given = draft.extra.get("ID", "")
    raw = {"id": given or derive_id(doc.law, stem), "type": "single", "stem": stem, "options": draft.options,
           "answer": parse_letters(draft.answer, multiple=False), "articles": articles,
           "difficulty": parse_difficulty(draft.extra.get("DIFFICULTY")),
           "explanation": draft.extra.get("EXPLANATION", ""),
           "tags": split_tags(draft.extra.get("TAGS"), ideographic_comma=False)}

    def locate(label: str, fld: str) -> tuple[str, str]:
        return (f"{position} {given}" if given else position), FIELD_LABELS.get(fld, fld)
    return RawQuestion(raw, position, locate=locate, cell_errors=errors)


def parse_aiken(filename: str, data: bytes, law: str = "") -> BankDoc:
    doc = BankDoc(filename, law=law)
    lines = _decode(doc, data)
    if lines is None:
        return doc
    check_law(doc)
    drafts = _read(lines)
    if not drafts:
        doc.errors.append(ItemError(filename, "文件", "", "没有题目"))
    check_questions(doc, [_entry(doc, n, d) for n, d in enumerate(drafts, start=1)])
    return doc


# -- export ------------------------------------------------------------------------------------------

def _block(q: dict, moodle: bool) -> list[str]:
    lines = [q["stem"], *(f"{letter}. {o}" for letter, o in zip("ABCDEFGH", q["options"], strict=False)),
             f"ANSWER: {q['answer']}"]
    if not moodle:
        lines += [f"ID: {q['id']}", f"ARTICLES: {articles_text(q['articles'])}", f"DIFFICULTY: {q['difficulty']}"]
        if q.get("tags"):
            lines.append(f"TAGS: {'; '.join(q['tags'])}")
        if q.get("explanation"):
            lines.append(f"EXPLANATION: {q['explanation']}")
    return lines


def export_aiken(law: str, title: str, questions: list[dict], *, moodle: bool = False) -> bytes:
    """The questions Aiken can hold, a blank line after each; law and title are not written."""
    blocks = ["\n".join(_block(q, moodle)) + "\n" for q in questions if cannot_hold(q) is None]
    return "\n".join(blocks).encode("utf-8")


def cannot_hold(q: dict) -> str | None:
    if q["type"] != "single":
        return "Aiken 只能保存单选题"
    texts = [q["stem"], q.get("explanation") or "", *q["options"]]
    if any("\n" in t or "\r" in t for t in texts):
        return "Aiken 的题干、选项和解析只能各占一行"
    if OPTION_RE.match(q["stem"]) or ANSWER_RE.match(q["stem"]) or EXTENSION_RE.match(q["stem"]):
        return "题干会被读成选项或 ANSWER 行"
    return tags_problem(q)
