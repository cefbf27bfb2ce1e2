import io
from functools import cache

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from examapp.formats import bank_aiken, bank_docx, bank_gift, bank_xlsx
from examapp.formats.bank_formats import FORMATS, format_for, template
from examapp.formats.bank_yaml import ID_RE, BankDoc, RawQuestion, check_questions, derive_id, parse_bank
from tests.conftest import BANK_DIR

BANKS = sorted(BANK_DIR.glob("*.yaml"))
SAME_BYTES = ("yaml", "gift", "aiken")        # export → parse → export gives the same file
GROUPED = ("xlsx", "docx")                    # questions come back grouped by type: compare by id


@cache
def bank(path):
    doc = parse_bank(path.name, path.read_bytes())
    assert doc.errors == []
    return doc


def messages(doc) -> list[str]:
    return [str(e) for e in doc.errors]


def has(doc, expected: str) -> bool:
    return any(m.startswith(expected) for m in messages(doc))


def docx_bytes(lines: list[str]) -> bytes:
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- every shipped bank through every format -----------------------------------------------------------

@pytest.mark.parametrize("name", list(FORMATS))
@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.stem)
def test_shipped_banks_round_trip(path, name):
    fmt, original = FORMATS[name], bank(path)
    left_out = dict(fmt.left_out(original.questions))
    held = [q for q in original.questions if q["id"] not in left_out]
    data = fmt.export(original.law, original.title, original.questions)
    back = fmt.parse(fmt.filename(original.law), data, original.law)
    if name == "docx":  # case questions are written for reading only, and refused on import
        cases = [q for q in held if q["type"] == "case"]
        assert len(back.errors) == len(cases) and all(bank_docx.CASE_REFUSED in m for m in messages(back))
        held = [q for q in held if q["type"] != "case"]
    else:
        assert back.errors == []
    assert back.law == original.law
    if name != "aiken":
        assert back.title == original.title
    if name in GROUPED:
        assert {q["id"]: q for q in back.questions} == {q["id"]: q for q in held}
    else:
        assert back.questions == held
    again = fmt.export(back.law, back.title, back.questions)
    if name in SAME_BYTES:
        assert again == data
    else:
        assert fmt.parse(fmt.filename(back.law), again, back.law).questions == back.questions


def test_what_each_format_leaves_out():
    everything = [q for path in BANKS for q in bank(path).questions]
    kinds = {name: {q["type"] for q in everything if FORMATS[name].cannot_hold(q)} for name in FORMATS}
    assert kinds["yaml"] == kinds["xlsx"] == kinds["docx"] == set()
    assert kinds["gift"] == {"case", "fill"}  # the fill ones have several blanks
    gift_fills = [q for q in everything if q["type"] == "fill" and FORMATS["gift"].cannot_hold(q)]
    assert all(q["stem"].count("____") > 1 for q in gift_fills)
    assert kinds["aiken"] == {"multiple", "judge", "fill", "case"}
    left_out = FORMATS["aiken"].left_out(bank(BANK_DIR / "constitution.yaml").questions)
    assert left_out and all(reason == "Aiken 只能保存单选题" for _, reason in left_out)


# -- random questions through every format ------------------------------------------------------------

# pieces that collide with the formats' own syntax: separators, escapes, markers, line breaks
PIECES = [*"甲乙丙人民 ~=#{}:\\/；;、,，%-><ABC1.．_[]（）\n\t", "____", "\r", " \n", "\r\n", "A. ", "ANSWER:",
          "1. ", "//", "::", "->", "%50%", "[html]", "编号：", "答案：", "一、单选题", "正确", "第二条"]
words = st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join).map(str.strip).filter(bool)
texts = words.filter(lambda t: "____" not in t)


