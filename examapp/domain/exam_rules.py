"""Exam rules that need no database: deadlines, when answers and submits still count, whether a person may
start, which attempt counts, and grade bands. Times are naive UTC datetimes."""
from dataclasses import dataclass
from datetime import datetime, timedelta

COUNTING = ("best", "last", "first", "average")
VISIBILITY = ("immediately", "after_close", "never")


@dataclass(frozen=True)
class Band:
    label: str
    minimum: float


DEFAULT_BANDS = (Band("优秀", 90), Band("良好", 80), Band("合格", 60), Band("不合格", 0))


@dataclass(frozen=True)
class Window:
    opens_at: datetime
    closes_at: datetime

    def contains(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


@dataclass(frozen=True)
class Policy:
    window: Window
    duration: timedelta = timedelta(minutes=90)
    pass_mark: float = 60
    total_points: float = 100
    attempts: int = 3
    counting: str = "best"
    grace: timedelta = timedelta(seconds=60)
    makeup: Window | None = None
    makeup_for: frozenset = frozenset({"absent", "failed"})
    results: str = "immediately"       # when scores are shown
    answers: str = "after_close"       # when correct answers are shown
    bands: tuple[Band, ...] = DEFAULT_BANDS


@dataclass(frozen=True)
class Override:
    """One person's exceptions, each with its reason recorded elsewhere."""
    extra_time: timedelta = timedelta(0)
    window: Window | None = None
    extra_attempts: int = 0


NO_OVERRIDE = Override()


def deadline(started_at: datetime, policy: Policy, override: Override = NO_OVERRIDE, *,
             window: Window | None = None) -> datetime:
    """min(start + duration + extra time, the close of the window the attempt was started in)."""
    closes = (window or override.window or policy.window).closes_at
    return min(started_at + policy.duration + override.extra_time, closes)


def accepts_answer(now: datetime, attempt_deadline: datetime) -> bool:
    return now <= attempt_deadline


def accepts_submit(now: datetime, attempt_deadline: datetime, policy: Policy) -> bool:
    """A submit sent just after the deadline (network, a slow click) still lands within the grace period."""
    return now <= attempt_deadline + policy.grace


def is_overdue(now: datetime, attempt_deadline: datetime, policy: Policy) -> bool:
    """Past the grace period: the scheduler (or the next request) submits the saved answers."""
    return now > attempt_deadline + policy.grace


@dataclass(frozen=True)
class History:
    """What a person has done in this exam so far."""
    submitted_scores: tuple[float, ...] = ()     # in the order the attempts were made
    running: bool = False
    main_attempts: int = 0                       # attempts started in the main window


@dataclass
class StartDecision:
    allowed: bool
    reason: str = ""                 # a code from REASONS
    window: Window | None = None     # the window the attempt would run in
    makeup: bool = False


REASONS = {
    "not_open": "考试尚未开始",
    "closed": "考试已结束",
    "running": "已有进行中的作答",
    "no_attempts": "作答次数已用完",
    "makeup_not_allowed": "不符合补考条件",
    "passed": "已通过考试，无需补考",
}


def can_start(now: datetime, policy: Policy, history: History, override: Override = NO_OVERRIDE) -> StartDecision:
    if history.running:
        return StartDecision(False, "running")
    main = override.window or policy.window
    if main.contains(now):
        if len(history.submitted_scores) >= policy.attempts + override.extra_attempts:
            return StartDecision(False, "no_attempts")
        return StartDecision(True, window=main)
    if now < main.opens_at:
        return StartDecision(False, "not_open")
    if policy.makeup is not None and policy.makeup.contains(now):
        scores = history.submitted_scores
        status = "absent" if not scores else ("failed" if counted_score(scores, policy) < policy.pass_mark
                                              else "passed")
        if status == "passed":
            return StartDecision(False, "passed")
        if status not in policy.makeup_for:
            return StartDecision(False, "makeup_not_allowed")
        return StartDecision(True, window=policy.makeup, makeup=True)
    return StartDecision(False, "closed")


def counted_score(scores: tuple[float, ...] | list[float], policy: Policy) -> float | None:
    """The score that counts for the person, per the exam's rule; None before any submitted attempt."""
    if not scores:
        return None
    return {"best": max, "last": lambda s: s[-1], "first": lambda s: s[0],
            "average": lambda s: round(sum(s) / len(s), 2)}[policy.counting](list(scores))


def band_for(score: float | None, policy: Policy) -> str:
    if score is None:
        return ""
    for band in sorted(policy.bands, key=lambda b: -b.minimum):
        if score >= band.minimum:
            return band.label
    return ""


def passed(score: float | None, policy: Policy) -> bool:
    return score is not None and score >= policy.pass_mark


def show_results(now: datetime, policy: Policy) -> bool:
    return _visible(policy.results, now, policy)


def show_answers(now: datetime, policy: Policy) -> bool:
    return _visible(policy.answers, now, policy)


def _visible(rule: str, now: datetime, policy: Policy) -> bool:
    last_close = max([policy.window.closes_at] + ([policy.makeup.closes_at] if policy.makeup else []))
    return {"immediately": True, "after_close": now >= last_close, "never": False}[rule]


__all__ = ["COUNTING", "REASONS", "VISIBILITY", "Band", "History", "Override", "Policy", "StartDecision", "Window",
           "accepts_answer", "accepts_submit", "band_for", "can_start", "counted_score", "deadline",
           "is_overdue", "passed", "show_answers", "show_results"]
