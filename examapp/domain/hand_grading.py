"""Hand grading of free-text items: two blind grades, a third when they are too far apart.

An item is one free-text part of a case question in one attempt. Its grades are (round, points) pairs;
rounds 1 and 2 are independent, round 3 arbitrates and its points are final.
"""
from dataclasses import dataclass

NEEDS_FIRST, NEEDS_SECOND, NEEDS_ARBITRATION, DONE = "first", "second", "arbitration", "done"


@dataclass(frozen=True)
class ItemState:
    stage: str                     # first | second | arbitration | done
    points: float | None = None    # final points when done

    @property
    def next_round(self) -> int | None:
        return {NEEDS_FIRST: 1, NEEDS_SECOND: 2, NEEDS_ARBITRATION: 3}.get(self.stage)


def item_points(slot_points: float, item_count: int) -> float:
    """A case question's points are shared equally by its items."""
    return round(slot_points / item_count, 2)


def gap_allowed(max_points: float, percent: int) -> float:
    return max_points * percent / 100


def state(grades: list[tuple[int, float]], *, max_points: float, percent: int) -> ItemState:
    by_round = dict(grades)
    if 3 in by_round:
        return ItemState(DONE, by_round[3])
    if 1 not in by_round:
        return ItemState(NEEDS_FIRST)
    if 2 not in by_round:
        return ItemState(NEEDS_SECOND)
    first, second = by_round[1], by_round[2]
    if abs(first - second) > gap_allowed(max_points, percent) + 1e-9:
        return ItemState(NEEDS_ARBITRATION)
    return ItemState(DONE, round((first + second) / 2, 2))


def check_points(points: float, max_points: float) -> str | None:
    """The message for points outside 0…max, or None."""
    if points is None or not 0 <= points <= max_points:
        return f"分数须在 0 到 {max_points:g} 之间"
    return None


__all__ = ["DONE", "NEEDS_ARBITRATION", "NEEDS_FIRST", "NEEDS_SECOND", "ItemState", "check_points", "gap_allowed",
           "item_points", "state"]
