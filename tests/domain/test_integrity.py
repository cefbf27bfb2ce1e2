"""The risk score of one attempt: each kind of evidence, its weight and cap, and the reasons in Chinese."""
from datetime import datetime, timedelta

from examapp.domain import integrity
from examapp.domain.integrity import Evidence, fast_answers, hidden_spans, over_threshold, risk

T0 = datetime(2026, 3, 15, 2, 0, 0)
HOUR = timedelta(minutes=90)


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def evidence(**fields) -> Evidence:
    fields.setdefault("started_at", T0)
    fields.setdefault("end", s(3600))
    fields.setdefault("duration", HOUR)
    return Evidence(**fields)


def test_a_quiet_attempt_scores_zero():
    r = risk(evidence(answer_times=tuple(s(60 * n) for n in range(1, 11))))
    assert r.score == 0 and r.reasons == () and r.summary == "无异常记录" and r.level == "low"


def test_tab_switches_count_five_each_up_to_their_cap():
    three = tuple(e for n in range(3) for e in (("hidden", s(100 * n)), ("visible", s(100 * n + 1))))
    r = risk(evidence(events=three))
    assert r.score == 15 and r.reasons[0].text == "切屏 3 次" and r.reasons[0].label == "切屏 3 次（+15）"
    many = tuple(e for n in range(20) for e in (("hidden", s(100 * n)), ("visible", s(100 * n + 1))))
    assert risk(evidence(events=many)).reasons[0].points == integrity.SWITCH_CAP    # 20 switches, capped


def test_time_away_from_the_page():
    assert hidden_spans([("hidden", s(10)), ("visible", s(75))], s(3600)) == [65.0]
    # a second hidden means the page was shown in between; a last hidden lasts until the end
    assert hidden_spans([("hidden", s(0)), ("hidden", s(30)), ("visible", s(40))], s(3600)) == [30.0, 10.0]
    assert hidden_spans([("visible", s(5)), ("hidden", s(3000))], s(3600)) == [600.0]
    r = risk(evidence(events=(("hidden", s(0)), ("visible", s(250)))))
    away = next(x for x in r.reasons if x.code == "hidden_time")
    assert away.text == "离开答题页面共 4 分 10 秒" and away.points == 250 // integrity.HIDDEN_SECONDS_PER_POINT
    long_gone = risk(evidence(events=(("hidden", s(0)),), end=s(3600)))
    assert next(x for x in long_gone.reasons if x.code == "hidden_time").points == integrity.HIDDEN_CAP


def test_ip_changes():
    r = risk(evidence(events=(("ip_change", s(100)),)))
    assert r.score == 15 and r.reasons[0].text == "IP 地址变化 1 次"
    assert risk(evidence(events=tuple(("ip_change", s(n)) for n in range(5)))).score == integrity.IP_CAP


def test_many_answers_saved_seconds_apart():
    fast = tuple(s(2 * n) for n in range(1, 11))          # ten answers, 2 s apart from the start
    assert fast_answers(T0, fast) == 10
    r = risk(evidence(answer_times=fast))
    assert r.score == integrity.FAST_ANSWER_POINTS
    assert r.reasons[0].text == "10 道题与上一题的保存间隔不足 5 秒"
    # a few quick ones among many considered answers do not count
    mixed = tuple(s(60 * n) for n in range(1, 21)) + (s(61), s(122), s(183))
    assert fast_answers(T0, mixed) == 3 and risk(evidence(answer_times=mixed)).score == 0


def test_a_fast_submit_with_a_high_score():
    quick = evidence(end=s(600), submitted=True, score=96, total_points=100)      # 10 of 90 minutes
    r = risk(quick)
    assert r.score == integrity.FAST_SUBMIT_POINTS
    assert r.reasons[0].text == "用时 10 分 0 秒（不到时长的 25%）即交卷，得分 96 / 100"
    assert risk(evidence(end=s(600), submitted=True, score=60)).score == 0          # fast but low: no sign
    assert risk(evidence(end=s(3000), submitted=True, score=100)).score == 0        # took its time
    assert risk(evidence(end=s(600), submitted=False, score=None)).score == 0       # still running


def test_the_score_is_capped_at_100_and_keeps_every_reason():
    events = tuple(e for n in range(10) for e in (("hidden", s(300 * n)), ("visible", s(300 * n + 200))))
    r = risk(evidence(events=events + (("ip_change", s(5)), ("ip_change", s(6))), end=s(1200), submitted=True,
                      score=100, answer_times=tuple(s(n) for n in range(1, 30))))
    assert r.score == 100 and r.level == "high"
    assert {x.code for x in r.reasons} == {"switches", "hidden_time", "ip_change", "fast_answers", "fast_submit"}
    assert "；" in r.summary and "切屏 10 次（+30）" in r.summary


def test_threshold():
    assert not over_threshold(5, None)
    assert not over_threshold(3, 3) and over_threshold(4, 3)
    assert over_threshold(1, 0) and not over_threshold(0, 0)
