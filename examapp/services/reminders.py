"""Exam reminders the scheduler sends: before an exam opens (its audience), before it closes (those who
have not sat it yet) and make-up notices (those who may take the make-up). Each notification is keyed by
exam, stage and the time it is about, so a job that runs again, or twice at once, sends nothing new; a
rescheduled exam gets a fresh reminder."""
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from ..domain import reminders as rules
from ..extensions import db
from ..models import Attempt, Exam, Notification, User
from . import exams, exemptions, notifications

log = logging.getLogger(__name__)
ACTOR = "system:scheduler"


def local_time(value: datetime) -> str:
    """A stored (UTC) time as the bureau reads it: notifications are plain text written without a request."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def path_for(endpoint: str, **values) -> str:
    """A page's local path without a request (the scheduler has none)."""
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(endpoint, values)


def exam_link(exam_id: int) -> str:
    return path_for("exams.detail", exam_id=exam_id)


def _leads(setting: str) -> tuple[float, ...]:
    try:
        return rules.parse_hours(current_app.config[setting], name=setting)
    except ValueError as e:
        log.error("reminders: bad setting %s; these reminders are off until it is fixed", e)
        return ()


def _recipients(exam: Exam, key: str, *, not_sat: bool = False) -> list[int]:
    """The exam's audience (active learners) who do not have `key` yet; optionally only those without an
    attempt (a running one counts: it is submitted with its answers when time is up)."""
    stmt = exams.audience_query(exam).with_only_columns(User.id).where(
        ~select(Notification.id).where(Notification.user_id == User.id, Notification.key == key).exists())
    if not_sat:
        stmt = stmt.where(~select(Attempt.id).where(Attempt.exam_id == exam.id, Attempt.user_id == User.id).exists())
    if exam.kind == "annual":          # 免考 for the year: no reminders, no make-up notices
        stmt = stmt.where(exemptions.not_exempt(exam.year))
    return list(db.session.scalars(stmt))


def _send(exam: Exam, ids: list[int], key: str, kind: str, title: str, body: str, now: datetime) -> int:
    exam_id = exam.id
    db.session.rollback()   # end the read transaction: notify_many opens the writing one
    return notifications.notify_many(ids, key, kind, title, body, exam_link(exam_id), now, actor=ACTOR,
                                     object_type="exam", object_id=exam_id)


def _published(*conditions) -> list[Exam]:
    return list(db.session.scalars(select(Exam).where(Exam.status == "published", *conditions).order_by(Exam.id)))


def send_open_reminders(*, now: datetime) -> int:
    leads = _leads("OPEN_REMINDER_HOURS")
    if not leads:
        return 0
    sent = 0
    for exam in _published(Exam.opens_at > now, Exam.opens_at <= now + timedelta(hours=max(leads))):
        lead = rules.due_lead(now, exam.opens_at, leads)
        if lead is None:
            continue
        key = f"exam:{exam.id}:open:{rules.label(lead)}:{exam.opens_at:%Y%m%d%H%M}"
        ids = _recipients(exam, key)
        if ids:
            sent += _send(exam, ids, key, "exam_open", "考试即将开始",
                          f"《{exam.title}》将于 {local_time(exam.opens_at)} 开始，{local_time(exam.closes_at)} 截止，"
                          f"请按时参加。", now)
    db.session.rollback()
    return sent


def send_close_reminders(*, now: datetime) -> int:
    leads = _leads("CLOSE_REMINDER_HOURS")
    if not leads:
        return 0
    sent = 0
    for exam in _published(Exam.opens_at <= now, Exam.closes_at > now,
                           Exam.closes_at <= now + timedelta(hours=max(leads))):
        lead = rules.due_lead(now, exam.closes_at, leads)
        if lead is None:
            continue
        key = f"exam:{exam.id}:close:{rules.label(lead)}:{exam.closes_at:%Y%m%d%H%M}"
        ids = _recipients(exam, key, not_sat=True)
        if ids:
            sent += _send(exam, ids, key, "exam_close", "考试即将结束",
                          f"《{exam.title}》将于 {local_time(exam.closes_at)} 截止，您还没有参加，请抓紧时间。", now)
    db.session.rollback()
    return sent


def send_makeup_notices(*, now: datetime) -> int:
    leads = _leads("MAKEUP_NOTICE_HOURS")
    lead = max(leads) if leads else 0.0
    sent = 0
    for exam in _published(Exam.makeup_opens_at.is_not(None), Exam.makeup_closes_at > now, Exam.closes_at <= now):
        if not rules.makeup_notice_due(now, closes_at=exam.closes_at, makeup_opens_at=exam.makeup_opens_at,
                                       makeup_closes_at=exam.makeup_closes_at, lead=lead):
            continue
        key = f"exam:{exam.id}:makeup:{exam.makeup_opens_at:%Y%m%d%H%M}"
        # eligibility as "my exams" decides it when the make-up is open; a running attempt waits for its result
        ids = exams.makeup_eligible(exam, _recipients(exam, key), at=max(now, exam.makeup_opens_at))
        if ids:
            sent += _send(exam, ids, key, "makeup", "补考通知",
                          f"《{exam.title}》补考时间：{local_time(exam.makeup_opens_at)} 至 "
                          f"{local_time(exam.makeup_closes_at)}，您可以参加补考。", now)
    db.session.rollback()
    return sent


# (name, function): one failing kind of reminder does not keep the others from going out
SENDERS = (("open", send_open_reminders), ("close", send_close_reminders), ("makeup", send_makeup_notices))


def send_exam_reminders(*, now: datetime) -> int:
    total = 0
    for name, send in SENDERS:
        try:
            total += send(now=now)
        except Exception:   # logged; the next run tries again (the keys keep it idempotent)
            db.session.rollback()
            log.exception("reminders: %s failed", name)
    return total


__all__ = ["exam_link", "local_time", "path_for", "send_close_reminders", "send_exam_reminders", "send_makeup_notices",
           "send_open_reminders"]
