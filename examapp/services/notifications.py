"""In-app notifications: sending them once per (person, key), reading them, and e-mailing them when an
SMTP server is configured."""
import logging
import smtplib
import ssl
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import NotFound
from ..extensions import db
from ..models import Notification, User
from . import audit
from .tx import begin_write, commit

log = logging.getLogger(__name__)

CHUNK = 500
# Dialects whose INSERT can skip rows that hit the unique (user_id, key) constraint.
_IGNORING_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _ids(users_or_ids: Iterable) -> list[int]:
    ids = {u if isinstance(u, int) else u.id for u in users_or_ids}
    return sorted(ids)


def _insert_ignoring_duplicates(rows: list[dict]) -> list[int]:
    """Insert the rows, skipping any (user_id, key) stored meanwhile by a concurrent run; the user ids
    actually inserted."""
    make = _IGNORING_INSERTS.get(db.session.get_bind().dialect.name)
    if make is None:  # a database without it: the keys found just before were left out; the constraint guards the rest
        db.session.execute(Notification.__table__.insert(), rows)
        return [r["user_id"] for r in rows]
    stmt = make(Notification).on_conflict_do_nothing(index_elements=["user_id", "key"]).returning(
        Notification.user_id)
    return list(db.session.scalars(stmt, rows))


def notify_many(users_or_ids: Iterable, key: str, kind: str, title: str, body: str, link: str, now: datetime,
                *, actor="system:scheduler", object_type: str = "", object_id="") -> int:
    """Give each person the notification `key` unless they already have it. Idempotent, and safe when two
    runs overlap (the unique constraint decides). Returns how many were stored now."""
    ids = _ids(users_or_ids)
    if not ids:
        return 0
    begin_write()
    have: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        have.update(db.session.scalars(select(Notification.user_id).where(
            Notification.key == key, Notification.user_id.in_(chunk))))
    rows = [{"user_id": uid, "key": key[:120], "kind": kind[:24], "title": title[:200], "body": body[:2000],
             "link": link[:300], "created_at": now} for uid in ids if uid not in have]
    inserted: list[int] = []
    for start in range(0, len(rows), CHUNK):
        inserted.extend(_insert_ignoring_duplicates(rows[start:start + CHUNK]))
    if inserted:
        audit.record("notification.send", actor=actor, now=now, object_type=object_type or "notification",
                     object_id=object_id or key[:64], data={"key": key, "kind": kind, "title": title,
                                                            "recipients": len(inserted)})
    commit()
    return len(inserted)


# -- reading ----------------------------------------------------------------------------------------

def list_query(user):
    """The person's notifications, newest first (paginate it)."""
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(user, notification_id: int, *, now: datetime) -> Notification:
    """Mark one of the person's own notifications read; anyone else's is not found."""
    begin_write()
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound("消息不存在")
    if note.read_at is None:
        note.read_at = now
    commit()
    return note


def mark_all_read(user, *, now: datetime) -> int:
    begin_write()
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=now))
    commit()
    return result.rowcount or 0


# -- e-mail -----------------------------------------------------------------------------------------

MAX_EMAIL_AGE = timedelta(hours=72)   # a server configured later does not mail out old reminders
EMAIL_BATCH = 200


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def _message(note, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = note.title
    msg["From"] = sender
    msg["To"] = formataddr((note.name, note.email))
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    lines = [note.body]
    if base and note.link:
        lines += ["", base + note.link]
    lines += ["", "——法治学习考试系统（本邮件由系统自动发送，请勿回复）"]
    msg.set_content("\n".join(lines), charset="utf-8")
    return msg


def _connect(config) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25),
                        timeout=config.get("SMTP_TIMEOUT", 20))
    try:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


def send_pending_emails(*, now: datetime, limit: int = EMAIL_BATCH) -> int:
    """E-mail the unread notifications not mailed yet to active people who have an address. A failure is
    logged and the message stays pending for the next run; returns how many were sent."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        return 0
    pending = db.session.execute(
        select(Notification.id, Notification.user_id, Notification.title, Notification.body, Notification.link,
               User.email, User.name).join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), Notification.read_at.is_(None),
               Notification.created_at >= now - MAX_EMAIL_AGE, User.active.is_(True), User.email != "")
        .order_by(Notification.id).limit(limit)).all()
    db.session.rollback()
    if not pending:
        return 0
    sender = config.get("SMTP_FROM") or config.get("SMTP_USER") or "examapp@localhost"
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException, ValueError) as e:
        log.warning("e-mail: cannot reach %s:%s (%s); %d message(s) wait for the next run",
                    config["SMTP_HOST"], config.get("SMTP_PORT"), e, len(pending))
        return 0
    sent = 0
    try:
        for note in pending:
            try:
                smtp.send_message(_message(note, sender))
            except smtplib.SMTPServerDisconnected as e:
                log.warning("e-mail: server disconnected (%s); the rest wait for the next run", e)
                break
            except (OSError, smtplib.SMTPException, ValueError) as e:
                log.warning("e-mail to user %s (notification %s) failed: %s", note.user_id, note.id, e)
                continue
            # marked one by one: a crash later in the batch must not send this one again
            begin_write()
            db.session.execute(update(Notification).where(Notification.id == note.id,
                                                          Notification.emailed_at.is_(None)).values(emailed_at=now))
            commit()
            sent += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return sent


__all__ = ["list_query", "mark_all_read", "mark_read", "notify_many", "send_pending_emails", "smtp_configured",
           "unread_count"]
