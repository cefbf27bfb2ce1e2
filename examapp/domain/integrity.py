"""Integrity evidence of one attempt (tab switches, time away from the page, IP changes, answer timings,
a very fast submit with a high score) combined into a 0–100 risk score with its reasons. The score is
for a person to review; it is never a penalty by itself (DESIGN §2). Times are naive UTC datetimes."""
from dataclasses import dataclass
from datetime import datetime, timedelta

# Weights: points per unit of evidence and the cap of each kind, so no single kind dominates.
POINTS_PER_SWITCH = 5
SWITCH_CAP = 30
HIDDEN_SECONDS_PER_POINT = 20          # one point per 20 s away from the page
HIDDEN_CAP = 25
POINTS_PER_IP_CHANGE = 15
IP_CAP = 30
FAST_ANSWER_SECONDS = 5                # an answer saved less than this after the previous one (or the start)
FAST_ANSWER_MIN = 5                    # counts from this many fast answers on …
FAST_ANSWER_SHARE = 0.3                # … when they are at least this share of the answers
FAST_ANSWER_POINTS = 20
FAST_SUBMIT_SHARE = 0.25               # submitted within this share of the duration …
FAST_SUBMIT_SCORE_SHARE = 0.9          # … with at least this share of the points
FAST_SUBMIT_POINTS = 25
MAX_SCORE = 100
HIGH, MEDIUM = 60, 30                  # levels, for colouring only


@dataclass(frozen=True)
class Evidence:
    started_at: datetime
    end: datetime                                   # submitted_at, or now while it runs
    duration: timedelta                             # the exam's duration
    events: tuple[tuple[str, datetime], ...] = ()   # (kind, at): hidden, visible, ip_change, …
    answer_times: tuple[datetime, ...] = ()         # when each answer was last saved
    score: float | None = None
    total_points: float = 100
    submitted: bool = False


@dataclass(frozen=True)
class Reason:
    code: str
    points: int
    text: str

    @property
    def label(self) -> str:
        return f"{self.text}（+{self.points}）"


@dataclass(frozen=True)
class Risk:
    score: int
    reasons: tuple[Reason, ...] = ()

    @property
    def level(self) -> str:
        return "high" if self.score >= HIGH else "medium" if self.score >= MEDIUM else "low"

    @property
    def summary(self) -> str:
        return "；".join(r.label for r in self.reasons) or "无异常记录"


def over_threshold(switches: int, threshold: int | None) -> bool:
    """A threshold of N tolerates N tab switches; the next one exceeds it."""
    return threshold is not None and switches > threshold


def switch_count(events) -> int:
    return sum(1 for kind, _at in events if kind == "hidden")


def hidden_spans(events, end: datetime) -> list[float]:
    """Seconds away from the page for each hidden event, in time order: until the next event of the page
    (visible, or another hidden one, which means it was shown in between), or until `end`."""
    page = sorted(((at, kind) for kind, at in events if kind in ("hidden", "visible")), key=lambda e: e[0])
    spans = []
    for i, (at, kind) in enumerate(page):
        if kind != "hidden":
            continue
        until = page[i + 1][0] if i + 1 < len(page) else max(end, at)
        spans.append(max(0.0, (until - at).total_seconds()))
    return spans


def fast_answers(started_at: datetime, answer_times, seconds: float = FAST_ANSWER_SECONDS) -> int:
    """How many answers were saved less than `seconds` after the previous answer (the first: after the start)."""
    count, previous = 0, started_at
    for at in sorted(answer_times):
        if (at - previous).total_seconds() < seconds:
            count += 1
        previous = at
    return count


def _minutes_seconds(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} 分 {s} 秒" if m else f"{s} 秒"


def risk(e: Evidence) -> Risk:
    reasons: list[Reason] = []

    switches = switch_count(e.events)
    if switches:
        reasons.append(Reason("switches", min(SWITCH_CAP, switches * POINTS_PER_SWITCH), f"切屏 {switches} 次"))

    away = sum(hidden_spans(e.events, e.end))
    points = min(HIDDEN_CAP, int(away // HIDDEN_SECONDS_PER_POINT))
    if points:
        reasons.append(Reason("hidden_time", points, f"离开答题页面共 {_minutes_seconds(away)}"))

    ip_changes = sum(1 for kind, _at in e.events if kind == "ip_change")
    if ip_changes:
        reasons.append(Reason("ip_change", min(IP_CAP, ip_changes * POINTS_PER_IP_CHANGE),
                              f"IP 地址变化 {ip_changes} 次"))

    fast = fast_answers(e.started_at, e.answer_times)
    if e.answer_times and fast >= FAST_ANSWER_MIN and fast / len(e.answer_times) >= FAST_ANSWER_SHARE:
        reasons.append(Reason("fast_answers", FAST_ANSWER_POINTS,
                              f"{fast} 道题与上一题的保存间隔不足 {FAST_ANSWER_SECONDS} 秒"))

    used = (e.end - e.started_at).total_seconds()
    duration = e.duration.total_seconds()
    if (e.submitted and e.score is not None and duration > 0 and e.total_points > 0
            and used <= duration * FAST_SUBMIT_SHARE and e.score >= e.total_points * FAST_SUBMIT_SCORE_SHARE):
        reasons.append(Reason("fast_submit", FAST_SUBMIT_POINTS,
                              f"用时 {_minutes_seconds(used)}（不到时长的 {round(FAST_SUBMIT_SHARE * 100)}%）"
                              f"即交卷，得分 {e.score:g} / {e.total_points:g}"))

    return Risk(min(MAX_SCORE, sum(r.points for r in reasons)), tuple(reasons))


__all__ = ["Evidence", "Reason", "Risk", "fast_answers", "hidden_spans", "over_threshold", "risk", "switch_count"]