@st.composite
def random_question(draw, number: int, kinds=("single", "multiple", "judge", "fill")) -> dict:
    kind = draw(st.sampled_from(kinds))
    q = {"id": f"con-{number:04d}", "type": kind, "difficulty": draw(st.integers(1, 3)), "options": [],
         "articles": draw(st.lists(st.integers(1, 1300), min_size=1, max_size=3)),
         "explanation": draw(st.just("") | texts), "tags": draw(st.lists(texts, max_size=3))}
    if kind in ("single", "multiple"):
        q["options"] = draw(st.lists(texts, min_size=4, max_size=6, unique_by=str.strip))
        right = draw(st.sets(st.integers(0, len(q["options"]) - 1), min_size=1 if kind == "single" else 2,
                             max_size=1 if kind == "single" else 6))
        q["stem"], q["answer"] = draw(texts), "".join("ABCDEF"[i] for i in sorted(right))
    elif kind == "judge":
        q["stem"], q["answer"] = draw(texts), draw(st.booleans())
    else:
        q["stem"] = "____".join(draw(st.lists(texts | st.just(""), min_size=2, max_size=3))).strip()
        q["answer"] = [draw(st.lists(texts, min_size=1, max_size=3)) for _ in range(q["stem"].count("____"))]
    return q


@st.composite
def random_case(draw, number: int) -> dict:
    items = []
    for sub in draw(st.lists(random_question(0), min_size=1, max_size=3)):
        item = {k: sub[k] for k in ("type", "stem", "articles", "explanation")}
        if draw(st.booleans()):
            item |= {"type": "text", "reference": draw(texts)}
        else:
            item |= {"answer": sub["answer"]} | ({"options": sub["options"]} if sub["options"] else {})
        items.append(item)
    cited = {a for item in items for a in item["articles"]}
    return {"id": f"con-{number:04d}", "type": "case", "difficulty": draw(st.integers(1, 3)), "stem": draw(texts),
            "articles": sorted(cited | set(draw(st.lists(st.integers(1, 1300), max_size=2)))),
            "explanation": draw(st.just("") | texts), "tags": draw(st.lists(texts, max_size=2)), "items": items}


@st.composite
def random_bank(draw) -> list[dict]:
    raw = [draw(random_question(n) | random_case(n)) for n in range(1, draw(st.integers(1, 4)) + 1)]
    doc = BankDoc("random.yaml", law="constitution")
    check_questions(doc, [RawQuestion(q, f"第 {n} 题") for n, q in enumerate(raw, start=1)])
    return doc.questions if not doc.errors else []


@pytest.mark.parametrize("name", list(FORMATS))
@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(questions=random_bank())
def test_random_questions_round_trip(name, questions):
    """What an export holds reads back equal; what it cannot hold is left out (Word: cases refused)."""
    fmt = FORMATS[name]
    held = [q for q in questions if fmt.cannot_hold(q) is None]
    if not held:
        return
    back = fmt.parse(fmt.filename("constitution"), fmt.export("constitution", "标题", questions), "constitution")
    if name == "docx":
        assert all(e.message == bank_docx.CASE_REFUSED for e in back.errors)
        held = [q for q in held if q["type"] != "case"]
    else:
        assert back.errors == []
    assert sorted(back.questions, key=lambda q: q["id"]) == held


# -- conventions ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,numbers", [
    ("2, 13", [2, 13]), ("2，13、15", [2, 13, 15]), ("第2条、第13条", [2, 13]), ("第二条、第十三条", [2, 13]),
    ("第四十一条第二款", [41]), ("《宪法》第一百零五条", [105]), ("", []),
])
def test_articles_as_people_write_them(text, numbers):
    assert bank_xlsx.parse_articles(text) == (numbers, None)


@pytest.mark.parametrize("text", ["第二条、第十三", "二十条零", "2, x"])
def test_unreadable_articles(text):
    numbers, problem = bank_xlsx.parse_articles(text)
    assert numbers == [] and "无法识别的条号" in problem


@pytest.mark.parametrize("answer", [[["人民"]], [["2/3", "三分之二"], ["a；b", "c\\d"]], [["1/5", "20%"]]])
def test_fill_answers_escape_their_separators(answer):
    text = bank_xlsx.fill_text(answer)
    assert bank_xlsx.parse_fill(text) == answer


def test_fill_answers_as_typed():
    assert bank_xlsx.parse_fill("人民；全国人民代表大会/全国人大") == [["人民"], ["全国人民代表大会", "全国人大"]]
    assert bank_xlsx.parse_fill("三分之二／2\\/3; 一年") == [["三分之二", "2/3"], ["一年"]]


