"""Question banks as Excel workbooks: one sheet per type with Chinese headers, and a 说明 sheet.

The 说明 sheet carries the law (法律代码, 法律名称 in its first rows) and explains every column.
Cells follow conventions people type by hand; the Word layout (bank_docx) shares them:

- 依据条文: "2, 13", "第2条、第13条" or "第二条第一款、第十三条".
- 标签: separated by ；(or ;). A cell without ；may separate them with 、 instead, so a single tag
  that contains 、 is written with a trailing ；.
- 填空题答案: blanks separated by ；, accepted answers within a blank by /; a literal / ；; or \\ in
  an answer is written \\/ \\； \\; \\\\ (2\\/3).
- 判断题答案: 正确/错误 (also 对/错, √/×, 是/否, true/false, T/F).
- 难度: 1, 2, 3 (also 易/中/难); an empty cell means 2.
- 编号: optional except on 案例题; a question without one gets bank_yaml.derive_id's id.

A case question spans consecutive rows of the 案例题 sheet that share its 编号; a row with neither
编号 nor 案例材料 continues the case above, so merged cells work. The first row carries the case's
own cells (难度, 案例材料, 标签, and 案例依据条文 / 案例解析 when wanted; 案例依据条文 defaults to
every article the items cite); each row is one item with its own 题型 (单选题, 多选题, 判断题, 填空题,
主观题), 题干, 选项, 答案 (参考答案 for a 主观题), 依据条文 and 解析.
"""
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from ..domain import qtypes
from ..domain.cnnum import from_chinese, to_chinese
from .bank_yaml import LAW_RE, BankDoc, ItemError, RawQuestion, check_law, check_questions, derive_id
from .tabular import IGNORED_HEADERS, Column, _cell_text, _norm

# -- cell conventions, shared with the Word, GIFT and Aiken codecs ---------------------------------

NUMERAL = "零〇一二三四五六七八九十百千万两0-9０-９"
ARTICLE_RE = re.compile(rf"第\s*([{NUMERAL}]+)\s*条")
# what may surround the article numbers: 款/项 references, the law's name, separators
ARTICLE_NOISE_RE = re.compile(rf"第\s*[{NUMERAL}]+\s*[款项目]|《[^》]*》|[\s,，、;；和及与]")
JUDGE_WORDS = {"正确": True, "对": True, "√": True, "✓": True, "是": True, "true": True, "t": True,
               "错误": False, "错": False, "×": False, "✗": False, "否": False, "false": False, "f": False}
DIFFICULTY_WORDS = {"易": 1, "容易": 1, "简单": 1, "中": 2, "中等": 2, "一般": 2, "难": 3, "较难": 3, "困难": 3}
FILL_SPECIALS = "\\/／；;"
ITEM_TYPE_NAMES = {"单选题": "single", "单选": "single", "多选题": "multiple", "多选": "multiple",
                   "判断题": "judge", "判断": "judge", "填空题": "fill", "填空": "fill",
                   "主观题": "text", "简答题": "text", "问答题": "text", "主观": "text", "简答": "text"}
ITEM_TYPE_NAMES |= {name: name for name in qtypes.ITEM_TYPES}


