"""Importing existing certificates from .xlsx/.csv: a preview with every row's errors, then all-or-nothing."""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from ..domain.certificates import is_expired
from ..errors import PermissionDenied
from ..extensions import db
from ..formats.certificate_rows import CERT_COLUMNS, CertRow, parse_certificates
from ..formats.tabular import FileError, RowError
from ..models import Certificate, CertificateEvent, User
from . import audit, settings
from .imports import FileCheck
from .practice import local_day
from .scope import Scope
from .tx import begin_write, commit

IMPORT_ROLES = ("admin",)
CHUNK = 500


@dataclass
class CertPlan(FileCheck):
    filename: str
    rows: list[CertRow] = field(default_factory=list)
    holders: dict[str, User] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""
    imported: int = 0

    @property
    def ok(self) -> bool:
        return super().ok and bool(self.rows)


def _status(row: CertRow, today: date) -> str:
    if row.status is not None:
        return row.status
    return "expired" if is_expired(row.expires_on, today) else "valid"


def plan(actor, filename: str, data: bytes) -> CertPlan:
    if not actor.has_role(*IMPORT_ROLES):
        raise PermissionDenied("只有系统管理员可以导入证件")
    result = CertPlan(filename)
    try:
        rows, errors = parse_certificates(filename, data)
    except FileError as e:
        result.file_error = str(e)
        return result
    result.errors.extend(errors)
    h = {c.key: c.header for c in CERT_COLUMNS}
    scope = Scope.of(actor)
    numbers = [r.number for r in rows]
    usernames = sorted({r.username for r in rows})
    taken: set[str] = set()
    holders: dict[str, User] = {}
    for start in range(0, max(len(numbers), len(usernames)), CHUNK):
        chunk = numbers[start:start + CHUNK]
        if chunk:
            taken.update(db.session.scalars(select(Certificate.number).where(Certificate.number.in_(chunk))))
        names = usernames[start:start + CHUNK]
        if names:
            for user in db.session.scalars(scope.users().where(User.username.in_(names))):
                holders[user.username] = user
    first_row: dict[str, int] = {}
    good = []
    for r in rows:
        problems = []
        if r.number in first_row:
            problems.append(RowError(r.row, h["number"], f"证号 {r.number} 与第 {first_row[r.number]} 行重复"))
        else:
            first_row[r.number] = r.row
            if r.number in taken:
                problems.append(RowError(r.row, h["number"], f"证号 {r.number} 已存在"))
        if r.username not in holders:
            problems.append(RowError(r.row, h["username"], f"工号 {r.username} 不存在"))
        if problems:
            result.errors.extend(problems)
        else:
            good.append(r)
    result.errors.sort(key=lambda e: e.row)
    result.rows, result.holders = good, holders
    return result


def apply(actor, filename: str, data: bytes, now: datetime) -> CertPlan:
    """Checks again under the write lock, then stores every row or none."""
    if not actor.has_role(*IMPORT_ROLES):
        raise PermissionDenied("只有系统管理员可以导入证件")
    begin_write()
    result = plan(actor, filename, data)
    if not result.ok:
        db.session.rollback()
        return result
    today, authority = local_day(now), settings.get("cert.authority")
    certs = []
    for r in result.rows:
        holder = result.holders[r.username]
        cert = Certificate(type=r.type, number=r.number, holder_id=holder.id, unit_id=holder.unit_id,
                           authority=authority, area=r.area, issued_on=r.issued_on, expires_on=r.expires_on,
                           status=_status(r, today), evidence={"imported": filename, "row": r.row}, created_at=now)
        certs.append((r, cert))
    db.session.add_all(c for _r, c in certs)
    db.session.flush()
    db.session.add_all(CertificateEvent(certificate_id=c.id, kind="import", on=today, reason=f"从 {filename} 导入",
                                        actor=actor.username, data={"row": r.row, "status": c.status}, at=now)
                       for r, c in certs)
    audit.record_many("certificate.import", actor=actor, now=now, object_type="certificate",
                      items=[(c.id, {"number": c.number, "holder": r.username, "type": c.type, "status": c.status,
                                     "issued_on": c.issued_on.isoformat(), "expires_on": c.expires_on.isoformat(),
                                     "file": filename, "row": r.row}) for r, c in certs])
    commit()
    result.imported = len(certs)
    return result


__all__ = ["CertPlan", "apply", "plan"]
