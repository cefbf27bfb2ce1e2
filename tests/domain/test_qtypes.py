import pytest

from examapp.domain import qtypes


def q(**kw):
    base = {"type": "single", "difficulty": 1, "stem": "题干（  ）", "options": ["甲", "乙", "丙", "丁"], "answer": "B"}
    return {**base, **kw}


def test_valid_questions_of_every_type():
    assert qtypes.validate(q()) == []
    assert qtypes.validate(q(type="multiple", answer="ACD")) == []
    assert qtypes.validate(q(type="judge", options=[], answer=False)) == []
    assert qtypes.validate(q(type="fill", stem="____属于____", options=[], answer=[["人民"], ["全国人大", "全国人民代表大会"]])) == []
    case = q(type="case", options=[], answer=None, items=[q(), {"type": "text", "stem": "说明理由", "reference": "因为……"}])
    assert qtypes.validate(case) == []


@pytest.mark.parametrize("bad,field", [
    (q(type="essay"), "type"),
    (q(stem=" "), "stem"),
    (q(difficulty=4), "difficulty"),
    (q(difficulty=True), "difficulty"),
    (q(answer="E"), "answer"),
    (q(answer="AB"), "answer"),
    (q(options=["甲", "乙"]), "options"),
    (q(options=["甲", "甲", "丙", "丁"]), "options"),
    (q(type="multiple", answer="A"), "answer"),
    (q(type="multiple", answer="CA"), "answer"),
    (q(type="judge", options=[], answer="yes"), "answer"),
    (q(type="fill", stem="没有空", options=[], answer=[["x"]]), "stem"),
    (q(type="fill", stem="____和____", options=[], answer=[["x"]]), "answer"),
    (q(type="fill", stem="____", options=[], answer=[[]]), "answer"),
    (q(type="case", options=[], items=[]), "items"),
    (q(type="case", options=[], items=[{"type": "case", "stem": "x"}]), "items[1].type"),
    (q(type="case", options=[], items=[{"type": "text", "stem": "x"}]), "items[1].reference"),
])
def test_invalid_questions_name_the_field(bad, field):
    assert field in [f for f, _ in qtypes.validate(bad)]


def test_grading():
    assert qtypes.grade(q(), "B") and qtypes.grade(q(), "ｂ") and not qtypes.grade(q(), "C")
    multi = q(type="multiple", answer="ACD")
    assert qtypes.grade(multi, "ACD") and qtypes.grade(multi, "DCA") and qtypes.grade(multi, "A,C,D")
    assert not qtypes.grade(multi, "AC") and not qtypes.grade(multi, "ABCD") and not qtypes.grade(multi, None)
    judge = q(type="judge", options=[], answer=False)
    assert qtypes.grade(judge, False) and qtypes.grade(judge, "false") and not qtypes.grade(judge, True)
    assert not qtypes.grade(judge, 0)  # 0 is not an answer


def test_fill_normalises_width_spaces_and_case():
    fill = q(type="fill", stem="____，____", options=[], answer=[["全国人民代表大会", "全国人大"], ["30日", "三十日"]])
    assert qtypes.grade(fill, ["全国人大", "30日"])
    assert qtypes.grade(fill, [" 全国 人民代表大会。", "３０日"])  # full-width digits, spaces, a full stop
    assert not qtypes.grade(fill, ["全国人大"]) and not qtypes.grade(fill, ["国务院", "30日"])
    assert qtypes.grade(q(type="fill", stem="____", options=[], answer=[["GPS"]]), "ｇｐｓ")


def test_case_grading_ignores_hand_graded_items():
    case = q(type="case", options=[], items=[q(), {"type": "text", "stem": "x", "reference": "y"},
                                             q(type="judge", options=[], answer=True)])
    assert qtypes.grade(case, ["B", "随便写", True])
    assert not qtypes.grade(case, ["A", "随便写", True]) and not qtypes.grade(case, ["B"])