def parse_articles(text) -> tuple[list[int], str | None]:
    """'2, 13', '第2条、第13条', '第二条第一款、第十三条' → [2, 13]; ([], message) when unreadable."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not text:
        return [], None
    if "条" in text:
        tokens = ARTICLE_RE.findall(text)
        rest = ARTICLE_NOISE_RE.sub("", ARTICLE_RE.sub("", text))
        if rest or not tokens:
            return [], f"无法识别的条号「{text}」，应写作 2, 13 或 第二条、第十三条"
    else:
        tokens = [t for t in re.split(r"[\s,，、;；]+", text) if t]
    numbers = []
    for token in tokens:
        try:
            numbers.append(from_chinese(token))
        except ValueError:
            return [], f"无法识别的条号「{token}」，应写作 2, 13 或 第二条、第十三条"
    return numbers, None


def articles_text(numbers: list[int], *, chinese: bool = False) -> str:
    if not chinese:
        return ", ".join(str(n) for n in numbers)
    return "、".join(f"第{to_chinese(n) if 0 < n <= 99_999 else n}条" for n in numbers)


def split_tags(text, *, ideographic_comma: bool = True) -> list[str]:
    text = str(text or "").strip()
    separators = "[;；]" if re.search("[;；]", text) or not ideographic_comma else "[、;；]"
    return [t.strip() for t in re.split(separators, text) if t.strip()]


def tags_text(tags: list[str]) -> str:
    text = "；".join(tags)
    return text + "；" if len(tags) == 1 and "、" in tags[0] else text


def tags_problem(q: dict) -> str | None:
    """Why the tags cannot be written as a ；-separated list on one line, or None."""
    bad = [t for t in q.get("tags") or [] if re.search("[;；\r\n]", t)]
    return f"标签「{bad[0]}」含有分号或换行，无法与分隔符区分" if bad else None


def _split_escaped(text: str, separators: str) -> list[str]:
    """Split at unescaped separators, keeping the escapes for the next split."""
    parts, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if text[i] in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    parts.append("".join(current))
    return parts


def _unescape_fill(text: str) -> str:
    return re.sub(r"\\([\\/／；;])", r"\1", text)


def parse_fill(text) -> list[list[str]]:
    """'人民；全国人民代表大会/全国人大' → [['人民'], ['全国人民代表大会', '全国人大']]."""
    text = str(text or "").strip()
    if not text:
        return []
    return [[_unescape_fill(a).strip() for a in _split_escaped(blank, "/／") if a.strip()]
            for blank in _split_escaped(text, "；;")]


def fill_text(answer: list[list[str]]) -> str:
    def escape(a: str) -> str:
        return "".join("\\" + c if c in FILL_SPECIALS else c for c in str(a))
    return "；".join("/".join(escape(a) for a in accepted) for accepted in answer)


def parse_judge(text) -> bool | None:
    key = unicodedata.normalize("NFKC", str(text or "")).strip().rstrip("。.").lower()
    return JUDGE_WORDS.get(key)


JUDGE_HELP = "应填写“正确”或“错误”（也可写 对/错、√/×、true/false）"


def judge_text(value: bool) -> str:
    return "正确" if value else "错误"


def parse_letters(text, *, multiple: bool) -> str:
    letters = re.sub(r"[\s,，、;；]", "", unicodedata.normalize("NFKC", str(text or ""))).upper()
    return "".join(sorted(letters)) if multiple else letters


def parse_difficulty(text) -> int | str:
    """1–3 (or 易/中/难); 2 when empty; anything else comes back as given for the validator to report."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not text:
        return 2
    if text in ("1", "2", "3"):
        return int(text)
    return DIFFICULTY_WORDS.get(text, text)


def parse_answer(kind: str, text: str) -> tuple[object, str | None]:
    """The answer of a question or item of this type as typed; (value, message) when unreadable."""
    if kind in ("single", "multiple"):
        return parse_letters(text, multiple=kind == "multiple"), None
    if kind == "judge":
        value = parse_judge(text)
        return value, None if value is not None else JUDGE_HELP
    if kind == "fill":
        return parse_fill(text), None
    return None, None


def answer_text(kind: str, answer) -> str:
    if kind == "judge":
        return judge_text(answer)
    if kind == "fill":
        return fill_text(answer)
    return str(answer or "")


# -- columns -----------------------------------------------------------------------------------------

LETTERS = "ABCDEF"
SHEETS = {"single": "单选题", "multiple": "多选题", "judge": "判断题", "fill": "填空题", "case": "案例题"}
SHEET_ALIASES = {"单项选择题": "single", "多项选择题": "multiple", "案例分析题": "case"}
NOTES_SHEETS = ("说明", "填写说明")

ID = Column("id", "编号", aliases=("题目编号",), example="con-0001",
            help="稳定且不重复的题目编号；可空，空着时按法律代码和题干生成（案例题必填）")
DIFFICULTY = Column("difficulty", "难度", example="1", help="1 易、2 中、3 难（也可写 易/中/难）；空着按 2")
STEM = Column("stem", "题干", required=True, aliases=("题目",), example="中华人民共和国的一切权力属于（  ）。",
              help="填空题：每个空写作四个下划线 ____")
OPTIONS = [Column(f"option{c}", f"选项{c}", required=c == "A", aliases=(c,), example=ex,
                  help="单选题 3–6 个选项，多选题 4–6 个，依次填写，中间不留空")
           for c, ex in zip(LETTERS, ("人民", "全国人民代表大会", "国务院", "人民法院", "", ""), strict=True)]
