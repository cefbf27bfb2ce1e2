"""Item analysis figures, computed by hand: facility, upper/lower 27 % discrimination, option counts in the
stored order, and the reasons an item is flagged weak."""
import pytest

from examapp.domain import item_stats
from examapp.domain.item_stats import Taker, analyse, analyse_item, group_size, stored_choices
from examapp.domain.paper import shown_question


def takers(points: list[float], totals: list[float] | None = None, choices=None, max_points: float = 1.0):
    totals = totals or [10.0 * (i + 1) for i in range(len(points))]
    choices = choices or [()] * len(points)
    return [Taker(t, p, max_points, c) for t, p, c in zip(totals, points, choices, strict=True)]


def test_facility_is_points_over_max_points():
    assert analyse(takers([1, 0, 1, 1])).facility == 0.75
    # papers may give the item different points: 2 of 4 and 1 of 2 is 3 of 6
    assert analyse([Taker(50, 2, 4), Taker(60, 1, 2)]).facility == 0.5
    assert analyse([]).facility is None and analyse([]).n == 0


@pytest.mark.parametrize(("n", "g"), [(2, 1), (10, 3), (11, 3), (20, 5), (50, 14)])
def test_groups_are_27_percent_rounded_half_up(n, g):
    assert group_size(n) == g


def test_discrimination_upper_minus_lower_27_percent():
    # totals 10…100; lowest three (10, 20, 30) earn 0, 0, 1; highest three (80, 90, 100) earn 1, 1, 0
    s = analyse(takers([0, 0, 1, 1, 0, 1, 0, 1, 1, 0]))
    assert s.n == 10 and s.facility == 0.5
    assert s.discrimination == pytest.approx(2 / 3 - 1 / 3)
    assert s.reasons == ()


def test_order_of_takers_does_not_matter_only_their_totals():
    points = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0]
    forward = takers(points)
    assert analyse(list(reversed(forward))).discrimination == pytest.approx(analyse(forward).discrimination)


def test_no_discrimination_below_ten_takers():
    s = analyse(takers([0, 1, 1, 1, 0, 1, 1, 1, 1]))
    assert s.n == 9 and s.discrimination is None and "low_discrimination" not in s.reasons


def test_negative_discrimination_points_at_a_wrong_key():
    # the three best takers all miss it, the three weakest all get it: D = 0 − 1
    s = analyse(takers([1, 1, 1, 1, 0, 1, 0, 0, 0, 0]))
    assert s.discrimination == -1.0
    assert s.reasons == ("negative_discrimination",)
    assert item_stats.REASONS["negative_discrimination"] == "区分度为负：可能答案有误"


def test_thresholds_are_strict():
    # facility exactly 0.3, D exactly 0.2 (upper 2/5 − lower 1/5 with 5 in each group of 20)
    points = [1, 0, 0, 0, 0] + [0] * 10 + [1, 1, 0, 0, 0]
    points[7] = points[8] = points[9] = 1                      # middle takers: facility 6/20 = 0.3
    s = analyse(takers(points))
    assert s.facility == pytest.approx(0.3) and s.discrimination == pytest.approx(0.2)
    assert s.reasons == ()
    easy = analyse(takers([1] * 19 + [0], totals=[float(i) for i in range(20, 0, -1)]))
    assert easy.facility == 0.95 and "too_easy" not in easy.reasons


def test_too_hard_and_too_easy():
    hard = analyse(takers([0, 0, 0, 0, 1, 0, 0, 0, 1, 0]))       # 0.2
    assert hard.facility == pytest.approx(0.2) and hard.reasons[0] == "too_hard"
    easy = analyse_item("single", takers([1] * 10, choices=[("C",)] * 10), n_options=4, answer="C")
    # everybody right: too easy, tells nobody apart, and no distractor was chosen
    assert easy.facility == 1.0 and easy.discrimination == 0.0
    assert easy.reasons == ("too_easy", "low_discrimination", "unused_distractor")
    assert easy.option_counts == {"A": 0, "B": 0, "C": 10, "D": 0}


