"""Fuzzing every parser in examapp/formats: damaged input gives the project's own errors, never a crash.

read_table and parse_law may raise FileError / ValidationError (their way of reporting a bad file);
parse_bank and the bank codecs report everything in BankDoc.errors and never raise.
"""
import io
from functools import cache

import yaml
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from examapp.errors import ValidationError
from examapp.formats import bank_aiken, bank_docx, bank_gift, bank_xlsx, lawtext, roster, tabular
from examapp.formats.bank_formats import FORMATS
from examapp.formats.bank_yaml import QUESTION_KEYS, BankDoc, parse_bank

# no example database: the tests leave nothing behind in the working tree
FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(FUZZ, max_examples=60)
CODECS = [(name, fmt) for name, fmt in FORMATS.items()]

SAMPLE = [
    {"id": "con-0001", "type": "single", "difficulty": 1, "stem": "中华人民共和国的一切权力属于（  ）。",
     "options": ["人民", "全国人民代表大会", "国务院", "人民法院"], "answer": "A", "articles": [2],
     "explanation": "第二条。", "tags": ["总纲"]},
    {"id": "con-0002", "type": "judge", "difficulty": 2, "stem": "公民在法律面前一律平等。", "options": [],
     "answer": True, "articles": [33], "explanation": "", "tags": []},
    {"id": "con-0003", "type": "fill", "difficulty": 2, "stem": "一切权力属于____。", "options": [],
     "answer": [["人民"]], "articles": [2], "explanation": "", "tags": ["总纲"]},
    {"id": "con-0004", "type": "case", "difficulty": 3, "stem": "某区执法人员……", "options": [], "answer": None,
     "articles": [37, 39], "explanation": "", "tags": ["人身自由"],
     "items": [{"type": "judge", "stem": "可以破门搜查。", "answer": False, "articles": [39], "explanation": ""},
               {"type": "text", "stem": "说明理由。", "reference": "违反第三十七条。", "articles": [37],
                "explanation": ""}]},
]
LAW_MD = "# 某某法\n\n## 第一章 总则\n\n第一条 为了……制定本法。\n\n第二条 本法适用于……\n".encode()


def assert_bank_doc(doc) -> None:
    assert isinstance(doc, BankDoc)
    assert all(str(e) for e in doc.errors)
    if not doc.errors:
        assert doc.questions


@cache
def valid_files() -> dict[str, bytes]:
    xlsx = FORMATS["xlsx"].export("constitution", "宪法", SAMPLE)
    docx = FORMATS["docx"].export("constitution", "宪法", SAMPLE[:3])
    document = Document()
    for line in LAW_MD.decode().splitlines():
        document.add_paragraph(line)
    law_docx = io.BytesIO()
    document.save(law_docx)
    return {"xlsx": xlsx, "docx": docx, "law.docx": law_docx.getvalue(),
            "roster.xlsx": tabular.template_xlsx("人员", roster.PERSON_COLUMNS)}


def read_table_tolerantly(filename: str, data: bytes) -> None:
    try:
        table = tabular.read_table(filename, data, roster.PERSON_COLUMNS)
    except tabular.FileError:
        return
    roster.parse_people(table)


def parse_law_tolerantly(filename: str, data: bytes) -> None:
    try:
        lawtext.parse_law(filename, data)
    except ValidationError:
        pass


# -- random bytes --------------------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_the_bank_parsers(data):
    assert_bank_doc(parse_bank("x.yaml", data))
    for name, fmt in CODECS:
        assert_bank_doc(fmt.parse(f"x.{name}", data, "constitution"))


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["x.xlsx", "x.csv", "x.xls"]))
def test_random_bytes_into_read_table(data, filename):
    read_table_tolerantly(filename, data)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["civil_code.md", "civil_code.txt", "civil_code.docx",
                                                   "Bad Name.md", "x.pdf"]))
def test_random_bytes_into_parse_law(data, filename):
    parse_law_tolerantly(filename, data)


# -- random YAML documents -----------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers(-5, 10**20) | st.floats(allow_nan=True) | st.text(max_size=20)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(st.text(max_size=8) | st.sampled_from(QUESTION_KEYS), inner, max_size=5),
                      max_leaves=25)
TYPES = st.sampled_from(["single", "multiple", "judge", "fill", "case", "text", "essay"]) | values
question_like = st.fixed_dictionaries({"type": TYPES}, optional={k: values for k in (*QUESTION_KEYS, "reference")
                                                                  if k != "type"})
item_like = st.fixed_dictionaries({"type": TYPES}, optional={k: values for k in (
    "stem", "options", "answer", "reference", "articles", "explanation", "extra")})
case_like = st.fixed_dictionaries({"id": st.just("con-0001"), "type": st.just("case"), "difficulty": values,
                                   "stem": st.text(max_size=10), "articles": values,
                                   "items": st.lists(item_like | values, max_size=4) | scalars})
documents = st.fixed_dictionaries({"law": values, "title": values,
                                   "questions": st.lists(question_like | case_like | values, max_size=5) | values})


@FUZZ
@given(documents | values)
def test_random_yaml_documents(document):
    text = yaml.safe_dump(document, allow_unicode=True)
    assert_bank_doc(parse_bank("x.yaml", text.encode()))


