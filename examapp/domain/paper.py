"""Papers: fixed lists or rules (law × type × difficulty × count × points) drawn per person, shuffled
question and option orders, and scoring answers on a paper. No database here."""
import random
from dataclasses import dataclass

from . import qtypes

LETTERS = qtypes.LETTERS


@dataclass(frozen=True)
class Rule:
    law: str
    qtype: str
    difficulty: int | None      # None: any difficulty
    count: int
    points: float

    @property
    def key(self) -> tuple[str, str, int | None]:
        return (self.law, self.qtype, self.difficulty)


@dataclass(frozen=True)
class Shortfall:
    rule_index: int     # 1-based, as the admin numbered the rules
    rule: Rule
    available: int


def check_rules(rules: list[Rule], pool: dict[tuple, list[int]]) -> list[Shortfall]:
    """Every rule must be fillable, counting questions that two rules share only once."""
    problems = []
    taken: dict[tuple, int] = {}
    for i, rule in enumerate(rules, start=1):
        candidates = pool.get(rule.key, [])
        used = taken.get(rule.key, 0)
        if len(candidates) - used < rule.count:
            problems.append(Shortfall(i, rule, max(0, len(candidates) - used)))
        taken[rule.key] = used + rule.count
    return problems


@dataclass(frozen=True)
class Slot:
    question_id: int
    points: float
    option_order: tuple[int, ...] = ()    # shown position i holds stored option option_order[i]


def draw(rules: list[Rule], pool: dict[tuple, list[int]], rng: random.Random) -> list[tuple[int, float]]:
    """Questions for one person; raises ValueError when a rule cannot be filled (check_rules first)."""
    chosen: list[tuple[int, float]] = []
    used: set[int] = set()
    for rule in rules:
        candidates = [q for q in pool.get(rule.key, []) if q not in used]
        if len(candidates) < rule.count:
            raise ValueError(f"rule {rule} has only {len(candidates)} questions")
        for q in rng.sample(candidates, rule.count):
            used.add(q)
            chosen.append((q, rule.points))
    return chosen


def freeze(questions: list[tuple[int, float]], option_counts: dict[int, int], *, shuffle_questions: bool,
           shuffle_options: bool, rng: random.Random) -> list[Slot]:
    """The paper as this person sees it, fixed when the attempt starts."""
    order = list(questions)
    if shuffle_questions:
        rng.shuffle(order)
    slots = []
    for qid, points in order:
        n = option_counts.get(qid, 0)
        perm = list(range(n))
        if shuffle_options and n:
            rng.shuffle(perm)
        slots.append(Slot(qid, points, tuple(perm)))
    return slots


def shown_question(q: dict, order: tuple[int, ...]) -> dict:
    """The question with its options in the shown order (and the key remapped, for grading only)."""
    if not order or q["type"] not in ("single", "multiple"):
        return q
    shown = dict(q)
    shown["options"] = [q["options"][i] for i in order]
    right = {LETTERS.index(c) for c in q["answer"]}
    shown["answer"] = "".join(sorted(LETTERS[pos] for pos, stored in enumerate(order) if stored in right))
    return shown


def score(q: dict, response, points: float, *, partial_credit: bool = False) -> float:
    """Points for one answer. Multiple choice is all or nothing unless partial credit is on: then a
    response with no wrong letter earns its share of the right ones."""
    if response is None or response == "" or response == []:
        return 0.0
    if q["type"] == "multiple" and partial_credit and isinstance(response, str):
        given = set(response.upper())
        right = set(q["answer"])
        if given - right:
            return 0.0
        return round(points * len(given & right) / len(right), 2)
    if q["type"] == "case":
        graded = [item for item in q["items"] if qtypes.TYPES[item["type"]].auto]
        if not graded or not isinstance(response, list):
            return 0.0
        share = points / len(q["items"])
        return round(sum(share for item, r in zip(q["items"], response, strict=False)
                         if qtypes.TYPES[item["type"]].auto and qtypes.grade(item, r)), 2)
    return float(points) if qtypes.grade(q, response) else 0.0
