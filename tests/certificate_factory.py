"""Certificates made directly in the database, for tests of reading, printing and the scheduler's jobs."""
from datetime import date, datetime

from examapp.extensions import db
from examapp.models import Certificate


def make_certificate(holder, number: str, *, type: str = "ENFORCEMENT", status: str = "valid",  # noqa: A002
                     issued_on: date = date(2024, 1, 10), expires_on: date = date(2029, 1, 10),
                     last_review_on: date | None = None, area: str = "无线电管理") -> Certificate:
    cert = Certificate(type=type, number=number, holder_id=holder.id, unit_id=holder.unit_id,
                       authority="市工业和信息化局", area=area, issued_on=issued_on, expires_on=expires_on,
                       status=status, last_review_on=last_review_on,
                       evidence={"hours": 48.0, "attempts": [{"exam": "资格考试", "score": 88}]},
                       created_at=datetime(2024, 1, 10, 2, 0))
    db.session.add(cert)
    db.session.commit()
    return cert
