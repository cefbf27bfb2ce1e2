"""The wrong-answer notebook (错题本): a wrong answer puts a question in; three correct answers in a row,
each on a different day, take it out."""
from dataclasses import dataclass, replace
from datetime import date

LEAVE_AFTER = 3


@dataclass(frozen=True)
class NotebookState:
    in_notebook: bool = False
    wrong_count: int = 0
    streak: int = 0
    streak_day: date | None = None


def after_answer(state: NotebookState, *, correct: bool, day: date) -> NotebookState:
    if not correct:
        return replace(state, in_notebook=True, wrong_count=state.wrong_count + 1, streak=0, streak_day=None)
    if not state.in_notebook:
        return state
    if state.streak_day == day:
        return state  # a second right answer on the same day proves nothing new
    streak = state.streak + 1
    if streak >= LEAVE_AFTER:
        return replace(state, in_notebook=False, streak=0, streak_day=None)
    return replace(state, streak=streak, streak_day=day)