def test_tags_and_the_ideographic_comma():
    assert bank_xlsx.split_tags("总纲、国家性质") == ["总纲", "国家性质"]
    assert bank_xlsx.split_tags("第四章 国旗、国歌；宪法结构") == ["第四章 国旗、国歌", "宪法结构"]
    single = ["第四章 国旗、国歌、国徽、首都"]
    assert bank_xlsx.split_tags(bank_xlsx.tags_text(single)) == single


@pytest.mark.parametrize("word,value", [("正确", True), ("错误", False), ("对", True), ("错", False), ("√", True),
                                        ("×", False), ("TRUE", True), ("false", False), ("是", True)])
def test_judge_words(word, value):
    assert bank_xlsx.parse_judge(word) is value


def test_derived_ids_are_stable_and_valid():
    one = derive_id("administrative_penalty_law", "行政处罚的种类有（  ）。")
    assert one == derive_id("administrative_penalty_law", " 行政处罚的种类有（ ）。 ")
    assert one.startswith("apl-h") and ID_RE.match(one)
    assert derive_id("constitution", "x").startswith("con-") and derive_id("civil_code", "x").startswith("cc-")


@pytest.mark.parametrize("filename,name", [
    ("bank.yaml", "yaml"), ("BANK.YML", "yaml"), ("a.xlsx", "xlsx"), ("a.docx", "docx"), ("a.gift", "gift"),
    ("a.gift.txt", "gift"), ("a.aiken.txt", "aiken"), ("a.txt", "aiken"), ("a.pdf", None),
])
def test_format_for_extension(filename, name):
    found = format_for(filename)
    assert (found.name if found else None) == name


def test_plain_txt_is_sniffed_for_gift():
    assert format_for("moodle.txt", b"::q1::Is it? {T}").name == "gift"
    assert format_for("moodle.txt", b"Stem\nA. x\nB. y\nANSWER: A\n").name == "aiken"
    assert format_for("moodle.aiken.txt", b"::q1::Is it? {T}").name == "aiken"


def test_templates():
    empty = FORMATS["xlsx"].parse("t.xlsx", template("xlsx"), "constitution")
    assert messages(empty) == ["t.xlsx 文件: 没有题目：请在 单选题、多选题 等工作表中填写"]
    sheets = load_workbook(io.BytesIO(template("xlsx"))).sheetnames
    assert sheets == ["说明", "单选题", "多选题", "判断题", "填空题", "案例题"]
    sample = FORMATS["docx"].parse("t.docx", template("docx"), "")
    assert sample.errors == [] and sample.law == "constitution"
    assert [q["type"] for q in sample.questions] == ["single", "multiple", "judge", "fill"]
    assert template("gift") is None


# -- Excel ---------------------------------------------------------------------------------------------

SINGLE_HEADER = ["编号", "难度", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "依据条文", "解析", "标签"]
SINGLE_ROW = ["con-9001", 1, "一切权力属于（  ）。", "人民", "国务院", "法院", "检察院", "A", "第二条", "第二条。", "总纲"]
CASE_HEADER = ["编号", "难度", "案例材料", "标签", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案",
               "参考答案", "依据条文", "解析"]


def single_sheet(*rows, header=SINGLE_HEADER) -> bytes:
    return xlsx_bytes({"说明": [["法律代码", "constitution"], ["法律名称", "宪法"]], "单选题": [header, *rows]})


