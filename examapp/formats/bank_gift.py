"""Question banks in Moodle's GIFT format.

    // law: constitution                    the header block carries the law and its title
    // title: 中华人民共和国宪法

    // articles: 2, 13                      comment lines right before a question (no blank line between)
    // difficulty: 1                        carry what GIFT has no place for: the cited articles, the
    // tags: 总纲; 国家性质                  difficulty (2 when missing) and the tags (separated by ;)
    ::con-0001::中华人民共和国的一切权力属于（  ）。{
    =人民
    ~全国人民代表大会
    ~国务院
    ~人民法院
    ####宪法第二条第一款规定……            general feedback: the explanation
    }

Moodle skips // comment lines, so these files import there as they are.

- single: one =right answer, ~wrong ones.
- multiple: Moodle's multiple-answer form: ~%50%right with the right answers' weights adding up to 100,
  ~%-100%wrong. On import any answer with a positive weight is right, and several =right answers
  without weights are read as a multiple-choice question too.
- judge: {T} or {F}.
- fill with one blank: a short answer standing in the blank's place, 由{=公安机关 =公安}执行; an answer
  block at the end of a stem without ____ puts the blank there.
- The ::title:: is the id. A question without a title, or whose title does not look like an id (Moodle
  question names such as "Q1" or Chinese text), gets bank_yaml.derive_id's id.
- Special characters are escaped with a backslash both ways: \\~ \\= \\# \\{ \\} \\: \\\\, and \\n is a line break.

GIFT cannot hold case questions, fill questions with several blanks, tags containing ;, or texts that
Moodle would misread (-> makes a matching question, a leading %50% an answer weight).
"""
import re

from .bank_xlsx import articles_text, parse_articles, parse_difficulty, split_tags, tags_problem
from .bank_yaml import (
    ID_RE,
    BankDoc,
    ItemError,
    RawQuestion,
    check_law,
    check_questions,
    derive_id,
    read_text_file,
)

SPECIALS = "~=#{}:"
META_RE = re.compile(r"^//\s*(law|title|articles|difficulty|tags)\s*[:：]\s*(.*)$", re.I)
FORMAT_RE = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.I)
WEIGHT_RE = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
JUDGE_RE = re.compile(r"^(TRUE|FALSE|T|F)\s*(#.*)?$", re.I | re.S)
ID_LIKE_RE = re.compile(r"^[A-Za-z0-9_]+-[A-Za-z0-9_-]+$")
FIELD_LABELS = {"id": "::编号::", "articles": "// articles", "difficulty": "// difficulty", "tags": "// tags",
                "stem": "题干", "options": "选项", "answer": "答案", "explanation": "####解析", "type": "题型"}
MISSING_WORD = "（  ）"


