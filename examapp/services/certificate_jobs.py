"""The scheduler's certificate jobs: valid certificates past their date become expired (each with its event
and audit record), and reminders go to the holder and the admins of their unit 180, 90 and 30 days before
the expiry date and before the annual review. Both are idempotent: the status change happens once, and
each reminder is keyed by certificate, stage and the date it is about."""
import logging
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select

from ..domain import certificate_reminders as due
from ..domain.orgpath import is_within
from ..extensions import db
from ..models import Certificate, OrgUnit, User, UserRole
from . import certificates, notifications
from .actors import SystemActor
from .certificate_views import local_today, type_label
from .reminders import path_for

log = logging.getLogger(__name__)
ACTOR = "system:scheduler"


def expire_certificates(*, now: datetime) -> int:
    """Switch every valid certificate whose expiry date has passed to expired; returns how many."""
    today = local_today(now)
    ids = list(db.session.scalars(select(Certificate.id).where(Certificate.status == "valid",
                                                               Certificate.expires_on < today)
                                  .order_by(Certificate.id)))
    db.session.rollback()   # end the read transaction: each switch is its own writing one
    actor = SystemActor(username=ACTOR)
    switched = 0
    for cert_id in ids:
        try:
            switched += certificates.expire(actor, cert_id, now) is not None
        except Exception:   # logged; the next run tries again
            db.session.rollback()
            log.exception("certificate expiry: certificate %s failed", cert_id)
    return switched


def _unit_admins() -> list[tuple[int, str]]:
    """(user id, scope path) of every active unit admin."""
    return list(db.session.execute(
        select(UserRole.user_id, OrgUnit.path).join(OrgUnit, UserRole.scope_unit_id == OrgUnit.id)
        .join(User, UserRole.user_id == User.id).where(UserRole.role == "unit_admin", User.active.is_(True))))


def _admins_of(unit_path: str, admins: list[tuple[int, str]]) -> list[int]:
    return sorted({uid for uid, path in admins if is_within(unit_path, path)})


def _fmt(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# stage name -> (leads, the date a certificate's reminder is about or None, kind, title, texts)
def _expiry_anchor(cert: Certificate, today: date) -> date | None:
    return cert.expires_on


def _review_anchor(cert: Certificate, today: date) -> date | None:
    return due.next_review_on(cert.issued_on, cert.expires_on, cert.last_review_on, today)


STAGES = {
    "expiry": (due.EXPIRY_LEADS, _expiry_anchor, "cert_expiry", "证件即将到期",
               "您的{type}（{number}）将于 {day} 到期，还有 {days} 天，请及时申请换发。",
               "{holder}的{type}（{number}）将于 {day} 到期，还有 {days} 天，请及时办理换发。"),
    "review": (due.REVIEW_LEADS, _review_anchor, "cert_review", "证件年度审验提醒",
               "您的{type}（{number}）应于 {day} 前完成年度审验，还有 {days} 天。",
               "{holder}的{type}（{number}）应于 {day} 前完成年度审验，还有 {days} 天，请及时组织审验。"),
}


def send_certificate_reminders(*, now: datetime) -> int:
    """Reminders for valid certificates of active holders; each (certificate, stage, date) once per person."""
    today = local_today(now)
    rows = db.session.execute(
        select(Certificate, OrgUnit.path).join(User, Certificate.holder_id == User.id)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(Certificate.status == "valid", Certificate.expires_on >= today, User.active.is_(True))
        .order_by(Certificate.id)).all()
    admins = _unit_admins()
    # what to send, gathered before writing: notify_many opens its own transaction per key
    batches: dict[tuple, list] = defaultdict(list)
    for cert, unit_path in rows:
        for stage, (leads, anchor_of, kind, title, to_holder, to_admin) in STAGES.items():
            anchor = anchor_of(cert, today)
            lead = due.due_lead(today, anchor, leads) if anchor else None
            if lead is None:
                continue
            key = f"cert:{cert.id}:{stage}:{lead}d:{anchor:%Y%m%d}"
            words = {"type": type_label(cert.type), "number": cert.number, "holder": cert.holder.name,
                     "day": _fmt(anchor), "days": (anchor - today).days}
            link = path_for("verify.result", number=cert.number)
            batches[(key, kind, title, to_holder.format(**words), link, cert.id)].append(cert.holder_id)
            others = [uid for uid in _admins_of(unit_path, admins) if uid != cert.holder_id]
            if others:
                batches[(key, kind, title, to_admin.format(**words), link, cert.id)].extend(others)
    db.session.rollback()
    sent = 0
    for (key, kind, title, body, link, cert_id), ids in batches.items():
        try:
            sent += notifications.notify_many(ids, key, kind, title, body, link, now, actor=ACTOR,
                                              object_type="certificate", object_id=cert_id)
        except Exception:   # logged; the keys make the next run send only what is still missing
            db.session.rollback()
            log.exception("certificate reminders: %s failed", key)
    return sent


__all__ = ["STAGES", "expire_certificates", "send_certificate_reminders"]
