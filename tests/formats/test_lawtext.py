import io
import json

import pytest
from docx import Document

from examapp.errors import ValidationError
from examapp.formats.lawtext import parse_law, tidy_heading
from tests.conftest import LAWS_DIR

pytestmark = pytest.mark.skipif(not LAWS_DIR.exists(), reason="../shared/laws is not beside the repository")


def manifest():
    return {m["file"]: m for m in json.loads((LAWS_DIR / "manifest.json").read_text("utf-8"))}


@pytest.mark.parametrize("name", sorted(p.name for p in LAWS_DIR.glob("*.md") if p.name != "README.md")
                         if LAWS_DIR.exists() else [])
def test_every_shared_law_parses_with_its_article_count(name):
    doc = parse_law(name, (LAWS_DIR / name).read_bytes())
    expected = manifest()[name]
    assert len(doc.articles) == (expected["articles_expected"] or expected["articles_found"])
    assert [a.number for a in doc.articles] == list(range(1, len(doc.articles) + 1))
    assert doc.title.startswith(expected["title"].split("（")[0][:6])
    assert all(a.paragraphs for a in doc.articles)


def test_civil_code_structure():
    doc = parse_law("civil_code.md", (LAWS_DIR / "civil_code.md").read_bytes())
    books = [p.title for p in doc.parts if p.level == 1]
    assert books == ["总则", "物权编", "合同编", "人格权编", "婚姻家庭编", "继承编", "侵权责任编", "附则"]
    guardianship = next(p for p in doc.parts if p.title == "第二节 监护")
    assert guardianship.kind == "节" and guardianship.number == 2
    last = doc.articles[-1]
    assert last.label == "第一千二百六十条" and doc.parts[last.part_index].title == "附则"
    assert any(p.title == "第三分编 准合同" and p.kind == "分编" for p in doc.parts)


def test_constitution_preamble_is_kept_and_markers_dropped():
    doc = parse_law("constitution.md", (LAWS_DIR / "constitution.md").read_bytes())
    preamble = doc.parts[0]
    assert preamble.title == "序言" and len(preamble.intro) >= 10
    assert not any("FORCE BREAK" in p for p in preamble.intro)
    assert doc.articles[0].paragraphs[0].startswith("中华人民共和国是工人阶级领导的")
    assert "1982年12月4日" in doc.dates


def test_paragraphs_are_kept_apart():
    doc = parse_law("administrative_penalty_law.md", (LAWS_DIR / "administrative_penalty_law.md").read_bytes())
    art42 = doc.articles[41]
    assert art42.number == 42 and len(art42.paragraphs) == 2


def test_plain_text_law():
    text = "测试条例\n\n2026年1月1日 发布\n\n第一章 总则\n\n第一条 为了测试，制定本条例。\n第二条 第一款。\n第二款。\n第二章 附则\n第三条 本条例自发布之日起施行。\n"
    doc = parse_law("test_rules.txt", text.encode())
    assert doc.code == "test_rules" and doc.title == "测试条例" and doc.dates == ["2026年1月1日"]
    assert [p.title for p in doc.parts] == ["第一章 总则", "第二章 附则"]
    assert doc.articles[1].paragraphs == ["第一款。", "第二款。"]
    assert doc.parts[doc.articles[2].part_index].title == "第二章 附则"


def docx_bytes(paragraphs: list[tuple[str, str | None]]) -> bytes:
    document = Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_as_the_national_database_publishes_it():
    data = docx_bytes([("中华人民共和国测试法", "Title"), ("（2026年3月1日第十四届全国人民代表大会常务委员会通过）", None),
                       ("目　　录", None), ("第一章　总　　则", "Heading 1"),
                       ("第一条　为了测试，制定本法。", None), ("第二条　本法适用于测试。", None), ("前款所称测试，是指……", None),
                       ("第二章　附　　则", "Heading 1"), ("第三条　本法自2026年5月1日起施行。", None)])
    doc = parse_law("test_law.docx", data)
    assert doc.title == "中华人民共和国测试法"
    assert [p.title for p in doc.parts] == ["第一章 总则", "第二章 附则"]
    assert [a.number for a in doc.articles] == [1, 2, 3]
    assert doc.articles[1].paragraphs == ["本法适用于测试。", "前款所称测试，是指……"]
    assert "2026年3月1日" in doc.dates


@pytest.mark.parametrize("name,data,message", [
    ("law.md", "标题\n第一条 甲。\n第三条 丙。\n", "law.md 第 3 行: 条号不连续：应为第 2 条，实为第 3 条"),
    ("law.md", "", "law.md: 文件为空或没有标题"),
    ("law.md", "标题\n只有说明，没有条文。\n", "没有找到任何“第X条”开头的条文"),
    ("Bad Name.md", "标题\n第一条 甲。\n", "文件名须为法律代码"),
    ("law.pdf", "x", "只支持 .md、.txt 和 .docx 法律文本"),
    ("law.docx", "not a zip", "law.docx: 不是有效的 Word (.docx) 文件"),
    ("law.md", b"\x00\x01\x02", "law.md: 不是文本文件"),
])
def test_bad_law_files_are_named(name, data, message):
    with pytest.raises(ValidationError) as e:
        parse_law(name, data.encode() if isinstance(data, str) else data)
    assert message in str(e.value)


def test_tidy_heading():
    assert tidy_heading("第二节  监  护") == "第二节 监护"
    assert tidy_heading("第三分编 准 合 同") == "第三分编 准合同"
    assert tidy_heading("第一章　总　　则") == "第一章 总则"
