import random

import pytest

from examapp.domain.paper import Rule, check_rules, draw, freeze, score, shown_question

POOL = {("constitution", "single", 1): [1, 2, 3, 4, 5], ("constitution", "judge", None): [6, 7],
        ("civil_code", "multiple", 2): [8, 9, 10]}


def test_shortfalls_name_the_rule_and_what_is_there():
    rules = [Rule("constitution", "single", 1, 3, 2), Rule("constitution", "single", 1, 3, 2),
             Rule("civil_code", "multiple", 2, 2, 4), Rule("civil_code", "case", None, 1, 10)]
    problems = check_rules(rules, POOL)
    assert [(p.rule_index, p.available) for p in problems] == [(2, 2), (4, 0)]


def test_draw_takes_each_question_once():
    rules = [Rule("constitution", "single", 1, 3, 2), Rule("civil_code", "multiple", 2, 2, 4)]
    paper = draw(rules, POOL, random.Random(1))
    ids = [q for q, _p in paper]
    assert len(ids) == len(set(ids)) == 5
    assert sum(p for _q, p in paper) == 14
    with pytest.raises(ValueError):
        draw([Rule("constitution", "judge", None, 3, 1)], POOL, random.Random(1))


def test_freeze_and_shown_options_keep_the_key_right():
    slots = freeze([(1, 2), (2, 2), (3, 2)], {1: 4, 2: 4, 3: 0}, shuffle_questions=True, shuffle_options=True,
                   rng=random.Random(7))
    assert sorted(s.question_id for s in slots) == [1, 2, 3]
    q = {"type": "multiple", "options": ["甲", "乙", "丙", "丁"], "answer": "AC"}
    shown = shown_question(q, (2, 0, 3, 1))          # shown A=丙, B=甲, C=丁, D=乙
    assert shown["options"] == ["丙", "甲", "丁", "乙"] and shown["answer"] == "AB"
    assert score(shown, "BA", 4) == 4 and score(q, "AC", 4) == 4 and score(shown, "AC", 4) == 0


def test_scoring():
    single = {"type": "single", "options": ["a", "b", "c", "d"], "answer": "B"}
    multiple = {"type": "multiple", "options": ["a", "b", "c", "d"], "answer": "ABD"}
    assert score(single, "B", 2) == 2 and score(single, None, 2) == 0
    assert score(multiple, "AB", 3) == 0
    assert score(multiple, "AB", 3, partial_credit=True) == 2
    assert score(multiple, "ABC", 3, partial_credit=True) == 0    # a wrong letter earns nothing
    case = {"type": "case", "items": [single, {"type": "text", "stem": "x", "reference": "y"},
                                      {"type": "judge", "answer": True}]}
    assert score(case, ["B", "随便", True], 9) == 6               # the free answer waits for a grader
