"""Question banks as Word documents in the common office layout (python-docx).

    中华人民共和国宪法              the title: the first line before any question
    法律代码：constitution          optional; without it the law of the upload is used
    一、单选题                      section headings, optional (单选 多选 判断 填空 案例)
    1. 中华人民共和国的一切权力属于（  ）。      also "1．" and "1、"; numbers typed, not Word's
    A. 人民                         also "A．", "A、", "A)"; or several options on one line
    B. 全国人民代表大会
    答案：A                         also 正确答案 / 参考答案
    解析：……
    依据：第二条、第十三条           Chinese or Arabic numerals, "2, 13" too
    难度：1                         optional, 2 when missing
    标签：总纲；国家性质             optional
    编号：con-0001                  optional; bank_yaml.derive_id's id when missing

The cells' conventions of bank_xlsx apply to 答案, 依据 and 标签. The type comes from the options and
the answer: one letter → single (multiple under a 多选 heading), several letters → multiple, 正确/错误
without options (or as the only two options) → judge, a stem with blanks ____ → fill. A run of five or
more underscores in a fill stem is one blank. A line that matches none of these continues the line above.

Case questions are exported as a readable block (【案例】 and items （1）（2）…) but do not import:
each is reported as an error asking for the Excel or YAML file instead.
"""
import io
import re
import zipfile
from dataclasses import dataclass, field

from docx import Document

from ..domain import qtypes
from .bank_xlsx import (
    answer_text,
    articles_text,
    parse_answer,
    parse_articles,
    parse_difficulty,
    parse_judge,
    parse_letters,
    split_tags,
    tags_problem,
    tags_text,
)
from .bank_yaml import BankDoc, ItemError, RawQuestion, check_law, check_questions, derive_id

QUESTION_RE = re.compile(r"^(\d{1,4})\s*[.．、]\s*(.*)$")
OPTION_RE = re.compile(r"^([A-H])\s*[.．、)）]\s*(.*)$")
NEXT_OPTION_RE = re.compile(r"\s+([B-H])\s*[.．、)）]\s*")
# "一、单选题", "单项选择题（每题 1 分）", "二、判断题：": a heading names a type and ends with 题
SECTION_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}\s*[、.．]\s*)?(单选|单项选择|多选|多项选择|判断|填空|案例|案例分析)题"
                        r"\s*(?:[（(][^）)]*[)）])?\s*[:：]?$")
CASE_ITEM_RE = re.compile(r"^[（(]\s*\d{1,2}\s*[)）]")
CASE_MARK = "【案例】"
MARKERS = {"答案": "answer", "正确答案": "answer", "参考答案": "answer", "解析": "explanation",
           "答案解析": "explanation", "依据": "articles", "法律依据": "articles", "依据条文": "articles",
           "难度": "difficulty", "标签": "tags", "编号": "id", "题目编号": "id", "法律代码": "law",
           "案例依据": "case", "案例解析": "case"}
MARKER_RE = re.compile(rf"^({'|'.join(sorted(MARKERS, key=len, reverse=True))})\s*[:：]\s*(.*)$")
SECTION_KINDS = {"单选": "single", "单项选择": "single", "多选": "multiple", "多项选择": "multiple",
                 "判断": "judge", "填空": "fill", "案例": "case", "案例分析": "case"}
FIELD_LABELS = {"id": "编号", "difficulty": "难度", "stem": "题干", "options": "选项", "answer": "答案",
                "articles": "依据", "explanation": "解析", "tags": "标签", "type": "题型"}
CN_ORDINALS = "一二三四五六七八九十"
CASE_REFUSED = "案例题不能从 Word 导入（Word 中的案例题仅供阅读），请删去此题，或用 Excel / YAML 文件导入"


@dataclass
class _Draft:
    number: str
    section: str | None               # the type of the heading above, if any
    stem: list[str]
    options: list[list[str]] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    last: list[str] | None = None     # where a continuation line goes
    case: bool = False
    misordered: str = ""

    @property
    def position(self) -> str:
        where = f"{qtypes.TYPES[self.section].label} " if self.section else ""
        return f"{where}第 {self.number} 题"

    def text(self, key: str) -> str:
        return "\n".join(self.fields.get(key, [])).strip()