ARTICLES = Column("articles", "依据条文", required=True, aliases=("依据", "法条", "条文", "法律依据"),
                  example="2", help="本法条号，如 2, 13 或 第二条、第十三条；每题至少一条")
EXPLANATION = Column("explanation", "解析", aliases=("答案解析",), example="宪法第二条规定……")
TAGS = Column("tags", "标签", example="总纲；国家性质", help="多个标签用 ；分隔")
ANSWERS = {
    "single": Column("answer", "答案", required=True, example="A", help="一个字母，如 B"),
    "multiple": Column("answer", "答案", required=True, example="ACD", help="两个以上字母，如 ACD"),
    "judge": Column("answer", "答案", required=True, example="正确", help="正确 或 错误（也可写 对/错、√/×）"),
    "fill": Column("answer", "答案", required=True, example="人民；全国人民代表大会/全国人大",
                   help="每空一组，用 ；分隔；同一空可接受的多个答案用 / 分隔（答案中的 / 写作 \\/）"),
    "case": Column("answer", "答案", example="B", help="按小题题型填写，同各题型工作表；主观题不填"),
}
MATERIAL = Column("material", "案例材料", required=True, aliases=("案例",), example="市民王某……",
                  help="只在案例的第一行填写；其后各行的编号与第一行相同，或编号和案例材料都空着")
ITEM_TYPE = Column("item_type", "题型", required=True, aliases=("小题题型",), example="单选题",
                   help="单选题、多选题、判断题、填空题 或 主观题")
ITEM_STEM = Column("stem", "题干", required=True, aliases=("小题题干", "题目"), example="王某的行为……（  ）")
REFERENCE = Column("reference", "参考答案", example="不受保护。……", help="主观题的参考答案（人工评分时对照）")
CASE_ARTICLES = Column("case_articles", "案例依据条文", help="可空：默认为各小题依据条文的合集")
CASE_EXPLANATION = Column("case_explanation", "案例解析", help="对整个案例的解析，可空")

COLUMNS = {
    "single": [ID, DIFFICULTY, STEM, *OPTIONS, ANSWERS["single"], ARTICLES, EXPLANATION, TAGS],
    "multiple": [ID, DIFFICULTY, STEM, *OPTIONS, ANSWERS["multiple"], ARTICLES, EXPLANATION, TAGS],
    "judge": [ID, DIFFICULTY, STEM, ANSWERS["judge"], ARTICLES, EXPLANATION, TAGS],
    "fill": [ID, DIFFICULTY, STEM, ANSWERS["fill"], ARTICLES, EXPLANATION, TAGS],
    "case": [ID, DIFFICULTY, MATERIAL, TAGS, ITEM_TYPE, ITEM_STEM, *OPTIONS, ANSWERS["case"], REFERENCE,
             ARTICLES, EXPLANATION, CASE_ARTICLES, CASE_EXPLANATION],
}
CASE_LEVEL = ("difficulty", "material", "tags", "case_articles", "case_explanation")
FIELD_HEADERS = {"id": "编号", "difficulty": "难度", "stem": "题干", "options": "选项A–F", "answer": "答案",
                 "articles": "依据条文", "explanation": "解析", "tags": "标签", "type": "题型",
                 "reference": "参考答案"}
CASE_HEADERS = FIELD_HEADERS | {"stem": "案例材料", "articles": "案例依据条文", "explanation": "案例解析",
                                "items": "题型"}
ITEM_FIELD_RE = re.compile(r"items\[(\d+)\](?:\.(\w+))?$")


# -- import ------------------------------------------------------------------------------------------

@dataclass
class _Row:
    number: int
    cells: dict[str, str]


@dataclass
class _Sheet:
    title: str
    kind: str
    rows: list[_Row] = field(default_factory=list)


def _read_workbook(doc: BankDoc, data: bytes) -> list[tuple[str, list[list[str]]]] | None:
    if not data.strip():
        doc.errors.append(ItemError(doc.filename, "文件", "", "文件为空"))
        return None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, EOFError):
        doc.errors.append(ItemError(doc.filename, "文件", "", "不是有效的 Excel (.xlsx) 文件"))
        return None
    except Exception:  # openpyxl raises many kinds of errors on damaged packages
        doc.errors.append(ItemError(doc.filename, "文件", "", "Excel 文件已损坏，无法读取"))
        return None
    try:
        return [(ws.title, [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)])
                for ws in wb.worksheets]
    except Exception:  # a damaged sheet inside a valid zip
        doc.errors.append(ItemError(doc.filename, "文件", "", "Excel 文件内容已损坏，无法读取"))
        return None
    finally:
        wb.close()