def test_xlsx_as_typed_by_hand():
    data = xlsx_bytes({
        "单选题": [SINGLE_HEADER, [None, None, "一切权力属于（  ）。", "人民", "国务院", "法院", None, "a", "2", None, "总纲、国家性质"]],
        "判断题": [["题干", "答案", "依据"], ["公民在法律面前一律平等。", "√", "第三十三条"]],
        "填空题": [["题干", "答案", "依据条文"], ["一切权力属于____。", "人民/人民群众", 2]],
        "案例题": [CASE_HEADER,
                ["con-9100", 2, "某区执法人员……", "人身自由", "判断题", "可以破门搜查。", None, None, None, None, "错", None, 39],
                [None, None, None, None, "主观题", "说明理由。", None, None, None, None, None, "违法。", "37, 39"]],
    })
    doc = bank_xlsx.parse_xlsx("mine.xlsx", data, "constitution")
    assert doc.errors == [] and doc.law == "constitution"
    single, judge, fill, case = doc.questions
    assert single["id"] == derive_id("constitution", single["stem"]) and single["difficulty"] == 2
    assert single["answer"] == "A" and single["options"] == ["人民", "国务院", "法院"]
    assert single["tags"] == ["总纲", "国家性质"]
    assert judge["answer"] is True and judge["articles"] == [33]
    assert fill["answer"] == [["人民", "人民群众"]]
    assert case["articles"] == [37, 39] and [i["type"] for i in case["items"]] == ["judge", "text"]
    assert case["items"][1]["reference"] == "违法。"


@pytest.mark.parametrize("data,expected", [
    (single_sheet(SINGLE_ROW[:7] + ["E"] + SINGLE_ROW[8:]), "f.xlsx 单选题 第 2 行 con-9001 答案: 答案 E 超出选项范围 A–D"),
    (single_sheet(SINGLE_ROW[:8] + [None] + SINGLE_ROW[9:]), "f.xlsx 单选题 第 2 行 con-9001 依据条文: 至少引用一条法条"),
    (single_sheet(SINGLE_ROW[:8] + ["第二十条零"] + SINGLE_ROW[9:]), "f.xlsx 单选题 第 2 行 con-9001 依据条文: 无法识别的条号"),
    (single_sheet(SINGLE_ROW, ["con-9001"] + SINGLE_ROW[1:2] + ["另一题（  ）"] + SINGLE_ROW[3:]),
     "f.xlsx 单选题 第 3 行 con-9001 编号: 与单选题 第 2 行重复"),
    (single_sheet(SINGLE_ROW, ["con-9002"] + SINGLE_ROW[1:]), "f.xlsx 单选题 第 3 行 con-9002 题干: 与 con-9001 题干相同"),
    (single_sheet(SINGLE_ROW[:4] + [None] + SINGLE_ROW[5:]), "f.xlsx 单选题 第 2 行 con-9001 选项A–F: 选项B 为空"),
    (single_sheet(SINGLE_ROW[:1] + [5] + SINGLE_ROW[2:]), "f.xlsx 单选题 第 2 行 con-9001 难度: 难度须为 1、2 或 3"),
    (single_sheet(["con_9001"] + SINGLE_ROW[1:]), "f.xlsx 单选题 第 2 行 con_9001 编号: 须为稳定的题目编号"),
    (single_sheet(SINGLE_ROW, header=SINGLE_HEADER[:-1] + ["颜色"]), "f.xlsx 单选题 第 1 行 颜色: 未知列"),
    (single_sheet(SINGLE_ROW[:7], header=SINGLE_HEADER[:7]), "f.xlsx 单选题 第 1 行 答案: 缺少必填列"),
    (single_sheet(SINGLE_ROW, header=SINGLE_HEADER[:3] + ["题干"] + SINGLE_HEADER[4:]), "f.xlsx 单选题 第 1 行 题干: 列重复"),
    (xlsx_bytes({"练习": [["x"]]}), "f.xlsx 工作表「练习」: 未知的工作表"),
    (xlsx_bytes({"说明": [["法律代码", "宪法"]], "单选题": [SINGLE_HEADER, SINGLE_ROW]}), "f.xlsx 说明 第 1 行 法律代码: 应为法律代码"),
    (xlsx_bytes({"单选题": [SINGLE_HEADER]}), "f.xlsx 文件: 没有题目"),
    (b"", "f.xlsx 文件: 文件为空"),
    (b"PK\x03\x04 not really a zip", "f.xlsx 文件: 不是有效的 Excel (.xlsx) 文件"),
    (single_sheet(SINGLE_ROW)[:1500], "f.xlsx 文件: "),
])
def test_xlsx_errors_name_sheet_row_and_column(data, expected):
    doc = bank_xlsx.parse_xlsx("f.xlsx", data, "")
    assert has(doc, expected), messages(doc)


