"""Item analysis of an exam's questions: facility, discrimination (upper vs lower 27 % of takers), how often
each stored option was chosen, and why an item looks weak. No database here.

Options are counted in their STORED order: a response letter refers to the order the taker was shown
(`paper.shown_question`), so `stored_choices` maps it back through the slot's option order first."""
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .qtypes import LETTERS

FACILITY_LOW = 0.3          # below: too hard
FACILITY_HIGH = 0.95        # above: too easy
DISCRIMINATION_LOW = 0.2    # below: tells strong and weak takers apart poorly
GROUP_SHARE = 0.27          # the upper and lower groups, by total score
MIN_TAKERS = 10             # fewer takers: no discrimination, no distractor check (too few to mean anything)
EPS = 1e-9                  # a figure exactly on a threshold is not flagged, whatever the float rounding

REASONS = {
    "too_hard": "太难",
    "too_easy": "太易",
    "low_discrimination": "区分度低",
    "negative_discrimination": "区分度为负：可能答案有误",
    "unused_distractor": "干扰项无人选",
}

JUDGE_OPTIONS = ("true", "false")


@dataclass(frozen=True)
class Taker:
    """One taker's answer to one item."""
    total: float                               # the taker's total score on the exam
    points: float                              # earned on this item
    max_points: float                          # the item's points on this taker's paper
    choices: tuple[str, ...] | None = ()       # stored option keys chosen; None: left blank


@dataclass(frozen=True)
class ItemStats:
    n: int
    unanswered: int
    facility: float | None
    discrimination: float | None               # None below MIN_TAKERS
    option_counts: dict[str, int] = field(default_factory=dict)   # in the stored options' order
    reasons: tuple[str, ...] = ()              # codes of REASONS

    @property
    def weak(self) -> bool:
        return bool(self.reasons)


def _facility(takers: Sequence[Taker]) -> float | None:
    most = sum(t.max_points for t in takers)
    return sum(t.points for t in takers) / most if most > 0 else None


def group_size(n: int) -> int:
    """27 % of the takers, rounded half up, at least one."""
    return max(1, int(GROUP_SHARE * n + 0.5))


def discrimination(takers: Sequence[Taker]) -> float | None:
    """facility of the upper group − facility of the lower group; ties on the boundary keep input order."""
    if len(takers) < MIN_TAKERS:
        return None
    ranked = sorted(takers, key=lambda t: t.total)      # stable: equal totals stay in input order
    g = group_size(len(ranked))
    upper, lower = _facility(ranked[-g:]), _facility(ranked[:g])
    if upper is None or lower is None:
        return None
    return upper - lower


def analyse(takers: Iterable[Taker], *, options: Sequence[str] = (), key: Iterable[str] = (),
            distractors: bool = True) -> ItemStats:
    """`options`: the stored option keys to count (A, B, … or true/false); `key`: the right ones.
    With `distractors`, an option outside the key that nobody chose marks the item weak."""
    takers = list(takers)
    counts = {o: 0 for o in options}
    unanswered = 0
    for t in takers:
        if t.choices is None:
            unanswered += 1
            continue
        for c in set(t.choices):
            if c in counts:
                counts[c] += 1
    facility = _facility(takers) if takers else None
    disc = discrimination(takers)
    reasons = []
    if facility is not None and facility < FACILITY_LOW - EPS:
        reasons.append("too_hard")
    if facility is not None and facility > FACILITY_HIGH + EPS:
        reasons.append("too_easy")
    if disc is not None and disc < -EPS:
        reasons.append("negative_discrimination")
    elif disc is not None and disc < DISCRIMINATION_LOW - EPS:
        reasons.append("low_discrimination")
    right = set(key)
    if distractors and len(takers) >= MIN_TAKERS and any(counts[o] == 0 for o in options if o not in right):
        reasons.append("unused_distractor")
    return ItemStats(len(takers), unanswered, facility, disc, counts, tuple(reasons))


# -- responses back to stored options, per question type ------------------------------------------------