def _read_notes(doc: BankDoc, rows: list[list[str]], title: str) -> None:
    for number, row in enumerate(rows[:10], start=1):
        if len(row) < 2:
            continue
        key, value = _norm(row[0]), row[1].strip()
        if key == "法律代码" and LAW_RE.fullmatch(value):
            doc.law = value
        elif key == "法律代码" and value:
            doc.errors.append(ItemError(doc.filename, f"{title} 第 {number} 行", "法律代码",
                                        "应为法律代码（小写字母、数字、下划线），如 constitution"))
        elif key == "法律名称":
            doc.title = value


def _header(doc: BankDoc, sheet: str, kind: str, header: list[str]) -> list[Column | None] | None:
    lookup = {_norm(name): col for col in COLUMNS[kind] for name in (col.header, col.key, *col.aliases)}
    present: list[Column | None] = []
    seen: set[str] = set()
    where = f"{sheet} 第 1 行"
    ok = True
    for text in header:
        key = _norm(text)
        if not key or key in IGNORED_HEADERS:
            present.append(None)
            continue
        col = lookup.get(key)
        if col is None:
            expected = "、".join(c.header for c in COLUMNS[kind])
            doc.errors.append(ItemError(doc.filename, where, text, f"未知列，{sheet}的列应为：{expected}"))
            ok = False
        elif col.key in seen:
            doc.errors.append(ItemError(doc.filename, where, text, "列重复"))
            ok = False
        else:
            seen.add(col.key)
        present.append(col)
    for col in COLUMNS[kind]:
        if col.required and col.key not in seen:
            doc.errors.append(ItemError(doc.filename, where, col.header, "缺少必填列"))
            ok = False
    return present if ok else None


def _sheet(doc: BankDoc, title: str, kind: str, rows: list[list[str]]) -> _Sheet | None:
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        return None
    if not any(rows[0]):
        doc.errors.append(ItemError(doc.filename, f"{title} 第 1 行", "", "第 1 行应为表头，但为空"))
        return None
    present = _header(doc, title, kind, rows[0])
    if present is None:
        return None
    sheet = _Sheet(title, kind)
    for number, values in enumerate(rows[1:], start=2):
        if any(values):
            cells = {col.key: value for col, value in zip(present, values, strict=False) if col is not None}
            sheet.rows.append(_Row(number, cells))
    return sheet


def _options(row: _Row, errors: list[tuple[str, str]], fld: str) -> list[str]:
    values = [row.cells.get(f"option{c}", "") for c in LETTERS]
    while values and not values[-1]:
        values.pop()
    if "" in values:
        gap = LETTERS[values.index("")]
        errors.append((fld, f"选项{gap} 为空，但其后还有选项：选项须依次填写"))
    return values


def _answer(kind: str, text: str, errors: list[tuple[str, str]], fld: str):
    value, problem = parse_answer(kind, text)
    if problem:
        errors.append((fld, problem))
    return value


def _articles(text: str, errors: list[tuple[str, str]], fld: str) -> list[int]:
    numbers, problem = parse_articles(text)
    if problem:
        errors.append((fld, problem))
    return numbers


def _locator(sheet: str, rows: list[int], headers: dict[str, str], given_id: str):
    """Errors name the sheet and row, the 编号 when the file gave one, and the column header."""
    def locate(label: str, fld: str) -> tuple[str, str]:
        row, name = rows[0], headers.get(fld, fld)
        m = ITEM_FIELD_RE.match(fld)
        if m:
            index = int(m.group(1)) - 1
            row = rows[index] if 0 <= index < len(rows) else rows[0]
            name = FIELD_HEADERS.get(m.group(2) or "type", m.group(2))
        where = f"{sheet} 第 {row} 行"
        return (f"{where} {given_id}" if given_id else where), name
    return locate