def test_xlsx_case_errors_name_the_item_row():
    data = xlsx_bytes({"案例题": [CASE_HEADER,
                               ["con-9100", 2, "某区执法人员……", "", "判断题", "可以破门搜查。", None, None, None, None, "可能",
                                None, 39],
                               ["con-9100", None, None, None, "论述题", "说明理由。", None, None, None, None, None, None,
                                37],
                               ["con-9100", None, "另一段材料", None, "单选题", "哪一项？", "甲", "乙", "丙", None, "D", None,
                                37]]})
    found = messages(bank_xlsx.parse_xlsx("f.xlsx", data, "constitution"))
    assert "f.xlsx 案例题 第 2 行 con-9100 答案: 应填写“正确”或“错误”（也可写 对/错、√/×、true/false）" in found
    assert any(m.startswith("f.xlsx 案例题 第 3 行 con-9100 题型: 小题题型须为") for m in found)
    assert "f.xlsx 案例题 第 4 行 案例材料: 同一案例的此列只在第一行填写" in found
    assert "f.xlsx 案例题 第 4 行 con-9100 答案: 答案 D 超出选项范围 A–C" in found


def test_xlsx_random_bytes_and_formula_like_text():
    assert has(bank_xlsx.parse_xlsx("f.xlsx", bytes(range(256)) * 4, ""), "f.xlsx 文件: 不是有效的 Excel")
    q = {"id": "con-9001", "type": "judge", "difficulty": 1, "stem": "=1+1 是一个公式。", "options": [], "answer": False,
         "articles": [2], "explanation": "", "tags": []}
    back = bank_xlsx.parse_xlsx("f.xlsx", bank_xlsx.export_xlsx("constitution", "", [q]), "")
    assert back.questions == [q]


# -- Word ----------------------------------------------------------------------------------------------

OFFICE = ["中华人民共和国宪法 练习题", "一、单项选择题（每题 1 分）",
          "1、中华人民共和国的一切权力属于（  ）。", "A．人民    B．国务院    C．人民法院    D．人民检察院",
          "答案：A", "解析：宪法第二条。", "依据：第二条",
          "二、多选题", "2. 下列属于公民基本权利的有（  ）。", "A. 选举权", "B. 宗教信仰自由", "C. 通信自由", "D. 制定法律",
          "答案：A, B, C", "依据：第三十四条、第三十六条、第四十条", "难度：难", "标签：第二章；基本权利",
          "三、判断题", "3. 公民在法律面前一律平等。", "A. 正确", "B. 错误", "答案：A", "依据：33",
          "4. 国家尊重和保障人权。", "答案：√", "依据：第三十三条第三款",
          "四、填空题", "5. 中华人民共和国的一切权力属于________。", "答案：人民/人民群众", "依据：第二条",
          "编号：con-9005"]


def test_docx_in_the_office_layout():
    doc = bank_docx.parse_docx("练习.docx", docx_bytes(OFFICE), "constitution")
    assert doc.errors == [] and doc.title == "中华人民共和国宪法 练习题"
    single, multiple, judge, judge2, fill = doc.questions
    assert single["options"] == ["人民", "国务院", "人民法院", "人民检察院"] and single["answer"] == "A"
    assert single["id"] == derive_id("constitution", single["stem"]) and single["difficulty"] == 2
    assert multiple["type"] == "multiple" and multiple["answer"] == "ABC" and multiple["articles"] == [34, 36, 40]
    assert multiple["difficulty"] == 3 and multiple["tags"] == ["第二章", "基本权利"]
    assert (judge["type"], judge["answer"], judge["options"]) == ("judge", True, [])
    assert judge2["type"] == "judge" and judge2["articles"] == [33]
    assert fill["stem"] == "中华人民共和国的一切权力属于____。" and fill["answer"] == [["人民", "人民群众"]]
    assert fill["id"] == "con-9005"