def is_blank(response) -> bool:
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    if isinstance(response, list):
        return all(is_blank(r) for r in response)
    return False


def _letters(response, order: Sequence[int], n_options: int) -> tuple[str, ...]:
    shown = unicodedata.normalize("NFKC", str(response)).upper()
    out = []
    for c in sorted(set(shown)):
        pos = LETTERS.find(c)
        if c not in LETTERS or pos >= (len(order) or n_options):
            continue        # not a letter of this question: answered, but no option to count
        out.append(LETTERS[order[pos]] if order else c)
    return tuple(sorted(out))


def _judge(response, order: Sequence[int], n_options: int) -> tuple[str, ...]:
    if isinstance(response, str):
        response = {"true": True, "false": False, "对": True, "错": False, "√": True, "×": False}.get(
            response.strip().lower())
    return (("true",) if response else ("false",)) if isinstance(response, bool) else ()


@dataclass(frozen=True)
class ChoiceKind:
    """How a question type's options are counted."""
    options: Callable[[int], tuple[str, ...]]                     # stored option keys, given the number of options
    key: Callable[[object], frozenset]                            # the right keys, given the stored answer
    choices: Callable[[object, Sequence[int], int], tuple[str, ...]]
    distractors: bool = True


CHOICE_KINDS: dict[str, ChoiceKind] = {
    "single": ChoiceKind(lambda n: tuple(LETTERS[:n]), lambda a: frozenset(str(a or "")), _letters),
    "multiple": ChoiceKind(lambda n: tuple(LETTERS[:n]), lambda a: frozenset(str(a or "")), _letters),
    # the wrong judgement is its only distractor: nobody choosing it is already "too easy"
    "judge": ChoiceKind(lambda n: JUDGE_OPTIONS,
                        lambda a: frozenset({"true" if a else "false"}) if isinstance(a, bool) else frozenset(),
                        _judge, distractors=False),
}


def stored_choices(qtype: str, response, order: Sequence[int] = (), n_options: int = 0) -> tuple[str, ...] | None:
    """The stored option keys a response chose; None when it was left blank; () for types without options."""
    if is_blank(response):
        return None
    kind = CHOICE_KINDS.get(qtype)
    return kind.choices(response, order, n_options) if kind else ()


def item_options(qtype: str, n_options: int) -> tuple[str, ...]:
    kind = CHOICE_KINDS.get(qtype)
    return kind.options(n_options) if kind else ()


def item_key(qtype: str, answer) -> frozenset:
    kind = CHOICE_KINDS.get(qtype)
    return kind.key(answer) if kind else frozenset()


def analyse_item(qtype: str, takers: Iterable[Taker], *, n_options: int = 0, answer=None) -> ItemStats:
    kind = CHOICE_KINDS.get(qtype)
    return analyse(takers, options=item_options(qtype, n_options), key=item_key(qtype, answer),
                   distractors=kind.distractors if kind else False)


def sort_key(stats: ItemStats) -> tuple:
    """Weak items first, then the hardest."""
    return (not stats.weak, stats.facility if stats.facility is not None else 2.0)


FACILITY_BANDS = ("< 30%", "30–50%", "50–70%", "70–95%", "> 95%")


def facility_band(facility: float) -> str:
    """The band of the facility chart; its edges are the thresholds of the weak flags."""
    if facility < FACILITY_LOW - EPS:
        return FACILITY_BANDS[0]
    if facility > FACILITY_HIGH + EPS:
        return FACILITY_BANDS[4]
    return FACILITY_BANDS[1] if facility < 0.5 else FACILITY_BANDS[2] if facility < 0.7 else FACILITY_BANDS[3]


def facility_bands(stats: Iterable[ItemStats]) -> list[tuple[str, int]]:
    """How many items fall in each facility band: a small chart of the paper's difficulty."""
    counts = dict.fromkeys(FACILITY_BANDS, 0)
    for s in stats:
        if s.facility is not None:
            counts[facility_band(s.facility)] += 1
    return list(counts.items())