def _simple(doc: BankDoc, sheet: _Sheet, row: _Row) -> RawQuestion:
    cells, errors = row.cells, []
    kind = sheet.kind
    raw = {"id": cells.get("id") or derive_id(doc.law, cells.get("stem", "")),
           "type": kind, "difficulty": parse_difficulty(cells.get("difficulty")), "stem": cells.get("stem", ""),
           "answer": _answer(kind, cells.get("answer", ""), errors, "answer"),
           "articles": _articles(cells.get("articles", ""), errors, "articles"),
           "explanation": cells.get("explanation", ""), "tags": split_tags(cells.get("tags"))}
    if kind in ("single", "multiple"):
        raw["options"] = _options(row, errors, "options")
    locate = _locator(sheet.title, [row.number], FIELD_HEADERS, cells.get("id", ""))
    return RawQuestion(raw, f"{sheet.title} 第 {row.number} 行", locate=locate, cell_errors=errors)


def _case_groups(doc: BankDoc, sheet: _Sheet) -> list[list[_Row]]:
    groups: list[list[_Row]] = []
    for row in sheet.rows:
        ident, material = row.cells.get("id", ""), row.cells.get("material", "")
        first = groups[-1][0].cells if groups else None
        if first is not None and ((ident and ident == first.get("id")) or (not ident and not material)):
            for key in CASE_LEVEL:
                value = row.cells.get(key, "")
                if value and value != first.get(key, ""):
                    header = next(c.header for c in COLUMNS["case"] if c.key == key)
                    doc.errors.append(ItemError(doc.filename, f"{sheet.title} 第 {row.number} 行", header,
                                                "同一案例的此列只在第一行填写"))
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def _case_item(row: _Row, index: int, errors: list[tuple[str, str]]) -> dict:
    cells = row.cells
    where = f"items[{index}]"
    typed = cells.get("item_type", "").strip()
    kind = ITEM_TYPE_NAMES.get(typed.lower(), typed)
    if kind not in qtypes.ITEM_TYPES:
        errors.append((f"{where}.type", "小题题型须为 单选题、多选题、判断题、填空题 或 主观题"))
    item = {"type": kind, "stem": cells.get("stem", ""),
            "articles": _articles(cells.get("articles", ""), errors, f"{where}.articles"),
            "explanation": cells.get("explanation", "")}
    options = _options(row, errors, f"{where}.options")
    if options or kind in ("single", "multiple"):
        item["options"] = options
    if kind != "text":
        item["answer"] = _answer(kind, cells.get("answer", ""), errors, f"{where}.answer")
    if kind == "text" or cells.get("reference"):
        item["reference"] = cells.get("reference", "")
    return item


def _case(doc: BankDoc, sheet: _Sheet, rows: list[_Row]) -> RawQuestion:
    first, errors = rows[0].cells, []
    items = [_case_item(row, i, errors) for i, row in enumerate(rows, start=1)]
    articles = _articles(first.get("case_articles", ""), errors, "articles")
    if not first.get("case_articles"):
        articles = sorted({a for item in items for a in item["articles"]})
    raw = {"id": first.get("id") or derive_id(doc.law, first.get("material", "")), "type": "case",
           "difficulty": parse_difficulty(first.get("difficulty")), "stem": first.get("material", ""),
           "articles": articles, "explanation": first.get("case_explanation", ""),
           "tags": split_tags(first.get("tags")), "items": items}
    position = f"{sheet.title} 第 {rows[0].number} 行"
    locate = _locator(sheet.title, [r.number for r in rows], CASE_HEADERS, first.get("id", ""))
    return RawQuestion(raw, position, locate=locate, cell_errors=errors)


def parse_xlsx(filename: str, data: bytes, law: str = "") -> BankDoc:
    """Every type sheet's rows as questions; errors name the sheet, the row and the column header."""
    doc = BankDoc(filename, law=law)
    workbook = _read_workbook(doc, data)
    if workbook is None:
        return doc
    sheets: list[_Sheet] = []
    unreadable = 0   # type sheets whose header is wrong
    for title, rows in workbook:
        name = title.replace(" ", "").strip()
        if name in NOTES_SHEETS:
            _read_notes(doc, rows, title)
            continue
        kind = next((k for k, sheet in SHEETS.items() if sheet == name), SHEET_ALIASES.get(name))
        if kind is None:
            if any(any(row) for row in rows):
                doc.errors.append(ItemError(filename, f"工作表「{title}」", "",
                                            f"未知的工作表，应为 {'、'.join(SHEETS.values())} 或 说明"))
            continue
        before = len(doc.errors)
        sheet = _sheet(doc, title, kind, rows)
        unreadable += len(doc.errors) > before
        if sheet is not None:
            sheets.append(sheet)
    check_law(doc)
    entries = []
    for sheet in sheets:
        if sheet.kind == "case":
            entries.extend(_case(doc, sheet, rows) for rows in _case_groups(doc, sheet))
        else:
            entries.extend(_simple(doc, sheet, row) for row in sheet.rows)
    if not entries and not unreadable:
        doc.errors.append(ItemError(filename, "文件", "", "没有题目：请在 单选题、多选题 等工作表中填写"))
    check_questions(doc, entries)
    return doc


