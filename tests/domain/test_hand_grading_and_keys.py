from examapp.domain import hand_grading as hg
from examapp.domain.answer_keys import key_text, parse_key


def test_two_close_grades_average_and_far_ones_need_arbitration():
    assert hg.state([], max_points=10, percent=20).next_round == 1
    assert hg.state([(1, 8)], max_points=10, percent=20).next_round == 2
    assert hg.state([(1, 8), (2, 6)], max_points=10, percent=20) == hg.ItemState(hg.DONE, 7.0)   # 2 apart: allowed
    assert hg.state([(1, 8), (2, 5.5)], max_points=10, percent=20).next_round == 3
    assert hg.state([(1, 8), (2, 2), (3, 4)], max_points=10, percent=20) == hg.ItemState(hg.DONE, 4)


def test_points_are_checked_against_the_item_share():
    assert hg.item_points(30, 3) == 10
    assert hg.check_points(10, 10) is None
    assert "0 到 10" in hg.check_points(10.5, 10)
    assert hg.check_points(-1, 10)


def test_keys_read_as_typed_and_print_back():
    assert parse_key("multiple", "d, a c") == "ACD"
    assert parse_key("judge", "错误") is False
    assert parse_key("fill", "三十日 / 30日\n\n本级") == [["三十日", "30日"], ["本级"]]
    for kind, answer in (("single", "B"), ("judge", True), ("fill", [["三十日", "30日"]])):
        assert parse_key(kind, key_text(kind, answer)) == answer
