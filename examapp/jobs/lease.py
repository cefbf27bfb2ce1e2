"""The scheduler lease: only the holder runs jobs; it renews the lease, and another process takes over only
after the lease has expired (a crashed holder stops renewing)."""
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import SchedulerLease

TTL = timedelta(seconds=60)


def acquire(holder: str, *, now: datetime, ttl: timedelta = TTL) -> bool:
    """Take or renew the lease; False while another live holder has it."""
    if db.session.get(SchedulerLease, 1) is None:
        try:
            db.session.add(SchedulerLease(id=1, holder="", expires_at=now))
            db.session.commit()
        except IntegrityError:     # another process created it first
            db.session.rollback()
    result = db.session.execute(
        update(SchedulerLease).where(SchedulerLease.id == 1,
                                     or_(SchedulerLease.holder.in_([holder, ""]), SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def release(holder: str) -> None:
    db.session.execute(update(SchedulerLease).where(SchedulerLease.id == 1, SchedulerLease.holder == holder)
                       .values(holder="").execution_options(synchronize_session=False))
    db.session.commit()


def holder_now() -> str:
    return db.session.scalar(select(SchedulerLease.holder).where(SchedulerLease.id == 1)) or ""