@pytest.mark.parametrize("change,expected", [
    (("答案：A", "答案：E"), "f.docx 单选题 第 1 题 答案: 答案 E 超出选项范围 A–D"),
    (("依据：第二条", "难度：1"), "f.docx 单选题 第 1 题 依据: 至少引用一条法条"),
    (("依据：第二条", "依据：第二十条零"), "f.docx 单选题 第 1 题 依据: 无法识别的条号"),
    (("编号：con-9005", "编号：con 9005"), "f.docx 填空题 第 5 题 con 9005 编号: 须为稳定的题目编号"),
    (("答案：人民/人民群众", "答案："), "f.docx 填空题 第 5 题 con-9005 答案: 题干有 1 个空，答案应为 1 组"),
    (("5. 中华人民共和国的一切权力属于________。", "5. 中华人民共和国的一切权力属于人民。"), "f.docx 填空题 第 5 题 con-9005 题干:"),
    (("A. 选举权", "B. 选举权"), "f.docx 多选题 第 2 题 选项: 选项 B 应为选项 A"),
    (("答案：√", "答案：大概"), "f.docx 判断题 第 4 题 答案: 应填写“正确”或“错误”"),
])
def test_docx_errors_name_question_and_field(change, expected):
    lines = [change[1] if line == change[0] else line for line in OFFICE]
    doc = bank_docx.parse_docx("f.docx", docx_bytes(lines), "constitution")
    assert has(doc, expected), messages(doc)


def test_docx_duplicates_and_undetermined_type():
    lines = ["1. 一切权力属于人民。", "答案：正确", "依据：2", "编号：con-9001",
             "2. 一切权力属于人民。", "答案：正确", "依据：2", "编号：con-9001",
             "3. 这是什么题？", "答案：不知道", "依据：2"]
    found = messages(bank_docx.parse_docx("f.docx", docx_bytes(lines), "constitution"))
    assert "f.docx 第 2 题 con-9001 编号: 与第 1 题重复" in found
    assert "f.docx 第 2 题 con-9001 题干: 与 con-9001 题干相同" in found
    assert any(m.startswith("f.docx 第 3 题 题型: 无法判断题型") for m in found)


def test_docx_refuses_case_questions_by_name():
    q = bank(BANK_DIR / "constitution.yaml").questions
    case = next(x for x in q if x["type"] == "case")
    doc = bank_docx.parse_docx("f.docx", bank_docx.export_docx("constitution", "宪法", [case]), "")
    assert messages(doc) == [f"f.docx 案例题 第 1 题 {case['id']} 题型: {bank_docx.CASE_REFUSED}"]


@pytest.mark.parametrize("data,expected", [
    (b"", "f.docx 文件: 文件为空"),
    (bytes(range(256)) * 4, "f.docx 文件: 不是有效的 Word (.docx) 文件"),
    (docx_bytes(OFFICE)[:3000], "f.docx 文件: "),
    (docx_bytes(["只有一段说明文字"]), "f.docx 文件: 没有找到题目"),
])
def test_docx_damaged_files(data, expected):
    assert has(bank_docx.parse_docx("f.docx", data, "constitution"), expected)


# -- GIFT ----------------------------------------------------------------------------------------------

def test_gift_escapes_special_characters_both_ways():
    q = {"id": "con-9001", "type": "single", "difficulty": 2, "stem": "a~b=c#d{e}f:g\\h\n第二行",
         "options": ["=1", "~2", "{3}", "#4"], "answer": "C", "articles": [2, 13], "explanation": "见 #### 与 :: 号",
         "tags": ["总纲"]}
    fill = {"id": "con-9002", "type": "fill", "difficulty": 1, "stem": "比例为____：", "options": [],
            "answer": [["2/3", "a=b"]], "articles": [2], "explanation": "", "tags": []}
    data = bank_gift.export_gift("constitution", "宪法", [q, fill])
    assert b"a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\n" in data
    back = bank_gift.parse_gift("f.gift", data, "")
    assert back.errors == [] and back.questions == [q, fill]


