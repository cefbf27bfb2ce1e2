"""Reading certificates for print, the command line and the public verify page: the effective status (a
"valid" certificate past its expiry date reads 已过期), the public view (S14: status, holder name, unit and
validity, nothing else) and the printable PDF."""
import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from sqlalchemy import false, select

from ..domain import certificates as rules
from ..errors import NotFound
from ..extensions import db
from ..formats import certificate_pdf
from ..models import Certificate, OrgUnit
from .practice import local_day

# Longer, or with blanks or control characters (PostgreSQL refuses NUL), it cannot be a number the system
# handed out: answered as unknown without a query.
NUMBER_RE = re.compile(r"^[^\s/\\\x00-\x1f\x7f]{1,40}$")


def local_today(now: datetime) -> date:
    """The bureau's date at `now` (stored times are naive UTC)."""
    return local_day(now)


def effective_status(status: str, expires_on: date, today: date) -> str:
    """A valid certificate past its date reads expired even before the nightly job switched it."""
    return rules.effective_status(status, expires_on, today)


def status_label(status: str) -> str:
    return rules.STATUS_LABELS.get(status, status)


def type_label(cert_type: str) -> str:
    known = rules.TYPES.get(cert_type)
    return known.label if known else cert_type


def by_number(number: str) -> Certificate | None:
    if not NUMBER_RE.match(number or ""):
        return None
    return db.session.execute(select(Certificate).where(Certificate.number == number)).scalar_one_or_none()


@dataclass(frozen=True)
class PublicView:
    """All the verify page may show (S14)."""

    number: str
    type_label: str
    holder: str
    unit: str
    issued_on: date
    expires_on: date
    status: str
    status_label: str


def public_view(number: str, *, now: datetime) -> PublicView:
    cert = by_number(number)
    if cert is None:
        raise NotFound("未查到该证号的证件")
    status = effective_status(cert.status, cert.expires_on, local_today(now))
    unit = db.session.get(OrgUnit, cert.unit_id)
    return PublicView(number=cert.number, type_label=type_label(cert.type), holder=cert.holder.name,
                      unit=_unit_label(unit), issued_on=cert.issued_on, expires_on=cert.expires_on,
                      status=status, status_label=status_label(status))


def get_for(actor, number: str) -> Certificate:
    """A certificate the actor may read (the certificate pages' own scope rule); else not found."""
    from . import certificates

    cert = by_number(number)
    if cert is None:
        raise NotFound("证件不存在")
    return certificates.get(actor, cert.id)


def verify_url(number: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{quote(number, safe='')}"


def pdf(cert: Certificate, *, base_url: str, now: datetime) -> bytes:
    status = effective_status(cert.status, cert.expires_on, local_today(now))
    unit = db.session.get(OrgUnit, cert.unit_id)
    view = certificate_pdf.CertificateView(
        number=cert.number, type_label=type_label(cert.type), holder=cert.holder.name,
        unit=_unit_label(unit), area=cert.area or "", authority=cert.authority or "",
        issued_on=cert.issued_on, expires_on=cert.expires_on, status=status, status_label=status_label(status),
        verify_url=verify_url(cert.number, base_url))
    return certificate_pdf.render(view)


def list_rows(*, status: str | None, now: datetime) -> list[dict]:
    """Every certificate as the command line lists it (DESIGN §4); `status` filters on the effective status."""
    from .certificates import status_clause

    today = local_today(now)
    stmt = select(Certificate).order_by(Certificate.number)        # the holder is joined
    if status:
        clause = status_clause(status, today)
        stmt = stmt.where(clause if clause is not None else false())
    return [{"number": cert.number, "holder": cert.holder.name, "username": cert.holder.username, "type": cert.type,
             "status": effective_status(cert.status, cert.expires_on, today), "issued_on": cert.issued_on.isoformat(),
             "expires_on": cert.expires_on.isoformat()} for cert in db.session.scalars(stmt)]


__all__ = ["PublicView", "by_number", "effective_status", "get_for", "list_rows",
           "local_today", "pdf", "public_view", "status_label", "type_label", "verify_url"]


def _unit_label(unit: OrgUnit | None) -> str:
    """A unit's name with its parent's when the name alone is ambiguous (两个区局都有 综合股, 工业股)."""
    if unit is None:
        return ""
    from .exam_results import unit_labels
    return unit_labels({unit.id})[unit.id]