def _section(line: str) -> str | None:
    m = SECTION_RE.match(line)
    return SECTION_KINDS[m.group(1)] if m else None


def _split_options(text: str) -> list[tuple[str, str]]:
    """'A. 甲  B. 乙  C. 丙' → [('A', '甲'), ('B', '乙'), ('C', '丙')]: the letters must follow in order."""
    m = OPTION_RE.match(text)
    options = [(m.group(1), m.group(2))]
    while True:
        letter, rest = options[-1]
        following = chr(ord(letter) + 1)
        nxt = next((n for n in NEXT_OPTION_RE.finditer(rest) if n.group(1) == following), None)
        if nxt is None:
            return options
        options[-1] = (letter, rest[:nxt.start()])
        options.append((following, rest[nxt.end():]))


@dataclass
class _Reader:
    doc: BankDoc
    drafts: list[_Draft] = field(default_factory=list)
    section: str | None = None
    current: _Draft | None = None

    def line(self, line: str) -> None:
        section = _section(line)
        if section:
            self.section, self.current = section, None
            return
        m = QUESTION_RE.match(line)
        if m:
            self.current = _Draft(m.group(1), self.section, [m.group(2)])
            self.current.last = self.current.stem
            self.current.case = self.section == "case" or m.group(2).startswith(CASE_MARK)
            self.drafts.append(self.current)
            return
        marker = MARKER_RE.match(line)
        if self.current is None:
            self._preamble(line, marker)
        elif marker:
            target = self.current.fields.setdefault(MARKERS[marker.group(1)], [])
            target.append(marker.group(2))
            self.current.last = target
        elif CASE_ITEM_RE.match(line):
            self.current.case = True
        elif OPTION_RE.match(line) and not self.current.fields:
            for letter, text in _split_options(line):
                expected = qtypes.LETTERS[min(len(self.current.options), len(qtypes.LETTERS) - 1)]
                if letter != expected and not self.current.misordered:
                    self.current.misordered = f"选项 {letter} 应为选项 {expected}：选项须从 A 起依次排列"
                self.current.options.append([text])
            self.current.last = self.current.options[-1]
        elif self.current.last is not None:
            self.current.last.append(line)

    def _preamble(self, line: str, marker) -> None:
        if marker and MARKERS[marker.group(1)] == "law":
            self.doc.law = marker.group(2).strip()
        elif not self.doc.title and not self.drafts and self.section is None and not marker:
            self.doc.title = line


def _kind(draft: _Draft, options: list[str], answer: str) -> str | None:
    hint = draft.section
    if options:
        if _judge_pair(options) and hint in (None, "judge"):
            return "judge"
        if hint in ("judge", "fill"):
            return hint
        return "multiple" if hint == "multiple" or len(parse_letters(answer, multiple=True)) > 1 else "single"
    if hint in ("judge", "fill"):
        return hint
    if parse_judge(answer) is not None:
        return "judge"
    if qtypes.blank_count(re.sub(r"_{5,}", qtypes.BLANK, "\n".join(draft.stem))):
        return "fill"
    return hint if hint in ("single", "multiple") else None


def _judge_pair(options: list[str]) -> bool:
    """Judge questions are often typed with the two options "A. 正确  B. 错误"."""
    values = [parse_judge(o) for o in options]
    return len(values) == 2 and None not in values and values[0] != values[1]


def _judge_pair_answer(options: list[str], answer: str):
    if parse_judge(answer) is not None:
        return parse_judge(answer), None
    letters = parse_letters(answer, multiple=False)
    if len(letters) == 1 and letters in "AB":
        return parse_judge(options["AB".index(letters)]), None
    return None, "答案应为 A 或 B（或 正确/错误）"


def _locator(draft: _Draft):
    given_id = draft.text("id")

    def locate(label: str, fld: str) -> tuple[str, str]:
        return (f"{draft.position} {given_id}" if given_id else draft.position), FIELD_LABELS.get(fld, fld)
    return locate


