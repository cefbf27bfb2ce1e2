import pytest

from examapp.formats.bank_yaml import export_bank, parse_bank
from tests.conftest import BANK_DIR

GOOD = """law: constitution
title: 中华人民共和国宪法
questions:
  - id: con-9001
    type: single
    difficulty: 1
    stem: 中华人民共和国的一切权力属于（  ）。
    options: [人民, 全国人民代表大会, 国务院, 人民法院]
    answer: A
    articles: [2]
    explanation: 宪法第二条第一款规定，中华人民共和国的一切权力属于人民。
    tags: [总纲]
"""


def messages(text: str, name="constitution.yaml"):
    return [str(e) for e in parse_bank(name, text.encode()).errors]


def test_a_good_file():
    doc = parse_bank("constitution.yaml", GOOD.encode())
    assert doc.errors == [] and doc.law == "constitution" and doc.questions[0]["answer"] == "A"


@pytest.mark.parametrize("change,expected", [
    (("answer: A", "answer: E"), "constitution.yaml con-9001 answer: 答案 E 超出选项范围 A–D"),
    (("articles: [2]", "articles: []"), "constitution.yaml con-9001 articles: 至少引用一条法条"),
    (("articles: [2]", "articles: [二]"), "constitution.yaml con-9001 articles: 条号须为正整数"),
    (("id: con-9001", "id: 第一题"), "constitution.yaml 第一题 id: 须为稳定的题目编号"),
    (("difficulty: 1", "difficulty: 5"), "constitution.yaml con-9001 difficulty: 难度须为 1、2 或 3"),
    (("type: single", "type: essay"), "constitution.yaml con-9001 type:"),
    (("    tags: [总纲]", "    tags: [总纲]\n    color: red"), "constitution.yaml con-9001: 未知字段 color"),
    (("law: constitution", "law: ''"), "constitution.yaml 文件 law: 缺少法律代码"),
    (("    options: [人民", "   options: [人民"), "constitution.yaml 第 "),
])
def test_errors_name_file_item_and_field(change, expected):
    found = messages(GOOD.replace(*change))
    assert any(m.startswith(expected) for m in found), found


def test_duplicate_ids_and_stems():
    twice = GOOD + GOOD.split("questions:\n", 1)[1]
    found = messages(twice)
    assert "constitution.yaml con-9001 id: 与第 1 题重复" in found
    assert "constitution.yaml con-9001 stem: 与 con-9001 题干相同" in found


@pytest.mark.parametrize("data,expected", [
    (b"", "文件: 应为包含 law、title、questions 的 YAML 映射"),
    (b"\xff\xfe\x00bad", "文件"),
    (b"- just\n- a list\n", "应为包含 law、title、questions 的 YAML 映射"),
    (b"law: constitution\nquestions: []\n", "questions: 没有题目"),
    (b"law: constitution\nquestions: [1, 2]\n", "#1: 题目格式有误"),
])
def test_malformed_files(data, expected):
    found = [str(e) for e in parse_bank("x.yaml", data).errors]
    assert any(expected in m for m in found), found


def test_case_must_cite_what_its_items_cite():
    text = """law: civil_code
questions:
  - id: civ-9001
    type: case
    difficulty: 2
    stem: 甲公司与乙公司签订买卖合同……
    articles: [509]
    items:
      - type: judge
        stem: 乙公司应当按照约定全面履行。
        answer: true
        articles: [509]
        explanation: 第五百零九条。
      - type: text
        stem: 说明理由。
        reference: 依约履行。
        articles: [577]
"""
    assert "x.yaml civ-9001 articles: 案例题的 articles 应包含小题引用的全部条文（缺 [577]）" in \
        [str(e) for e in parse_bank("x.yaml", text.encode()).errors]


@pytest.mark.parametrize("path", sorted(BANK_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_banks_parse_and_round_trip(path):
    doc = parse_bank(path.name, path.read_bytes())
    assert doc.errors == []
    text = export_bank(doc.law, doc.title, doc.questions)
    again = parse_bank(path.name, text.encode())
    assert again.errors == [] and again.questions == doc.questions
    assert export_bank(again.law, again.title, again.questions) == text