# -- export ------------------------------------------------------------------------------------------

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WIDTHS = {"编号": 14, "难度": 6, "题干": 50, "案例材料": 50, "解析": 50, "参考答案": 40, "标签": 24, "答案": 12}


def _clean(value):
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _append(ws, values: list) -> None:
    ws.append([_clean(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # text, not a formula


def _style(ws, columns: list[Column]) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell, col in zip(ws[1], columns, strict=True):
        cell.font, cell.fill = BOLD, HEADER_FILL
        width = WIDTHS.get(col.header, 18)
        ws.column_dimensions[cell.column_letter].width = width
        if width >= 40:  # long texts wrap instead of running over the next columns
            for other in ws[cell.column_letter][1:]:
                other.alignment = wrap
    ws.freeze_panes = "A2"


def _choice_cells(q: dict) -> list[str]:
    options = list(q.get("options") or [])
    return options + [""] * (len(LETTERS) - len(options))


def _simple_row(q: dict) -> list:
    kind = q["type"]
    row = [q["id"], q["difficulty"], q["stem"]]
    if kind in ("single", "multiple"):
        row += _choice_cells(q)
    return row + [answer_text(kind, q["answer"]), articles_text(q["articles"]), q.get("explanation") or "",
                  tags_text(q.get("tags") or [])]


def _case_rows(q: dict) -> list[list]:
    union = sorted({a for item in q["items"] for a in item.get("articles", [])})
    own = articles_text(q["articles"]) if q["articles"] != union else ""
    rows = []
    for i, item in enumerate(q["items"]):
        kind = item["type"]
        head = [q["id"], q["difficulty"], q["stem"], tags_text(q.get("tags") or [])] if i == 0 else \
            [q["id"], "", "", ""]
        answer = answer_text(kind, item["answer"]) if "answer" in item else ""
        tail = [own, q.get("explanation") or ""] if i == 0 else ["", ""]
        rows.append(head + [qtypes.TYPES[kind].label, item["stem"], *_choice_cells(item), answer,
                            item.get("reference") or "", articles_text(item.get("articles", [])),
                            item.get("explanation") or ""] + tail)
    return rows


def _notes(wb: Workbook, law: str, title: str) -> None:
    ws = wb.active
    ws.title = "说明"
    ws.append(["法律代码", law])
    ws.append(["法律名称", title])
    ws.append([])
    ws.append(["工作表", "列", "必填", "说明", "示例"])
    for kind, sheet in SHEETS.items():
        for col in COLUMNS[kind]:
            ws.append([sheet, col.header, "是" if col.required else "否", col.help, col.example])
    ws.append([])
    ws.append(["导入规则", "", "", "整个文件全部正确才会导入；错误信息会指出工作表、行号和列名。"
                                  "同一法律中题干相同的题目视为重复。"])
    for row in (1, 2, 4):
        ws.cell(row, 1).font = BOLD
    for cell in ws[4]:
        cell.font = BOLD
    for letter, width in zip("ABCDE", (12, 14, 6, 70, 30), strict=True):
        ws.column_dimensions[letter].width = width


def export_xlsx(law: str, title: str, questions: list[dict]) -> bytes:
    wb = Workbook()
    _notes(wb, law, title)
    for kind, sheet in SHEETS.items():
        ws = wb.create_sheet(sheet)
        ws.append([c.header for c in COLUMNS[kind]])
        for q in questions:
            if q["type"] != kind or cannot_hold(q) is not None:
                continue
            for row in (_case_rows(q) if kind == "case" else [_simple_row(q)]):
                _append(ws, row)
        _style(ws, COLUMNS[kind])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_xlsx() -> bytes:
    """An empty workbook: the 说明 sheet and each type sheet's headers."""
    return export_xlsx("", "", [])


def cannot_hold(q: dict) -> str | None:
    """Why q is left out of an export (it would not come back the same), or None."""
    return tags_problem(q)
