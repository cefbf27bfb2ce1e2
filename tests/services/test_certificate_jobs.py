"""The scheduler's certificate jobs with pinned time: expiry switches once; reminders 180, 90 and 30 days
before expiry and before the annual review, to the holder and the admins of their unit, once each."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from examapp.extensions import db
from examapp.jobs import tasks
from examapp.models import AuditEvent, Certificate, CertificateEvent, Notification, User
from examapp.services import audit
from examapp.services.certificate_jobs import expire_certificates, send_certificate_reminders
from tests.certificate_factory import make_certificate
from tests.conftest import make_user

TODAY = date(2026, 3, 15)
NOON = datetime(2026, 3, 15, 4, 0)   # 12:00 in the bureau's time zone


def at(day: date, hour_utc: int = 4) -> datetime:
    return datetime(day.year, day.month, day.day, hour_utc, 0)


def received(kind: str | None = None) -> dict[str, list[str]]:
    stmt = select(User.username, Notification.key).join(User, Notification.user_id == User.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    out: dict[str, list[str]] = {}
    for username, key in db.session.execute(stmt.order_by(Notification.id)):
        out.setdefault(username, []).append(key)
    return out


@pytest.fixture
def expiring(world):
    """张三's certificate expires 180 days after TODAY."""
    expires = TODAY + timedelta(days=180)
    return make_certificate(world.employee, "ZF-A1-2021-00001", issued_on=expires - timedelta(days=1826),
                            expires_on=expires, last_review_on=TODAY - timedelta(days=20))


def test_expiry_reminders_at_180_90_and_30_days_once_each(world, expiring):
    expires = expiring.expires_on
    assert send_certificate_reminders(now=at(expires - timedelta(days=181))) == 0
    assert send_certificate_reminders(now=at(expires - timedelta(days=180))) == 2     # holder + unit admin
    assert send_certificate_reminders(now=at(expires - timedelta(days=180), 10)) == 0  # later the same day
    assert send_certificate_reminders(now=at(expires - timedelta(days=120))) == 0
    assert send_certificate_reminders(now=at(expires - timedelta(days=90))) == 2
    assert send_certificate_reminders(now=at(expires - timedelta(days=89))) == 0
    assert send_certificate_reminders(now=at(expires - timedelta(days=30))) == 2
    assert send_certificate_reminders(now=at(expires)) == 0
    assert send_certificate_reminders(now=at(expires + timedelta(days=1))) == 0
    got = received("cert_expiry")
    assert set(got) == {"employee", "unitadmin"}            # not the B person, not the (scoped) auditors
    assert [k.split(":")[3] for k in got["employee"]] == ["180d", "90d", "30d"]
    holder_body = db.session.scalar(select(Notification.body).join(User, Notification.user_id == User.id)
                                    .where(User.username == "employee").order_by(Notification.id))
    admin_body = db.session.scalar(select(Notification.body).join(User, Notification.user_id == User.id)
                                   .where(User.username == "unitadmin").order_by(Notification.id))
    assert holder_body.startswith("您的行政执法证（ZF-A1-2021-00001）") and "还有 180 天" in holder_body
    assert admin_body.startswith("张三的行政执法证") and "换发" in admin_body
    link = db.session.scalar(select(Notification.link).limit(1))
    assert link == "/verify/ZF-A1-2021-00001"


def test_a_job_down_for_a_while_sends_only_the_nearest_stage(world, expiring):
    assert send_certificate_reminders(now=at(expiring.expires_on - timedelta(days=60))) == 2
    assert [k.split(":")[3] for k in received()["employee"]] == ["90d"]


def test_the_admins_of_every_unit_above_are_told(world, expiring):
    make_user("rootadmin", world.root, "unit_admin", "employee", name="市局单位管理员")
    make_user("badmin", world.b, "unit_admin", "employee", name="乙管理员")
    make_user("gone", world.a, "unit_admin", active=False)
    send_certificate_reminders(now=at(expiring.expires_on - timedelta(days=180)))
    assert set(received()) == {"employee", "unitadmin", "rootadmin"}