def _raw(doc: BankDoc, draft: _Draft) -> RawQuestion:
    if draft.case:
        return RawQuestion({"id": draft.text("id")}, draft.position, locate=_locator(draft), cell_errors=[("type", CASE_REFUSED)],
                           unreadable=True)
    errors: list[tuple[str, str]] = [("options", draft.misordered)] if draft.misordered else []
    options = ["\n".join(o).strip() for o in draft.options]
    answer = draft.text("answer")
    stem = "\n".join(draft.stem).strip()
    kind = _kind(draft, options, answer)
    if kind is None:
        errors.append(("type", "无法判断题型：没有选项，答案也不是 正确/错误，题干中也没有空格 ____"))
    if kind == "fill":
        stem = re.sub(r"_{5,}", qtypes.BLANK, stem)
    if kind == "judge" and _judge_pair(options):
        value, problem = _judge_pair_answer(options, answer)
        options = []
    else:
        value, problem = parse_answer(kind or "", answer)
    if problem:
        errors.append(("answer", problem))
    articles, problem = parse_articles(draft.text("articles"))
    if problem:
        errors.append(("articles", problem))
    given_id = draft.text("id")
    raw = {"id": given_id or derive_id(doc.law, stem), "type": kind, "difficulty": parse_difficulty(
        draft.text("difficulty")), "stem": stem, "answer": value, "articles": articles,
        "explanation": draft.text("explanation"), "tags": split_tags(draft.text("tags"))}
    if options or kind in ("single", "multiple"):
        raw["options"] = options
    return RawQuestion(raw, draft.position, locate=_locator(draft), cell_errors=errors)


def _paragraphs(doc: BankDoc, data: bytes) -> list[str] | None:
    if not data.strip():
        doc.errors.append(ItemError(doc.filename, "文件", "", "文件为空"))
        return None
    try:
        return [p.text for p in Document(io.BytesIO(data)).paragraphs]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        doc.errors.append(ItemError(doc.filename, "文件", "", "不是有效的 Word (.docx) 文件"))
    except Exception:  # python-docx and lxml raise their own types for damaged packages
        doc.errors.append(ItemError(doc.filename, "文件", "", "Word 文件已损坏，无法读取"))
    return None


def parse_paragraphs(filename: str, paragraphs: list[str], law: str = "") -> BankDoc:
    """The questions in the paragraphs of a document."""
    doc = BankDoc(filename, law=law)
    reader = _Reader(doc)
    for text in paragraphs:
        for piece in text.split("\n"):  # soft line breaks split lines as paragraphs do
            line = piece.strip()
            if line:
                reader.line(line)
    check_law(doc)
    if not reader.drafts:
        doc.errors.append(ItemError(filename, "文件", "", "没有找到题目：每道题应以“1.”这样的题号开头"))
    check_questions(doc, (_raw(doc, d) for d in reader.drafts))
    return doc


def parse_docx(filename: str, data: bytes, law: str = "") -> BankDoc:
    doc = BankDoc(filename, law=law)
    paragraphs = _paragraphs(doc, data)
    return doc if paragraphs is None else parse_paragraphs(filename, paragraphs, law)


# -- export ------------------------------------------------------------------------------------------

def _choice_lines(q: dict) -> list[str]:
    return [f"{letter}. {option}" for letter, option in zip(qtypes.LETTERS, q.get("options") or [], strict=False)]


def _question_lines(number: int, q: dict) -> list[str]:
    lines = [f"{number}. {q['stem']}", *_choice_lines(q), f"答案：{answer_text(q['type'], q['answer'])}"]
    if q.get("explanation"):
        lines.append(f"解析：{q['explanation']}")
    lines += [f"依据：{articles_text(q['articles'], chinese=True)}", f"难度：{q['difficulty']}"]
    if q.get("tags"):
        lines.append(f"标签：{tags_text(q['tags'])}")
    return lines + [f"编号：{q['id']}"]


def _case_lines(number: int, q: dict) -> list[str]:
    lines = [f"{number}. {CASE_MARK}{q['stem']}"]
    for i, item in enumerate(q["items"], start=1):
        kind = item["type"]
        lines += [f"（{i}）【{qtypes.TYPES[kind].label}】{item['stem']}", *_choice_lines(item)]
        if kind == "text":
            lines.append(f"参考答案：{item.get('reference') or ''}")
        else:
            lines.append(f"答案：{answer_text(kind, item.get('answer'))}")
        lines.append(f"依据：{articles_text(item.get('articles') or [], chinese=True)}")
        if item.get("explanation"):
            lines.append(f"解析：{item['explanation']}")
    lines.append(f"案例依据：{articles_text(q['articles'], chinese=True)}")
    if q.get("explanation"):
        lines.append(f"案例解析：{q['explanation']}")
    lines += [f"难度：{q['difficulty']}"] + ([f"标签：{tags_text(q['tags'])}"] if q.get("tags") else [])
    return lines + [f"编号：{q['id']}"]


