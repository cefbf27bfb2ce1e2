from datetime import date

from examapp.domain.notebook import NotebookState, after_answer

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


def test_wrong_puts_in_three_right_days_take_out():
    s = after_answer(NotebookState(), correct=False, day=D1)
    assert s.in_notebook and s.wrong_count == 1
    s = after_answer(s, correct=True, day=D1)
    s = after_answer(s, correct=True, day=D1)          # same day: counts once
    assert s.in_notebook and s.streak == 1
    s = after_answer(s, correct=True, day=D2)
    assert s.in_notebook and s.streak == 2
    s = after_answer(s, correct=True, day=D3)
    assert not s.in_notebook and s.wrong_count == 1


def test_a_wrong_answer_restarts_the_streak():
    s = after_answer(NotebookState(), correct=False, day=D1)
    s = after_answer(after_answer(s, correct=True, day=D1), correct=True, day=D2)
    s = after_answer(s, correct=False, day=D2)
    assert s.in_notebook and s.streak == 0 and s.wrong_count == 2


def test_right_answers_outside_the_notebook_change_nothing():
    s = NotebookState()
    assert after_answer(s, correct=True, day=D1) == s
