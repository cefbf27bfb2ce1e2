"""Crediting study time from heartbeats, and the suspicious patterns, by hand-computed cases."""
from datetime import datetime, timedelta

from examapp.domain import file_types, study_time
from examapp.domain.study_time import BEAT_MAX, IDLE_CUTOFF, credit

T0 = datetime(2026, 3, 15, 10, 0, 0)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_beat_thirty_seconds_after_the_last_credits_thirty():
    c = credit(T0, at(30), 0, 45 * 60)
    assert (c.seconds, c.gap, c.counted) == (30, 30, True)


def test_a_late_beat_within_the_cutoff_credits_at_most_beat_max():
    assert credit(T0, at(80), 0, 3600).seconds == BEAT_MAX == 45
    assert credit(T0, at(IDLE_CUTOFF), 0, 3600).seconds == 45


def test_a_gap_beyond_the_cutoff_credits_nothing():
    c = credit(T0, at(IDLE_CUTOFF + 1), 0, 3600)
    assert (c.seconds, c.counted) == (0, False)
    assert credit(T0, at(300), 0, 3600).seconds == 0       # five minutes away


def test_hidden_or_idle_pages_credit_nothing():
    assert credit(T0, at(30), 0, 3600, visible=False).seconds == 0
    assert credit(T0, at(30), 0, 3600, active=False).seconds == 0


def test_never_beyond_the_lesson_credit():
    # 45-minute lesson, 2690 s already credited: only 10 s left
    assert credit(T0, at(30), 2690, 2700).seconds == 10
    assert credit(T0, at(30), 2700, 2700).seconds == 0


def test_replayed_or_backwards_beats_credit_nothing():
    assert credit(T0, T0, 0, 3600).seconds == 0
    assert credit(at(30), T0, 0, 3600).seconds == 0


def test_perfectly_regular_intervals_are_flagged_only_after_twenty_beats():
    assert not study_time.too_regular([30.0] * 19)
    assert study_time.too_regular([30.0] * 20)
    assert study_time.too_regular([30.0, 30.01] * 10)       # scripted: sd 0.005 s on 30 s
    # the page jitters ±20 %: 24…36 s gives sd ≈ 3.5 s, a coefficient of variation far above 2 %
    assert not study_time.too_regular([24.0, 36.0, 30.0, 27.0, 33.0] * 4)


def test_keep_interval_remembers_the_last_two_hundred():
    kept = study_time.keep_interval([1.0] * 200, 30.123)
    assert len(kept) == 200 and kept[-1] == 30.12


def test_night_minutes_counts_only_zero_to_five_local():
    assert study_time.night_minutes(datetime(2026, 3, 15, 23, 0), datetime(2026, 3, 16, 1, 30)) == 90
    assert study_time.night_minutes(datetime(2026, 3, 15, 4, 30), datetime(2026, 3, 15, 6, 0)) == 30
    assert study_time.night_minutes(datetime(2026, 3, 15, 9, 0), datetime(2026, 3, 15, 18, 0)) == 0


def test_all_night_needs_more_than_an_hour_of_night_and_of_presence():
    start, end = datetime(2026, 3, 16, 0, 30), datetime(2026, 3, 16, 2, 0)     # 90 night minutes
    assert study_time.all_night(start, end, 61 * 60)
    assert not study_time.all_night(start, end, 30 * 60)                      # mostly idle
    assert not study_time.all_night(datetime(2026, 3, 16, 4, 30), datetime(2026, 3, 16, 7, 0), 150 * 60)


def test_overlapping_means_the_other_lesson_beat_within_the_cutoff():
    assert study_time.overlapping(T0, at(60))
    assert not study_time.overlapping(T0, at(IDLE_CUTOFF + 1))


def test_flags_are_added_once_with_chinese_labels():
    flags = study_time.with_flag([], study_time.PARALLEL)
    assert study_time.with_flag(flags, study_time.PARALLEL) == ["parallel_lessons"]
    assert study_time.FLAG_LABELS[study_time.PARALLEL] == "同时学习多门课程"


def test_file_types_come_from_the_first_bytes():
    assert file_types.sniff(b"%PDF-1.7\n") == file_types.PDF
    assert file_types.sniff(b"\x89PNG\r\n\x1a\n\0\0") == file_types.PNG
    assert file_types.sniff(b"\xff\xd8\xff\xe0\0\x10JFIF") == file_types.JPEG
    assert file_types.sniff(b"\0\0\0\x18ftypmp42\0\0") == file_types.MP4
    assert file_types.sniff(b"<html><script>") is None
    assert file_types.extension_matches("讲义.PDF", file_types.PDF)
    assert not file_types.extension_matches("a.png", file_types.PDF)