def test_gift_as_moodle_writes_it():
    text = """// articles: 2
// difficulty: 1
::Q1:: 下列属于公民基本权利的有 {
~%50%选举权
~%50%宗教信仰自由
~%-100%制定法律
~%-100%发布命令
}

// articles: 2
::con-9002:: 一切权力属于 {=人民 =人民群众} 。

// articles: 33
公民在法律面前一律平等。{TRUE#对#错####第三十三条}

// articles: 2
// tags: 总纲；国家性质
::con-9004::[html]国家的根本制度是 {=社会主义制度 ~资本主义制度 ~封建制度} 。
"""
    doc = bank_gift.parse_gift("moodle.txt", text.encode(), "constitution")
    assert doc.errors == []
    multiple, fill, judge, single = doc.questions
    assert multiple["type"] == "multiple" and multiple["answer"] == "AB"
    assert multiple["id"] == derive_id("constitution", multiple["stem"])
    assert fill["stem"] == "一切权力属于 ____ 。" and fill["answer"] == [["人民", "人民群众"]]
    assert judge["answer"] is True and judge["explanation"] == "第三十三条" and judge["difficulty"] == 2
    assert single["stem"] == "国家的根本制度是 （  ） 。" and single["answer"] == "A"
    assert single["tags"] == ["总纲", "国家性质"]


GIFT_GOOD = """// law: constitution

// articles: 2
// difficulty: 1
::con-9001::一切权力属于（  ）。{
=人民
~国务院
~法院
}
"""


@pytest.mark.parametrize("change,expected", [
    (("// articles: 2\n", ""), "f.gift 第 1 题（第 4 行） con-9001 // articles: 至少引用一条法条"),
    (("// articles: 2", "// articles: 第二十条零"), "f.gift 第 1 题（第 5 行） con-9001 // articles: 无法识别的条号"),
    (("=人民", "~人民"), "f.gift 第 1 题（第 5 行） con-9001 答案: 没有正确答案"),
    (("}\n", "\n"), "f.gift 第 1 题（第 5 行） con-9001 答案: 答案的 { 没有对应的 }"),
    (("{\n=人民\n~国务院\n~法院\n}", "{}"), "f.gift 第 1 题（第 5 行） con-9001 题型: 不支持论述题"),
    (("{\n=人民\n~国务院\n~法院\n}", "{#3}"), "f.gift 第 1 题（第 5 行） con-9001 题型: 不支持数值题"),
    (("{\n=人民\n~国务院\n~法院\n}", "{=人民 =%50%人民群众}"), "f.gift 第 1 题（第 5 行） con-9001 答案: 填空题的答案"),
    (("{\n=人民\n~国务院\n~法院\n}", "{=甲 -> 乙 =丙 -> 丁}"), "f.gift 第 1 题（第 5 行） con-9001 题型: 不支持配对题"),
    (("// difficulty: 1", "// difficulty: 9"), "f.gift 第 1 题（第 5 行） con-9001 // difficulty: 难度须为"),
    (("::con-9001::", "::con_9001-x::"), "f.gift 第 1 题（第 5 行） con_9001-x ::编号::: 须为稳定的题目编号"),
    (("{\n=人民\n~国务院\n~法院\n}", "{\n=人民\n~国务院\n}"), "f.gift 第 1 题（第 5 行） con-9001 选项: 应有 3–6 个选项"),
    (("// law: constitution", "// law: 宪法"), "f.gift 文件 law: 缺少法律代码"),
])
def test_gift_errors_name_question_and_field(change, expected):
    doc = bank_gift.parse_gift("f.gift", GIFT_GOOD.replace(*change).encode(), "")
    assert has(doc, expected), messages(doc)


def test_gift_duplicates_and_damaged_files():
    twice = GIFT_GOOD + "\n" + GIFT_GOOD.split("\n\n", 1)[1]
    found = messages(bank_gift.parse_gift("f.gift", twice.encode(), ""))
    assert "f.gift 第 2 题（第 13 行） con-9001 ::编号::: 与第 1 题（第 5 行）重复" in found
    assert "f.gift 第 2 题（第 13 行） con-9001 题干: 与 con-9001 题干相同" in found
    assert messages(bank_gift.parse_gift("f.gift", b"", "x")) == ["f.gift 文件: 文件为空"]
    assert has(bank_gift.parse_gift("f.gift", b"\x00\x01\x02abc", "constitution"), "f.gift 文件: 不是文本文件")
    assert has(bank_gift.parse_gift("f.gift", b"// only a comment\n", "constitution"), "f.gift 文件: 没有题目")
    truncated = bank_gift.parse_gift("f.gift", GIFT_GOOD[:84].encode(), "")
    assert has(truncated, "f.gift 第 1 题（第 5 行） con-9001 答案: 答案的 {")