def escape(text: str) -> str:
    text = str(text).replace("\\", "\\\\")
    for c in SPECIALS:
        text = text.replace(c, "\\" + c)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def unescape(text: str) -> str:
    return re.sub(r"\\([\\~=#{}:n])", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _find(text: str, target: str, start: int = 0) -> int:
    """The index of the first unescaped `target` at or after start, or -1."""
    i = start
    while i <= len(text) - len(target):
        if text[i] == "\\":
            i += 2
        elif text.startswith(target, i):
            return i
        else:
            i += 1
    return -1


def _markers(text: str) -> list[int]:
    """Positions of the unescaped = and ~ that start answers."""
    found, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in "=~":
            found.append(i)
        i += 1
    return found


# -- import ------------------------------------------------------------------------------------------

class _Refused(Exception):
    """A question this codec cannot read; the message says why (and names the field)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _answers(body: str) -> list[tuple[str, float | None, str]]:
    """'=人民 ~%-100%国务院#反馈' → [('=', None, '人民'), ('~', -100.0, '国务院')]."""
    marks = _markers(body)
    if not marks or body[:marks[0]].strip():
        raise _Refused("answer", "答案格式有误：每个答案应以 = 或 ~ 开头")
    answers = []
    for start, end in zip(marks, [*marks[1:], len(body)], strict=True):
        content = body[start + 1:end]
        weight = WEIGHT_RE.match(content)
        if weight:
            content = content[weight.end():]
        feedback = _find(content, "#")
        if feedback >= 0:
            content = content[:feedback]  # per-answer feedback has no place in the bank
        if _find(content, "->") >= 0:
            raise _Refused("type", "不支持配对题（matching）")
        answers.append((body[start], float(weight.group(1)) if weight else None, unescape(content).strip()))
    return answers


def _fill(answers, before: str, after: str) -> dict:
    if any(mark != "=" or (weight is not None and weight != 100) for mark, weight, _ in answers):
        raise _Refused("answer", "填空题的答案应写作 =答案，不支持部分得分")
    stem = before + after if "____" in before + after else before + "____" + after
    return {"type": "fill", "stem": stem, "answer": [[text for _, _, text in answers]]}


def _choice(answers, before: str, after: str) -> dict:
    right = [i for i, (mark, weight, _) in enumerate(answers)
             if mark == "=" or (weight is not None and weight > 0)]
    if not right:
        raise _Refused("answer", "没有正确答案：正确答案以 = 开头，或带正的权重 ~%50%")
    equals = sum(mark == "=" for mark, _, _ in answers)
    kind = "single" if equals == 1 and len(right) == 1 else "multiple"
    stem = before + MISSING_WORD + after if after.strip() else before
    letters = "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] if i < 26 else "?" for i in right)
    return {"type": kind, "stem": stem, "options": [text for _, _, text in answers], "answer": letters}


def _title(text: str) -> tuple[str, str]:
    """('con-0001', the rest) of '::con-0001::text'; ('', text) without a title."""
    if not text.startswith("::"):
        return "", text
    end = _find(text, "::", 2)
    if end < 0:
        raise _Refused("id", "标题的 :: 没有闭合")
    return unescape(text[2:end]).strip(), text[end + 2:].lstrip()


def _parse_body(text: str) -> tuple[dict, str]:
    """(the question's type/stem/options/answer, explanation) of a question's text after its title."""
    text = FORMAT_RE.sub("", text, count=1)
    opening = _find(text, "{")
    if opening < 0:
        raise _Refused("answer", "缺少答案 {…}")
    closing = _find(text, "}", opening + 1)
    if closing < 0:
        raise _Refused("answer", "答案的 { 没有对应的 }")
    before, body, after = text[:opening], text[opening + 1:closing], text[closing + 1:]
    if _find(after, "{") >= 0:
        raise _Refused("answer", "一道题只能有一组 {…}")
    explanation = ""
    general = _find(body, "####")
    if general >= 0:
        body, explanation = body[:general], unescape(body[general + 4:]).strip()
    body = body.strip()
    if not body:
        raise _Refused("type", "不支持论述题（essay）")
    if body.startswith("#"):
        raise _Refused("type", "不支持数值题（numerical）")
    before, after = unescape(before), unescape(after)
    judge = JUDGE_RE.match(body)
    if judge:
        question = {"type": "judge", "stem": before + after, "answer": judge.group(1).upper().startswith("T")}
    else:
        answers = _answers(body)
        question = (_fill if all(m == "=" for m, _, _ in answers) else _choice)(answers, before, after)
    question["stem"] = question["stem"].strip()
    return question, explanation


def _decode(doc: BankDoc, data: bytes) -> str | None:
    return read_text_file(doc, data)


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Questions are separated by blank lines: (number of the block's first line, its lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        else:
            current = []
    return blocks


def _entry(doc: BankDoc, n: int, line: int, meta: dict[str, str], text: str) -> RawQuestion:
    position = f"第 {n} 题（第 {line} 行）"
    errors: list[tuple[str, str]] = []
    title, question, explanation = "", {"type": None, "stem": ""}, ""
    try:
        title, text = _title(text)
        question, explanation = _parse_body(text)
    except _Refused as refused:
        errors.append((refused.field, refused.message))
    articles, problem = parse_articles(meta.get("articles", ""))
    if problem:
        errors.append(("articles", problem))
    given = title if ID_RE.match(title) or ID_LIKE_RE.match(title) else ""
    raw = {**question, "id": given or derive_id(doc.law, question["stem"]), "articles": articles,
           "difficulty": parse_difficulty(meta.get("difficulty")), "explanation": explanation,
           "tags": split_tags(meta.get("tags"), ideographic_comma=False)}

    def locate(label: str, fld: str) -> tuple[str, str]:
        return (f"{position} {given}" if given else position), FIELD_LABELS.get(fld, fld)
    return RawQuestion(raw, position, locate=locate, cell_errors=errors, unreadable=question["type"] is None)


def parse_gift(filename: str, data: bytes, law: str = "") -> BankDoc:
    doc = BankDoc(filename, law=law)
    text = _decode(doc, data)
    if text is None:
        return doc
    pending: list[tuple[int, dict[str, str], str]] = []
    for first, lines in _blocks(text):
        meta: dict[str, str] = {}
        body: list[str] = []
        start = first
        for offset, line in enumerate(lines):
            stripped = line.strip()
            if stripped.startswith("//"):
                m = META_RE.match(stripped)
                if m:
                    meta[m.group(1).lower()] = m.group(2).strip()
            elif not stripped.startswith("$CATEGORY:"):
                start = start if body else first + offset
                body.append(line)
        if body:
            pending.append((start, meta, "\n".join(body).strip()))
        elif not pending:
            doc.law = meta.get("law", doc.law)
            doc.title = meta.get("title", doc.title)
    check_law(doc)
    if not pending:
        doc.errors.append(ItemError(filename, "文件", "", "没有题目"))
    check_questions(doc, [_entry(doc, n, line, meta, body) for n, (line, meta, body) in enumerate(pending, 1)])
    return doc


# -- export ------------------------------------------------------------------------------------------

def _weight(n: int) -> str:
    return f"{100 / n:.5f}".rstrip("0").rstrip(".")


def _answer_block(q: dict) -> str:
    feedback = f"####{escape(q['explanation'])}" if q.get("explanation") else ""
    kind = q["type"]
    if kind == "judge":
        return "{" + ("T" if q["answer"] else "F") + feedback + "}"
    if kind == "fill":
        return "{" + " ".join("=" + escape(a) for a in q["answer"][0]) + feedback + "}"
    letters = "ABCDEFGH"
    if kind == "single":
        lines = [("=" if letters[i] == q["answer"] else "~") + escape(o) for i, o in enumerate(q["options"])]
    else:
        right = _weight(len(q["answer"]))
        lines = [(f"~%{right}%" if letters[i] in q["answer"] else "~%-100%") + escape(o)
                 for i, o in enumerate(q["options"])]
    return "{\n" + "\n".join(lines + ([feedback] if feedback else [])) + "\n}"


def _block(q: dict) -> str:
    lines = [f"// articles: {articles_text(q['articles'])}", f"// difficulty: {q['difficulty']}"]
    if q.get("tags"):
        lines.append(f"// tags: {'; '.join(q['tags'])}")
    head = f"::{escape(q['id'])}::"
    if q["type"] == "fill":
        before, after = q["stem"].split("____", 1)
        lines.append(head + escape(before) + _answer_block(q) + escape(after))
    else:
        lines.append(head + escape(q["stem"]) + _answer_block(q))
    return "\n".join(lines)


def export_gift(law: str, title: str, questions: list[dict]) -> bytes:
    """Deterministic: exporting what was imported from a GIFT export gives the same bytes."""
    header = f"// law: {law}\n// title: {' '.join(title.split())}"
    blocks = [header] + [_block(q) for q in questions if cannot_hold(q) is None]
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def cannot_hold(q: dict) -> str | None:
    if q["type"] == "case":
        return "GIFT 没有案例题"
    if q["type"] == "fill" and q["stem"].count("____") != 1:
        return "GIFT 的填空题只能有一个空"
    answers = [a for accepted in q["answer"] for a in accepted] if q["type"] == "fill" else []
    texts = [q["stem"], *(q.get("options") or []), *answers]
    if any("\r" in t for t in [*texts, q.get("explanation") or ""]):
        return "文字中含有回车符（\\r）"
    if any("->" in t for t in texts):
        return "文字中含有 ->，Moodle 会读成配对题"
    if any(WEIGHT_RE.match(t) for t in [*(q.get("options") or []), *answers]):
        return "答案以 %数字% 开头，Moodle 会读成权重"
    if FORMAT_RE.match(q["stem"]):
        return "题干以 [html] 这样的格式标记开头"
    return tags_problem(q)
