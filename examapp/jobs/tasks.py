"""The jobs. Each is idempotent and safe to run twice; each opens its own app context."""
from ..clock import utcnow

APP = None   # set by the scheduler process: APScheduler's database job store needs importable functions


def auto_submit_overdue() -> int:
    """Submit, with their saved answers, the attempts whose deadline and grace have passed (F9)."""
    from ..services import exams

    with APP.app_context():
        return exams.submit_overdue(now=utcnow())


def exam_notebooks() -> int:
    """After an exam closes, its wrong answers join the takers' wrong-answer notebooks (once per exam)."""
    from ..services import exams

    with APP.app_context():
        return exams.sync_notebooks(now=utcnow())


def exam_reminders(now=None) -> int:
    """Reminders before an exam opens and closes, and make-up notices; each stored once per person."""
    from ..services import reminders

    with APP.app_context():
        return reminders.send_exam_reminders(now=now or utcnow())


def notification_emails(now=None) -> int:
    """E-mail the notifications not yet mailed, when an SMTP server is configured (failures wait for the next run)."""
    from ..services import notifications

    with APP.app_context():
        return notifications.send_pending_emails(now=now or utcnow())


def study_reminders(now=None) -> int:
    """30 and 7 days before a study plan's deadline, remind those behind; each stored once per person."""
    from ..services import study_plans

    with APP.app_context():
        return study_plans.send_reminders(now=now or utcnow())


def certificate_expiry(now=None) -> int:
    """Valid certificates past their expiry date become expired, each once with its event and audit record."""
    from ..services import certificate_jobs

    with APP.app_context():
        return certificate_jobs.expire_certificates(now=now or utcnow())


def certificate_reminders(now=None) -> int:
    """180, 90 and 30 days before expiry, and before the annual review: the holder and their unit's admins."""
    from ..services import certificate_jobs

    with APP.app_context():
        return certificate_jobs.send_certificate_reminders(now=now or utcnow())


def audit_checkpoint(now=None) -> int:
    """Daily: verify the audit chain and write its head to the checkpoint file outside the database, so a
    chain later rebuilt inside the database no longer matches (S13). A broken chain writes nothing and
    tells the admins and auditors."""
    from ..services import audit_jobs

    with APP.app_context():
        return audit_jobs.daily_checkpoint(now=now or utcnow())
