"""Reading the audit log within the reader's scope."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, cast, or_, select

from ..domain.like import ESCAPE, literal
from ..models import AuditEvent, OrgUnit, User
from .scope import Scope


@dataclass
class EventFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def events_query(actor, f: EventFilter, *, utc_offset: timedelta = timedelta(0)):
    scope = Scope.of(actor)
    stmt = select(AuditEvent)
    if not scope.everything:
        users_in = scope.users(select(cast(User.id, String)))
        units_in = scope.units(select(cast(OrgUnit.id, String)))
        user_ids = scope.users(select(User.id))
        stmt = stmt.where(or_(
            AuditEvent.actor_id.in_(user_ids),
            (AuditEvent.object_type == "user") & AuditEvent.object_id.in_(users_in),
            (AuditEvent.object_type == "unit") & AuditEvent.object_id.in_(units_in),
        ))
    if f.actor:
        stmt = stmt.where(AuditEvent.actor_name == f.actor.strip())
    if f.action:
        stmt = stmt.where(AuditEvent.action.like(literal(f.action.strip()) + "%", escape=ESCAPE))
    if f.object_type:
        stmt = stmt.where(AuditEvent.object_type == f.object_type.strip())
    if f.object_id:
        stmt = stmt.where(AuditEvent.object_id == f.object_id.strip())
    # dates are the bureau's local dates; stored times are UTC
    if f.date_from:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(f.date_from, time.min) - utc_offset)
    if f.date_to:
        stmt = stmt.where(AuditEvent.at < datetime.combine(f.date_to + timedelta(days=1), time.min) - utc_offset)
    return stmt.order_by(AuditEvent.seq.desc())