# -- Aiken ---------------------------------------------------------------------------------------------

AIKEN_GOOD = """一切权力属于（  ）。
A. 人民
B. 国务院
C. 法院
ANSWER: A
ID: con-9001
ARTICLES: 2
"""


def test_aiken_extension_lines_and_moodle_export():
    q = bank_aiken.parse_aiken("f.txt", AIKEN_GOOD.encode(), "constitution").questions[0]
    assert (q["id"], q["articles"], q["difficulty"], q["answer"]) == ("con-9001", [2], 2, "A")
    plain = bank_aiken.export_aiken("constitution", "", [q], moodle=True).decode()
    assert plain == "一切权力属于（  ）。\nA. 人民\nB. 国务院\nC. 法院\nANSWER: A\n"
    without_id = bank_aiken.parse_aiken("f.txt", AIKEN_GOOD.replace("ID: con-9001\n", "").encode(), "constitution")
    assert without_id.questions[0]["id"] == derive_id("constitution", "一切权力属于（  ）。")


@pytest.mark.parametrize("change,expected", [
    (("ARTICLES: 2\n", ""), "f.txt 第 1 题（第 1 行） con-9001 ARTICLES: 至少引用一条法条"),
    (("ANSWER: A", "ANSWER: E"), "f.txt 第 1 题（第 1 行） con-9001 ANSWER: 答案 E 超出选项范围 A–C"),
    (("ANSWER: A\n", ""), "f.txt 第 1 题（第 1 行） ANSWER: 缺少 ANSWER: 行"),
    (("B. 国务院", "C. 国务院"), "f.txt 第 1 题（第 1 行） con-9001 选项: 第 3 行：选项 C 应为选项 B"),
    (("C. 法院", "C. 法院\n另起一行"), "f.txt 第 1 题（第 1 行） con-9001 ANSWER: 第 5 行：选项之后应为 ANSWER: 行"),
    (("ID: con-9001", "ID: 第一题"), "f.txt 第 1 题（第 1 行） 第一题 ID: 须为稳定的题目编号"),
    (("ARTICLES: 2", "ARTICLES: 2\nDIFFICULTY: 高"), "f.txt 第 1 题（第 1 行） con-9001 DIFFICULTY: 难度须为"),
])
def test_aiken_errors_name_question_and_field(change, expected):
    doc = bank_aiken.parse_aiken("f.txt", AIKEN_GOOD.replace(*change).encode(), "constitution")
    assert has(doc, expected), messages(doc)


def test_aiken_duplicates_and_damaged_files():
    twice = AIKEN_GOOD + "\n" + AIKEN_GOOD
    found = messages(bank_aiken.parse_aiken("f.txt", twice.encode(), "constitution"))
    assert "f.txt 第 2 题（第 9 行） con-9001 ID: 与第 1 题（第 1 行）重复" in found
    assert "f.txt 第 2 题（第 9 行） con-9001 题干: 与 con-9001 题干相同" in found
    assert messages(bank_aiken.parse_aiken("f.txt", b"  \n", "constitution")) == ["f.txt 文件: 文件为空"]
    assert has(bank_aiken.parse_aiken("f.txt", bytes(range(256)), "constitution"), "f.txt 文件: 无法识别文件编码")
    assert has(bank_aiken.parse_aiken("f.txt", b"\x00\x01abc", "constitution"), "f.txt 文件: 不是文本文件")
    assert has(bank_aiken.parse_aiken("f.txt", AIKEN_GOOD.encode(), ""), "f.txt 文件 law: 缺少法律代码")
    assert has(bank_aiken.parse_aiken("f.txt", AIKEN_GOOD.encode()[:40], "constitution"), "f.txt 第 1 题（第 1 行）")