def test_option_counts_count_each_letter_and_blanks_apart():
    s = analyse(takers([1, 0, 0, 0], choices=[("A", "C"), ("A",), None, ("A", "B", "D")]),
                options="ABCD", key="AC")
    assert s.option_counts == {"A": 3, "B": 1, "C": 1, "D": 1} and s.unanswered == 1 and s.n == 4


def test_a_distractor_nobody_chose_is_flagged_from_ten_takers():
    chosen = [("A",), ("B",), ("C",), ("C",), ("C",), ("B",), ("C",), ("A",), ("C",), ("C",)]
    points = [1 if c == ("C",) else 0 for c in chosen]
    s = analyse_item("single", takers(points, choices=chosen), n_options=4, answer="C")
    assert s.option_counts == {"A": 2, "B": 2, "C": 6, "D": 0}
    assert "unused_distractor" in s.reasons
    nine = analyse_item("single", takers(points[:9], choices=chosen[:9]), n_options=4, answer="C")
    assert "unused_distractor" not in nine.reasons                 # too few takers to tell


def test_judge_counts_true_and_false_without_a_distractor_check():
    chosen = [("true",)] * 6 + [("false",)] * 3 + [None]
    s = analyse_item("judge", takers([1] * 6 + [0] * 4, choices=chosen), answer=True)
    assert s.option_counts == {"true": 6, "false": 3} and s.unanswered == 1
    assert "unused_distractor" not in s.reasons
    assert item_stats.item_key("judge", False) == {"false"}


def test_items_without_options_count_nothing():
    s = analyse_item("fill", takers([1, 0], choices=[(), None]))
    assert s.option_counts == {} and s.unanswered == 1


def test_shown_letters_map_back_to_stored_options():
    order = (2, 0, 3, 1)        # shown A is stored C, shown B is stored A, shown C is D, shown D is B
    assert stored_choices("single", "A", order, 4) == ("C",)
    assert stored_choices("multiple", "BD", order, 4) == ("A", "B")
    assert stored_choices("multiple", "d, b", order, 4) == ("A", "B")
    assert stored_choices("single", "b", (), 4) == ("B",)             # options not shuffled
    assert stored_choices("single", "E", order, 4) == ()             # answered, but no such option
    assert stored_choices("single", "", order, 4) is None
    assert stored_choices("single", None, order, 4) is None
    # the key as the taker saw it maps back to the stored key
    q = {"type": "multiple", "stem": "?", "options": ["a", "b", "c", "d"], "answer": "AC"}
    shown = shown_question(q, order)
    assert stored_choices("multiple", shown["answer"], order, 4) == ("A", "C")


def test_judge_and_fill_responses():
    assert stored_choices("judge", True) == ("true",)
    assert stored_choices("judge", "错") == ("false",)
    assert stored_choices("judge", "maybe") == ()
    assert stored_choices("judge", None) is None
    assert stored_choices("fill", ["", " "]) is None
    assert stored_choices("fill", ["三十日"]) == ()


def test_weak_items_sort_first_then_the_hardest():
    ok = analyse(takers([1, 0, 1, 1]))                    # 0.75
    hard = analyse(takers([0, 0, 0, 1]))                  # 0.25: too hard
    easy = analyse(takers([1, 1, 1, 1]))                  # 1.0: too easy
    mid = analyse(takers([1, 0, 1, 0]))                   # 0.5
    ranked = sorted([ok, easy, mid, hard], key=item_stats.sort_key)
    assert ranked == [hard, easy, mid, ok]


def test_facility_bands_use_the_flag_thresholds():
    stats = [analyse(takers(p)) for p in ([0, 0, 0, 1], [1, 1, 1, 1], [1, 0, 1, 0], [1, 0, 1, 1], [1, 1, 1, 0])]
    assert item_stats.facility_bands(stats) == [("< 30%", 1), ("30–50%", 0), ("50–70%", 1), ("70–95%", 2),
                                                ("> 95%", 1)]