@pytest.mark.parametrize("status", ["suspended", "revoked", "recalled", "cancelled", "expired"])
def test_no_reminders_for_certificates_that_are_not_valid(world, status):
    make_certificate(world.employee, "ZF-A1-2021-00002", status=status, issued_on=date(2021, 9, 11),
                     expires_on=TODAY + timedelta(days=30))
    assert send_certificate_reminders(now=NOON) == 0


def test_no_reminders_for_an_inactive_holder(world, expiring):
    world.employee.active = False
    db.session.commit()
    assert send_certificate_reminders(now=at(expiring.expires_on - timedelta(days=90))) == 0


def test_review_reminder_before_the_anniversary_once(world):
    anniversary = TODAY + timedelta(days=30)
    make_certificate(world.employee, "ZF-A1-2025-00003", issued_on=anniversary.replace(year=anniversary.year - 1),
                     expires_on=anniversary.replace(year=anniversary.year + 4))
    assert send_certificate_reminders(now=at(TODAY - timedelta(days=1))) == 0
    assert send_certificate_reminders(now=NOON) == 2
    assert send_certificate_reminders(now=at(TODAY + timedelta(days=5))) == 0
    got = received("cert_review")
    assert set(got) == {"employee", "unitadmin"} and got["employee"] == [
        f"cert:{db.session.scalar(select(Certificate.id))}:review:30d:{anniversary:%Y%m%d}"]
    body = db.session.scalar(select(Notification.body).where(Notification.kind == "cert_review").limit(1))
    assert "年度审验" in body


def test_a_review_done_early_counts_for_that_year(world):
    anniversary = TODAY + timedelta(days=30)
    make_certificate(world.employee, "ZF-A1-2025-00004", issued_on=anniversary.replace(year=anniversary.year - 1),
                     expires_on=anniversary.replace(year=anniversary.year + 4), last_review_on=TODAY - timedelta(days=3))
    assert send_certificate_reminders(now=NOON) == 0


def test_no_review_reminder_when_the_anniversary_is_the_expiry(world):
    """In the last year renewal, not review, is due: only the expiry reminder goes out."""
    expires = TODAY + timedelta(days=30)
    make_certificate(world.employee, "ZF-A1-2021-00005", issued_on=expires.replace(year=expires.year - 5),
                     expires_on=expires, last_review_on=TODAY - timedelta(days=330))
    send_certificate_reminders(now=NOON)
    assert set(received("cert_review")) == set() and set(received("cert_expiry")) == {"employee", "unitadmin"}


def test_expiry_switches_each_certificate_once(world):
    lapsed = make_certificate(world.employee, "ZF-A1-2021-00006", issued_on=date(2021, 3, 14),
                              expires_on=date(2026, 3, 14))
    last_day = make_certificate(world.victim, "ZF-A2-2021-00007", issued_on=date(2021, 3, 15),
                                expires_on=TODAY)
    suspended = make_certificate(world.b_person, "ZF-B-2020-00008", status="suspended", issued_on=date(2020, 1, 1),
                                 expires_on=date(2025, 1, 1))
    lapsed_id, last_day_id, suspended_id = lapsed.id, last_day.id, suspended.id
    # 2026-03-14 23:30 local: still the last valid day of the first one
    assert expire_certificates(now=datetime(2026, 3, 14, 15, 30)) == 0
    assert expire_certificates(now=NOON) == 1
    assert expire_certificates(now=NOON + timedelta(hours=1)) == 0
    statuses = dict(db.session.execute(select(Certificate.id, Certificate.status)).all())
    assert statuses == {lapsed_id: "expired", last_day_id: "valid", suspended_id: "suspended"}
    events = db.session.execute(select(CertificateEvent.certificate_id, CertificateEvent.kind,
                                       CertificateEvent.on)).all()
    assert events == [(lapsed_id, "expire", TODAY)]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "certificate.expire")) == 1
    assert audit.verify().ok


def test_the_jobs_run_in_their_own_context(app, world, expiring):
    tasks.APP = app
    now = at(expiring.expires_on - timedelta(days=90))
    assert tasks.certificate_reminders(now=now) == 2
    assert tasks.certificate_reminders(now=now) == 0
    assert tasks.certificate_expiry(now=at(expiring.expires_on + timedelta(days=1))) == 1
    assert tasks.certificate_expiry(now=at(expiring.expires_on + timedelta(days=2))) == 0
