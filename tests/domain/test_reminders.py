"""When reminders are due, and what an acceptable e-mail address is (no database)."""
from datetime import datetime, timedelta

import pytest

from examapp.domain.people import email_problem
from examapp.domain.reminders import due_lead, label, makeup_notice_due, parse_hours

T = datetime(2026, 5, 10, 1, 0)


def test_lead_times_are_read_from_the_setting():
    assert parse_hours("24,2") == (24.0, 2.0)
    assert parse_hours(" 2 ，24, ,24") == (24.0, 2.0)
    assert parse_hours("") == ()
    assert label(24.0) == "24h" and label(1.5) == "1.5h"
    with pytest.raises(ValueError, match="EXAMAPP_X.*「soon」"):
        parse_hours("24,soon", name="EXAMAPP_X")
    with pytest.raises(ValueError, match="0 到 1440"):
        parse_hours("-1")


def test_the_stage_reached_before_the_anchor():
    leads = (24.0, 2.0)
    assert due_lead(T - timedelta(hours=25), T, leads) is None          # too early
    assert due_lead(T - timedelta(hours=24), T, leads) == 24.0
    assert due_lead(T - timedelta(hours=3), T, leads) == 24.0
    assert due_lead(T - timedelta(hours=1), T, leads) == 2.0            # late: only the nearest stage
    assert due_lead(T, T, leads) is None                                # the moment has passed
    assert due_lead(T - timedelta(hours=1), T, ()) is None


def test_a_makeup_notice_waits_for_the_main_window_and_the_lead():
    closes, mo, mc = T, T + timedelta(days=3), T + timedelta(days=4)
    due = lambda now: makeup_notice_due(now, closes_at=closes, makeup_opens_at=mo, makeup_closes_at=mc,  # noqa: E731
                                        lead=24)
    assert not due(T - timedelta(minutes=1))                            # main window still open
    assert not due(T + timedelta(hours=1))                              # more than a day before the make-up
    assert due(mo - timedelta(hours=23)) and due(mo + timedelta(hours=1))
    assert not due(mc)
    assert not makeup_notice_due(T + timedelta(days=1), closes_at=closes, makeup_opens_at=None,
                                 makeup_closes_at=None, lead=24)


def test_email_addresses():
    assert email_problem("") == ""
    assert email_problem("zhang.san@gxj.example.gov.cn") == ""
    assert "格式不正确" in email_problem("zhang san@example.com")
    assert "格式不正确" in email_problem("no-at-sign.example.com")
    assert "格式不正确" in email_problem("a@b")
    assert "200" in email_problem("a" * 200 + "@example.com")
