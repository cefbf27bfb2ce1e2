"""The daily audit-chain checkpoint (DESIGN §7, QUALITY S13)."""
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import User, UserRole
from . import audit, notifications


def daily_checkpoint(*, now: datetime) -> int:
    """Verify the whole chain; when it holds, append its head to the checkpoint file and return the event
    count. When it is broken, write no checkpoint (a broken head must never become a reference) and notify
    the admins and auditors, once a day; return -1."""
    result = audit.verify()
    if result.ok:
        audit.write_checkpoint(result, now)
        return result.count
    current_app.logger.error("audit chain broken at seq %s: %s", result.first_bad_seq, result.reason)
    readers = db.session.scalars(select(User.id).where(User.active.is_(True),
                                                       User.roles.any(UserRole.role.in_(("admin", "auditor")))))
    notifications.notify_many(list(readers), f"audit-broken:{now:%Y-%m-%d}", "audit",
                              "审计链校验失败", f"审计链自第 {result.first_bad_seq} 条事件起不完整：{result.reason}",
                              "/audit/verify", now)
    return -1


__all__ = ["daily_checkpoint"]
