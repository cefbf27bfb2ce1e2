"""Crediting online study time from heartbeats, and the patterns that make a session worth a look.

The page beats about every BEAT_SECONDS while it is visible and the learner is active; the server
credits the time between two beats it received itself, never a duration the page reports. The page
jitters its interval by about ±20 %, so a perfectly regular series comes from something else.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean, pstdev

BEAT_SECONDS = 30          # the page's interval
BEAT_MAX = 45              # one beat credits at most this much (a late beat does not earn its whole gap)
IDLE_CUTOFF = 90           # a longer gap credits nothing: the page was hidden, asleep or idle
INTERVALS_KEPT = 200       # gaps remembered per session for the regularity check

REGULAR_MIN_BEATS = 20     # the regularity check looks at this many most recent gaps
REGULAR_MAX_CV = 0.02      # coefficient of variation below which the gaps are "perfectly regular"
NIGHT_FROM, NIGHT_UNTIL = 0, 5     # local hours
NIGHT_MIN_MINUTES = 60

REGULAR = "regular_intervals"
NIGHT = "all_night"
PARALLEL = "parallel_lessons"
FLAG_LABELS = {
    REGULAR: "心跳间隔过于规律（疑似脚本）",
    NIGHT: "深夜长时间学习（0:00–5:00 超过 60 分钟）",
    PARALLEL: "同时学习多门课程",
}


@dataclass(frozen=True)
class Credit:
    seconds: int      # credited by this beat
    gap: float        # seconds since the previous beat
    counted: bool     # the gap was short enough to be a continuous sitting


def credit(previous: datetime, at: datetime, credited_seconds: int, cap_seconds: int, *,
           visible: bool = True, active: bool = True) -> Credit:
    """What one beat earns: min(gap, BEAT_MAX) when the gap is within IDLE_CUTOFF and the page was
    visible and in use, never taking the total (`credited_seconds`) beyond `cap_seconds`."""
    gap = (at - previous).total_seconds()
    counted = 0 < gap <= IDLE_CUTOFF
    if not counted or not (visible and active):
        return Credit(0, gap, counted)
    room = max(0, cap_seconds - credited_seconds)
    return Credit(min(int(gap), BEAT_MAX, room), gap, counted)


def keep_interval(intervals: list, gap: float) -> list:
    """The session's remembered gaps with `gap` appended (a new list, so JSON columns see the change)."""
    return [*list(intervals or [])[-(INTERVALS_KEPT - 1):], round(gap, 2)]


def too_regular(intervals: list) -> bool:
    recent = [float(x) for x in (intervals or [])][-REGULAR_MIN_BEATS:]
    if len(recent) < REGULAR_MIN_BEATS:
        return False
    mean = fmean(recent)
    return mean > 0 and pstdev(recent) / mean < REGULAR_MAX_CV


def night_minutes(local_start: datetime, local_end: datetime) -> float:
    """Minutes of [start, end] (local times) that fall between NIGHT_FROM and NIGHT_UNTIL o'clock."""
    total = 0.0
    day = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day <= local_end:
        lo = max(local_start, day.replace(hour=NIGHT_FROM))
        hi = min(local_end, day.replace(hour=NIGHT_UNTIL))
        if hi > lo:
            total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return total


def all_night(local_start: datetime, local_end: datetime, active_seconds: float) -> bool:
    """A sitting that spans more than NIGHT_MIN_MINUTES of the night with the page in use (beats close
    together) for at least as long; credit may have stopped at the lesson's cap, presence has not."""
    return (night_minutes(local_start, local_end) > NIGHT_MIN_MINUTES
            and active_seconds > NIGHT_MIN_MINUTES * 60)


def overlapping(other_last_beat: datetime, now: datetime) -> bool:
    """Another lesson's session that beat this recently was still being studied at the same time."""
    return (now - other_last_beat).total_seconds() <= IDLE_CUTOFF


def with_flag(flags: list, flag: str) -> list:
    return list(flags or []) if flag in (flags or []) else [*list(flags or []), flag]