def export_docx(law: str, title: str, questions: list[dict]) -> bytes:
    """The office layout, questions grouped by type under 一、单选题 … headings, numbered throughout."""
    document = Document()
    if title:
        document.add_heading(title, level=0)
    document.add_paragraph(f"法律代码：{law}")
    number = 0
    questions = [q for q in questions if cannot_hold(q) is None]
    sections = [kind for kind in qtypes.TOP_TYPES if any(q["type"] == kind for q in questions)]
    for ordinal, kind in zip(CN_ORDINALS, sections, strict=False):
        document.add_heading(f"{ordinal}、{qtypes.TYPES[kind].label}", level=1)
        for q in (q for q in questions if q["type"] == kind):
            number += 1
            for line in (_case_lines if kind == "case" else _question_lines)(number, q):
                document.add_paragraph(line)
            document.add_paragraph("")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SAMPLE = [
    {"id": "con-0001", "type": "single", "difficulty": 1, "stem": "中华人民共和国的一切权力属于（  ）。",
     "options": ["人民", "全国人民代表大会", "国务院", "人民法院"], "answer": "A", "articles": [2],
     "explanation": "宪法第二条第一款规定，中华人民共和国的一切权力属于人民。", "tags": ["总纲", "国家性质"]},
    {"id": "con-0002", "type": "multiple", "difficulty": 2, "stem": "下列属于公民基本权利的有（  ）。",
     "options": ["选举权", "宗教信仰自由", "通信自由", "制定法律"], "answer": "ABC", "articles": [34, 36, 40],
     "explanation": "第三十四条、第三十六条、第四十条分别规定了选举权、宗教信仰自由和通信自由。",
     "tags": ["第二章 公民的基本权利和义务"]},
    {"id": "con-0003", "type": "judge", "difficulty": 1, "stem": "中华人民共和国公民在法律面前一律平等。",
     "answer": True, "articles": [33], "explanation": "第三十三条第二款。", "tags": []},
    {"id": "con-0004", "type": "fill", "difficulty": 2,
     "stem": "中华人民共和国的一切权力属于____。人民行使国家权力的机关是____和地方各级人民代表大会。",
     "answer": [["人民"], ["全国人民代表大会", "全国人大"]], "articles": [2],
     "explanation": "第二条第一款、第二款。", "tags": ["总纲"]},
]


def template_docx() -> bytes:
    """A sample document: one question of each type that imports, in the layout above."""
    return export_docx("constitution", "中华人民共和国宪法（示例）", SAMPLE)


def _structural(text: str) -> bool:
    return bool(QUESTION_RE.match(text) or OPTION_RE.match(text) or MARKER_RE.match(text)
                or CASE_ITEM_RE.match(text) or _section(text))


def _texts(q: dict) -> list[str]:
    answers = [a for accepted in q["answer"] for a in accepted] if q["type"] == "fill" else []
    texts = [q["stem"], q.get("explanation") or "", q.get("reference") or "", *(q.get("options") or []), *answers]
    return texts + [t for item in q.get("items") or [] for t in _texts(item)]


def cannot_hold(q: dict) -> str | None:
    """Why q is left out of an export (it would not read back the same), or None.

    Case questions are written, for reading: importing them is refused."""
    texts = _texts(q)
    lines = [line for text in texts if "\n" in text or "\r" in text for line in text.split("\n")]
    if any(not line.strip() or line != line.strip() or "\r" in line for line in lines):
        return "文字中有空行或行首行尾的空白，Word 中读不回来"
    if any(_structural(line) for text in texts for line in text.split("\n")[1:]):
        return "文字中有一行会被读成题号、选项或“答案：”等标记"
    if any(NEXT_OPTION_RE.search(o) for o in q.get("options") or []):
        return "选项中含有“B.”这样的选项标记"
    if q["type"] == "fill" and re.search(r"_{5,}", q["stem"]):
        return "填空题题干中有五个以上连续的下划线"
    return tags_problem(q)
