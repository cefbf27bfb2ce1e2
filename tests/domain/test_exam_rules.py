from datetime import datetime, timedelta

import pytest

from examapp.domain.exam_rules import (
    History,
    Override,
    Policy,
    Window,
    accepts_answer,
    accepts_submit,
    band_for,
    can_start,
    counted_score,
    deadline,
    is_overdue,
    passed,
    show_answers,
    show_results,
)

T0 = datetime(2026, 6, 1, 1, 0)
WINDOW = Window(T0, T0 + timedelta(days=7))
POLICY = Policy(window=WINDOW)


def test_deadline_is_start_plus_duration_capped_by_the_window():
    assert deadline(T0, POLICY) == T0 + timedelta(minutes=90)
    late_start = WINDOW.closes_at - timedelta(minutes=30)
    assert deadline(late_start, POLICY) == WINDOW.closes_at
    assert deadline(T0, POLICY, Override(extra_time=timedelta(minutes=20))) == T0 + timedelta(minutes=110)
    own = Window(T0, T0 + timedelta(minutes=60))
    assert deadline(T0, POLICY, Override(window=own)) == own.closes_at


@pytest.mark.parametrize("after,answer,submit,overdue", [
    (timedelta(seconds=0), True, True, False),
    (timedelta(seconds=1), False, True, False),     # F7: +1 s, no new answers, submit still lands
    (timedelta(seconds=59), False, True, False),
    (timedelta(seconds=60), False, True, False),
    (timedelta(seconds=61), False, False, True),    # past the grace: the overdue rule applies
])
def test_answers_and_submits_around_the_deadline(after, answer, submit, overdue):
    end = deadline(T0, POLICY)
    now = end + after
    assert accepts_answer(now, end) is answer
    assert accepts_submit(now, end, POLICY) is submit
    assert is_overdue(now, end, POLICY) is overdue


def test_who_may_start():
    assert can_start(T0 - timedelta(seconds=1), POLICY, History()).reason == "not_open"
    assert can_start(T0, POLICY, History()).allowed
    assert can_start(T0, POLICY, History(running=True)).reason == "running"
    assert can_start(T0, POLICY, History((50, 55, 58))).reason == "no_attempts"
    assert can_start(T0, POLICY, History((50, 55, 58)), Override(extra_attempts=1)).allowed
    assert can_start(WINDOW.closes_at, POLICY, History()).reason == "closed"


def test_makeup_window_for_the_absent_and_the_failed():
    makeup = Window(WINDOW.closes_at + timedelta(days=3), WINDOW.closes_at + timedelta(days=5))
    policy = Policy(window=WINDOW, makeup=makeup)
    during = makeup.opens_at + timedelta(hours=1)
    absent = can_start(during, policy, History())
    assert absent.allowed and absent.makeup and absent.window == makeup
    assert can_start(during, policy, History((40,))).allowed
    assert can_start(during, policy, History((75,))).reason == "passed"
    failed_only = Policy(window=WINDOW, makeup=makeup, makeup_for=frozenset({"failed"}))
    assert can_start(during, failed_only, History()).reason == "makeup_not_allowed"
    assert can_start(makeup.opens_at - timedelta(hours=1), policy, History()).reason == "closed"


def test_which_attempt_counts():
    scores = (70, 90, 60)
    assert counted_score(scores, POLICY) == 90
    assert counted_score(scores, Policy(window=WINDOW, counting="last")) == 60
    assert counted_score(scores, Policy(window=WINDOW, counting="first")) == 70
    assert counted_score(scores, Policy(window=WINDOW, counting="average")) == 73.33
    assert counted_score((), POLICY) is None


def test_bands_and_pass_mark():
    assert [band_for(s, POLICY) for s in (95, 90, 89.5, 80, 60, 59.9, None)] == \
        ["优秀", "优秀", "良好", "良好", "合格", "不合格", ""]
    assert passed(60, POLICY) and not passed(59.99, POLICY) and not passed(None, POLICY)


def test_when_results_and_answers_show():
    during, after = T0 + timedelta(days=1), WINDOW.closes_at
    assert show_results(during, POLICY) and not show_answers(during, POLICY) and show_answers(after, POLICY)
    never = Policy(window=WINDOW, results="never", answers="never")
    assert not show_results(after, never) and not show_answers(after, never)