@FUZZ
@given(st.text(alphabet="[]{}:-,&*!|>'\"#\n ?a1\t%@`", max_size=200))
def test_random_yaml_syntax(text):
    assert_bank_doc(parse_bank("x.yaml", text.encode()))


# -- truncated and damaged office files -----------------------------------------------------------------

@FUZZ
@given(st.data())
def test_truncated_office_files(data):
    files = valid_files()
    for key in ("xlsx", "docx", "law.docx", "roster.xlsx"):
        blob = files[key]
        cut = data.draw(st.integers(0, len(blob) - 1), label=f"cut {key}")
        truncated = blob[:cut]
        if key == "xlsx":
            assert_bank_doc(bank_xlsx.parse_xlsx("x.xlsx", truncated, "constitution"))
            read_table_tolerantly("x.xlsx", truncated)
        elif key == "docx":
            assert_bank_doc(bank_docx.parse_docx("x.docx", truncated, "constitution"))
        elif key == "law.docx":
            parse_law_tolerantly("civil_code.docx", truncated)
        else:
            read_table_tolerantly("roster.xlsx", truncated)


@FEWER
@given(st.data())
def test_damaged_office_files(data):
    """Bytes overwritten inside a valid file: the zip may still open, with broken parts inside."""
    files = valid_files()
    for key in ("xlsx", "docx", "law.docx"):
        blob = bytearray(files[key])
        for _ in range(data.draw(st.integers(1, 8), label="flips")):
            blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
        if key == "xlsx":
            assert_bank_doc(bank_xlsx.parse_xlsx("x.xlsx", bytes(blob), "constitution"))
            read_table_tolerantly("x.xlsx", bytes(blob))
        elif key == "docx":
            assert_bank_doc(bank_docx.parse_docx("x.docx", bytes(blob), "constitution"))
        else:
            parse_law_tolerantly("civil_code.docx", bytes(blob))


# -- random content in well-formed containers -----------------------------------------------------------

cell = st.none() | st.integers(-3, 100) | st.booleans() | st.sampled_from(
    ["", "A", "ACD", "E", "正确", "错", "2, 13", "第二条", "第十条零", "人民；人大/全国人大", "\\", "单选题", "主观题",
     "con-0001", "con-0002", "=A1", "1", "5", "____", "总纲、国家"]) | st.text(max_size=12)
SHEETS = ["说明", "单选题", "多选题", "判断题", "填空题", "案例题", "Sheet"]
HEADERS = ["编号", "难度", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "依据条文", "解析", "标签", "案例材料",
           "题型", "参考答案", "案例依据条文", "法律代码", "颜色", ""]


@FEWER
@given(st.lists(st.tuples(st.sampled_from(SHEETS), st.lists(st.sampled_from(HEADERS), max_size=10),
                          st.lists(st.lists(cell, max_size=12), max_size=6)), min_size=1, max_size=3))
def test_random_workbooks(sheets):
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title if title not in wb.sheetnames else title + "2")
        ws.append(header)
        for row in rows:
            ws.append([c if not isinstance(c, str) else tabular_safe(c) for c in row])
    out = io.BytesIO()
    wb.save(out)
    assert_bank_doc(bank_xlsx.parse_xlsx("x.xlsx", out.getvalue(), "constitution"))
    read_table_tolerantly("x.xlsx", out.getvalue())


def tabular_safe(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    return ILLEGAL_CHARACTERS_RE.sub("", text)


line_pieces = st.sampled_from([
    "1. ", "2．", "3、", "A. ", "B．", "C、", "D) ", "E. ", "答案：", "正确答案:", "解析：", "依据：", "难度：", "标签：",
    "编号：", "法律代码：", "一、单选题", "二、多选题", "三、判断题", "四、填空题", "五、案例题", "【案例】", "（1）", "正确",
    "错误", "AB", "B", "____", "第二条", "2, 13", "con-0001", "constitution", "甲", "乙", " ", "\n", "//", "::",
    "{", "}", "=", "~", "#", "####", "%50%", "%-100%", "\\", "T", "F", "->", "ANSWER: ", "ARTICLES: ", "ID: ",
    "DIFFICULTY: ", "TAGS: ", "EXPLANATION: ", "$CATEGORY: x", "// articles: ", "// law: ", "第一条 ", "第三条",
    "# ", "## 第一章 总则", "第二节", "序言", "附则", "<!-- INFO END -->"])
texts = st.lists(line_pieces | st.text(max_size=5), max_size=60).map("".join)


@FUZZ
@given(texts)
def test_random_text_formats(text):
    data = text.encode()
    assert_bank_doc(bank_gift.parse_gift("x.gift", data, "constitution"))
    assert_bank_doc(bank_aiken.parse_aiken("x.txt", data, "constitution"))
    assert_bank_doc(bank_docx.parse_paragraphs("x.docx", text.split("\n"), "constitution"))
    parse_law_tolerantly("civil_code.md", data)
    read_table_tolerantly("x.csv", data)


@FEWER
@given(st.lists(line_pieces | st.text(max_size=5), max_size=40).map("".join))
def test_random_word_documents(text):
    document = Document()
    for paragraph in text.split("\n"):
        document.add_paragraph(tabular_safe(paragraph))
    out = io.BytesIO()
    document.save(out)
    assert_bank_doc(bank_docx.parse_docx("x.docx", out.getvalue(), "constitution"))
    parse_law_tolerantly("civil_code.docx", out.getvalue())
